"""Pytest fixtures for plugin authors (registered as a pytest plugin on install).

``imgmarker_host``: a plugin host with built-ins only (third-party autoload off), so a
plugin's test sees exactly the plugin under test plus imgmarker's own.
``imgmarker_host_with``: the same, with extra plugin objects registered.
``make_experiment``: writes an experiment.yaml (and its image folder) in a temporary
directory and returns the loaded, validated :class:`~imgmarker.kernel.experiment.config.Experiment`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
import yaml


@pytest.fixture
def imgmarker_host():
    from imgmarker.kernel.plugins.host import create_plugin_host

    return create_plugin_host(autoload=False)


@pytest.fixture
def imgmarker_host_with() -> Callable[..., Any]:
    from imgmarker.kernel.plugins.host import create_plugin_host

    def make(*plugins: Any, autoload: bool = False, **kwargs: Any):
        extra = [(getattr(p, "__name__", type(p).__name__), p) for p in plugins]
        return create_plugin_host(autoload=autoload, extra=extra, **kwargs)

    return make


@pytest.fixture
def make_experiment(tmp_path: Path) -> Callable[..., Any]:
    """``make_experiment(images=None, registry=None, **sections)``.

    ``images`` maps file names to bytes (or is None for an empty folder); ``sections``
    are top-level experiment keys merged over a minimal valid experiment.
    """
    from imgmarker.kernel.experiment.loader import load_experiment

    def make(images: dict[str, bytes] | None = None, registry: Any = None, folder: Path | None = None,
             **sections: Any):
        root = folder or tmp_path
        image_dir = root / "images"
        image_dir.mkdir(parents=True, exist_ok=True)
        for name, content in (images or {}).items():
            target = image_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        document = {"schema_version": 1, "name": "test campaign", "images": {"directory": "images"}}
        document.update(sections)
        path = root / "experiment.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return load_experiment(path, registry)

    return make

"""Third-party plugins written on the fly: a module plus, when asked, the metadata of
an installed distribution whose entry point names it, in a folder put on ``sys.path``.
The real plugin host then finds them the way it finds any installed plugin."""

from __future__ import annotations

import textwrap
from pathlib import Path


def install_plugin(monkeypatch, site: Path, module: str, source: str, *, dist: str | None = None,
                   version: str = "1.0") -> Path:
    """Write ``module.py`` into ``site`` and put ``site`` first on ``sys.path``; with
    ``dist`` also write ``<dist>-<version>.dist-info`` declaring the entry point
    ``module = module`` in the ``imgmarker`` group. Module names must be unique per test
    (an imported module stays imported)."""
    site.mkdir(parents=True, exist_ok=True)
    path = site / f"{module}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    if dist is not None:
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[imgmarker]\n{module} = {module}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("IMGMARKER_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    return path


def write_module(folder: Path, name: str, source: str) -> Path:
    """A plugin file beside an experiment (``plugins.modules: [name.py]``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path

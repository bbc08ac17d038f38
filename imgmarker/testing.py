"""Pytest fixtures for plugin authors (registered as a pytest plugin on install).

``imgmarker_host``: a plugin host with built-ins only (third-party autoload off), so a
plugin's test sees exactly the plugin under test plus imgmarker's own.
``imgmarker_host_with``: the same, with extra plugin objects registered.
``make_experiment``: writes an experiment.yaml (and its image folder) in a temporary
directory and returns the loaded, validated :class:`~imgmarker.kernel.experiment.config.Experiment`.
``imgmarker_writer_context``: the context a writer gets in a campaign, backed by a real
annotator database in a temporary folder holding the marks, images and frame geometry
a test gives, so a writer's test needs nothing from imgmarker's internals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

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


def _mark_dict(mark: Any) -> dict[str, Any]:
    if isinstance(mark, Mapping):
        data = dict(mark)
    elif hasattr(mark, "_asdict"):
        data = mark._asdict()
    else:
        data = {name: getattr(mark, name) for name in ("id", "image", "group", "label", "x", "y", "ra", "dec",
                                                      "frame", "time", "pass_index")}
    data.setdefault("pass_index", 1)
    data.setdefault("frame", 0)
    data.setdefault("ra", None)
    data.setdefault("dec", None)
    data.setdefault("id", None)
    data.setdefault("label", data.get("group"))
    data.setdefault("time", "2026-01-01T00:00:00+00:00")
    return data


def _fill_store(store: Any, marks: Iterable[Any], images: Iterable[Any], geometry: Iterable[Any]) -> None:
    from imgmarker.kernel.annotations import changes

    geometry = list(geometry)
    store.put_geometries(geometry)
    centres = {g.image for g in geometry if g.ra_center is not None}
    for mark in marks:
        data = _mark_dict(mark)
        store.apply((data["image"], data["pass_index"]), "add mark", [changes.add(data)])
    for row in images:
        if row.ra is not None and row.image not in centres:
            raise ValueError(f"ImageRow {row.image!r} has ra, dec: a context takes them from the centre of the "
                             "image's FrameGeometry; pass geometry=[FrameGeometry(image, 0, height, width, ra, dec)]")
        key = (row.image, row.pass_index)
        store.apply(key, "image", [changes.image_field("comment", "", row.comment),
                                   changes.image_field("categories", [], list(row.categories)),
                                   changes.image_field("favorite", False, bool(row.favorite))])
        if row.seen_time is not None:
            store.mark_seen(key, row.seen_time)


@pytest.fixture
def imgmarker_writer_context(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``imgmarker_writer_context(marks=(), images=(), geometry=(), *, config=None,
    user="ann", experiment=None, output_dir=None)``: a writer context as a campaign
    gives it, over a real annotator database in ``output_dir`` (default
    ``tmp_path / "results"``), where the writer's files go too.

    ``marks``: ``MarkRow`` records (or mappings with their fields; ``id`` None numbers
    them). ``images``: ``ImageRow`` records; their ``ra, dec`` are the centre of frame 0
    from ``geometry``. ``geometry``: ``FrameGeometry`` records, what
    ``context.geometry(image, frame)`` returns. ``config``: the writer's section of the
    experiment. ``experiment``: e.g. from ``make_experiment`` (default None).
    """
    from imgmarker.kernel.campaign.sequence import database_path
    from imgmarker.kernel.output.export import StoreWriterContext
    from imgmarker.kernel.store.sqlite import SqliteStore

    stores: list[Any] = []

    def make(marks: Iterable[Any] = (), images: Iterable[Any] = (), geometry: Iterable[Any] = (), *,
             config: Mapping[str, Any] | None = None, user: str = "ann", experiment: Any = None,
             output_dir: Path | None = None) -> Any:
        folder = Path(output_dir) if output_dir is not None else tmp_path / "results"
        folder.mkdir(parents=True, exist_ok=True)
        store = SqliteStore.open(database_path(folder, user))
        stores.append(store)
        _fill_store(store, marks, images, geometry)
        return StoreWriterContext(experiment, user, folder, dict(config or {}), store)

    yield make
    for store in stores:
        store.close()

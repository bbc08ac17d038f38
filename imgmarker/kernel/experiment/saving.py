"""Writing an annotator's effective experiment as a new experiment file (only when
they ask: the shared file is never rewritten)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from imgmarker.kernel.output.atomic import atomic_write
from imgmarker.kernel.experiment.config import Experiment


def _moved(value: str, old_dir: Path, new_dir: Path) -> str:
    """A path from the old file, relative to the new file when that is possible."""
    target = (old_dir / value).resolve()
    try:
        return os.path.relpath(target, new_dir)
    except ValueError:  # another drive
        return str(target)


def effective_document(base: Experiment, effective: Experiment, target: Path) -> dict[str, Any]:
    """The base file's YAML with the annotator's changes applied and paths re-rooted."""
    if base.path is None:
        raise ValueError("the experiment was not loaded from a file")
    document = yaml.safe_load(Path(base.path).read_text(encoding="utf-8")) or {}
    old_dir, new_dir = base.base_dir, Path(target).resolve().parent
    images = document.setdefault("images", {})
    for key in ("directory", "list"):
        if images.get(key):
            images[key] = _moved(images[key], old_dir, new_dir)
    output = document.setdefault("output", {})
    output["directory"] = _moved(output.get("directory", "."), old_dir, new_dir)
    groups = document.get("groups")
    if isinstance(groups, list):
        for item, group in zip(groups, effective.groups):
            if isinstance(item, dict):
                item["name"] = group.name
                if group.max is None:
                    item.pop("max", None)
                else:
                    item["max"] = group.max
    items = (document.get("categories") or {}).get("items")
    if isinstance(items, list):
        for item, category in zip(items, effective.categories.items):
            if isinstance(item, dict):
                item["name"] = category.name
    document["order"] = {**(document.get("order") or {}), "mode": effective.order.mode, "seed": effective.order.seed}
    document["consistency"] = {**(document.get("consistency") or {}), "fraction": effective.consistency.fraction}
    controls = document.setdefault("controls", {})
    controls["left_click_group"] = effective.controls.left_click_group
    controls["middle_click"] = effective.controls.middle_click
    catalogs = []
    for item in document.get("catalogs") or []:
        catalogs.append({**item, "path": _moved(item["path"], old_dir, new_dir)})
    for catalog in effective.catalogs[len(base.catalogs):]:
        catalogs.append({"path": _moved(str(catalog.path), old_dir, new_dir), "name": catalog.name,
                         "color": catalog.color})
    if catalogs:
        document["catalogs"] = catalogs
    return document


def write_effective_experiment(base: Experiment, effective: Experiment, target: Path) -> Path:
    document = effective_document(base, effective, target)
    with atomic_write(target) as handle:
        handle.write(f"# Saved from {Path(base.path).name} with one annotator's settings.\n")
        yaml.safe_dump(document, handle, sort_keys=False, allow_unicode=True)
    return Path(target)

"""An annotator's own changes to the shared experiment.

The experiment file is shared and stays as it is; what one annotator may change
(group names and limits, category names, the left-click group, the order, the repeat
fraction, the middle click, extra catalogs) is kept as a small JSON document in their
store and laid over the experiment. Everything downstream (session, writers, GUI)
reads the *effective* experiment built here.

Group and category overrides are keyed by the name in the experiment file, so the
effective experiment is always ``file + overrides`` however often a name changed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Mapping

from imgmarker.kernel.experiment.config import ORDER_MODES, CatalogConfig, Category, Experiment

#: The store setting that holds the overrides.
SETTING = "experiment_overrides"
MIDDLE_CLICK = ("center", "center-and-move-cursor", "none")


class OverrideError(ValueError):
    """Overrides that cannot be applied (a clash of names, an unknown mode...)."""


def _check_names(kind: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not name.strip():
            raise OverrideError(f"a {kind} name may not be empty")
        if name in seen:
            raise OverrideError(f"two {kind}s would be named {name!r}")
        seen.add(name)


def apply_overrides(experiment: Experiment, overrides: Mapping[str, Any] | None) -> Experiment:
    """``experiment`` with ``overrides`` applied; raises OverrideError naming the problem."""
    if not overrides:
        return experiment
    changes: dict[str, Any] = {}
    group_over = overrides.get("groups") or {}
    groups = []
    for group in experiment.groups:
        over = group_over.get(group.name) or {}
        name = str(over.get("name", group.name))
        limit = over.get("max", group.max) if "max" in over else group.max
        if limit is not None:
            limit = int(limit)
            if limit < 0:
                raise OverrideError(f"group {name!r}: the limit must be 0 or more (0 or empty: no limit)")
            limit = limit or None
        groups.append(dataclasses.replace(group, name=name, max=limit))
    _check_names("group", [g.name for g in groups])
    changes["groups"] = tuple(groups)

    cat_over = overrides.get("categories") or {}
    items = tuple(Category(str(cat_over.get(c.name, c.name)), c.key) for c in experiment.categories.items)
    _check_names("category", [c.name for c in items])
    changes["categories"] = dataclasses.replace(experiment.categories, items=items)

    order = experiment.order
    if "order" in overrides:
        mode = str(overrides["order"].get("mode", order.mode))
        if mode not in ORDER_MODES:
            raise OverrideError(f"unknown order mode {mode!r} (expected one of {', '.join(ORDER_MODES)})")
        order = dataclasses.replace(order, mode=mode, seed=int(overrides["order"].get("seed", order.seed)))
    changes["order"] = order

    consistency = experiment.consistency
    if "repeat_fraction" in overrides:
        fraction = float(overrides["repeat_fraction"])
        if not 0.0 <= fraction <= 1.0:
            raise OverrideError(f"the repeat fraction must be between 0 and 1, not {fraction}")
        consistency = dataclasses.replace(consistency, fraction=fraction)
    changes["consistency"] = consistency

    controls = experiment.controls
    names = [g.name for g in groups]
    left = overrides.get("left_click_group")
    if left is None:  # the file's choice, under its new name if renamed
        index = [g.name for g in experiment.groups].index(controls.left_click_group) \
            if controls.left_click_group in experiment.group_names else 0
        left = names[index]
    if left not in names:
        raise OverrideError(f"the left-click group {left!r} is not one of {', '.join(names)}")
    middle = str(overrides.get("middle_click", controls.middle_click))
    if middle not in MIDDLE_CLICK:
        raise OverrideError(f"unknown middle-click action {middle!r} (expected one of {', '.join(MIDDLE_CLICK)})")
    changes["controls"] = dataclasses.replace(controls, left_click_group=left, middle_click=middle)

    extra = tuple(catalog_config(c) for c in overrides.get("catalogs") or ())
    catalogs = experiment.catalogs + extra
    _check_names("catalog", [c.name for c in catalogs])
    changes["catalogs"] = catalogs
    return dataclasses.replace(experiment, **changes)


def catalog_config(entry: Mapping[str, Any]) -> CatalogConfig:
    """A catalog the annotator imported, from its stored description."""
    path = Path(entry["path"])
    return CatalogConfig(path=path, name=str(entry.get("name") or path.name.split(".")[0]),
                         color=str(entry.get("color", "#00FFFF")), shape=str(entry.get("shape", "circle")),
                         size=float(entry.get("size", 15.0)), size_unit=str(entry.get("size_unit", "px")),
                         label_column=str(entry.get("label_column", "label")), visible=bool(entry.get("visible", True)))


def renames(before: Experiment, after: Experiment) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(group renames, category renames) between two effective experiments of one file."""
    groups = [(a.name, b.name) for a, b in zip(before.groups, after.groups) if a.name != b.name]
    cats = [(a.name, b.name) for a, b in zip(before.categories.items, after.categories.items) if a.name != b.name]
    return groups, cats

"""What the COCO and YOLO writers share: the box drawn around a point mark, in pixels.

A mark is a point; detectors also want a box. Its side is the writer's ``box`` setting
(pixels) when given, else the group's marker size: pixels as they are, arcseconds
through the local pixel scale where the writer context knows it (a dataset's cutouts
do). A group sized in arcseconds with no known scale is an error that names the
setting to use, never a guess.
"""

from __future__ import annotations

from typing import Any


class BoxError(ValueError):
    pass


def groups_of(experiment: Any) -> dict[str, Any]:
    return {g.name: g for g in experiment.groups} if experiment is not None else {}


def class_names(experiment: Any, marks: list) -> list[str]:
    """Group names in the experiment's order, then any others the marks use (by name)."""
    names = list(groups_of(experiment))
    extra = sorted({m.group for m in marks} - set(names))
    return names + extra


def box_side(context: Any, writer: str, mark: Any) -> float:
    config = context.config or {}
    if config.get("box"):
        return float(config["box"])
    group = groups_of(context.experiment).get(mark.group)
    if group is None:
        raise BoxError(f"group {mark.group!r} is not in the experiment: set plugins: {{{writer}: {{box: PIXELS}}}}")
    if group.size_unit != "arcsec":
        return float(group.size)
    scale = getattr(context, "pixel_scale", None)
    value = scale(mark.image, mark.frame, mark.x, mark.y) if scale is not None else None
    if not value:
        raise BoxError(f"group {mark.group!r} is sized in arcsec and the pixel scale of {mark.image!r} is not "
                       f"known here: set plugins: {{{writer}: {{box: PIXELS}}}}")
    return float(group.size) / float(value)


def clipped_box(x: float, y: float, side: float, width: int | None, height: int | None) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in continuous image coordinates (the top-left corner
    of the image is (0, 0), so the mark's pixel centre is (x + 0.5, y + 0.5)), clipped
    to the image when its size is known."""
    cx, cy, half = x + 0.5, y + 0.5, side / 2.0
    left, top, right, bottom = cx - half, cy - half, cx + half, cy + half
    if width is not None and height is not None:
        left, right = min(max(left, 0.0), width), min(max(right, 0.0), width)
        top, bottom = min(max(top, 0.0), height), min(max(bottom, 0.0), height)
    return left, top, right, bottom


BOX_SCHEMA = {"type": "number", "exclusiveMinimum": 0,
              "description": "side of the box around each mark, in pixels (default: the group's marker size)"}

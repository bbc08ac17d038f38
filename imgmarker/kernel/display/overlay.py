"""Overlays as plain drawing primitives.

An overlay plugin turns state (marks, catalog sources, the WCS) into a list of frozen
primitives in display pixels; the shell only draws them. Keeping this Qt-free means
what is drawn, and where, is tested without a screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, Iterable, Mapping, Sequence, Union

SHAPES = ("circle", "square", "diamond", "cross", "plus", "triangle")


@dataclass(frozen=True)
class Marker:
    """A symbol centred on (x, y), ``size_px`` across (its diameter)."""

    shape: str
    x: float
    y: float
    size_px: float
    color: str
    label: str = ""
    tooltip: str = ""
    selected: bool = False
    kind: str = "mark"  # "mark" or "catalog"
    key: Any = None  # mark id, or (catalog name, row) for a source

    @property
    def size(self) -> float:
        """Diameter in image pixels (the name drawing code expects)."""
        return self.size_px


@dataclass(frozen=True)
class Line:
    """A segment; with ``arrow`` a head is drawn at (x1, y1)."""

    x0: float
    y0: float
    x1: float
    y1: float
    color: str
    width: float = 1.5
    arrow: bool = False
    kind: str = ""


@dataclass(frozen=True)
class Text:
    """A string placed with its ``anchor`` ("center", "left", "right") at (x, y)."""

    x: float
    y: float
    text: str
    color: str
    anchor: str = "center"
    kind: str = ""


Primitive = Union[Marker, Line, Text]


@dataclass(frozen=True)
class CatalogLayer:
    """One catalog's sources on the shown frame, with how to draw them."""

    name: str
    sources: Any  # imgmarker.kernel.catalogs.matching.SourcesOnImage
    color: str
    shape: str = "circle"
    visible: bool = True


@dataclass(frozen=True)
class OverlayContext:
    """Everything an overlay may draw from, filled in by the GUI for the shown frame.

    ``visible`` maps overlay names to the user's on/off choice; an overlay not in it
    uses its ``default_visible``. ``groups`` defaults to the experiment's groups.
    """

    image_name: str
    frame: int
    shape: tuple[int, int]  # (height, width) as displayed
    wcs: Any = None
    marks: Sequence[Any] = ()
    catalogs: Sequence[CatalogLayer] = ()
    visible: Mapping[str, bool] = field(default_factory=dict)
    selected: frozenset = frozenset()  # ids of selected marks
    experiment: Any = None
    groups: Sequence[Any] = ()

    @property
    def height(self) -> int:
        return int(self.shape[0])

    @property
    def width(self) -> int:
        return int(self.shape[1])

    def group_styles(self) -> dict[str, Any]:
        groups = self.groups or (self.experiment.groups if self.experiment is not None else ())
        return {g.name: g for g in groups}


def overlay_visible(spec: Any, context: OverlayContext) -> bool:
    return bool(context.visible.get(spec.name, spec.default_visible))


_COORDINATES = {Marker: ("x", "y", "size_px"), Line: ("x0", "y0", "x1", "y1"), Text: ("x", "y")}


def _primitive_problem(item: Any) -> str | None:
    """Why ``item`` cannot be drawn, or None: the painter trusts what passes here."""
    fields = _COORDINATES.get(type(item))
    if fields is None:
        return f"{type(item).__name__}, not a Marker, Line or Text"
    for name in fields:
        value = getattr(item, name)
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
            return f"a {type(item).__name__} with {name}={value!r}, not a finite number"
    if not isinstance(item.color, str):
        return f"a {type(item).__name__} with color={item.color!r}, not a colour name"
    if isinstance(item, Marker) and item.shape not in SHAPES:
        return f"a Marker with shape {item.shape!r} (shapes: {', '.join(SHAPES)})"
    return None


def _drawn(spec: Any, context: OverlayContext) -> list[Primitive]:
    result = spec.draw(context)
    if isinstance(result, (str, bytes)) or not isinstance(result, Iterable):
        raise _Junk(f"returned {type(result).__name__}, expected a list of Marker, Line or Text")
    items = list(result)
    for item in items:
        problem = _primitive_problem(item)
        if problem:
            raise _Junk(f"returned {problem}")
    return items


class _Junk(Exception):
    """An overlay returned something that is not drawing primitives."""


def draw_overlays(registry: Any, context: OverlayContext) -> tuple[list[Primitive], list[str]]:
    """Primitives of every visible overlay, in registration order, and the problems of
    overlays that failed or returned what cannot be drawn, one line each naming the
    overlay's plugin (one broken overlay must not blank the image or the others)."""
    primitives: list[Primitive] = []
    problems: list[str] = []
    for spec in registry.overlays:
        if not overlay_visible(spec, context):
            continue
        try:
            by = registry.overlays.described(spec.name)
        except (AttributeError, KeyError):
            by = "unknown plugin"
        try:
            primitives.extend(_drawn(spec, context))
        except _Junk as exc:
            problems.append(f"overlay {spec.name!r} of {by} {exc}; not drawn")
        except Exception as exc:
            message = " ".join(f"{type(exc).__name__}: {exc}".split())
            problems.append(f"overlay {spec.name!r} of {by} failed: {message}")
    return primitives, problems

"""Typed records that registry hooks return.

Plugins describe what they offer with these frozen dataclasses instead of raw dicts so
the kernel can check them once, at start-up, and report the offending plugin by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

FILTER_KINDS = ("interval", "stretch", "spatial", "colormap")
PARAM_TYPES = ("float", "int", "bool", "choice", "str")


class RecordError(ValueError):
    """A plugin returned a record that cannot be used."""


def _check_name(kind: str, name: Any) -> None:
    if not isinstance(name, str) or not name or not name.replace("-", "").replace("_", "").isalnum():
        raise RecordError(f"{kind} name must be a non-empty word (letters, digits, '-', '_'), got {name!r}")


def _check_callable(kind: str, name: str, attr: str, value: Any) -> None:
    if not callable(value):
        raise RecordError(f"{kind} {name!r}: {attr} must be callable, got {type(value).__name__}")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a filter, enough for a GUI to build a control and for
    validation of ``*_params`` sections of the experiment."""

    name: str
    type: str = "float"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("parameter", self.name)
        if self.type not in PARAM_TYPES:
            raise RecordError(f"parameter {self.name!r}: type must be one of {PARAM_TYPES}, got {self.type!r}")

    def check(self, value: Any) -> str | None:
        """Return a problem description, or None when ``value`` is acceptable."""
        if self.type == "bool":
            return None if isinstance(value, bool) else f"{value!r} is not a boolean"
        if self.type in ("float", "int"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{value!r} is not a number"
            if self.type == "int" and not float(value).is_integer():
                return f"{value!r} is not an integer"
            if self.minimum is not None and value < self.minimum:
                return f"{value!r} is less than the minimum of {self.minimum}"
            if self.maximum is not None and value > self.maximum:
                return f"{value!r} is greater than the maximum of {self.maximum}"
            return None
        if self.type == "choice":
            return None if value in self.choices else f"{value!r} is not one of {list(self.choices)}"
        return None if isinstance(value, str) else f"{value!r} is not a string"


@dataclass(frozen=True)
class ReaderSpec:
    """An image reader.

    ``open(path, max_pixels=...)`` returns an :class:`imgmarker.kernel.imaging.images.Image` whose frames
    read pixels lazily, or raises :class:`imgmarker.kernel.imaging.images.ImageReadError`.
    ``suffixes`` are lower-case and include the dot (``.fits.gz`` is allowed); when several
    readers claim a suffix the highest ``priority`` wins.
    """

    name: str
    suffixes: tuple[str, ...]
    open: Callable[..., Any]
    description: str = ""
    priority: int = 0

    def __post_init__(self) -> None:
        _check_name("reader", self.name)
        _check_callable("reader", self.name, "open", self.open)
        if not self.suffixes or not all(isinstance(s, str) and s.startswith(".") and s == s.lower() for s in self.suffixes):
            raise RecordError(f"reader {self.name!r}: suffixes must be lower-case strings starting with '.', got {self.suffixes!r}")


@dataclass(frozen=True)
class FilterSpec:
    """A step of the display pipeline.

    The signature of ``apply`` depends on ``kind``:

    - ``interval``: ``apply(sample, **params) -> (vmin, vmax)``; ``sample`` is a 1-D
      float32 array of finite values drawn from the frame. An interval that needs every
      pixel (exact min-max) may accept the keyword ``frame`` and gets the frame data.
    - ``stretch``: ``apply(values, **params) -> values``; ``values`` is float32 in [0, 1]
      (may be modified in place), the result must be in [0, 1]. A stretch that needs the
      data distribution (histogram equalisation) may accept the keyword ``sample``: the
      interval sample scaled to [0, 1].
    - ``spatial``: ``apply(data, **params) -> data``; 2-D float32 frame data, NaN-aware.
    - ``colormap``: ``apply(**params) -> lut``; a (256, 3) uint8 lookup table.
    """

    name: str
    kind: str
    apply: Callable[..., Any]
    parameters: tuple[ParamSpec, ...] = ()
    label: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("filter", self.name)
        if self.kind not in FILTER_KINDS:
            raise RecordError(f"filter {self.name!r}: kind must be one of {FILTER_KINDS}, got {self.kind!r}")
        _check_callable("filter", self.name, "apply", self.apply)

    def check_params(self, params: Mapping[str, Any]) -> list[str]:
        """Problems with ``params`` (unknown names, wrong values), as messages."""
        known = {p.name: p for p in self.parameters}
        problems = []
        for key, value in params.items():
            spec = known.get(key)
            if spec is None:
                names = ", ".join(known) or "none"
                problems.append(f"{self.kind} {self.name!r} has no parameter {key!r} (parameters: {names})")
                continue
            problem = spec.check(value)
            if problem:
                problems.append(f"{key}: {problem}")
        return problems

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


@dataclass(frozen=True)
class CatalogReaderSpec:
    """A catalog reader: ``read(path) -> imgmarker.kernel.catalogs.model.Catalog``.

    A reader whose ``read`` also accepts ``style=`` (a ``CatalogStyle``) is given the
    experiment's settings for the catalog (label column, default size and colour).
    """

    name: str
    suffixes: tuple[str, ...]
    read: Callable[..., Any]
    description: str = ""
    priority: int = 0

    def __post_init__(self) -> None:
        _check_name("catalog reader", self.name)
        _check_callable("catalog reader", self.name, "read", self.read)


@dataclass(frozen=True)
class OverlaySpec:
    """An overlay: ``draw(context) -> sequence of drawing primitives`` (Qt-free)."""

    name: str
    draw: Callable[..., Any]
    label: str = ""
    default_visible: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("overlay", self.name)
        _check_callable("overlay", self.name, "draw", self.draw)


@dataclass(frozen=True)
class WriterSpec:
    """An output writer.

    ``write(context)`` produces files from the store; ``outputs`` names them, with
    ``{user}`` standing for the annotator (e.g. ``{user}_marks.csv``). Writers must
    write through ``context.atomic_write`` so readers never see half a file.
    """

    name: str
    write: Callable[..., Any]
    outputs: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("writer", self.name)
        _check_callable("writer", self.name, "write", self.write)


@dataclass(frozen=True)
class ConfigSchema:
    """JSON Schema fragment for a plugin's section ``plugins: {section: {...}}``."""

    section: str
    schema: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_name("configuration section", self.section)
        if self.section == "modules":
            raise RecordError("configuration section 'modules' is reserved")
        if not isinstance(self.schema, Mapping):
            raise RecordError(f"configuration section {self.section!r}: schema must be a mapping")

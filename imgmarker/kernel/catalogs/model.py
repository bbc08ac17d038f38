"""Catalogs: external lists of positions overlaid on the images.

A catalog is held as column arrays, not row objects, so a 100,000-row file costs a
few arrays and every transform over it is vectorised. Readers are plugins chosen by
file suffix; they all end in :func:`imgmarker.kernel.catalogs.columns.build_catalog`,
so every format recognises the same columns and reports bad rows the same way.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from imgmarker.kernel.imaging.files import not_a_regular_file

#: Defaults used when a catalog is loaded without an experiment entry (same as the schema).
DEFAULT_COLOR = "#00FFFF"
DEFAULT_SHAPE = "circle"
DEFAULT_SIZE = 15.0
DEFAULT_SIZE_UNIT = "px"
DEFAULT_LABEL_COLUMN = "label"
ANY_FRAME = -1


class CatalogError(Exception):
    """A catalog that cannot be used at all; the message names the file."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class CatalogStyle:
    """How a catalog is drawn and what its size-less rows default to."""

    name: str
    color: str = DEFAULT_COLOR
    shape: str = DEFAULT_SHAPE
    size: float = DEFAULT_SIZE
    size_unit: str = DEFAULT_SIZE_UNIT
    label_column: str = DEFAULT_LABEL_COLUMN
    visible: bool = True
    sky_frame: str | None = None  # frame of the RA/Dec columns named by the experiment; wins over the file's


@dataclass(frozen=True)
class CatalogRow:
    """One source, for display in lists and tooltips (built on demand)."""

    index: int
    line: int
    label: str
    group: str
    image: str
    x: float | None
    y: float | None
    ra: float | None
    dec: float | None
    size: float
    size_unit: str
    color: str
    frame: int | None
    attributes: Mapping[str, Any]


def _none_if_nan(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


@dataclass(frozen=True, eq=False)
class Catalog:
    """Column arrays of equal length, one entry per usable row.

    ``x``/``y`` are display pixels (0-based, y down) and ``ra``/``dec`` ICRS degrees
    (converted from ``sky_frame``, the frame the file or the experiment named); NaN where
    the row has no such coordinate. ``size`` is in ``size_unit`` per row;
    ``frame`` is ``ANY_FRAME`` where the row names no frame; ``image`` is "" where
    the row names no image. ``lines`` are the source line (text) or row (tables)
    numbers, so a source can always be traced back to the file. ``problems`` are the
    rows skipped while reading, each as ``file:line: reason``.
    """

    path: Path
    style: CatalogStyle
    label: tuple[str, ...]
    group: tuple[str, ...]
    image: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    size: np.ndarray
    size_unit: tuple[str, ...]
    color: tuple[str, ...]
    frame: np.ndarray
    lines: np.ndarray
    attributes: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    line_noun: str = "line"
    sky_frame: str = "ICRS"

    @property
    def name(self) -> str:
        return self.style.name

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def has_image_column(self) -> bool:
        return any(self.image)

    def row_attributes(self, i: int) -> dict[str, Any]:
        return {key: values[i] for key, values in self.attributes.items()}

    def row(self, i: int) -> CatalogRow:
        frame = int(self.frame[i])
        return CatalogRow(
            index=i, line=int(self.lines[i]), label=self.label[i], group=self.group[i],
            image=self.image[i], x=_none_if_nan(self.x[i]), y=_none_if_nan(self.y[i]),
            ra=_none_if_nan(self.ra[i]), dec=_none_if_nan(self.dec[i]),
            size=float(self.size[i]), size_unit=self.size_unit[i], color=self.color[i],
            frame=None if frame == ANY_FRAME else frame, attributes=self.row_attributes(i),
        )


def style_from_config(config: Any) -> CatalogStyle:
    """A :class:`CatalogStyle` from an experiment's catalog entry."""
    return CatalogStyle(
        name=config.name, color=config.color, shape=config.shape, size=float(config.size),
        size_unit=config.size_unit, label_column=config.label_column, visible=bool(config.visible),
        sky_frame=getattr(config, "frame", None),
    )


def _accepts_style(read: Any) -> bool:
    try:
        parameters = inspect.signature(read).parameters
    except (TypeError, ValueError):
        return False
    return "style" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def load_catalog(config_or_path: Any, registry: Any) -> Catalog:
    """Read a catalog with the reader plugin registered for its suffix.

    ``config_or_path`` is an experiment :class:`~imgmarker.kernel.experiment.config.CatalogConfig`
    or a plain path (default style). Bad rows end up in ``catalog.problems``; a file that
    cannot be used at all raises :class:`CatalogError`.
    """
    if isinstance(config_or_path, (str, Path)):
        path = Path(config_or_path)
        style = CatalogStyle(name=path.name.split(".")[0])
    else:
        path = Path(config_or_path.path)
        style = style_from_config(config_or_path)
    reader = registry.catalog_reader_for(path.name)
    if reader is None:
        known = sorted({s for r in registry.catalog_readers for s in r.suffixes})
        raise CatalogError(path, f"no catalog reader for this file type (known: {', '.join(known) or 'none'})")
    problem = not_a_regular_file(path)
    if problem is not None:
        raise CatalogError(path, "no such file" if problem == "not found" else problem)
    try:
        if _accepts_style(reader.read):
            catalog = reader.read(path, style=style)
        else:  # a reader following the bare ``read(path)`` contract: restyle afterwards
            catalog = reader.read(path)
            if isinstance(catalog, Catalog):
                catalog = dataclasses.replace(catalog, style=style)
    except CatalogError:
        raise
    except Exception as exc:  # a reader bug or an unreadable file: one clear message
        raise CatalogError(path, f"cannot be read as a catalog ({type(exc).__name__}: {exc})") from exc
    if not isinstance(catalog, Catalog):
        raise CatalogError(path, f"reader {reader.name!r} returned {type(catalog).__name__}, not a Catalog")
    return catalog

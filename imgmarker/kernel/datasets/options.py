"""What a dataset is made of: every choice of the ``dataset`` command, validated once.

The options are recorded in the manifest, so that a dataset can be rebuilt exactly.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("cutouts", "images")
FORMATS = ("fits", "png")
EDGES = ("pad", "skip")
STRATA = ("group", "category", "none")

_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pix|pixels?|arcsec|\"|'')?\s*$")


@dataclass(frozen=True)
class Size:
    """The side of a cutout: whole pixels, or arcseconds through the local pixel scale."""

    value: float
    unit: str = "px"

    @classmethod
    def parse(cls, text: str) -> "Size":
        """``64``, ``64px`` or ``20arcsec`` (also ``20"``)."""
        found = _SIZE.match(str(text))
        if not found:
            raise ValueError(f"cutout size {text!r}: expected a number of pixels (64, 64px) or of arcseconds (20arcsec)")
        value = float(found.group(1))
        unit = "arcsec" if found.group(2) in ("arcsec", '"', "''") else "px"
        if unit == "px" and value != int(value):
            raise ValueError(f"cutout size {text!r}: a size in pixels is a whole number")
        if not value > 0:
            raise ValueError(f"cutout size {text!r}: must be positive")
        return cls(value, unit)

    def __str__(self) -> str:
        return f"{int(self.value)}px" if self.unit == "px" else f"{self.value:g}arcsec"


@dataclass(frozen=True)
class DatasetOptions:
    kind: str = "cutouts"  # "cutouts" around marks, or whole "images" by category
    size: Size = field(default_factory=lambda: Size(64))
    format: str = "fits"
    edge: str = "pad"
    frame: int | None = None  # None: the experiment's display frame
    groups: tuple[str, ...] = ()  # keep only marks of these groups (all when empty)
    categories: tuple[str, ...] = ()  # keep only images in one of these categories
    drop_categories: tuple[str, ...] = ()
    annotators: tuple[str, ...] = ()  # use only these annotators' results (all when empty)
    min_support: float = 0.5
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    seed: int = 0
    stratify: str | None = None  # None: by group for cutouts, by category for images
    writers: tuple[str, ...] = ("coco", "yolo")
    workers: int | None = None  # None: up to two worker processes

    def __post_init__(self) -> None:
        for name, value, allowed in (("kind", self.kind, KINDS), ("format", self.format, FORMATS),
                                     ("edge", self.edge, EDGES)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        if self.stratify is not None and self.stratify not in STRATA:
            raise ValueError(f"stratify must be one of {', '.join(STRATA)}, got {self.stratify!r}")
        if not 0 <= self.min_support <= 1:
            raise ValueError(f"the minimum support is a fraction between 0 and 1, got {self.min_support}")
        if len(self.fractions) != 3 or any(not f >= 0 for f in self.fractions) or not sum(self.fractions) > 0:
            raise ValueError(f"split fractions (train, validation, test) must be three non-negative numbers "
                             f"with a positive sum, got {' '.join(map(str, self.fractions))}")
        if self.frame is not None and self.frame < 0:
            raise ValueError(f"frame must be 0 or more, got {self.frame}")

    @property
    def strata(self) -> str:
        if self.stratify is not None:
            return self.stratify
        return "group" if self.kind == "cutouts" else "category"

    @property
    def normalised_fractions(self) -> tuple[float, float, float]:
        total = float(sum(self.fractions))
        return tuple(f / total for f in self.fractions)  # type: ignore[return-value]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the manifest (the worker count is left out: it does not
        change a byte of the dataset)."""
        out = asdict(self)
        out.pop("workers")
        out["size"] = str(self.size)
        out["stratify"] = self.strata
        out["fractions"] = list(self.fractions)
        for key in ("groups", "categories", "drop_categories", "annotators", "writers"):
            out[key] = list(out[key])
        return out

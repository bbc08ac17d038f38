"""What the session hands out: frozen records of marks, image states and results.

They are plain values so the GUI can keep them, compare them and pass them to plugins
without holding a reference into the store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True)
class ImageEntry:
    position: int  # 0-based position in the campaign sequence
    name: str  # path relative to the image root, POSIX separators
    path: Path
    pass_index: int  # 1 = first pass, 2 = consistency repeat


@dataclass(frozen=True)
class Mark:
    """``x, y``: 0-based display pixels, y down, never rounded; ``ra, dec`` in degrees or
    None without a WCS; ``time``: UTC ISO 8601 of when the mark was placed."""

    id: int
    image: str
    group: str
    label: str
    x: float
    y: float
    frame: int
    ra: float | None
    dec: float | None
    time: str
    pass_index: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "image": self.image, "group": self.group, "label": self.label,
                "x": self.x, "y": self.y, "frame": self.frame, "ra": self.ra, "dec": self.dec,
                "time": self.time, "pass_index": self.pass_index}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Mark":
        return cls(**{k: data[k] for k in MARK_FIELDS})

    def updated(self, **fields: Any) -> "Mark":
        return replace(self, **fields)


MARK_FIELDS = ("id", "image", "group", "label", "x", "y", "frame", "ra", "dec", "time", "pass_index")


@dataclass(frozen=True)
class ImageState:
    categories: tuple[str, ...] = ()
    comment: str = ""
    favorite: bool = False
    seen: bool = False
    seen_time: str | None = None


@dataclass(frozen=True)
class MarkResult:
    mark: Mark | None  # None when refused
    refused: str | None  # why, in words the GUI can show
    replaced: Mark | None = None  # the mark replaced when the group allows only one


@dataclass(frozen=True)
class Progress:
    seen: int
    total: int
    marked: int
    remaining: int


@dataclass(frozen=True)
class FrameGeometry:
    """What writers need to place a mark without reopening the image."""

    image: str
    frame: int
    height: int
    width: int
    ra_center: float | None = None
    dec_center: float | None = None

"""The rows writers read and the context they write through.

Writers see plain immutable rows, never the database, so the store can change (SQLite
today, a server database later) without breaking third-party writers. Rows are named
tuples: a store can build 100,000 of them from its query results without running
Python code per row, which keeps a full export well under the time an annotator notices.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ContextManager, Iterable, Mapping, NamedTuple, Protocol

if TYPE_CHECKING:
    from imgmarker.kernel.annotations.marks import FrameGeometry


class MarkRow(NamedTuple):
    """One mark. ``x, y``: 0-based display pixels (origin at the centre of the top-left
    pixel, y down); ``ra, dec``: degrees, None without a WCS; ``time``: UTC ISO 8601."""

    id: int
    image: str
    group: str
    label: str
    x: float
    y: float
    ra: float | None
    dec: float | None
    frame: int
    time: str
    pass_index: int = 1


class ImageRow(NamedTuple):
    """One image of the campaign as the annotator left it."""

    image: str
    ra: float | None
    dec: float | None
    categories: tuple[str, ...]
    comment: str
    favorite: bool
    seen_time: str | None
    pass_index: int = 1


class WriterContext(Protocol):
    """What a writer plugin's ``write(context)`` gets (see docs/plugins.md)."""

    experiment: Any  # imgmarker.kernel.experiment.config.Experiment
    user: str
    output_dir: Path
    config: Mapping[str, Any]  # the writer plugin's own section of the experiment

    def marks(self) -> Iterable[MarkRow]: ...

    def images(self) -> Iterable[ImageRow]: ...

    def geometry(self, image: str, frame: int) -> "FrameGeometry | None":
        """Height, width and sky centre of a frame the annotator's session has read."""
        ...

    def atomic_write(self, name: str, mode: str = "w") -> ContextManager[IO]: ...

"""What an image reader returns: an image with lazily read frames.

Opening an image must be cheap (list the frames, read headers); pixels are read only
when :meth:`Frame.data` is called, so a campaign can hop through files quickly and
the prefetcher decides what is worth holding in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from imgmarker.kernel.imaging.files import not_a_regular_file


class ImageReadError(Exception):
    """One typed error for every unreadable image; the message names the file."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class FrameInfo:
    index: int
    name: str  # e.g. "PRIMARY", "SCI,1", "page 2", "plane 3"
    shape: tuple[int, int]  # (height, width) as displayed
    dtype: str  # numpy dtype name of the stored samples
    bands: int = 1  # 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA

    @property
    def height(self) -> int:
        return self.shape[0]

    @property
    def width(self) -> int:
        return self.shape[1]


@dataclass
class Frame:
    """One displayable plane (or RGB cube) of an image.

    ``load`` returns the pixels in display orientation (row 0 at the top of the screen),
    at full depth: shape (H, W) for gray, (H, W, C) for colour. ``wcs_loader`` builds
    the WCS on first use (None when the frame has none).
    """

    info: FrameInfo
    load: Callable[[], np.ndarray]
    header: Mapping[str, Any] | None = None
    wcs_loader: Callable[[], Any] | None = None
    _wcs: Any = field(default=None, init=False, repr=False)
    _wcs_done: bool = field(default=False, init=False, repr=False)

    def data(self) -> np.ndarray:
        return self.load()

    @property
    def wcs(self) -> Any:
        if not self._wcs_done:
            self._wcs = self.wcs_loader() if self.wcs_loader is not None else None
            self._wcs_done = True
        return self._wcs


@dataclass
class Image:
    path: Path
    format: str
    frames: Sequence[Frame]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    closer: Callable[[], None] | None = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer()
            self.closer = None

    def __enter__(self) -> "Image":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_image(path: Path | str, registry: Any, *, max_pixels: int | None = None) -> Image:
    """Open ``path`` with the reader that claims its suffix.

    Raises :class:`ImageReadError` for every failure, so callers skip one bad file and go on.
    """
    path = Path(path)
    reader = registry.reader_for(path.name)
    if reader is None:
        raise ImageReadError(path, "no installed reader for this kind of file")
    problem = not_a_regular_file(path)
    if problem is not None:  # a FIFO would block the reader; a folder or dangling link puzzle it
        raise ImageReadError(path, "file not found" if problem == "not found" else problem)
    try:
        image = reader.open(path, max_pixels=max_pixels)
    except ImageReadError:
        raise
    except MemoryError:
        raise ImageReadError(path, "not enough memory to open it") from None
    except Exception as exc:  # readers are plugins; their surprises become typed errors
        raise ImageReadError(path, f"{reader.name} reader failed: {type(exc).__name__}: {exc}") from exc
    if not image.frames:
        raise ImageReadError(path, "no image data in the file")
    return image

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

    ``wcs`` is only ever a WCS that gives trustworthy ICRS positions: one that is
    degenerate (zero or singular matrix, non-finite numbers, a distortion that does not
    invert, a frame that cannot be converted) or that the loader failed to build is
    None, and ``wcs_problem`` says why, so the caller can name the file once.
    """

    info: FrameInfo
    load: Callable[[], np.ndarray]
    header: Mapping[str, Any] | None = None
    wcs_loader: Callable[[], Any] | None = None
    _wcs: Any = field(default=None, init=False, repr=False)
    _wcs_done: bool = field(default=False, init=False, repr=False)
    _wcs_problem: str | None = field(default=None, init=False, repr=False)
    _wcs_transient: bool = field(default=False, init=False, repr=False)

    def data(self) -> np.ndarray:
        return self.load()

    def _load_wcs(self) -> None:
        from imgmarker.kernel.imaging.wcs_checks import usable_wcs

        wcs, problem, transient = None, None, False
        try:
            wcs = self.wcs_loader() if self.wcs_loader is not None else None
        except Exception as exc:  # a reader's failure becomes the note, not a traceback
            problem = str(exc) if isinstance(exc, ValueError) and str(exc) else f"{type(exc).__name__}: {exc}"
            # a header the reader refused stays refused; a failing disk or a full
            # descriptor table may not, so whoever caches the frame should ask again later
            transient = isinstance(exc, (OSError, MemoryError))
        if wcs is not None:
            wcs, problem = usable_wcs(wcs, self.info.shape, self.header)
        self._wcs, self._wcs_problem, self._wcs_done, self._wcs_transient = wcs, problem, True, transient

    @property
    def wcs(self) -> Any:
        if not self._wcs_done:
            self._load_wcs()
        return self._wcs

    @property
    def wcs_problem(self) -> str | None:
        """Why this frame's WCS gives no sky positions, when it has one that is unusable."""
        if not self._wcs_done:
            self._load_wcs()
        return self._wcs_problem

    @property
    def wcs_transient(self) -> bool:
        """True when building the WCS failed for a reason that may pass (an OS error)."""
        if not self._wcs_done:
            self._load_wcs()
        return self._wcs_transient

    def wcs_note(self, path: Path | str) -> str | None:
        """The one line a user sees about an unusable WCS: file, frame, reason."""
        problem = self.wcs_problem
        if problem is None:
            return None
        return f"{path}: frame {self.info.index} ({self.info.name}): WCS unusable, no RA/Dec: {problem}"


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


def _by(registry: Any, reader: Any) -> str:
    """``reader 'name' of plugin 'p' (where from)``: who to blame for a bad return value."""
    try:
        return f"reader {reader.name!r} of {registry.readers.described(reader.name)}"
    except (AttributeError, KeyError):
        return f"reader {reader.name!r}"


def _checked_image(path: Path, image: Any, by: str) -> Image:
    """What a reader returned, checked before the kernel relies on it: an :class:`Image`
    whose frames are :class:`Frame` records with a usable :class:`FrameInfo`."""
    if not isinstance(image, Image):
        raise ImageReadError(path, f"{by} returned {type(image).__name__}, not an Image")
    try:
        frames = list(image.frames)
    except TypeError:
        raise ImageReadError(path, f"{by} returned an Image whose frames are "
                                   f"{type(image.frames).__name__}, not a sequence of Frame") from None
    if not frames:
        raise ImageReadError(path, "no image data in the file")
    for index, frame in enumerate(frames):
        problem = _frame_problem(frame)
        if problem:
            raise ImageReadError(path, f"{by} returned a bad frame {index}: {problem}")
        frame.load = _checked_load(path, frame, by, index)
    return image


def _frame_problem(frame: Any) -> str | None:
    if not isinstance(frame, Frame):
        return f"{type(frame).__name__}, not a Frame"
    info = frame.info
    if not isinstance(info, FrameInfo):
        return f"info is {type(info).__name__}, not a FrameInfo"
    shape = info.shape
    if (not isinstance(shape, tuple) or len(shape) != 2
            or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in shape)):
        return f"shape must be (height, width) of positive integers, got {shape!r}"
    if not callable(frame.load):
        return f"load must be callable, got {type(frame.load).__name__}"
    return None


def _checked_load(path: Path, frame: Frame, by: str, index: int) -> Callable[[], np.ndarray]:
    """The frame's pixel loader, checked on every load (a few comparisons, no copy)."""
    load = frame.load
    if getattr(load, "_imgmarker_checked", False):
        return load
    height, width = frame.info.shape

    def checked() -> np.ndarray:
        data = load()
        if not isinstance(data, np.ndarray):
            raise ImageReadError(path, f"{by}: frame {index} pixels are {type(data).__name__}, not a numpy array")
        if data.ndim not in (2, 3) or data.shape[:2] != (height, width):
            raise ImageReadError(path, f"{by}: frame {index} pixels have shape {data.shape}, "
                                       f"but its FrameInfo says ({height}, {width})")
        if data.dtype.kind not in "biuf":
            raise ImageReadError(path, f"{by}: frame {index} pixels are {data.dtype}, not numbers")
        return data

    checked._imgmarker_checked = True  # type: ignore[attr-defined]
    return checked


def open_image(path: Path | str, registry: Any, *, max_pixels: int | None = None) -> Image:
    """Open ``path`` with the reader that claims its suffix.

    Raises :class:`ImageReadError` for every failure, so callers skip one bad file and go
    on; a reader that returns something other than an :class:`Image` of :class:`Frame`
    records, or pixels that do not match their :class:`FrameInfo`, is named in the error.
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
        message = " ".join(f"{type(exc).__name__}: {exc}".split())  # one line, whatever the plugin raised
        raise ImageReadError(path, f"{_by(registry, reader)} failed: {message}") from exc
    try:
        return _checked_image(path, image, _by(registry, reader))
    except ImageReadError:
        close = getattr(image, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                pass
        raise

"""Rendering frames off the GUI thread and remembering what the view needs about them.

A render job opens the image, renders one frame through the display pipeline and
records the frame list, WCS and raw pixels (for the cursor readout) in a small store.
The pixels go to the byte-bounded cache of the prefetcher; raw pixels to a second
bounded cache, so memory stays flat however long Tab is held.
"""

from __future__ import annotations

import mmap
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from imgmarker.kernel.imaging.images import ImageReadError, open_image
from imgmarker.kernel.display.large import Picture, is_large, render_overview, render_region
from imgmarker.kernel.display.prefetch import FrameCache
from imgmarker.kernel.display.preview import pyramid

META_ENTRIES = 64
MAPPED_ENTRIES = 4  # views of huge memory-mapped frames kept for the cursor readout


@dataclass(frozen=True)
class RenderedFrame:
    """What the view shows: packed RGBA (the format Qt paints fastest) and area-averaged
    reductions of it, so zoomed-out painting reads a small buffer and faint stars stay."""

    rgba: np.ndarray  # (H, W, 4) uint8
    previews: tuple[tuple[np.ndarray, int], ...] = ()  # (reduced rgba, factor), finest first
    factor: int = 1  # > 1: ``rgba`` is an overview of a frame too large to hold
    size: tuple[int, int] | None = None  # (width, height) of the full frame
    limits: tuple[float, float] = (0.0, 1.0)  # interval used; regions are rendered with it

    @property
    def full_size(self) -> tuple[int, int]:
        return self.size if self.size is not None else (self.rgba.shape[1], self.rgba.shape[0])

    @property
    def nbytes(self) -> int:
        return int(self.rgba.nbytes) + sum(int(p.nbytes) for p, _ in self.previews)


@dataclass(frozen=True)
class FrameMeta:
    names: tuple[str, ...]  # every frame of the image
    shape: tuple[int, int]  # (height, width) of the rendered frame
    wcs: Any
    bands: int
    wcs_note: str | None = None  # why the frame has no sky positions although it has a WCS


def file_backed(data: np.ndarray) -> bool:
    """Whether ``data`` is a view of a memory-mapped file (reading a pixel touches one page)."""
    base: Any = data
    while base is not None:
        if isinstance(base, (np.memmap, mmap.mmap)):
            return True
        base = getattr(base, "base", None)
    return False


class FrameStore:
    """Frame lists and WCS per (image, frame), plus raw pixels bounded in bytes. Frames too
    large for memory are kept only as views of their memory-mapped file, for the readout."""

    def __init__(self, raw_bytes: int):
        self._meta: OrderedDict[tuple[str, int], FrameMeta] = OrderedDict()
        self._mapped: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.raw = FrameCache(raw_bytes)

    def put(self, name: str, frame: int, meta: FrameMeta, data: np.ndarray | None, *,
            mapped: np.ndarray | None = None) -> None:
        with self._lock:
            self._meta[(name, frame)] = meta
            self._meta.move_to_end((name, frame))
            while len(self._meta) > META_ENTRIES:
                self._meta.popitem(last=False)
            if mapped is not None:
                self._mapped[(name, frame)] = mapped
                self._mapped.move_to_end((name, frame))
                while len(self._mapped) > MAPPED_ENTRIES:
                    self._mapped.popitem(last=False)
        if data is not None:
            self.raw.put((name, frame), data)

    def meta(self, name: str, frame: int) -> FrameMeta | None:
        with self._lock:
            return self._meta.get((name, frame))

    def data(self, name: str, frame: int) -> np.ndarray | None:
        data = self.raw.get((name, frame))
        if data is None:
            with self._lock:
                data = self._mapped.get((name, frame))
        return data


def render_job(entry: Any, frame: int, settings: Any, *, registry: Any, renderer: Any, store: FrameStore,
               max_pixels: int | None, previews: bool = True) -> Callable[[], RenderedFrame]:
    """A job for the prefetcher: the frame as (H, W, 4) uint8 RGBA with its previews."""

    def run() -> RenderedFrame:
        image = open_image(entry.path, registry, max_pixels=max_pixels)
        try:
            frames = image.frames
            index = min(max(frame, 0), len(frames) - 1)
            chosen = frames[index]
            data = chosen.data()
            try:
                wcs = chosen.wcs
                note = chosen.wcs_note(entry.path) if hasattr(chosen, "wcs_note") else None
            except Exception as exc:  # a broken WCS must not hide the pixels
                wcs, note = None, f"{entry.path}: WCS unusable, no RA/Dec: {type(exc).__name__}: {exc}"
            height, width = data.shape[:2]
            if is_large((height, width)):
                # only a subsample is read; the pixels stay in the file (no cursor value readout)
                overview = render_overview(data, settings, renderer, key=(str(entry.path), index, "overview"))
                reduced = tuple((p, f * overview.factor) for p, f in pyramid(overview.rgba)) if previews else ()
                meta = FrameMeta(tuple(f.info.name for f in frames), (height, width), wcs, chosen.info.bands, note)
                store.put(entry.name, frame, meta, None, mapped=data if file_backed(data) else None)
                return RenderedFrame(overview.rgba, reduced, overview.factor, (width, height), overview.limits)
            rendered = renderer.render(data, settings, key=(str(entry.path), index), rgba=True)
            rgba = np.ascontiguousarray(rendered.rgba())
            reduced = tuple(pyramid(rgba)) if previews else ()
            meta = FrameMeta(tuple(f.info.name for f in frames), tuple(rgba.shape[:2]), wcs, chosen.info.bands,
                             note)
            store.put(entry.name, frame, meta, np.asarray(data))
            return RenderedFrame(rgba, reduced, limits=(rendered.vmin, rendered.vmax))
        except ImageReadError:
            raise
        except MemoryError:
            raise ImageReadError(entry.path, "not enough memory to render it") from None
        finally:
            image.close()

    return run


def region_job(entry: Any, frame: int, settings: Any, region: tuple[float, float, float, float], factor: int,
               limits: tuple[float, float], *, registry: Any, renderer: Any, max_pixels: int | None,
               margin: int = 64) -> Callable[[], Picture | None]:
    """A job rendering the visible ``region`` of a large frame at reduction ``factor``
    with the overview's ``limits`` (see :func:`imgmarker.kernel.display.large.render_region`)."""

    def run() -> Picture | None:
        image = open_image(entry.path, registry, max_pixels=max_pixels)
        try:
            frames = image.frames
            data = frames[min(max(frame, 0), len(frames) - 1)].data()
            return render_region(data, settings, renderer, region, limits, factor, margin=margin)
        except MemoryError:
            raise ImageReadError(entry.path, "not enough memory to render the region") from None
        finally:
            image.close()

    return run

"""Rendering frames off the GUI thread and remembering what the view needs about them.

A render job opens the image, renders one frame through the display pipeline and
records the frame list, WCS and raw pixels (for the cursor readout) in a small store.
The pixels go to the byte-bounded cache of the prefetcher, raw pixels and quantised
levels to the same bound (a GUI gives all of them one :class:`FrameCache`), and a job
reserves room there for what it is about to build, so memory stays flat however long
Tab is held. Pixels of memory-mapped files are not copied: after the render their pages
are handed back (``madvise``), and the cursor readout faults in the one page it reads.

Previews are built only at the reduction the view will draw (``previews=factor``). The
WCS can be left for later (``lazy_wcs``): the first picture need not wait for the
import of a WCS library; :func:`meta_job` fills it in.
"""

from __future__ import annotations

import mmap
import threading
from dataclasses import replace
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from imgmarker.kernel.imaging.images import ImageReadError, open_image
from imgmarker.kernel.display.large import (OVERVIEW_SIDE, Picture, is_large, render_mean_overview, render_overview,
                                            render_region, strided)
from imgmarker.kernel.display.prefetch import FrameCache
from imgmarker.kernel.display.preview import pyramid, reduce_mean

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
    sampled: bool = False  # an overview from a strided sample, to be replaced by block means
    opaque: bool = False  # alpha is 255 everywhere (the view paints less)

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
    wcs_pending: bool = False  # the WCS was left for later (see :func:`meta_job`)


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

    def __init__(self, raw: int | FrameCache):
        self._meta: OrderedDict[tuple[str, int], FrameMeta] = OrderedDict()
        self._mapped: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.raw = raw if isinstance(raw, FrameCache) else FrameCache(raw)  # may be shared with other entries

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

    def set_wcs(self, name: str, frame: int, wcs: Any, note: str | None = None) -> FrameMeta | None:
        with self._lock:
            meta = self._meta.get((name, frame))
            if meta is None:
                return None
            meta = self._meta[(name, frame)] = replace(meta, wcs=wcs, wcs_note=note, wcs_pending=False)
            return meta

    def data(self, name: str, frame: int) -> np.ndarray | None:
        data = self.raw.get((name, frame))
        if data is None:
            with self._lock:
                data = self._mapped.get((name, frame))
        return data


def release_pages(data: np.ndarray) -> None:
    """Let the kernel drop this process's pages of the file mapped under ``data`` (they
    stay in the page cache; a later read faults in only what it touches)."""
    base: Any = data
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    if base is not None and hasattr(base, "madvise") and not getattr(base, "closed", False):
        try:
            base.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):
            pass


def _frame_wcs(chosen: Any, path: Any) -> tuple[Any, str | None]:
    """The frame's WCS and, when it has one that gives no sky positions, the note why."""
    try:
        return chosen.wcs, (chosen.wcs_note(path) if hasattr(chosen, "wcs_note") else None)
    except Exception as exc:  # a broken WCS must not hide the pixels
        return None, f"{path}: WCS unusable, no RA/Dec: {type(exc).__name__}: {exc}"


def _levels(previews: Any, size: tuple[int, int]) -> tuple[int, ...]:
    if previews is True or previews is False or previews is None:
        return ()
    factor = previews(size) if callable(previews) else previews
    return tuple(int(f) for f in (factor if isinstance(factor, (tuple, list)) else (factor,)) if int(f) > 1)


def _reduced(rgba: np.ndarray, previews: Any, size: tuple[int, int], factor: int = 1
             ) -> tuple[tuple[np.ndarray, int], ...]:
    if previews is True:
        return tuple((p, f * factor) for p, f in pyramid(rgba))
    return tuple((reduce_mean(rgba, f), f * factor) for f in _levels(previews, size) if f < max(rgba.shape[:2]))


def _work_bytes(info: Any, mapped: bool) -> int:
    """What a render holds while it runs besides the levels (which the renderer puts in
    the cache itself): the RGBA picture, and the decoded pixels unless memory-mapped."""
    height, width = info.shape
    pixels = height * width
    raw = 0 if mapped else pixels * max(1, info.bands) * np.dtype(info.dtype).itemsize
    return pixels * 4 + raw


def render_job(entry: Any, frame: int, settings: Any, *, registry: Any, renderer: Any, store: FrameStore,
               max_pixels: int | None, previews: Any = True, lazy_wcs: bool = False,
               budget: FrameCache | None = None, opener: Callable[[Any], Any] | None = None,
               keep_levels: bool = True, overview: Callable[[tuple[int, int]], int] | None = None
               ) -> Callable[[], RenderedFrame]:
    """A job for the prefetcher: the frame as (H, W, 4) uint8 RGBA with its previews.

    ``previews``: True for the whole pyramid, False for none, or the reduction factor
    (or a function of the frame's (width, height) giving it) the view will draw.
    ``budget`` (default: the store's raw-pixel cache) gets a reservation for the work.
    ``opener(entry)`` opens the image instead of the registry's reader (e.g. a session
    that remembers its WCS for the marks while the file is open anyway). Without
    ``keep_levels`` the quantised levels (for quick stretch changes) are not kept: the
    room in the budget goes to pictures, e.g. while the user flips through images.
    ``overview(size)``, the reduction the view draws a frame of ``size`` at: above 1, the
    picture is an overview at that reduction from a strided sample, as for a huge frame
    (``sampled``: block means replace it later), a picture seen for a moment (held keys)."""
    budget = store.raw if budget is None else budget

    def run() -> RenderedFrame:
        image = opener(entry) if opener is not None else open_image(entry.path, registry, max_pixels=max_pixels)
        try:
            frames = image.frames
            index = min(max(frame, 0), len(frames) - 1)
            chosen = frames[index]
            names = tuple(f.info.name for f in frames)
            lazy = lazy_wcs and getattr(chosen, "wcs_loader", True) is not None  # none: nothing to wait for
            height, width = chosen.info.shape
            quick = overview((width, height)) if overview is not None and settings.blur <= 0 else 1
            if quick > 1 and not is_large(chosen.info.shape):
                return _quick(entry, frame, chosen, names, quick, settings, renderer, store,
                              None if lazy else _frame_wcs(chosen, entry.path), lazy)
            if is_large(chosen.info.shape):
                data = chosen.data()
                height, width = data.shape[:2]
                # only a subsample is read; a huge frame's pixels stay in the file (no cursor value
                # readout unless memory-mapped), a quick picture's decoded ones are kept for it
                side = -(-max(height, width) // quick) if quick > 1 else OVERVIEW_SIDE
                picture = render_overview(data, settings, renderer, max_side=min(side, OVERVIEW_SIDE),
                                          key=(str(entry.path), index, "overview") if keep_levels else None)
                # levels are relative to the overview here: only the whole pyramid fits them
                reduced = _reduced(picture.rgba, True, (width, height), picture.factor) if previews is True else ()
                wcs, note = (None, None) if lazy else _frame_wcs(chosen, entry.path)
                meta = FrameMeta(names, (height, width), wcs, chosen.info.bands, note, wcs_pending=lazy)
                mapped = file_backed(data)
                store.put(entry.name, frame, meta, None if mapped or not quick > 1 else np.asarray(data),
                          mapped=data if mapped else None)
                return RenderedFrame(picture.rgba, reduced, picture.factor, (width, height), picture.limits,
                                     sampled=True)
            data = chosen.data()  # a memory map costs nothing yet; decoded pixels are counted below
            mapped = file_backed(data)
            with budget.reserve(_work_bytes(chosen.info, mapped)):  # the levels count themselves
                rendered = renderer.render(data, settings, key=(str(entry.path), index) if keep_levels else None,
                                           rgba=True)
                rgba = np.ascontiguousarray(rendered.rgba())
                limits, opaque = (rendered.vmin, rendered.vmax), rendered.alpha is None
                del rendered
                height, width = rgba.shape[:2]
                reduced = _reduced(rgba, previews, (width, height))
            wcs, note = (None, None) if lazy else _frame_wcs(chosen, entry.path)
            _keep_pixels(store, entry.name, frame,
                         FrameMeta(names, (height, width), wcs, chosen.info.bands, note, wcs_pending=lazy), data)
            return RenderedFrame(rgba, reduced, limits=limits, opaque=opaque)
        except ImageReadError:
            raise
        except MemoryError:
            raise ImageReadError(entry.path, "not enough memory to render it") from None
        finally:
            image.close()

    return run


def _keep_pixels(store: FrameStore, name: str, frame: int, meta: FrameMeta, data: np.ndarray) -> None:
    """Keep a rendered frame's pixels for the cursor readout: decoded ones in the budget, a
    memory map as a view (its pages handed back: the readout faults in the one it reads)."""
    if file_backed(data):
        release_pages(data)
        store.put(name, frame, meta, None, mapped=data)
    else:
        store.put(name, frame, meta, np.asarray(data))


def _quick(entry: Any, frame: int, chosen: Any, names: tuple[str, ...], factor: int, settings: Any,
           renderer: Any, store: FrameStore, wcs: tuple[Any, str | None] | None, lazy: bool) -> RenderedFrame:
    """The quick picture of a frame that fits in memory: its block centres, each exactly as
    the whole frame's render has it (limits and stretch from the whole frame)."""
    data = chosen.data()
    height, width = data.shape[:2]
    rendered = renderer.render(strided(data, factor), settings, rgba=True, statistics=data)
    rgba = np.ascontiguousarray(rendered.rgba())
    wcs, note = wcs if wcs is not None else (None, None)
    _keep_pixels(store, entry.name, frame, FrameMeta(names, (height, width), wcs, chosen.info.bands, note,
                                                     wcs_pending=lazy), data)
    return RenderedFrame(rgba, (), factor, (width, height), (rendered.vmin, rendered.vmax), sampled=True,
                         opaque=rendered.alpha is None)


def meta_job(entry: Any, frame: int, *, registry: Any, store: FrameStore, max_pixels: int | None,
             opener: Callable[[Any], Any] | None = None) -> Callable[[], Any]:
    """A job filling in the WCS a render job left for later; returns the new meta."""

    def run() -> Any:
        image = opener(entry) if opener is not None else open_image(entry.path, registry, max_pixels=max_pixels)
        try:
            frames = image.frames
            chosen = frames[min(max(frame, 0), len(frames) - 1)]
            return store.set_wcs(entry.name, frame, *_frame_wcs(chosen, entry.path))
        finally:
            image.close()

    return run


def mean_overview_job(entry: Any, frame: int, settings: Any, shown: RenderedFrame, *, registry: Any,
                      renderer: Any, max_pixels: int | None) -> Callable[[], RenderedFrame]:
    """A job replacing the sampled overview ``shown`` of a large frame by block means
    (same reduction, same limits), so one-pixel stars stay visible zoomed out."""

    def run() -> RenderedFrame:
        image = open_image(entry.path, registry, max_pixels=max_pixels)
        try:
            frames = image.frames
            data = frames[min(max(frame, 0), len(frames) - 1)].data()
            picture = render_mean_overview(data, settings, renderer, shown.factor, shown.limits)
            return RenderedFrame(picture.rgba, (), shown.factor, shown.size, shown.limits)
        except MemoryError:
            raise ImageReadError(entry.path, "not enough memory for the overview") from None
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

"""Where a mark is on the sky: frame heights and WCS of recently used images.

Opening an image for its header is the slow part, so each image is opened once per
session and its frames' geometry is remembered (bounded, least recently used first
out); the geometry (size and ICRS centre) is also given to the store so writers never
reopen images. Images that become seen without a mark are queued and their headers
read later, off the annotator's path (before a background export), so every seen
image with a WCS gets its centre without making navigation wait. A WCS that cannot
be trusted gives no sky position and one note per image naming the file.

Only success is remembered: an image that could not be read, or whose WCS could not
be built, is tried again at the next mark (the file may have been mid-copy, the
machine out of descriptors), so a mark gets its sky position whenever the image has one.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from imgmarker.kernel.imaging.images import Image, ImageReadError, open_image
from imgmarker.kernel.annotations.marks import FrameGeometry
from imgmarker.kernel.imaging.wcs import pixel_to_world

log = logging.getLogger("imgmarker.session")

CACHE_IMAGES = 64


@dataclass(frozen=True)
class FrameSky:
    height: int
    width: int
    wcs: Any  # astropy WCS or None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def sky_of(frame: FrameSky, x: float, y: float) -> tuple[float | None, float | None]:
    if frame.wcs is None:
        return None, None
    try:
        ra, dec = pixel_to_world(frame.wcs, frame.height, x, y)
    except Exception as exc:  # a broken WCS must not stop the annotator from marking
        log.warning("sky position failed: %s", exc)
        return None, None
    ra, dec = _finite(float(ra)), _finite(float(dec))
    return (ra, dec) if ra is not None and dec is not None else (None, None)


def stored_images(store: Any, names: set[str]) -> set[str]:
    """Those of ``names`` whose geometry the store has: a few lookups after navigating,
    one read of the table on resuming a campaign."""
    if len(names) < 100:
        return {n for n in names if store.geometry(n, 0) is not None}
    return {image for image, _ in store.geometries()} & names


class SkyLocator:
    """Per-session cache of frame geometry by image name (images read successfully only)."""

    def __init__(self, registry: Any, max_pixels: int | None,
                 record: Callable[[list[FrameGeometry]], None], size: int = CACHE_IMAGES,
                 note: Callable[[str], None] | None = None):
        self._registry = registry
        self._max_pixels = max_pixels
        self._record = record
        self._note = note
        self._size = size
        self._cache: OrderedDict[str, tuple[FrameSky, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._noted: set[str] = set()
        self._pending: set[str] = set()
        self._settled: set[str] = set()

    def learn(self, name: str, image: Image) -> tuple[FrameSky, ...]:
        """Remember the frames of an image that is already open."""
        with self._lock:
            known = self._cache.get(name)
            if known is not None:
                self._cache.move_to_end(name)
                return known
        frames = []
        rows = []
        notes = []
        complete = True
        for index, frame in enumerate(image.frames):
            info = frame.info
            try:
                wcs = frame.wcs
                note = frame.wcs_note(image.path) if hasattr(frame, "wcs_note") else None
                complete = complete and not getattr(frame, "wcs_transient", False)
            except Exception as exc:
                wcs, note = None, f"{image.path}: frame {index}: WCS unusable, no RA/Dec: {exc}"
                complete = False
            if note:
                notes.append(note)
            sky = FrameSky(info.height, info.width, wcs)
            frames.append(sky)
            ra, dec = sky_of(sky, (info.width - 1) / 2, (info.height - 1) / 2)
            rows.append(FrameGeometry(name, index, info.height, info.width, ra, dec))
        result = tuple(frames)
        self._record(rows)
        if complete:
            self._remember(name, result)
        with self._lock:
            self._settled.add(name)
            self._pending.discard(name)
            first = name not in self._noted
            self._noted.add(name)
        if notes and first:
            self._say("; ".join(notes) if len(notes) == 1 else f"{notes[0]} (and {len(notes) - 1} more frames)")
        return result

    def _say(self, note: str) -> None:
        log.warning("%s", note)
        if self._note is not None:
            self._note(note)

    def want(self, names: Iterable[str]) -> None:
        """Queue images whose geometry should reach the store; cheap, opens nothing."""
        with self._lock:
            self._pending.update(name for name in names if name not in self._settled)

    def settle(self, path_of: Callable[[str], Path], known: Callable[[set[str]], set[str]],
               budget: float | None = None) -> int:
        """Read the headers of the queued images that the store has no geometry for
        (``known(names)``: those of ``names`` it has), so their size and centre are stored; returns how
        many were opened. With a ``budget`` (seconds) it stops in time and leaves the rest
        for the next session (which queues every seen image without geometry again)."""
        with self._lock:
            if not self._pending:
                return 0
            queued = set(self._pending)
        have = known(queued)
        start = time.monotonic()
        opened = 0
        while budget is None or time.monotonic() - start < budget:
            with self._lock:
                if not self._pending:
                    break
                name = self._pending.pop()
                self._settled.add(name)
                cached = name in self._cache
            if cached or name in have:
                continue
            self.frames(name, path_of(name))
            opened += 1
        return opened

    def _remember(self, name: str, value: tuple[FrameSky, ...]) -> None:
        with self._lock:
            self._cache[name] = value
            self._cache.move_to_end(name)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def frames(self, name: str, path: Path) -> tuple[FrameSky, ...] | None:
        with self._lock:
            if name in self._cache:
                self._cache.move_to_end(name)
                return self._cache[name]
        try:
            image = open_image(path, self._registry, max_pixels=self._max_pixels)
        except ImageReadError as exc:  # not remembered: the next mark tries again
            log.info("no sky position for marks on %s: %s", name, exc.reason)
            return None
        with image:
            return self.learn(name, image)

    def locate(self, name: str, path: Path, frame: int, x: float, y: float) -> tuple[float | None, float | None]:
        frames = self.frames(name, path)
        if not frames or not 0 <= frame < len(frames):
            return None, None
        return sky_of(frames[frame], x, y)

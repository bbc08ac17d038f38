"""Cutting the examples out of their source images; runs in worker processes.

One task is a batch of source images. Each image is opened once (FITS memory-mapped,
so a 64 MiB frame costs the few pages a cutout touches), every example of it is cut
and written into the staging folder, and only small per-example records travel back:
where the cutout lies, how much of it is padding, the sky position and the local
scale at the mark, and the checksum of the file written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from imgmarker.kernel.datasets.geometry import cutout_origin, cutout_size, extract, outside_fraction

WRITTEN, EDGE, NO_SCALE = 0, 1, 2


@dataclass(frozen=True)
class CutSettings:
    """What every worker needs, picklable: how to cut and how to load the plugins."""

    kind: str
    format: str
    edge: str
    size: float
    size_unit: str
    staging: str
    display: Any  # DisplaySettings
    plugins: dict = field(default_factory=dict)  # keyword arguments of create_plugin_host
    max_pixels: int | None = None


@dataclass(frozen=True)
class ImageTask:
    image: str
    path: str
    frame: int
    ids: np.ndarray  # example indices
    x: np.ndarray  # display positions of the marks (NaN for whole images)
    y: np.ndarray
    files: Sequence[str]  # output names relative to the staging folder
    cards: Sequence[dict]  # provenance cards per example


@dataclass
class ImageOutcome:
    ids: np.ndarray
    status: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    width: np.ndarray
    height: np.ndarray
    padded: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    scale: np.ndarray  # arcsec per pixel at the mark (NaN without a WCS)
    sha256: list[str]
    frame_shape: tuple[int, int] = (0, 0)
    error: str | None = None


def _failed(task: ImageTask, message: str) -> ImageOutcome:
    n = len(task.ids)
    zeros = np.zeros(n, dtype=np.int64)
    nan = np.full(n, np.nan)
    return ImageOutcome(task.ids, np.full(n, -1), zeros, zeros, zeros, zeros, nan, nan, nan, nan, [""] * n,
                        error=message)


def _sky(wcs: Any, height: int, x: np.ndarray, y: np.ndarray):
    from imgmarker.kernel.imaging.pixel_scale import arcsec_per_pixel
    from imgmarker.kernel.imaging.wcs import pixel_to_world

    nan = np.full(len(x), np.nan)
    if wcs is None or not len(x):
        return nan, nan.copy(), nan.copy()
    ra, dec = pixel_to_world(wcs, height, x, y)
    return (np.atleast_1d(ra).astype(float), np.atleast_1d(dec).astype(float),
            np.atleast_1d(arcsec_per_pixel(wcs, height, x, y)).astype(float))


def _write(staging: Path, name: str, payload: bytes) -> str:
    target = staging / name
    if "/" in name:
        target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(payload)
    return hashlib.sha256(payload).hexdigest()


def cut_image(task: ImageTask, settings: CutSettings, registry: Any, pictures: Any) -> ImageOutcome:
    from imgmarker.kernel.datasets.fitsfile import FrameHeader, fits_bytes
    from imgmarker.kernel.datasets.pictures import png_bytes
    from imgmarker.kernel.imaging.images import ImageReadError, open_image

    try:
        image = open_image(task.path, registry, max_pixels=settings.max_pixels)
    except ImageReadError as exc:
        return _failed(task, f"{task.image}: {exc.reason}")
    staging = Path(settings.staging)
    with image:
        if task.frame >= len(image.frames):
            return _failed(task, f"{task.image}: no frame {task.frame} (frames 0..{len(image.frames) - 1})")
        frame = image.frames[task.frame]
        try:
            data = frame.data()
            wcs = frame.wcs
        except ImageReadError as exc:
            return _failed(task, f"{task.image}: {exc.reason}")
        rows, cols = data.shape[:2]
        n = len(task.ids)
        whole = settings.kind == "images"
        if whole:
            x0 = y0 = np.zeros(n, dtype=np.int64)
            width, height = np.full(n, cols, dtype=np.int64), np.full(n, rows, dtype=np.int64)
            cx, cy = np.full(n, (cols - 1) / 2), np.full(n, (rows - 1) / 2)
            ra, dec, scale = _sky(wcs, rows, cx, cy)
        else:
            ra, dec, scale = _sky(wcs, rows, task.x, task.y)
            width = height = cutout_size(settings.size, settings.size_unit, scale if len(scale) else np.zeros(0))
            x0, y0 = cutout_origin(task.x, task.y, width)
        padded = outside_fraction(x0, y0, width, rows, cols) if not whole else np.zeros(n)
        status = np.full(n, WRITTEN)
        status[width == 0] = NO_SCALE
        if settings.edge == "skip":
            status[(status == WRITTEN) & (padded > 0)] = EDGE
        header = FrameHeader(wcs, frame.header) if settings.format == "fits" else None
        limits = pictures.limits(data) if pictures is not None and (status == WRITTEN).any() else None
        digests = [""] * n
        for i in np.flatnonzero(status == WRITTEN).tolist():
            w, h, a, b = int(width[i]), int(height[i]), int(x0[i]), int(y0[i])
            if pictures is not None:
                payload = png_bytes(pictures.render(data, a, b, w, h, limits))
            else:
                cut = extract(data, a, b, w, h)[0]
                payload = fits_bytes(cut, header, a, rows - b - h, task.cards[i])
            digests[i] = _write(staging, task.files[i], payload)
    return ImageOutcome(task.ids, status, x0, y0, width, height, padded, ra, dec, scale, digests, (rows, cols))


def cut_batch(settings: CutSettings, tasks: Sequence[ImageTask]) -> list[ImageOutcome]:
    """Cut a batch of images with one plugin host (about 20 ms to build)."""
    from imgmarker.kernel.plugins.host import create_plugin_host

    registry = create_plugin_host(**settings.plugins).registry
    pictures = None
    if settings.format == "png":
        from imgmarker.kernel.datasets.pictures import Pictures

        pictures = Pictures(registry, settings.display)
    out = []
    for task in tasks:
        try:
            out.append(cut_image(task, settings, registry, pictures))
        except (OSError, ValueError, MemoryError) as exc:
            out.append(_failed(task, f"{task.image}: cannot be cut ({type(exc).__name__}: {exc})"))
    return out


def skipped_counts(status: np.ndarray) -> dict[str, int]:
    out = {"touching the edge (--edge skip)": int((status == EDGE).sum()),
           "no pixel scale for an arcsec size": int((status == NO_SCALE).sum()),
           "image unreadable or missing": int((status == -1).sum())}
    return {k: v for k, v in out.items() if v}

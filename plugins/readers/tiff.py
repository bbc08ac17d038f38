"""TIFF reader (tifffile + imagecodecs): pages as frames at full sample depth, any
common compression; WCS from FITS cards in ImageDescription (STIFF) or a sidecar file.

STIFF writes the top row first, so pixels are used as stored; the display -> FITS
flip of the kernel (``imgmarker.api.display_to_fits``) then lines the sky up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import imgmarker
from imgmarker.api import Frame, FrameInfo, Image, ImageReadError
from imgmarker.api import ReaderSpec
from imgmarker_plugins.readers._common import (
    check_pixels,
    guarded,
    LazyHeader,
    cards_have_wcs,
    looks_like_fits_cards,
    sidecar_header,
    wcs_from_header,
)

SUFFIXES = (".tif", ".tiff")


def _page_layout(page: Any) -> tuple[int, int, int]:
    """(height, width, bands) of a page as displayed."""
    axes = page.axes
    shape = dict(zip(axes, page.shape))
    height, width = shape.get("Y", 0), shape.get("X", 0)
    samples = shape.get("S", 1)
    photometric = int(page.photometric)
    if photometric == 3:  # palette
        return height, width, 3
    if photometric == 5:  # CMYK
        return height, width, 3 if samples == 4 else 4
    return height, width, samples


def _display_array(page: Any) -> np.ndarray:
    data = page.asarray()
    axes = page.axes
    # squeeze everything but Y, X, S and put samples last
    for axis in reversed([a for a in axes if a not in "YXS"]):
        data = np.take(data, 0, axis=axes.index(axis))
        axes = axes.replace(axis, "")
    order = [axes.index(a) for a in "YXS" if a in axes]
    data = np.transpose(data, order)
    photometric = int(page.photometric)
    if photometric == 0 and data.ndim == 2:  # min-is-white
        if data.dtype.kind in "ui":
            data = (np.iinfo(data.dtype).max - data) if data.dtype.kind == "u" else -data
        elif data.dtype == bool:
            data = ~data
        else:
            data = -data
    if photometric == 3 and page.colormap is not None:  # palette -> 16-bit RGB
        data = np.moveaxis(page.colormap[:, data], 0, -1)
    if photometric == 5 and data.ndim == 3 and data.shape[2] >= 4:  # CMYK -> RGB
        scale = float(np.iinfo(data.dtype).max) if data.dtype.kind in "ui" else 1.0
        cmyk = data.astype(np.float32) / scale
        k = 1.0 - cmyk[..., 3:4]
        rgb = (1.0 - cmyk[..., :3]) * k
        data = (rgb * scale).astype(data.dtype) if data.dtype.kind in "ui" else rgb
    if data.dtype == bool:
        data = data.astype(np.uint8) * np.uint8(255)
    return data


def _description(page: Any) -> str | None:
    try:
        return page.description or None
    except Exception:
        return None


def open_tiff(path: Path, max_pixels: int | None = None) -> Image:
    import tifffile

    path = Path(path)
    if path.stat().st_size == 0:
        raise ImageReadError(path, "empty file (0 bytes)")
    try:
        tif = tifffile.TiffFile(path)
        pages = [p for p in tif.pages if not getattr(p, "is_reduced", False)]
    except Exception as exc:
        raise ImageReadError(path, f"not a readable TIFF file: {type(exc).__name__}: {exc}") from None
    try:
        first_desc = _description(pages[0]) if pages else None
        sidecar = None
        frames = []
        for index, page in enumerate(pages):
            height, width, bands = _page_layout(page)
            check_pixels(path, (height, width), max_pixels)
            desc = _description(page) or first_desc
            header = None
            if looks_like_fits_cards(desc):
                header = LazyHeader(desc)  # parsed when the WCS is first wanted, not to show the picture
            if header is None or not cards_have_wcs(desc):
                if sidecar is None:
                    sidecar = sidecar_header(path) or False
                header = sidecar or header

            def load(page=page):
                return _display_array(page)

            def wcs_loader(h=header):
                return wcs_from_header(h)

            dtype = "uint16" if int(page.photometric) == 3 else str(np.dtype(page.dtype))
            info = FrameInfo(index, f"page {index + 1}", (height, width), dtype, bands)
            # no header, no WCS: nothing to build (a WCS library is imported only when one can be)
            frames.append(Frame(info, guarded(path, load), header, wcs_loader if header is not None else None))
    except Exception:
        tif.close()
        raise
    if not frames:
        tif.close()
        raise ImageReadError(path, "no image pages in the file")
    compression = getattr(pages[0].compression, "name", str(pages[0].compression))
    return Image(path, "TIFF", frames, {"compression": compression}, closer=tif.close)


@imgmarker.hookimpl
def imgmarker_readers():
    return ReaderSpec("tiff", SUFFIXES, open_tiff, description="TIFF images (tifffile): multi-page, "
                      "8/16/32-bit integer and float, all common compressions, STIFF WCS")

"""FITS reader: every image HDU (primary with data, extensions, tile-compressed) as
frames; 3-plane cubes as RGB, other cubes one frame per plane; rows flipped so FITS
y increases upward on screen; data memory-mapped where the file allows it."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

import imgmarker
from imgmarker.api import Frame, FrameInfo, Image, ImageReadError
from imgmarker.api import ReaderSpec
from imgmarker_plugins.readers._common import check_pixels, guarded, sidecar_header, wcs_from_header

SUFFIXES = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz", ".fz", ".fits.fz")


def _image_axes(header: Any) -> list[int]:
    """Axis lengths, NAXIS1 first, trailing length-1 axes beyond the second dropped."""
    naxis = int(header.get("NAXIS", 0))
    axes = [int(header.get(f"NAXIS{i}", 0)) for i in range(1, naxis + 1)]
    while len(axes) > 2 and axes[-1] == 1:
        axes.pop()
    return axes


def _stored_dtype(header: Any) -> str:
    bitpix = int(header.get("BITPIX", -32))
    bzero = header.get("BZERO", 0)
    bscale = header.get("BSCALE", 1)
    base = {8: "uint8", 16: "int16", 32: "int32", 64: "int64", -32: "float32", -64: "float64"}.get(bitpix, "float32")
    if bscale == 1 and bitpix > 8 and bzero == 2 ** (bitpix - 1):
        return "u" + base  # astropy presents these as unsigned integers
    if bscale == 1 and bitpix == 8 and bzero == -128:
        return "int8"
    if bscale != 1 or bzero != 0:
        return "float64" if bitpix in (32, 64, -64) else "float32"
    if "BLANK" in header and bitpix > 0:
        return "float32"
    return base


def _planes(hdu: Any, path: Path, blank: Any) -> np.ndarray:
    """Pixel data, shape (planes, H, W), BLANK integers replaced by NaN."""
    data = hdu.data
    if data is None:
        raise ImageReadError(path, f"HDU {hdu.name!r} has no data")
    if blank is not None and data.dtype.kind in "iu":
        mask = data == blank
        data = data.astype(np.float32)
        data[mask] = np.nan
    return data.reshape((-1,) + data.shape[-2:])


def _frames_of(path: Path, index: int, hdu: Any, hdul: Any, sidecar: Any, max_pixels: int | None,
               start: int) -> list[Frame]:
    header = hdu.header
    axes = _image_axes(header)
    if len(axes) < 2 or 0 in axes:
        return []
    width, height = axes[0], axes[1]
    check_pixels(path, (height, width), max_pixels)
    planes = int(np.prod(axes[2:])) if len(axes) > 2 else 1
    name = hdu.name or ("PRIMARY" if index == 0 else f"HDU {index}")
    if hdu.ver and hdu.ver > 1 or (hdu.name and [h.name for h in hdul].count(hdu.name) > 1):
        name = f"{name},{hdu.ver}"
    dtype = _stored_dtype(header)
    blank = header.get("BLANK") if "BLANK" in header else None
    wcs_header = header if any(k.startswith("CTYPE") for k in header.keys()) else sidecar

    def wcs_loader(h=wcs_header):
        return wcs_from_header(h, hdul if h is header and len(axes) == 2 else None)

    if planes == 3 and len(axes) == 3:
        def load_rgb(hdu=hdu):
            cube = _planes(hdu, path, blank)
            return np.moveaxis(cube, 0, -1)[::-1]

        info = FrameInfo(start, name, (height, width), dtype, bands=3)
        return [Frame(info, guarded(path, load_rgb), header, wcs_loader)]

    frames = []
    for plane in range(planes):
        def load(hdu=hdu, plane=plane):
            return _planes(hdu, path, blank)[plane][::-1]

        label = name if planes == 1 else f"{name} plane {plane + 1}"
        info = FrameInfo(start + plane, label, (height, width), dtype, bands=1)
        frames.append(Frame(info, guarded(path, load), header, wcs_loader))
    return frames


def open_fits(path: Path, max_pixels: int | None = None) -> Image:
    from astropy.io import fits

    path = Path(path)
    if path.stat().st_size == 0:
        raise ImageReadError(path, "empty file (0 bytes)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            hdul = fits.open(path, lazy_load_hdus=False)  # memmap when the data allow it
        except Exception as exc:
            raise ImageReadError(path, f"not a readable FITS file: {exc}") from None
    for warning in caught:
        if "truncated" in str(warning.message).lower():
            hdul.close()
            raise ImageReadError(path, f"truncated file: {warning.message}")
    try:
        sidecar = sidecar_header(path)
        frames: list[Frame] = []
        tables = 0
        for index, hdu in enumerate(hdul):
            if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)) and not isinstance(hdu, fits.CompImageHDU):
                tables += 1
                continue
            if not isinstance(hdu, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)):
                continue
            frames.extend(_frames_of(path, index, hdu, hdul, sidecar, max_pixels, len(frames)))
    except Exception:
        hdul.close()
        raise
    if not frames:
        hdul.close()
        reason = "only tables, no image data" if tables else "no image data in any HDU"
        raise ImageReadError(path, reason)
    fmt = "FITS (tile-compressed)" if any(isinstance(h, fits.CompImageHDU) for h in hdul) else "FITS"
    return Image(path, fmt, frames, {"hdus": len(hdul)}, closer=hdul.close)


@imgmarker.hookimpl
def imgmarker_readers():
    return ReaderSpec("fits", SUFFIXES, open_fits, description="FITS images (astropy): extensions, cubes, "
                      "BSCALE/BZERO/BLANK, gzip and tile compression")

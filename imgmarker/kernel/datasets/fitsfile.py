"""FITS files of cutouts and whole frames: the original pixel values, stored bottom
row first as FITS expects (so a viewer shows them as the campaign did), with the
frame's WCS moved to the cutout.

The WCS moves by its reference pixel only: ``CRPIX1 -= x0`` and ``CRPIX2 -= fy0``,
where ``x0`` is the cutout's first source column and ``fy0 = H - y0 - N`` its first
source row counted from the bottom (FITS rows run upward, display rows downward).
SIP polynomials are relative to CRPIX, so they move with it. ``LTV1/LTV2`` give the
offset to the source pixels (DS9's "physical" coordinates are the source image's).
Padded pixels are NaN (integer data become floating point to hold them).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np

#: cards copied from the source header when present (what the pixel values mean)
KEPT_CARDS = ("BUNIT", "OBJECT", "TELESCOP", "INSTRUME", "FILTER", "EXPTIME", "GAIN", "MAGZERO", "MAGZPT",
              "DATE-OBS", "MJD-OBS")


def base_header(wcs: Any, source_header: Any) -> Any:
    """The header every cutout of one frame starts from (the WCS and the cards that
    describe the data), built once per frame."""
    from astropy.io import fits

    header = fits.Header()
    if wcs is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header.extend(wcs.to_header(relax=True).cards)
    if source_header is not None:
        for key in KEPT_CARDS:
            try:
                if key in source_header and key not in header:
                    header[key] = source_header[key]
            except (KeyError, ValueError, TypeError):
                continue
    return header


def fits_bytes(cut: np.ndarray, header: Any, x0: int, fy0: int, provenance: dict[str, Any]) -> bytes:
    """One FITS file: ``cut`` in display orientation ((N, M) or (N, M, C)) stored with
    FITS row order, ``header`` with its reference pixel moved by (x0, fy0)."""
    from astropy.io import fits

    data = cut[::-1]
    if data.ndim == 3:
        data = np.moveaxis(data, -1, 0)
    data = np.ascontiguousarray(data)
    hdr = header.copy()
    if "CRPIX1" in hdr:
        hdr["CRPIX1"] = float(hdr["CRPIX1"]) - x0
        hdr["CRPIX2"] = float(hdr["CRPIX2"]) - fy0
    hdr["LTV1"] = (float(-x0), "source pixel = this pixel - LTV")
    hdr["LTV2"] = (float(-fy0), "source pixel = this pixel - LTV")
    hdr["LTM1_1"], hdr["LTM2_2"] = 1.0, 1.0
    for key, (value, comment) in provenance.items():
        hdr[key] = (value, comment)
    hdu = fits.PrimaryHDU(data, header=hdr)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # long source names become CONTINUE cards
        hdu.writeto(buffer)
    return buffer.getvalue()

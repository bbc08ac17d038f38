"""FITS files of cutouts and whole frames: the original pixel values, stored bottom
row first as FITS expects (so a viewer shows them as the campaign did), with the
frame's WCS moved to the cutout.

The WCS moves by its reference pixel only: ``CRPIX1 -= x0`` and ``CRPIX2 -= fy0``,
where ``x0`` is the cutout's first source column and ``fy0 = H - y0 - N`` its first
source row counted from the bottom (FITS rows run upward, display rows downward).
SIP polynomials are relative to CRPIX, so they move with it. ``LTV1/LTV2`` give the
offset to the source pixels (DS9's "physical" coordinates are the source image's).
Padded pixels are NaN (integer data become floating point to hold them).

The header cards of a frame are formatted once by astropy; each cutout then only
formats the few cards that differ and writes the standard layout itself (2880-byte
blocks, big-endian data), which is ten times faster than building an HDU per cutout
and gives the same file.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

BLOCK = 2880

#: cards copied from the source header when present (what the pixel values mean)
KEPT_CARDS = ("BUNIT", "OBJECT", "TELESCOP", "INSTRUME", "FILTER", "EXPTIME", "GAIN", "MAGZERO", "MAGZPT",
              "DATE-OBS", "MJD-OBS")

#: numpy kind+size -> (BITPIX, BZERO, stored dtype); unsigned integers as FITS stores them
_STORED = {
    "u1": (8, None, ">u1"), "i1": (8, -128, ">u1"), "b1": (8, None, ">u1"),
    "i2": (16, None, ">i2"), "u2": (16, 32768, ">i2"),
    "i4": (32, None, ">i4"), "u4": (32, 2147483648, ">i4"),
    "i8": (64, None, ">i8"), "u8": (64, 9223372036854775808, ">i8"),
    "f4": (-32, None, ">f4"), "f8": (-64, None, ">f8"),
}


def _number(value: Any) -> str | None:
    if isinstance(value, (bool, np.bool_)):
        return "T" if value else "F"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        text = repr(float(value)).upper()
        for digits in range(17, 0, -1):  # the shortest exact form when it fits in 20 columns
            if len(text) <= 20:
                return text
            text = f"{float(value):.{digits}G}"
            if "." not in text and "E" not in text:
                text += ".0"
    return None


def _card(key: str, value: Any, comment: str | None = None) -> str:
    """One 80-column card; numbers, booleans and short strings are formatted here (as
    astropy formats them), anything else by astropy."""
    number = _number(value)
    if number is not None:
        text = f"{key:<8}= {number:>20}"
    elif isinstance(value, str) and len(value) <= 66 and value.isascii() and value.isprintable():
        text = f"{key:<8}= {chr(39) + value.replace(chr(39), chr(39) * 2).ljust(8) + chr(39):<20}"
    else:
        from astropy.io import fits

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # long strings become CONTINUE cards
            return fits.Card(key, value, comment).image
    if len(text) > 80:
        from astropy.io import fits

        return fits.Card(key, value, comment).image
    if comment and len(text) + 3 < 80:
        text = f"{text} / {comment}"
    return text[:80].ljust(80)


class FrameHeader:
    """The cards every cutout of one frame shares (the WCS and the cards that say what
    the values mean), formatted once."""

    def __init__(self, wcs: Any, source_header: Any):
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
        self.cards = [card.image for card in header.cards]
        #: (card index, reference pixel, axis offset index) of CRPIX1 and CRPIX2, kept in place
        self.crpix = [(i, float(card.value), int(card.keyword[-1]) - 1) for i, card in enumerate(header.cards)
                      if card.keyword in ("CRPIX1", "CRPIX2")]

    def cards_for(self, x0: int, fy0: int) -> list[str]:
        cards = list(self.cards)
        for i, value, axis in self.crpix:
            cards[i] = _card(f"CRPIX{axis + 1}", value - (x0, fy0)[axis], "reference pixel, moved to this cutout")
        return cards + [
            _card("LTV1", float(-x0), "source pixel = this pixel - LTV"),
            _card("LTV2", float(-fy0), "source pixel = this pixel - LTV"),
            _card("LTM1_1", 1.0), _card("LTM2_2", 1.0)]


def fits_bytes(cut: np.ndarray, header: FrameHeader, x0: int, fy0: int, provenance: dict[str, Any]) -> bytes:
    """One FITS file: ``cut`` in display orientation ((N, M) or (N, M, C)) stored with
    FITS row order, ``header``'s WCS moved by (x0, fy0), and ``provenance`` cards
    (keyword -> (value, comment))."""
    data = cut[::-1]
    if data.ndim == 3:
        data = np.moveaxis(data, -1, 0)
    code = f"{data.dtype.kind}{data.dtype.itemsize}"
    if code not in _STORED:
        data, code = data.astype(np.float64), "f8"
    bitpix, bzero, stored = _STORED[code]
    if bzero is not None:  # unsigned (or signed bytes): stored shifted, as FITS requires
        data = (data.astype(np.int64) - bzero).astype(stored) if code != "u8" else (data ^ np.uint64(1 << 63)).view(">i8")
    payload = np.ascontiguousarray(data, dtype=stored).tobytes()
    cards = [_card("SIMPLE", True), _card("BITPIX", bitpix), _card("NAXIS", data.ndim)]
    cards += [_card(f"NAXIS{i + 1}", n) for i, n in enumerate(reversed(data.shape))]
    if bzero is not None:
        cards += [_card("BZERO", bzero), _card("BSCALE", 1)]
    cards += header.cards_for(x0, fy0)
    cards += [_card(key, value, comment) for key, (value, comment) in provenance.items()]
    text = "".join(cards) + "END".ljust(80)
    text += " " * (-len(text) % BLOCK)
    return text.encode("ascii") + payload + b"\x00" * (-len(payload) % BLOCK)

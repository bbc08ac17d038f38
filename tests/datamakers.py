"""Small test images made on the fly: FITS with TAN or SIP WCS, STIFF-style and
multi-page TIFFs, PNG/JPEG in any Pillow mode, sidecar WCS files, broken files.

Generic on purpose: any test that needs an image with known pixels and a known sky
mapping can build one here in a few milliseconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np


def tan_header(width: int = 64, height: int = 48, ra: float = 150.0, dec: float = 2.0,
               scale_arcsec: float = 0.5, rotation_deg: float = 0.0, crpix: tuple[float, float] | None = None,
               sip: dict[str, float] | None = None):
    """A celestial TAN header (north up, east left when ``rotation_deg`` is 0).

    ``sip`` maps SIP coefficient names (``"A_2_0"``, ``"B_0_2"``, ...) to values; the
    order is taken from the highest power used, and no inverse (AP/BP) is written.
    """
    from astropy.io import fits

    s = scale_arcsec / 3600.0
    theta = np.radians(rotation_deg)
    header = fits.Header()
    header["NAXIS"] = 2
    header["NAXIS1"] = width
    header["NAXIS2"] = height
    suffix = "-SIP" if sip else ""
    header["CTYPE1"] = "RA---TAN" + suffix
    header["CTYPE2"] = "DEC--TAN" + suffix
    header["CRVAL1"] = ra
    header["CRVAL2"] = dec
    cx, cy = crpix if crpix is not None else ((width + 1) / 2.0, (height + 1) / 2.0)
    header["CRPIX1"] = cx
    header["CRPIX2"] = cy
    header["CD1_1"] = -s * np.cos(theta)
    header["CD1_2"] = -s * np.sin(theta)
    header["CD2_1"] = -s * np.sin(theta)
    header["CD2_2"] = s * np.cos(theta)
    header["RADESYS"] = "ICRS"
    if sip:
        order = max(int(k.split("_")[1]) + int(k.split("_")[2]) for k in sip)
        header["A_ORDER"] = order
        header["B_ORDER"] = order
        for key, value in sip.items():
            header[key] = value
    return header


def write_fits(path: Path, data: np.ndarray | None, header: Any = None,
               extensions: Sequence[tuple[np.ndarray, Any]] = (), tables: int = 0,
               compressed: Sequence[tuple[np.ndarray, Any]] = ()) -> Path:
    """Primary HDU (``data`` may be None) plus image extensions, binary tables and
    tile-compressed image extensions. ``.gz`` paths are gzipped by astropy."""
    from astropy.io import fits

    hdus: list[Any] = [fits.PrimaryHDU(data, header=_image_header(header))]
    for ext_data, ext_header in extensions:
        hdus.append(fits.ImageHDU(ext_data, header=_image_header(ext_header)))
    for ext_data, ext_header in compressed:
        hdus.append(fits.CompImageHDU(ext_data, header=_image_header(ext_header), compression_type="RICE_1"))
    for i in range(tables):
        hdus.append(fits.BinTableHDU.from_columns([fits.Column(name="x", format="E", array=np.arange(5.0))],
                                                  name=f"TABLE{i + 1}"))
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return Path(path)


def _image_header(header: Any):
    if header is None:
        return None
    header = header.copy()
    for key in ("NAXIS", "NAXIS1", "NAXIS2", "NAXIS3"):
        header.remove(key, ignore_missing=True)
    return header


def stiff_description(header: Any) -> str:
    """The STIFF convention: FITS cards, 80 characters each, no newlines."""
    cards = [card.image for card in header.cards]
    return "".join(cards) + "END".ljust(80)


def write_tiff(path: Path, pages: Iterable[np.ndarray], compression: str | None = None,
               description: str | None = None, photometric: str | None = None,
               planarconfig: str | None = None, extrasamples: Sequence[int] | None = None,
               colormap: np.ndarray | None = None) -> Path:
    """Pages written as stored (top row first)."""
    import tifffile

    with tifffile.TiffWriter(path) as tif:
        for i, page in enumerate(pages):
            kwargs: dict[str, Any] = {}
            if compression:
                kwargs["compression"] = compression
            if photometric:
                kwargs["photometric"] = photometric
            if planarconfig:
                kwargs["planarconfig"] = planarconfig
            if extrasamples is not None:
                kwargs["extrasamples"] = extrasamples
            if colormap is not None:
                kwargs["colormap"] = colormap
            if description is not None and i == 0:
                kwargs["description"] = description
            tif.write(page, metadata=None, **kwargs)
    return Path(path)


def write_pillow(path: Path, array: np.ndarray, mode: str | None = None, **save: Any) -> Path:
    """Save ``array`` with Pillow, converted to ``mode`` first when given."""
    from PIL import Image

    img = Image.fromarray(array)
    if mode is not None and img.mode != mode:
        img = img.convert(mode)
    img.save(path, **save)
    return Path(path)


def write_sidecar(image_path: Path, header: Any, suffix: str = ".wcs") -> Path:
    """A text header beside the image, one card per line."""
    side = Path(image_path).with_suffix(suffix)
    side.write_text("\n".join(card.image for card in header.cards) + "\nEND\n")
    return side


def gradient(height: int = 48, width: int = 64, dtype: Any = np.float32, low: float = 0.0,
             high: float | None = None) -> np.ndarray:
    """Distinct values everywhere, rising left to right then top to bottom, so any
    flip or transpose is visible."""
    count = height * width
    if high is None:
        high = float(min(np.iinfo(dtype).max, 2 ** 53)) if np.dtype(dtype).kind in "ui" else float(count - 1)
    values = np.linspace(low, high, count).reshape(height, width)
    if np.dtype(dtype).kind in "ui":
        values = np.rint(values)
    return values.astype(dtype)


def truncate(path: Path, keep: float = 0.5) -> Path:
    raw = Path(path).read_bytes()
    Path(path).write_bytes(raw[: max(1, int(len(raw) * keep))])
    return Path(path)


def write_sparse_fits(path: Path, width: int, height: int, pixels: dict[tuple[int, int], float]) -> Path:
    """A float32 FITS of any size in milliseconds: the header, then a sparse (all-zero)
    data unit with the given ``{(fits_x, fits_y): value}`` set through a memory map."""
    from astropy.io import fits

    header = fits.Header([("SIMPLE", True), ("BITPIX", -32), ("NAXIS", 2), ("NAXIS1", width), ("NAXIS2", height)])
    text = header.tostring().encode("ascii")
    data_bytes = width * height * 4
    with open(path, "wb") as handle:
        handle.write(text)
        handle.truncate(len(text) + -(-data_bytes // 2880) * 2880)
    if pixels:
        mapped = np.memmap(path, dtype=">f4", mode="r+", offset=len(text), shape=(height, width))
        for (x, y), value in pixels.items():
            mapped[y, x] = value
        mapped.flush()
        del mapped
    return path


def sky_header(ctype: tuple[str, str] = ("RA---TAN", "DEC--TAN"), width: int = 64, height: int = 48,
               crval: tuple[float, float] = (150.0, 2.0), scale_arcsec: float = 0.5, rotation_deg: float = 20.0,
               **cards: Any):
    """A celestial TAN header in any frame: ``ctype`` names the axes (``GLON-TAN``,
    ``ELON-TAN``, ``DEC--TAN`` first for swapped axes, ...) and ``cards`` add or remove
    keywords (``RADESYS="FK4"``, ``EQUINOX=1950.0``; a value of None removes it). No
    RADESYS unless given, so the FITS standard's defaults apply."""
    header = tan_header(width, height, ra=crval[0], dec=crval[1], scale_arcsec=scale_arcsec,
                        rotation_deg=rotation_deg)
    del header["RADESYS"]
    header["CTYPE1"], header["CTYPE2"] = ctype
    for key, value in cards.items():
        key = key.replace("_", "-") if key in ("DATE_OBS", "MJD_OBS") else key
        if value is None:
            header.remove(key, ignore_missing=True)
        else:
            header[key] = value
    return header


def fits_with_card(path: Path, header: Any, keyword: str, raw_value: str, height: int = 48,
                   width: int = 64) -> Path:
    """A FITS file whose ``keyword`` card holds ``raw_value`` verbatim (e.g. ``NaN``,
    which astropy refuses to write), to test what a reader makes of broken headers."""
    write_fits(path, np.zeros((height, width), np.float32), header)
    raw = bytearray(Path(path).read_bytes())
    for start in range(0, 2880 * 4, 80):
        if raw[start:start + 8].decode("ascii", "replace").strip() == keyword:
            card = f"{keyword:<8}= {raw_value:>20}".ljust(80)
            raw[start:start + 80] = card.encode("ascii")
            break
    else:
        raise ValueError(f"{keyword} not in the header")
    Path(path).write_bytes(bytes(raw))
    return Path(path)

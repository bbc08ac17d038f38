"""Pieces every built-in reader needs: FITS headers from text, WCS from a header,
sidecar WCS files, the pixel limit and typed errors around lazy loads."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from imgmarker.api import ImageReadError, UnusableWcs, check_wcs_header

SIDECAR_SUFFIXES = (".wcs", ".hdr")


def looks_like_fits_cards(text: str | None) -> bool:
    if not text:
        return False
    head = text.lstrip()[:2880]
    return head.startswith("SIMPLE  =") or head.startswith("XTENSION=") or "CTYPE1  =" in head or "NAXIS   =" in head


def header_from_text(text: str):
    """A FITS header from cards, either packed as 80-character records (the STIFF
    convention for the TIFF ImageDescription tag) or one card per line."""
    from astropy.io import fits

    text = text.replace("\r", "")
    if "\n" in text.strip("\n"):
        lines = [line.rstrip() for line in text.split("\n")]
        text = "".join(line.ljust(80)[:80] for line in lines if line.strip())
    else:
        text = text.strip("\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fits.Header.fromstring(text)


def _cards(text: str) -> list[str]:
    text = text.replace("\r", "")
    if "\n" in text.strip("\n"):
        return [line.ljust(80)[:80] for line in text.split("\n") if line.strip()]
    text = text.strip("\n")
    return [text[i:i + 80] for i in range(0, len(text), 80)]


def cards_have_wcs(text: str) -> bool:
    """Whether FITS cards in ``text`` set a CTYPE keyword (without parsing the header)."""
    return any(card.startswith("CTYPE") for card in _cards(text))


class LazyHeader(Mapping):
    """A FITS header parsed from its cards on first use: opening an image must not wait
    for the FITS library when the picture is all that is wanted yet."""

    def __init__(self, text: str):
        self._text = text
        self._header: Any = None

    @property
    def parsed(self) -> Any:
        if self._header is None:
            try:
                self._header = header_from_text(self._text)
            except Exception:  # unreadable cards: as if there were none
                from astropy.io import fits

                self._header = fits.Header()
        return self._header

    def __getitem__(self, key: Any) -> Any:
        return self.parsed[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.parsed)

    def __len__(self) -> int:
        return len(self.parsed)

    def __getattr__(self, name: str) -> Any:  # the rest of astropy's Header (cards, tostring, ...)
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.parsed, name)


def wcs_from_header(header: Any, fobj: Any = None) -> Any:
    """The celestial WCS of ``header`` (SIP and lookup distortions included), or None
    when it has no celestial axes. Raises :class:`imgmarker.api.UnusableWcs` when it
    has them but they cannot be trusted (unparsable numbers, an all-zero CD matrix:
    cards wcslib would quietly replace) or astropy cannot build the WCS at all."""
    if header is None:
        return None
    if isinstance(header, LazyHeader):
        header = header.parsed
    from astropy.wcs import WCS, FITSFixedWarning

    if not any(str(key).startswith("CTYPE") for key in header.keys()):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            wcs = WCS(header, fobj) if fobj is not None else WCS(header)
        except Exception as first:
            try:
                wcs = WCS(header, naxis=2)
            except Exception:
                if not _names_celestial_axes(header):
                    return None
                raise UnusableWcs(_construction_problem(first)) from None
    if not wcs.has_celestial:
        return None
    check_wcs_header(header, (wcs.wcs.lng + 1, wcs.wcs.lat + 1))
    if wcs.naxis != 2:
        wcs = wcs.celestial if wcs.sip is None else wcs.sub(2)
    return wcs


def _construction_problem(exc: Exception) -> str:
    """One line for why astropy could not build the WCS (wcslib's messages span lines)."""
    text = " ".join(str(exc).split())
    if "singular" in text.lower():
        return "its CD/PC matrix or CDELT is singular (no pixel scale on one axis)"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    detail = lines[-1] if lines else type(exc).__name__
    return f"astropy cannot read it ({type(exc).__name__}: {detail})"


def _names_celestial_axes(header: Any) -> bool:
    types = [str(header.get(key, "")) for key in header.keys() if str(key).startswith("CTYPE")]
    return any(t[:4] in ("RA--", "DEC-") or t[1:4] in ("LON", "LAT") for t in types)


def sidecar_path(path: Path) -> Path | None:
    """``image.wcs`` / ``image.hdr`` (or ``image.fits.wcs``) next to the image."""
    for suffix in SIDECAR_SUFFIXES:
        for candidate in (path.with_suffix(suffix), path.with_name(path.name + suffix)):
            if candidate != path and candidate.is_file():
                return candidate
    return None


def read_header_file(path: Path):
    from astropy.io import fits

    raw = path.read_bytes()
    text = raw.decode("ascii", errors="replace")
    if text.startswith("SIMPLE") and "\n" not in text[:2880]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fits.Header.fromstring(text)
    return header_from_text(text)


def sidecar_header(path: Path):
    side = sidecar_path(path)
    if side is None:
        return None
    try:
        return read_header_file(side)
    except Exception:
        return None


def check_pixels(path: Path, shape: tuple[int, ...], max_pixels: int | None) -> None:
    height, width = shape[0], shape[1]
    if height <= 0 or width <= 0:
        raise ImageReadError(path, f"empty image ({width} x {height} pixels)")
    if max_pixels is not None and height * width > max_pixels:
        raise ImageReadError(
            path, f"{width} x {height} = {height * width:,} pixels exceeds the limit of {max_pixels:,}")


def guarded(path: Path, load: Callable[[], np.ndarray]) -> Callable[[], np.ndarray]:
    """Wrap a lazy pixel load so a file that breaks only when decoded still raises
    the one typed error naming the file."""

    def run() -> np.ndarray:
        try:
            return load()
        except ImageReadError:
            raise
        except MemoryError:
            raise ImageReadError(path, "not enough memory to read the pixels") from None
        except Exception as exc:
            raise ImageReadError(path, f"cannot read the pixels: {type(exc).__name__}: {exc}") from exc

    return run

"""How far the import moved marks on the sky: Image Marker 1.2 put FITS pixel y at
H - y where H - 1 - y is right, so its RA/Dec sit one pixel off; imgmarker recomputes
them from x, y and the image's WCS, and this measures the difference."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

#: Below this the two positions are the same (float noise of the WCS transform).
MOVED_ARCSEC = 1e-3


@dataclass(frozen=True)
class SkyShift:
    compared: int  # marks with RA/Dec from both 1.2 and imgmarker
    moved: int  # of those, how many differ by more than MOVED_ARCSEC
    median_arcsec: float | None
    max_arcsec: float | None
    new_only: int  # RA/Dec now, none in 1.2
    lost: int  # RA/Dec in 1.2, none now (the image could not be opened here, or has no usable WCS)
    without: int  # neither

    def describe(self) -> str:
        parts = []
        if self.compared:
            text = f"RA/Dec recomputed through each image's WCS for {self.compared} mark(s): {self.moved} moved"
            if self.moved:
                text += f", median {self.median_arcsec:.3f} arcsec, max {self.max_arcsec:.3f} arcsec"
            parts.append(text + " (Image Marker 1.2 was one pixel off in y)")
        if self.new_only:
            parts.append(f"{self.new_only} mark(s) gained RA/Dec")
        if self.lost:
            parts.append(f"{self.lost} mark(s) had RA/Dec in Image Marker 1.2 but none now: their image could not "
                         "be opened here or has no usable WCS")
        if self.without:
            parts.append(f"{self.without} mark(s) without RA/Dec (no WCS)")
        return "; ".join(parts) if parts else "no marks"


def separation_arcsec(ra1: np.ndarray, dec1: np.ndarray, ra2: np.ndarray, dec2: np.ndarray) -> np.ndarray:
    """Great-circle distance (Vincenty's formula: exact at tiny and large angles)."""
    r1, d1, r2, d2 = (np.radians(np.asarray(a, dtype=float)) for a in (ra1, dec1, ra2, dec2))
    dra = r2 - r1
    num = np.hypot(np.cos(d2) * np.sin(dra), np.cos(d1) * np.sin(d2) - np.sin(d1) * np.cos(d2) * np.cos(dra))
    den = np.sin(d1) * np.sin(d2) + np.cos(d1) * np.cos(d2) * np.cos(dra)
    return np.degrees(np.arctan2(num, den)) * 3600.0


def _has(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isfinite(a) and math.isfinite(b)


def sky_shift(pairs: Iterable[tuple[float | None, float | None, float | None, float | None]]) -> SkyShift:
    """``pairs``: (1.2 ra, 1.2 dec, new ra, new dec) per mark."""
    both, new_only, lost, without = [], 0, 0, 0
    for old_ra, old_dec, ra, dec in pairs:
        old, new = _has(old_ra, old_dec), _has(ra, dec)
        if old and new:
            both.append((old_ra, old_dec, ra, dec))
        elif new:
            new_only += 1
        elif old:
            lost += 1
        else:
            without += 1
    if not both:
        return SkyShift(0, 0, None, None, new_only, lost, without)
    a = np.array(both, dtype=float)
    sep = separation_arcsec(a[:, 0], a[:, 1], a[:, 2], a[:, 3])
    moved = sep > MOVED_ARCSEC
    shifted = sep[moved]
    return SkyShift(len(both), int(moved.sum()), float(np.median(shifted)) if shifted.size else None,
                    float(shifted.max()) if shifted.size else None, new_only, lost, without)

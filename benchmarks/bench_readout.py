"""Cursor readout speed: the sky position of one display pixel, formatted, per mouse move.

The status line recomputes RA/Dec (ICRS) at every cursor move. This times that path
(``pixel_to_world`` on one point, then ``format_world``) for WCS in several celestial
frames, plus the optional galactic l, b, and prints medians of repeated runs with the
machine load. Target: well under 1 ms per move for every frame.

    python benchmarks/bench_readout.py [--moves 2000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

from imgmarker.kernel.imaging.wcs import format_world, pixel_to_world

HEIGHT = WIDTH = 2048

FRAMES = {
    "ICRS": (("RA---TAN", "DEC--TAN"), {"RADESYS": "ICRS"}),
    "FK5 J2000 (no RADESYS)": (("RA---TAN", "DEC--TAN"), {"EQUINOX": 2000.0}),
    "FK4 B1950": (("RA---TAN", "DEC--TAN"), {"RADESYS": "FK4", "EQUINOX": 1950.0}),
    "galactic": (("GLON-TAN", "GLAT-TAN"), {}),
    "ICRS + SIP": (("RA---TAN-SIP", "DEC--TAN-SIP"), {"RADESYS": "ICRS", "A_ORDER": 2, "B_ORDER": 2,
                                                       "A_2_0": 2e-7, "B_0_2": 1.5e-7}),
}


def make_wcs(ctype: tuple[str, str], extra: dict) -> WCS:
    h = fits.Header()
    h["NAXIS"], h["NAXIS1"], h["NAXIS2"] = 2, WIDTH, HEIGHT
    h["CTYPE1"], h["CTYPE2"] = ctype
    h["CRVAL1"], h["CRVAL2"] = 150.0, 2.0
    h["CRPIX1"], h["CRPIX2"] = WIDTH / 2, HEIGHT / 2
    h["CD1_1"], h["CD1_2"], h["CD2_1"], h["CD2_2"] = -2.8e-4, 0.0, 0.0, 2.8e-4
    for key, value in extra.items():
        h[key] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return WCS(h)


def one_run(wcs: WCS, points: np.ndarray, galactic) -> float:
    t0 = time.perf_counter()
    for x, y in points:
        ra, dec = pixel_to_world(wcs, HEIGHT, x, y)
        text = format_world(float(ra), float(dec))
        if galactic is not None:
            lon, lat = galactic(ra, dec)
            text += f" l {float(lon):.5f} b {float(lat):+.5f}"
    return (time.perf_counter() - t0) / len(points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    try:
        from imgmarker.kernel.imaging.sky import galactic_of_icrs
    except ImportError:  # before the readout could show l, b
        galactic_of_icrs = None
    rng = np.random.default_rng(1)
    points = rng.uniform(0, WIDTH - 1, size=(args.moves, 2))
    print(f"load before: {os.getloadavg()[0]:.2f}")
    for name, (ctype, extra) in FRAMES.items():
        wcs = make_wcs(ctype, extra)
        one_run(wcs, points[:10], None)  # first use works out the frame
        runs = [one_run(wcs, points, None) for _ in range(args.repeats)]
        line = f"{name:24s} readout {statistics.median(runs) * 1e6:8.1f} us/move"
        if galactic_of_icrs is not None:
            runs = [one_run(wcs, points, galactic_of_icrs) for _ in range(args.repeats)]
            line += f"   with l, b {statistics.median(runs) * 1e6:8.1f} us/move"
        print(line + f"   (median of {args.repeats} x {args.moves} moves)")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

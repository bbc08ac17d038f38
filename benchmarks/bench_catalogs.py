"""Catalog matching speed: a 100,000-row RA/Dec catalog over 1,000 images.

Prints the one-off costs (reading the CSV, building the index) and the time to find
the sources of each image the first time (nothing cached) and again (cached), with the
machine load. Targets: preparation <= 5 s, first lookup <= 10 ms median.
``--frame galactic`` gives the images galactic WCS (GLON/GLAT), so every lookup also
converts the ICRS catalog to the image's frame.

    python benchmarks/bench_catalogs.py [--rows 100000] [--images 1000] [--size 512] [--frame galactic]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from astropy.wcs import WCS

from imgmarker.kernel.catalogs.matching import CatalogIndex
from imgmarker.kernel.catalogs.model import load_catalog
from imgmarker.kernel.plugins.host import create_plugin_host


def make_wcs(ra: float, dec: float, size: int, scale_arcsec: float, rotation_deg: float,
             frame: str = "icrs") -> WCS:
    w = WCS(naxis=2)
    if frame == "galactic":
        from astropy import units as u
        from astropy.coordinates import SkyCoord

        gal = SkyCoord(ra * u.deg, dec * u.deg).galactic
        w.wcs.ctype = ["GLON-TAN", "GLAT-TAN"]
        w.wcs.crval = [gal.l.deg, gal.b.deg]
    else:
        w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
        w.wcs.crval = [ra, dec]
    w.wcs.crpix = [(size + 1) / 2, (size + 1) / 2]
    s, t = scale_arcsec / 3600, np.radians(rotation_deg)
    w.wcs.cd = [[-s * np.cos(t), s * np.sin(t)], [s * np.sin(t), s * np.cos(t)]]
    w.wcs.set()
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--scale", type=float, default=1.0, help="arcsec per pixel")
    parser.add_argument("--field", type=float, default=4.0, help="side of the sky region, degrees")
    parser.add_argument("--frame", choices=("icrs", "galactic"), default="icrs", help="celestial frame of the images")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(42)
    ra0, dec0 = 150.0, 2.0
    half = args.field / 2
    ra = ra0 + rng.uniform(-half, half, args.rows) / np.cos(np.radians(dec0))
    dec = dec0 + rng.uniform(-half, half, args.rows)

    registry = create_plugin_host(autoload=False).registry
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        with path.open("w") as fh:
            fh.write("label,ra,dec,size(arcsec),mag\n")
            for i in range(args.rows):
                fh.write(f"src{i},{ra[i]:.8f},{dec[i]:.8f},3,{18 + (i % 70) / 10:.1f}\n")
        t0 = time.perf_counter()
        catalog = load_catalog(path, registry)
        t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = CatalogIndex(catalog, cache_size=args.images)
    t_index = time.perf_counter() - t0

    centres_ra = ra0 + rng.uniform(-half, half, args.images) / np.cos(np.radians(dec0))
    centres_dec = dec0 + rng.uniform(-half, half, args.images)
    images = [(f"img{i:04d}.fits", make_wcs(centres_ra[i], centres_dec[i], args.size, args.scale,
                                            rng.uniform(0, 360), args.frame)) for i in range(args.images)]
    shape = (args.size, args.size)
    first, again, counts = [], [], []
    for name, wcs in images:
        t0 = time.perf_counter()
        found = index.sources_for(name, wcs, shape)
        first.append(time.perf_counter() - t0)
        counts.append(len(found))
    for name, wcs in images:
        t0 = time.perf_counter()
        index.sources_for(name, wcs, shape)
        again.append(time.perf_counter() - t0)
    first_ms, again_ms = np.array(first) * 1e3, np.array(again) * 1e3
    print(f"catalog: {args.rows} RA/Dec rows over {args.field} x {args.field} deg; "
          f"{args.images} {args.frame} images of {args.size}x{args.size} px at {args.scale}\"/px")
    print(f"read CSV (load_catalog):      {t_load:7.3f} s")
    print(f"build index (CatalogIndex):   {t_index:7.3f} s")
    print(f"one-off preparation total:    {t_load + t_index:7.3f} s   (target <= 5 s)")
    print(f"sources per image:            median {np.median(counts):.0f}, max {np.max(counts)}")
    print(f"first lookup per image:       median {np.median(first_ms):.2f} ms, "
          f"p95 {np.percentile(first_ms, 95):.2f} ms, max {first_ms.max():.2f} ms   (target <= 10 ms median)")
    print(f"cached lookup per image:      median {np.median(again_ms):.3f} ms")
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

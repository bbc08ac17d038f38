"""Large images: open-to-first-paint and peak memory for a 20,000 x 20,000 float32 FITS.

    python benchmarks/bench_large.py [--size N] [--repeat N]

The file (1.6 GB of noise with a few stars) is written to a temporary folder; each
measurement runs in a fresh subprocess that opens it, renders the overview, shows it
in an offscreen ImageView and paints once, then zooms to 1:1 on a star, renders the
visible region at full resolution and paints again. Peak memory is the subprocess's
maximum resident set size (memory-mapped pages it touched included). Where the program
has it, the block-mean overview that replaces the quick one in the background is
computed and painted too (before zooming), and counts in the peak memory. The file was
just written, so it is read from the page cache (a warm start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
start = time.perf_counter()
from PyQt6.QtWidgets import QApplication
from imgmarker.kernel.imaging.images import open_image
from imgmarker.kernel.display.large import render_overview, render_region
from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.shell.view import ImageView
app = QApplication([])
view = ImageView()
view.resize(1600, 1000)
imported = time.perf_counter()
registry = create_plugin_host(autoload=False).registry
renderer = Renderer(registry)
settings = DisplaySettings.make("zscale", stretch="asinh")
image = open_image(sys.argv[1], registry)
data = image.frames[0].data()
height, width = data.shape
overview = render_overview(data, settings, renderer)
view.set_image(overview.rgba, "big.fits", factor=overview.factor, size=(width, height))
view.grab()
first_paint = time.perf_counter()
try:  # the block-mean overview that replaces the quick one in the background
    from imgmarker.kernel.display.large import render_mean_overview
except ImportError:
    render_mean_overview = None
refined_s = None
if render_mean_overview is not None:
    started = time.perf_counter()
    mean = render_mean_overview(data, settings, renderer, overview.factor, overview.limits)
    view.set_image(mean.rgba, "big.fits", factor=mean.factor, size=(width, height))
    view.grab()
    refined_s = time.perf_counter() - started
first_paint_end = time.perf_counter()
view.set_scale(1.0)
view.centre_on(width * 0.6, height * 0.3)
region, factor = view.wanted_detail()
detail = render_region(data, settings, renderer, region, overview.limits, factor, margin=64)
view.set_detail(detail.rgba, detail.x0, detail.y0, detail.factor)
view.grab()
zoomed = time.perf_counter()
image.close()
print(json.dumps({
    "first_paint": first_paint - imported, "zoom": zoomed - first_paint_end, "imports": imported - start,
    "refined": refined_s,
    "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "factor": overview.factor, "detail": list(detail.rgba.shape[:2]),
}))
"""


def write_fits(path: Path, size: int) -> None:
    """Header, then noise written in bands of rows (never the whole frame in memory)."""
    from astropy.io import fits

    header = fits.Header([("SIMPLE", True), ("BITPIX", -32), ("NAXIS", 2), ("NAXIS1", size), ("NAXIS2", size)])
    text = header.tostring().encode("ascii")
    rng = np.random.default_rng(0)
    band_rows = max(1, min(size, 2 ** 24 // size))
    band = rng.normal(1000.0, 20.0, (band_rows, size)).astype(">f4")
    with open(path, "wb") as handle:
        handle.write(text)
        for first in range(0, size, band_rows):
            rows = min(band_rows, size - first)
            chunk = band[:rows].copy()
            stars = rng.integers(0, size, (rows // 4 + 1, 1))
            chunk[rng.integers(0, rows, stars.shape[0]), stars[:, 0]] = 60000.0
            handle.write(chunk.tobytes())
        handle.write(b"\0" * (-(size * size * 4) % 2880))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.fits"
        started = time.perf_counter()
        write_fits(path, args.size)
        print(f"wrote {path.stat().st_size / 2**30:.2f} GiB in {time.perf_counter() - started:.1f} s; "
              f"load average: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    paint = [r["first_paint"] * 1e3 for r in runs]
    zoom = [r["zoom"] * 1e3 for r in runs]
    rss = max(r["maxrss"] for r in runs)
    label = f"{args.size}^2 float32 FITS"
    print(f"{label} open-to-first-paint (overview 1/{runs[0]['factor']})   median {statistics.median(paint):7.1f} ms"
          f" (best {min(paint):6.1f})  target <= 1000 ms: {'ok' if statistics.median(paint) <= 1000 else 'MISSED'}")
    print(f"{label} zoom to 1:1, render {runs[0]['detail'][1]}x{runs[0]['detail'][0]} region + paint"
          f"  median {statistics.median(zoom):7.1f} ms (best {min(zoom):6.1f})")
    refined = [r["refined"] * 1e3 for r in runs if r.get("refined") is not None]
    if refined:
        print(f"{label} block-mean overview (background, every pixel read) + paint  median "
              f"{statistics.median(refined):7.1f} ms (best {min(refined):6.1f})")
    print(f"{label} peak memory (max RSS, Qt and imports included)  {rss / 2**20:8.1f} MiB"
          f"  target <= 1024 MiB: {'ok' if rss <= 2**30 else 'MISSED'}")
    print(f"(imports and QApplication, not counted: median {statistics.median(r['imports'] for r in runs) * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()

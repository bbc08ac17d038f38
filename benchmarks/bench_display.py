"""Display speed and memory: prints median timings against the targets.

    python benchmarks/bench_display.py [--repeat N]

Figures: open + first frame + render for a 512x512 RGB TIFF and a 4096x4096 float32
FITS (zscale + asinh); a stretch-only change on a loaded 4096x4096 frame; peak memory
(tracemalloc) while rendering a 4096x4096 float32 frame. "levels" is the 8-bit
indexed picture; "+rgba" is the packed RGBA the GUI shows (one lookup per pixel);
the GUI render job adds the reduced previews the view paints when zoomed out.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np


def timings_ms(func, repeat: int) -> tuple[float, float]:
    """(median, best) in ms; the best shows what an idle machine gives."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, min(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None,
                        help="render threads (default: the renderer's own choice)")
    args = parser.parse_args()

    import tifffile
    from astropy.io import fits

    from imgmarker.kernel.imaging.images import open_image
    from imgmarker.kernel.display.pipeline import DisplaySettings, Renderer
    from imgmarker.kernel.plugins.host import create_plugin_host

    registry = create_plugin_host(autoload=False).registry
    print(f"render threads: {Renderer(registry, threads=args.threads).threads}, load average: "
          + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tiff = tmp / "rgb512.tif"
        tifffile.imwrite(tiff, rng.integers(0, 255, (512, 512, 3), dtype=np.uint8), photometric="rgb")
        big = rng.normal(1000.0, 25.0, (4096, 4096)).astype(np.float32)
        big[100:110, 200:210] = np.nan
        fits_path = tmp / "big.fits"
        fits.PrimaryHDU(big).writeto(fits_path)
        default = DisplaySettings.make("zscale", stretch="linear")
        asinh = DisplaySettings.make("zscale", stretch="asinh")

        def open_render(path, settings, rgba):
            renderer = Renderer(registry, threads=args.threads)  # a GUI keeps one; no cache key, so nothing is reused
            def run():
                with open_image(path, registry) as image:
                    rendered = renderer.render(image.frames[0].data(), settings, rgba=rgba)
                    if rgba:
                        rendered.rgba()
            return run

        from types import SimpleNamespace

        from imgmarker.kernel.display.frame_jobs import FrameStore, render_job

        def gui_job(path, settings):
            renderer = Renderer(registry, threads=args.threads)
            entry = SimpleNamespace(path=path, name=path.name)
            return render_job(entry, 0, settings, registry=registry, renderer=renderer,
                              store=FrameStore(0), max_pixels=None)

        rows = [
            ("512x512 RGB TIFF open+frame+render (rgba)", open_render(tiff, default, True), 10),
            ("4096^2 float32 FITS open+frame+zscale+asinh (levels)", open_render(fits_path, asinh, False), 60),
            ("4096^2 float32 FITS open+frame+zscale+asinh (+rgba)", open_render(fits_path, asinh, True), None),
            ("4096^2 FITS GUI render job (rgba + previews 2/4/8)", gui_job(fits_path, asinh), None),
        ]
        renderer = Renderer(registry, threads=args.threads)
        loaded = np.array(big)
        renderer.render(loaded, asinh, key="big")
        stretches = iter(["log", "sqrt", "asinh", "linear", "power"] * (args.repeat + 5))

        def change(rgba):
            def run():
                rendered = renderer.render(loaded, asinh.replace(stretch=next(stretches)), key="big", rgba=rgba)
                if rgba:
                    rendered.rgba()
            return run

        rows += [("4096^2 stretch-only change (levels)", change(False), 40),
                 ("4096^2 stretch-only change (+rgba)", change(True), None)]
        for label, func, target in rows:
            func()  # warm caches and imports
            value, best = timings_ms(func, args.repeat)
            verdict = "" if target is None else f"  target <= {target} ms: {'ok' if value <= target else 'MISSED'}"
            print(f"{label:58s} median {value:7.1f} ms (best {best:6.1f}){verdict}")

        for label, rgba in (("levels", False), ("+rgba", True)):
            fresh = Renderer(registry, threads=args.threads)
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            rendered = fresh.render(loaded, asinh, key="big", rgba=rgba)
            if rgba:
                rendered.rgba()
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
            del rendered
            ratio = peak / loaded.nbytes
            print(f"{'4096^2 float32 render peak memory (' + label + ')':58s} {peak / 2**20:8.1f} MiB"
                  f" = {ratio:.2f}x frame bytes  target <= 4x: {'ok' if ratio <= 4 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Paint times of the image view: a 4096x4096 frame and 10,000 markers.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/bench_view.py
Prints median and p95 milliseconds of a synchronous repaint of an 1200x900 view.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np
from PyQt6.QtWidgets import QApplication

from imgmarker.kernel.display.preview import pyramid
from imgmarker.shell.overlay_painter import OverlayLayer
from imgmarker.shell.qimage import qimage_from_array
from imgmarker.shell.view import ImageView

SHAPES = ("circle", "square", "diamond", "cross", "plus", "triangle")
COLORS = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7")


@dataclass
class Marker:
    x: float
    y: float
    shape: str
    size: float
    color: str
    label: str | None
    selected: bool = False


def timed(fn, repeat=21):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[0], statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def report(name, fn, repeat=21):
    best, med, p95 = timed(fn, repeat)
    print(f"{name:<58s} min {best:7.2f}  median {med:7.2f}  p95 {p95:7.2f} ms")


def main() -> None:
    app = QApplication.instance() or QApplication([])
    view = ImageView()
    view.resize(1200, 900)
    view.show()
    app.processEvents()

    rng = np.random.default_rng(0)
    side = 4096
    rgb = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
    rgbx = np.empty((side, side, 4), np.uint8)
    rgbx[..., :3] = rgb
    rgbx[..., 3] = 255

    report("qimage_from_array 4096^2 RGB (zero copy)", lambda: qimage_from_array(rgb), 50)
    report("set_image 4096^2 RGB (same size: keeps zoom)", lambda: view.set_image(rgb, "big.fits"), 20)
    for label, arr in (("RGB888", rgb), ("RGBA8888", rgbx)):
        view.set_image(arr, "big.fits")
        view.zoom_fit()
        report(f"repaint 4096^2 {label}, fit (scale {view.scale:.3f})", view.repaint)
        view.zoom_actual()
        report(f"repaint 4096^2 {label}, 1:1", view.repaint)
        view.set_scale(8.0)
        report(f"repaint 4096^2 {label}, 8x", view.repaint)

    t0 = time.perf_counter()
    levels = pyramid(rgb)
    print(f"{'pyramid 4096^2 RGB (worker thread work)':<58s} once   {(time.perf_counter() - t0) * 1000:8.2f} ms")
    view.set_image(rgb, "big.fits", previews=levels)
    view.zoom_fit()
    report("repaint 4096^2 RGB888 with previews, fit", view.repaint)
    t0 = time.perf_counter()
    rgbx_levels = pyramid(rgbx)
    print(f"{'pyramid 4096^2 RGBA (what the render job adds)':<58s} once   {(time.perf_counter() - t0) * 1000:8.2f} ms")
    view.set_image(rgbx, "big.fits", previews=rgbx_levels)
    view.zoom_fit()
    report("repaint 4096^2 RGBA8888 with previews, fit (GUI default)", view.repaint)

    other = rgb[::-1].copy()
    other_levels = pyramid(other)
    frames = [(rgb, levels), (other, other_levels)]
    flip = iter(range(10**6))

    def next_image():
        arr, lv = frames[next(flip) % 2]
        view.set_image(arr, "big.fits", previews=lv)
        view.repaint()

    report("next image from cache: set_image + repaint, 4096^2 at fit", next_image)
    small = [rng.integers(0, 256, (512, 512, 3), dtype=np.uint8) for _ in range(2)]

    def next_small():
        view.set_image(small[next(flip) % 2], "small.tif")
        view.repaint()

    view.set_image(small[0], "small.tif")
    view.zoom_fit()
    report("next image from cache: set_image + repaint, 512^2 at fit", next_small)

    n = 10_000
    markers = [
        Marker(
            float(x), float(y), SHAPES[i % len(SHAPES)], 12.0, COLORS[i % len(COLORS)], f"s{i}", selected=(i % 500 == 0)
        )
        for i, (x, y) in enumerate(rng.uniform(0, side - 1, (n, 2)))
    ]
    report("build layer of 10,000 markers (set_layer)", lambda: view.set_layer("marks", markers), 5)
    view.set_image(rgb, "big.fits", previews=levels)
    view.zoom_fit()
    view.set_labels_visible(False)
    report("repaint fit + 10,000 markers, no labels", view.repaint)
    view.set_labels_visible(True)
    report("repaint fit + 10,000 markers, labels on (over limit: skipped)", view.repaint)
    view.set_scale(1.0)
    report(f"repaint 1:1 + markers (~{n * 1200 * 900 // side**2} visible, labels)", view.repaint)
    view.set_scale(4.0)
    report("repaint 4x + markers (culled)", view.repaint)
    layer = OverlayLayer(markers)
    report("hit-test among 10,000 markers", lambda: view.overlay_painter.item_at([layer], 2000.0, 2000.0, 1.0), 50)
    view.remove_layer("marks")
    view.zoom_fit()
    report("repaint fit, no markers (reference)", view.repaint)


if __name__ == "__main__":
    main()

"""Key-to-paint latency of the real marking window, offscreen.

Measures, for a campaign of 512x512 RGB TIFFs and one of 4096x4096 float32 FITS:
- Next on a prefetched image: time from the Tab key event to the end of the view's
  paint of the new image (median, p95);
- a cold jump to an image that is not cached: how long input is blocked (the key
  handler returns and the placeholder is painted) and how long until the image shows;
- holding Tab through many images: resident memory before and after, against the
  cache bound.

Run: QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py [--count N] [--hold N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def make_campaign(folder: Path, kind: str, count: int) -> Path:
    import tifffile
    from astropy.io import fits

    images = folder / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(1)
    if kind == "tiff":
        base = rng.integers(0, 255, (512, 512, 3), dtype=np.uint8)
        for i in range(count):
            tifffile.imwrite(images / f"img{i:05d}.tif", np.roll(base, i, axis=1))
    else:
        base = rng.normal(100, 10, (4096, 4096)).astype(np.float32)
        for i in range(count):
            fits.PrimaryHDU(base + i).writeto(images / f"img{i:05d}.fits")
    experiment = folder / "experiment.yaml"
    experiment.write_text("schema_version: 1\nimages: {directory: images}\n"
                          "display: {interval: zscale, stretch: asinh}\noutput: {directory: results}\n")
    return experiment


class PaintProbe:
    """Records when the view finished painting an image."""

    def __init__(self, view):
        self.view = view
        self.painted_at: float | None = None
        original = view.paintEvent

        def paint(event):
            original(event)
            if view.state == "image":
                self.painted_at = time.perf_counter()

        view.paintEvent = paint


def wait(app, condition, timeout: float = 30.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        app.processEvents()
        if time.perf_counter() > end:
            raise TimeoutError("condition not reached")
        time.sleep(0.0005)


def run(kind: str, count: int, hold: int, cache_mb: int) -> None:
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QApplication

    from imgmarker.shell.app import open_window

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        experiment = make_campaign(Path(tmp), kind, count)
        window = open_window(experiment, user="bench")
        window.workspace.set_cache_mb(cache_mb)
        window.resize(1280, 860)
        window.show()
        window.start()
        window.activateWindow()
        probe = PaintProbe(window.view)
        view, ws = window.view, window.workspace
        wait(app, lambda: view.state == "image")
        latencies = []
        for _ in range(min(count - 1, 30)):
            session = ws.session
            nxt = session.entries[session.index + 1]
            wait(app, lambda: ws._key(nxt, ws.frame) in ws.bridge.cache)
            app.processEvents()
            probe.painted_at = None
            t0 = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_Tab)
            wait(app, lambda: probe.painted_at is not None and view.name == nxt.name)
            latencies.append((probe.painted_at - t0) * 1000)
        lat = sorted(latencies)
        p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
        print(f"{kind}: Next on a prefetched image, key to painted view: median {statistics.median(lat):.1f} ms, "
              f"p95 {p95:.1f} ms, max {lat[-1]:.1f} ms ({len(lat)} presses)")

        # Cold jump: far away, certainly not cached.
        target = len(ws.session) - 1
        ws.bridge.cache.clear()
        t0 = time.perf_counter()
        ws.go_to(target)
        returned = time.perf_counter()
        app.processEvents()
        placeholder = time.perf_counter()
        wait(app, lambda: view.state == "image" and view.name == ws.session.current.name)
        shown = time.perf_counter()
        print(f"{kind}: cold jump: input blocked {1000 * (returned - t0):.1f} ms "
              f"(placeholder painted after {1000 * (placeholder - t0):.1f} ms), image after {1000 * (shown - t0):.0f} ms")

        if hold:
            ws.go_to(0)
            wait(app, lambda: view.state == "image")
            before = rss_mb()
            t0 = time.perf_counter()
            steps = min(hold, len(ws.session) - 1)
            checkpoints = []
            for i in range(steps):
                QTest.keyClick(view, Qt.Key.Key_Tab)
                app.processEvents()
                if (i + 1) % max(steps // 4, 1) == 0:  # RSS, and what is not in the caches (flat when bounded)
                    checkpoints.append(f"{i + 1}: {rss_mb():.0f}, {rss_mb() - ws.budget.nbytes / 2**20:.0f} outside")
            elapsed = time.perf_counter() - t0
            wait(app, lambda: view.state == "image")
            after = rss_mb()
            caches = {id(c): c for c in (getattr(ws, "budget", None), ws.bridge.cache, ws.frames.raw) if c}
            held = sum(c.nbytes for c in caches.values())  # one budget now holds them all
            print(f"{kind}: held Tab through {steps} images in {elapsed:.1f} s: RSS {before:.0f} -> {after:.0f} MB "
                  f"(after {', '.join(checkpoints)} images); caches hold {held / 2**20:.0f} MB of a "
                  f"{cache_mb} MB bound; max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        window.close()
        window.session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="images per campaign (FITS: at most 12)")
    parser.add_argument("--hold", type=int, default=1000, help="images to hold Tab through (TIFF campaign)")
    parser.add_argument("--cache-mb", type=int, default=128)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    run("tiff", max(args.count, args.hold + 1 if args.hold else 0), args.hold, args.cache_mb)
    run("fits", min(args.count, 12), 0, args.cache_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())

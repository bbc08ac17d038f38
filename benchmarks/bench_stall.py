"""No stall from storage: key to painted view for marks and for Next while every disk
sync of the annotation database takes 200 ms.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_stall.py [--actions 150] [--sync-ms 200]

The slow disk is injected at the store's sync step (``store.sync_step``), the only
place the program waits for the disk after an action. For each key press (a mark at
the cursor, or Next onto a prefetched 512 x 512 image) the time runs from the key event
to the end of the view's paint; p99 is the figure (target <= 16 ms). The status line
says "stored" only once the sync has finished; the last row says how long after the
last action that took. With ``--sync-ms 0`` the real disk is used (what a program that
syncs on the GUI thread would wait for is then the sync itself).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from bench_window import PaintProbe, wait  # noqa: E402


def make_campaign(folder: Path, count: int) -> Path:
    import tifffile

    images = folder / "images"
    images.mkdir(parents=True)
    base = np.random.default_rng(1).integers(0, 255, (512, 512, 3), dtype=np.uint8)
    for i in range(count):
        tifffile.imwrite(images / f"img{i:05d}.tif", np.roll(base, i, axis=1))
    experiment = folder / "experiment.yaml"
    experiment.write_text("schema_version: 1\nimages: {directory: images}\ngroups: [{name: star, key: '1'}]\n"
                          "controls: {left_click_group: star}\noutput: {directory: results}\n")
    return experiment


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=150, help="marks, and as many Next presses")
    parser.add_argument("--sync-ms", type=float, default=200.0)
    args = parser.parse_args(argv)
    from PyQt6.QtCore import QPoint, Qt
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QApplication

    from imgmarker.shell.app import open_window

    app = QApplication.instance() or QApplication([])
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        experiment = make_campaign(Path(tmp), args.actions + 2)
        os.sync()  # measure the program's own writes, not the campaign's
        window = open_window(experiment, user="bench")
        store = window.session.store
        if args.sync_ms > 0 and hasattr(store, "sync_step"):
            real = store.sync_step

            def slow_disk(path, real=real):
                time.sleep(args.sync_ms / 1000)
                real(path)

            store.sync_step = slow_disk
        window.resize(1280, 860)
        window.show()
        window.start()
        view, ws = window.view, window.workspace
        probe = PaintProbe(view)
        wait(app, lambda: view.state == "image")
        QTest.mouseMove(view, QPoint(view.width() // 2, view.height() // 2))
        app.processEvents()
        marks, nexts = [], []
        for i in range(args.actions):
            probe.painted_at = None
            t0 = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_1)
            wait(app, lambda: probe.painted_at is not None)
            marks.append((probe.painted_at - t0) * 1000)
            nxt = ws.session.entries[ws.session.index + 1]
            wait(app, lambda: ws._key(nxt, ws.frame) in ws.bridge.cache)
            app.processEvents()
            probe.painted_at = None
            t0 = time.perf_counter()
            QTest.keyClick(view, Qt.Key.Key_Tab)
            wait(app, lambda: probe.painted_at is not None and view.name == nxt.name)
            nexts.append((probe.painted_at - t0) * 1000)
            QTest.mouseMove(view, QPoint(view.width() // 2 + i % 50, view.height() // 2))
        last = time.perf_counter()
        indicator = getattr(window, "storage_indicator", None)
        stored_after = None
        if indicator is not None:
            wait(app, lambda: indicator.text() == "stored", timeout=60)
            stored_after = (time.perf_counter() - last) * 1000
        disk = f"sync step slowed to {args.sync_ms:.0f} ms" if args.sync_ms > 0 else "real disk"
        load = f"load {os.getloadavg()[0]:.2f}"
        for label, values in (("mark at the cursor", marks), ("Next (prefetched)", nexts)):
            p99 = percentile(values, 0.99)
            print(f"{label:20s} key to painted, {disk}: median {statistics.median(values):5.1f} ms, "
                  f"p99 {p99:6.1f} ms, max {max(values):6.1f} ms ({len(values)} presses) "
                  f"target p99 <= 16 ms: {'ok' if p99 <= 16 else 'MISSED'}; {load}")
        if stored_after is not None:
            print(f"'stored' shown {stored_after:.0f} ms after the last action "
                  f"(the sync it waits for takes {args.sync_ms:.0f} ms); {load}")
        window.close()
        window.session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

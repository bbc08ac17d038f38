"""Memory and cold-image speed of the real marking window, offscreen, default settings.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_walk.py [--images 50] [--repeat 9]

- walk: Tab through N distinct 4096 x 4096 float32 FITS (zscale + asinh), waiting for
  each picture; peak whole-process RSS (``ru_maxrss``, Qt and imports included) and RSS
  once the walk is over (targets: <= 450 MiB and <= 350 MiB);
- cold key to picture: with the caches emptied and the worker idle, Tab to an image
  that is not prefetched (its file read once just before, so it is in the page cache:
  the program is measured, not the disk); time from the key event to the end of the view's paint of it,
  for 4096^2 and 2048^2 float32 FITS (zscale + asinh) and 512^2 RGB TIFF (the default
  display, zscale + linear) (targets 60, 20, 8 ms median). A frame larger than the view
  first shows its quick picture (block centres at the view's reduction, each pixel as in
  the whole render); the time to the whole frame's picture replacing it is printed too;
- the machine: how much slower this machine reads memory left untouched for as long as
  the cold runs wait between steps (on some virtual machines much slower; it weighs on
  every cold figure), and what a bare Qt widget takes from a key to painting a picture it
  already holds after the same wait (no imgmarker code: the floor of every row here);
  per campaign, a Tab onto an image already rendered after the same wait;
- held Tab: key presses at a typical auto-repeat rate (30 a second) for a few seconds
  over the 4096^2 FITS; distinct images painted per second (target >= 10).

Every row prints the load average at the time, next to the figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from bench_window import PaintProbe, rss_mb, wait  # noqa: E402


def wait_painted(app, probe, condition, timeout: float = 30.0) -> None:
    """Run the event loop (sleeping between events, as the real program does) until the
    view has painted and ``condition()`` holds; a polling loop would hold the
    interpreter and slow the render workers down."""
    from PyQt6.QtCore import QEventLoop, QTimer

    if probe.painted_at is not None and condition():
        return
    loop = QEventLoop()
    view = probe.view
    paint = view.paintEvent

    def probed(event):
        paint(event)
        if probe.painted_at is not None and condition():
            loop.quit()

    view.paintEvent = probed
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    try:
        loop.exec()
    finally:
        view.paintEvent = paint
    if not (probe.painted_at is not None and condition()):
        raise TimeoutError("the view did not paint the image")


def sleep_in_event_loop(seconds: float) -> None:
    """Let the event loop run (and sleep between events) for ``seconds``, as between two key repeats."""
    from PyQt6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
    loop.exec()


def idle_memory(idle: float = 0.3, repeat: int = 7) -> str:
    """Reading 4 MiB just touched and 4 MiB left alone for ``idle`` seconds (medians)."""
    block = np.ones(1 << 20, np.float32)
    touched, left = [], []
    for _ in range(repeat):
        block.sum()
        t0 = time.perf_counter()
        block.sum()
        touched.append((time.perf_counter() - t0) * 1000)
        time.sleep(idle)
        t0 = time.perf_counter()
        block.sum()
        left.append((time.perf_counter() - t0) * 1000)
    return (f"machine: reading 4 MiB takes {statistics.median(touched):.2f} ms just after touching it, "
            f"{statistics.median(left):.2f} ms after {idle:.1f} s untouched; {load()}")


def bare_qt(app, repeat: int) -> str:
    """A bare Qt widget that, on a key, paints a picture it already holds (no imgmarker
    code), after the same wait as the cold runs: the floor of any key-to-picture here."""
    from PyQt6.QtCore import Qt
    from PyQt6.QtGui import QImage, QPainter
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QWidget

    pictures = [QImage(512, 512, QImage.Format.Format_RGBX8888) for _ in range(2)]
    for i, picture in enumerate(pictures):
        picture.fill(Qt.GlobalColor.darkGray if i else Qt.GlobalColor.gray)

    class Bare(QWidget):
        shown, painted_at = 0, None

        def keyPressEvent(self, event):
            self.shown = 1 - self.shown
            self.repaint()

        def paintEvent(self, event):
            painter = QPainter(self)
            painter.fillRect(self.rect(), Qt.GlobalColor.black)
            painter.drawImage(self.rect(), pictures[self.shown])
            painter.end()
            self.painted_at = time.perf_counter()

    widget = Bare()
    widget.resize(971, 819)
    widget.show()
    times = []
    for run in range(repeat + 1):
        sleep_in_event_loop(0.3)
        t0 = time.perf_counter()
        QTest.keyClick(widget, Qt.Key.Key_Tab)
        if run:
            times.append((widget.painted_at - t0) * 1000)
    widget.close()
    return (f"machine: a bare Qt widget painting a picture it holds, on a key after the same wait: median "
            f"{statistics.median(times):.1f} ms; {load()}")


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def make_campaign(folder: Path, kind: str, count: int, side: int) -> Path:
    import tifffile
    from astropy.io import fits

    images = folder / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(1)
    if kind == "tiff":
        base = rng.integers(0, 255, (side, side, 3), dtype=np.uint8)
        for i in range(count):
            tifffile.imwrite(images / f"img{i:05d}.tif", np.roll(base, i, axis=1), photometric="rgb")
    else:
        base = rng.normal(100, 10, (side, side)).astype(np.float32)
        for i in range(count):
            fits.PrimaryHDU(base + np.float32(i)).writeto(images / f"img{i:05d}.fits")
    experiment = folder / "experiment.yaml"
    display = "display: {interval: zscale, stretch: asinh}\n" if kind == "fits" else ""  # TIFFs: the defaults
    experiment.write_text("schema_version: 1\nimages: {directory: images}\n" + display +
                          "output: {directory: results}\n")
    return experiment


def empty_caches(ws) -> None:
    for cache in {id(c): c for c in (getattr(ws, "budget", None), ws.bridge.cache, ws.frames.raw) if c}.values():
        cache.clear()
    ws.renderer.forget()


def held_mib(ws) -> float:
    caches = {id(c): c for c in (getattr(ws, "budget", None), ws.bridge.cache, ws.frames.raw) if c}
    return sum(c.nbytes for c in caches.values()) / 2**20


def open_campaign(app, experiment: Path):
    from imgmarker.shell.app import open_window

    window = open_window(experiment, user="bench", output=Path(tempfile.mkdtemp(dir=experiment.parent)))
    window.resize(1280, 860)
    window.show()
    window.start()
    window.activateWindow()
    probe = PaintProbe(window.view)
    wait(app, lambda: window.view.state == "image")
    return window, probe


def walk(app, experiment: Path, count: int) -> None:
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest

    window, probe = open_campaign(app, experiment)
    view, ws = window.view, window.workspace
    start = rss_mb()
    for _ in range(count - 1):
        name = ws.session.entries[ws.session.index + 1].name
        probe.painted_at = None
        QTest.keyClick(view, Qt.Key.Key_Tab)
        wait_painted(app, probe, lambda: view.state == "image" and view.name == name)
    ws.bridge.prefetcher.wait_idle(30)
    sleep_in_event_loop(1.0)  # let the neighbours and follow-ups finish
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    after = rss_mb()
    print(f"walk of {count} distinct 4096^2 float32 FITS (default budget {ws.cache_bytes / 2**20:.0f} MiB): "
          f"RSS at start {start:.0f} MiB, peak {peak:.0f} MiB (target <= 450: {'ok' if peak <= 450 else 'MISSED'}), "
          f"after {after:.0f} MiB (target <= 350: {'ok' if after <= 350 else 'MISSED'}); "
          f"caches hold {held_mib(ws):.0f} MiB; {load()}")
    window.close()
    window.session.close()


def cold(app, experiment: Path, label: str, repeat: int, target: float) -> None:
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest

    window, probe = open_campaign(app, experiment)
    view, ws = window.view, window.workspace
    times, whole = [], []
    for run in range(repeat + 1):  # the first press only warms up (imports, the first neighbours)
        if ws.session.index + 1 >= len(ws.session):
            ws.go_to(0)
            wait(app, lambda: view.state == "image")
        sleep_in_event_loop(0.3)  # the last picture's neighbours and follow-ups
        ws.bridge.prefetcher.wait_idle(30)
        ws._neighbour_timer.stop()
        ws.bridge.prefetcher.cancel_all()
        ws.bridge.prefetcher.wait_idle(30)
        empty_caches(ws)
        app.processEvents()
        entry = ws.session.entries[ws.session.index + 1]
        name = entry.name
        entry.path.read_bytes()  # in the page cache, as a file just copied or looked at: the program is measured
        probe.painted_at = None
        t0 = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_Tab)
        wait_painted(app, probe, lambda: view.name == name and view.state == "image")
        first = probe.painted_at
        if ws._shown_sampled:  # the quick picture: then the whole frame replaces it
            probe.painted_at = None
            wait_painted(app, probe, lambda: not ws._shown_sampled)
        if run:
            times.append((first - t0) * 1000)
            whole.append((probe.painted_at - t0) * 1000)
    floor = []  # the same wait, then Tab onto an image already rendered: only the key and the paint
    for run in range(repeat + 1):
        if ws.session.index + 1 >= len(ws.session):
            ws.go_to(0)
            wait(app, lambda: view.state == "image")
        entry = ws.session.entries[ws.session.index + 1]
        sleep_in_event_loop(0.3)  # the neighbours are rendered meanwhile
        ws.bridge.prefetcher.wait_idle(30)
        if ws.bridge.cache.get(ws._key(entry, 0)) is None:
            ws.bridge.prefetcher.request(ws._key(entry, 0), ws._job(entry, 0))
            ws.bridge.prefetcher.wait_idle(30)
        sleep_in_event_loop(0.3)
        probe.painted_at = None
        t0 = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_Tab)
        wait_painted(app, probe, lambda: view.name == entry.name and view.state == "image")
        if run:
            floor.append((probe.painted_at - t0) * 1000)
    median = statistics.median(times)
    print(f"{label}: Tab onto an image already rendered, after the same wait: median "
          f"{statistics.median(floor):6.1f} ms (what any step costs here besides the render); {load()}")
    print(f"{label}: cold key to picture median {median:6.1f} ms (best {min(times):6.1f}, {repeat} runs) "
          f"target <= {target:.0f} ms: {'ok' if median <= target else 'MISSED'}; "
          f"to the whole frame's picture median {statistics.median(whole):6.1f} ms; {load()}")
    window.close()
    window.session.close()


def hold(app, experiment: Path, seconds: float, rate: float) -> None:
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest

    window, probe = open_campaign(app, experiment)
    view, ws = window.view, window.workspace
    painted: set[str] = set()
    original = view.paintEvent

    def paint(event):
        original(event)
        if view.state == "image":
            painted.add(view.name)

    view.paintEvent = paint
    ws.bridge.prefetcher.wait_idle(30)
    painted.clear()
    presses = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds and ws.session.index + 1 < len(ws.session):
        QTest.keyClick(view, Qt.Key.Key_Tab)
        presses += 1
        next_press = t0 + presses / rate
        sleep_in_event_loop(max(0.0, next_press - time.perf_counter()))
    elapsed = time.perf_counter() - t0
    shown = len(painted) / elapsed
    print(f"held Tab over 4096^2 float32 FITS ({presses} presses at {rate:.0f}/s in {elapsed:.1f} s): "
          f"{len(painted)} distinct images painted = {shown:.1f} images/s "
          f"(target >= 10: {'ok' if shown >= 10 else 'MISSED'}); {load()}")
    window.close()
    window.session.close()


def child(what: str, experiment: Path, args: argparse.Namespace) -> None:
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    if what == "walk":
        walk(app, experiment, args.images)
    elif what == "bare":
        print(bare_qt(app, args.repeat))
    elif what == "hold":
        hold(app, experiment, args.hold_seconds, 30.0)
    else:
        side = {"big": 4096, "mid": 2048}.get(experiment.parent.name)
        label = f"{side}^2 float32 FITS" if side else "512^2 RGB TIFF"
        cold(app, experiment, label, args.repeat, {"big": 60, "mid": 20}.get(experiment.parent.name, 8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--hold-seconds", type=float, default=2.0)
    parser.add_argument("--skip-walk", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "EXPERIMENT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]), args)
        return 0
    print(f"{os.cpu_count()} cores, {load()}", flush=True)
    print(idle_memory(), flush=True)
    passed = [f"--images={args.images}", f"--repeat={args.repeat}", f"--hold-seconds={args.hold_seconds}"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = make_campaign(tmp / "big", "fits", max(args.images, args.repeat + 2, int(args.hold_seconds * 30) + 2),
                            4096)
        mid = make_campaign(tmp / "mid", "fits", args.repeat + 2, 2048)
        small = make_campaign(tmp / "small", "tiff", args.repeat + 2, 512)
        runs = ([] if args.skip_walk else [("walk", big)]) + [("bare", small), ("cold", big), ("cold", mid), ("cold", small),
                                                             ("hold", big)]
        for what, experiment in runs:  # each in a fresh process: its memory is its own
            out = subprocess.run([sys.executable, __file__, *passed, "--child", what, str(experiment)],
                                 capture_output=True, text=True)
            print("\n".join(line for line in out.stdout.splitlines() if line.strip()), flush=True)
            if out.returncode:
                print(out.stderr[-2000:], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

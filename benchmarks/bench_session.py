"""Session speed at campaign scale: prints the figures the targets are checked against.

- open a campaign of 100,000 (tiny PNG) image files (first run creates the order; second resumes)
  up to the first image's record: target <= 1 s
- one action (add mark + commit) with 100,000 marks stored: median target <= 2 ms
- full CSV export of 100,000 marks (on a separate read connection): target <= 2 s

Run: python benchmarks/bench_session.py [N]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from imgmarker.kernel.experiment.loader import load_experiment
from imgmarker.kernel.output.export import StoreWriterContext, run_writers
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.campaign.session import Session, utc_now
from imgmarker_plugins.writers.csv_files import write_marks


REPEAT = 7  # full exports timed


def tiny_png(side: int = 128) -> bytes:
    """A readable image (a session refuses marks on files it cannot read) of a hundred bytes."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (side, side)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_campaign(folder: Path, n: int) -> Path:
    images = folder / "images"
    images.mkdir()
    content = tiny_png()
    for i in range(n):
        (images / f"img{i:06d}.png").write_bytes(content)
    exp = folder / "experiment.yaml"
    exp.write_text("schema_version: 1\nimages: {directory: images, patterns: ['*.png']}\n"
                   "order: {mode: shuffled, seed: 3}\nconsistency: {fraction: 0.05, seed: 1, min_gap: 20}\n"
                   "groups: [{name: galaxy}]\noutput: {writers: [csv]}\n")
    return exp


def first_record(session: Session) -> None:
    entry = session.current
    session.marks(entry)
    session.image_state(entry)


def timed_open(experiment, host, out: Path) -> tuple[float, Session]:
    start = time.perf_counter()
    session = Session.open(experiment, user="bench", output=out, host=host, export_delay=None)
    first_record(session)
    return time.perf_counter() - start, session


def bulk_marks(session: Session, n: int) -> None:
    """``n`` marks on random images, and every image seen, as after a finished campaign."""
    rng = random.Random(0)
    names = [session.entries[i].name for i in range(len(session))]
    rows = [(rng.choice(names), 1, "galaxy", f"m{i}", rng.random() * 1000, rng.random() * 1000, 0,
             rng.random() * 360, rng.random() * 180 - 90, utc_now()) for i in range(n)]
    conn = session.store._conn
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO marks(image, pass, grp, label, x, y, frame, ra, dec, time) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO image_state(image, pass, seen, seen_time) VALUES (?, ?, 1, ?)",
                     [(e.name, e.pass_index, utc_now()) for e in session.entries])
    conn.execute("COMMIT")


def main(n: int = 100_000) -> None:
    host = create_plugin_host(autoload=False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        exp_path = make_campaign(folder, n)
        print(f"created {n} tiny image files in {time.perf_counter() - t0:.1f} s")
        experiment = load_experiment(exp_path, host.registry)
        out = folder / "results"

        elapsed, session = timed_open(experiment, host, out)
        print(f"open, first run (discover + order + store sequence of {len(session)}): {elapsed * 1000:.0f} ms")
        bulk_marks(session, n)
        session.close()
        elapsed, session = timed_open(experiment, host, out)
        print(f"open, resume with {n} marks stored: {elapsed * 1000:.0f} ms")

        times = []
        rng = random.Random(1)
        for i in range(300):
            session.go_to(rng.randrange(len(session)))
            start = time.perf_counter()
            result = session.add_mark(rng.random() * 100, rng.random() * 100, "galaxy")
            times.append(time.perf_counter() - start)
            assert result.refused is None, result.refused
        times.sort()
        print(f"add mark + commit with {n}+ marks stored: median {statistics.median(times) * 1000:.2f} ms, "
              f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms (WAL, synchronous=NORMAL: the disk sync runs on the store's own thread)")

        with session.store.reader() as reader:
            context = StoreWriterContext(experiment, "bench", out, {}, reader)
            with reader.snapshot():
                start = time.perf_counter()
                write_marks(context)
                marks_time = time.perf_counter() - start
            full_times = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                result = run_writers(experiment, "bench", out, reader, host.registry, ["csv"])
                full_times.append(time.perf_counter() - start)
                assert not result.problems, result.problems
        lines = sum(1 for _ in open(out / "bench_marks.csv", encoding="utf-8")) - 1
        images = sum(1 for _ in open(out / "bench_images.csv", encoding="utf-8")) - 1
        print(f"CSV export of {lines} marks ({n // 1000}k marks file only): {marks_time * 1000:.0f} ms")
        print(f"full csv writer ({lines} marks + {images} images + favourites): median "
              f"{statistics.median(full_times) * 1000:.0f} ms, best {min(full_times) * 1000:.0f} ms of {REPEAT} "
              f"(target <= 2 s; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")

        # the annotator keeps working while the writers run on their own thread
        done = threading.Event()

        def export() -> None:
            with session.store.reader() as reader:
                run_writers(experiment, "bench", out, reader, host.registry, ["csv"], courteous=True)
            done.set()

        worker = threading.Thread(target=export)
        worker.start()
        during = []
        while not done.is_set():
            start = time.perf_counter()
            session.add_mark(rng.random() * 100, rng.random() * 100, "galaxy")
            during.append(time.perf_counter() - start)
        worker.join()
        during.sort()
        print(f"add mark + commit while the full export runs in the background: {len(during)} actions, "
              f"median {statistics.median(during) * 1000:.2f} ms, max {during[-1] * 1000:.1f} ms")
        session.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

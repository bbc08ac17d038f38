"""``imgmarker render`` of a huge frame: peak memory and time for a 30,000 x 30,000 float32 FITS.

    python benchmarks/bench_render_large.py [--size N] [--repeat N]

The file (3.4 GiB of noise with a few stars, written like bench_large.py's) goes to a
temporary folder; each run is a fresh ``imgmarker render FILE -o OUT.png`` process, as a
user starts it. Peak memory is that process's maximum resident set size (imports and
memory-mapped pages it touched included); the time is the whole command, start-up
included. The file was just written, so it is read from the page cache (a warm start).
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

sys.path.insert(0, str(Path(__file__).parent))
from bench_large import write_fits  # noqa: E402

CHILD = r"""
import json, resource, sys, time
start = time.perf_counter()
from imgmarker.cli import main
code = main(["render", sys.argv[1], "-o", sys.argv[2]])
print(json.dumps({"code": code, "seconds": time.perf_counter() - start,
                  "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "huge.fits"
        started = time.perf_counter()
        write_fits(path, args.size)
        print(f"wrote {path.stat().st_size / 2**30:.2f} GiB in {time.perf_counter() - started:.1f} s; "
              f"load average: {load()}")
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(Path(tmp) / "out.png")],
                                 capture_output=True, text=True, check=True)
            lines = out.stdout.strip().splitlines()
            runs.append(json.loads(lines[-1]))
            assert runs[-1]["code"] == 0, out
        report = lines[0]
    seconds = [r["seconds"] for r in runs]
    rss = [r["maxrss"] / 2**20 for r in runs]
    label = f"imgmarker render, {args.size}^2 float32 FITS"
    print(f"  {report}")
    print(f"{label}: time median {statistics.median(seconds):6.2f} s (best {min(seconds):.2f}), "
          f"peak RSS median {statistics.median(rss):7.1f} MiB (max {max(rss):.1f}); "
          f"target < 1536 MiB: {'ok' if max(rss) < 1536 else 'MISSED'}; load average after: {load()}")


if __name__ == "__main__":
    main()

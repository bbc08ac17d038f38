"""Import an Image Marker 1.2 save folder: N seen images (small FITS with a WCS), M marks
each, one repeat in ten; medians of repeated runs with the machine load.

Usage: python benchmarks/bench_legacy_import.py [--images N] [--marks M] [--repeat R]

Each run imports into a fresh folder (so it measures the first import: reading the 1.2
files, opening every marked image once for its WCS, writing the store), then imports
again (the no-change check).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from legacy_folders import Legacy12, Seen, make_images  # noqa: E402
from imgmarker.kernel.legacy.importer import import_save_folder  # noqa: E402
from imgmarker.kernel.plugins.host import create_plugin_host  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--marks", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    registry = create_plugin_host(autoload=False).registry
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = [f"img{i:05d}.fits" for i in range(args.images)]
        images = make_images(root / "images", fits_names=names, png_names=())
        seen = [Seen(name, categories=(1,), comment="c",
                     marks=[(1 + k % 3, None, str(5 + k), str(7 + k)) for k in range(args.marks)]) for name in names]
        seen += [Seen(name, pass_index=2, marks=[(1, None, "9", "9")]) for name in names[::10]]
        Legacy12(root / "save", images, group_max=("None",) * 9, seen=seen).write()
        first, again = [], []
        for run in range(args.repeat):
            target = root / f"out{run}"
            start = time.perf_counter()
            result = import_save_folder(root / "save", target, registry=registry)
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            import_save_folder(root / "save", target, registry=registry)
            again.append(time.perf_counter() - start)
        print(f"{args.images} images, {result.counts['marks']} marks, {result.counts['repeats']} repeats")
        print(f"first import: median {statistics.median(first):.2f} s over {args.repeat} runs")
        print(f"second import (nothing to change): median {statistics.median(again):.2f} s")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

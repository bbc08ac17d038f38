"""Build a dataset of 10,000 cutouts from 1,000 4096 x 4096 FITS images (target: <= 60 s).

Usage: python benchmarks/bench_dataset.py [--images N] [--distinct N] [--marks N] [--size S]
                                          [--format fits|png] [--workers N] [--repeat N] [--dir DIR]

1,000 distinct 64 MiB files would need 64 GB of disk, so ``--distinct`` files
(default 50, 3.2 GB) of float32 noise with a TAN WCS are generated once and
hard-linked under 1,000 names (each name is opened, memory-mapped and cut like a file
of its own; only the page cache is shared). Three simulated annotators mark every
image ``--marks`` times (default 10) with a pixel of scatter, and the whole command
runs as a user starts it (a new process: start-up, reading the annotators' CSV files,
consensus, cutting on worker processes, splits, label files, manifest) into a new
folder (the previous run's output is deleted before the clock starts: deleting 20,000
files is the file system's time, not the build's). Prints the median of ``--repeat``
runs with the load average before and after each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EXPERIMENT = """\
schema_version: 1
name: dataset benchmark
images:
  directory: images
groups:
  - {name: "1", size: 16}
categories:
  exclusive: true
  items: [{name: A}, {name: B}, {name: C}]
output:
  directory: results
"""


def make_images(folder: Path, n_images: int, distinct: int, side: int) -> None:
    from astropy.io import fits

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    originals = []
    for k in range(distinct):
        path = folder / f".original{k:03d}.fits"
        header = fits.Header()
        header.update({"CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN", "CRVAL1": 150.0 + k * 0.1, "CRVAL2": 2.0,
                       "CRPIX1": side / 2 + 0.5, "CRPIX2": side / 2 + 0.5, "CD1_1": -0.2 / 3600, "CD1_2": 0.0,
                       "CD2_1": 0.0, "CD2_2": 0.2 / 3600, "RADESYS": "ICRS"})
        data = rng.standard_normal((side, side), dtype=np.float32)
        fits.PrimaryHDU(data, header).writeto(path)
        originals.append(path)
    for i in range(n_images):
        os.link(originals[i % distinct], folder / f"img{i:05d}.fits")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--distinct", type=int, default=50)
    parser.add_argument("--marks", type=int, default=10)
    parser.add_argument("--side", type=int, default=4096)
    parser.add_argument("--size", default="64")
    parser.add_argument("--format", default="fits")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", help="work folder (default: a temporary folder, removed afterwards)")
    args = parser.parse_args()

    from imgmarker.kernel.agreement.simulate import simulate, write_csvs

    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="imgmarker-bench-dataset-"))
    try:
        start = time.perf_counter()
        if not (work / "experiment.yaml").exists():
            make_images(work / "images", args.images, min(args.distinct, args.images), args.side)
            results, _ = simulate(3, args.images, args.marks, noise=0.7, miss=0.0, false=0.0, size=args.side,
                                  seed=1)
            write_csvs(results, work / "results")
            (work / "experiment.yaml").write_text(EXPERIMENT, encoding="utf-8")
        print(f"data: {args.images} images of {args.side} x {args.side} float32 "
              f"({min(args.distinct, args.images)} distinct files hard-linked), 3 annotators x {args.marks} marks "
              f"per image, ready in {time.perf_counter() - start:.1f} s")
        command = [sys.executable, "-m", "imgmarker", "dataset", str(work / "experiment.yaml"), "-o",
                   str(work / "dataset"), "--size", args.size, "--format", args.format]
        if args.workers:
            command += ["--workers", str(args.workers)]
        times, cpus = [], []
        for run in range(args.repeat):
            shutil.rmtree(work / "dataset", ignore_errors=True)
            load_before = os.getloadavg()
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True)
            elapsed = time.perf_counter() - t0
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
            if done.returncode != 0:
                sys.exit(f"the command failed:\n{done.stderr}")
            times.append(elapsed)
            cpus.append(cpu)
            cutouts = sum(1 for _ in (work / "dataset" / "images").rglob(f"*.{args.format}"))
            print(f"run {run + 1}: {elapsed:.1f} s ({cpu:.1f} s of CPU in all processes), {cutouts} cutouts, "
                  f"load average before "
                  f"{load_before[0]:.2f} after {os.getloadavg()[0]:.2f}")
        print(f"median: {statistics.median(times):.1f} s ({statistics.median(cpus):.1f} s of CPU) for {cutouts} "
              f"{args.size} px {args.format} cutouts from {args.images} images (target <= 60 s), "
              f"{os.cpu_count()} CPUs")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Aggregate 100 annotators x 10,000 images x 5 marks (target: <= 30 s).

Usage: python benchmarks/bench_agreement.py [--annotators N] [--images N] [--marks N] [--csv]

Without --csv the annotators are generated in memory and the figures are for the
consensus clustering plus writing its CSV tables; with --csv they are first written
as exported CSV files in a temporary folder and read back (the full command path).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from imgmarker.kernel.agreement.categories import category_votes
from imgmarker.kernel.agreement.clustering import Radius, consensus
from imgmarker.kernel.agreement.export import categories_table, consensus_table, write_csv
from imgmarker.kernel.agreement.loader import load_results
from imgmarker.kernel.agreement.simulate import simulate, write_csvs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--annotators", type=int, default=100)
    p.add_argument("--images", type=int, default=10_000)
    p.add_argument("--marks", type=int, default=5)
    p.add_argument("--csv", action="store_true", help="go through exported CSV files")
    args = p.parse_args()
    noise = 1.5
    t = time.perf_counter()
    results, truth = simulate(args.annotators, args.images, args.marks, noise=noise, miss=0.1, false=0.05, seed=1)
    print(f"generated {len(results.marks):,} marks of {args.annotators} annotators on {args.images:,} images "
          f"in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        load_s = 0.0
        if args.csv:
            t = time.perf_counter()
            write_csvs(results, Path(tmp) / "results")
            print(f"wrote the annotators' CSV files in {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            results, problems = load_results([Path(tmp) / "results"])
            load_s = time.perf_counter() - t
            assert not problems, problems
            print(f"read {len(results.marks):,} marks back in {load_s:.1f} s")
        t = time.perf_counter()
        stages = []
        cons, _ = consensus(results, {"1": Radius(10)}, 0.5, progress=lambda s: stages.append((s, time.perf_counter())))
        cluster_s = time.perf_counter() - t
        ends = [s[1] for s in stages[1:]] + [t + cluster_s]
        print("consensus: " + ", ".join(f"{name} {end - start:.1f} s" for (name, start), end in zip(stages, ends)))
        t = time.perf_counter()
        votes = category_votes(results, ["A", "B", "C"])
        votes_s = time.perf_counter() - t
        t = time.perf_counter()
        out = Path(tmp) / "out"
        n_cons = write_csv(out / "consensus.csv", consensus_table(cons, disputed=False))
        n_disp = write_csv(out / "disputed.csv", consensus_table(cons, disputed=True))
        write_csv(out / "categories.csv", categories_table(votes, results.images.names))
        write_s = time.perf_counter() - t
    keep = ~cons.disputed
    print(f"clusters: {len(cons):,} ({n_cons:,} consensus, {n_disp:,} disputed); true objects: {len(truth.x):,}")
    # recovery: each true object against the nearest consensus centre on its image
    stride = 1e4
    tree = cKDTree(np.column_stack([cons.x[keep] + cons.image[keep] * stride, cons.y[keep]]))
    off, _ = tree.query(np.column_stack([truth.x + truth.image * stride, truth.y]))
    if True:
        print(f"centre offset from truth: median {np.median(off):.3f} px, max {off.max():.3f} px "
              f"(noise {noise} px per axis per mark)")
    total = load_s + cluster_s + votes_s + write_s
    print(f"consensus clustering {cluster_s:.1f} s, category votes {votes_s:.1f} s, writing CSV {write_s:.1f} s"
          + (f", reading CSV {load_s:.1f} s" if args.csv else ""))
    print(f"aggregate total {total:.1f} s (target <= 30 s)")


if __name__ == "__main__":
    main()

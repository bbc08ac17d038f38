"""Aggregate 100 annotators x 10,000 images x 5 marks (target: <= 30 s).

Usage: python benchmarks/bench_agreement.py [--annotators N] [--images N] [--marks N] [--csv] [--store]
                                            [--results DIR] [--repeat N] [--agreement]

Without --csv/--store the annotators are generated in memory and the figures are for
the consensus clustering plus writing its CSV tables; with --csv they are first
written as exported CSV files in a temporary folder and read back, with --store as
annotators' campaign databases read directly (the full command paths). --agreement
adds the agreement statistics (marks against the consensus, as the command does for
more than 10 annotators).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from imgmarker.kernel.agreement.categories import category_votes
from imgmarker.kernel.agreement.clustering import Radius, consensus
from imgmarker.kernel.agreement.export import categories_table, consensus_tables, write_csv
from imgmarker.kernel.agreement.loader import load_results
from imgmarker.kernel.agreement.simulate import simulate, write_csvs
from imgmarker.kernel.agreement.tables import Results
from imgmarker.kernel.store.sqlite import SqliteStore


def write_stores(results: Results, folder: Path) -> None:
    """One campaign database per annotator, as sessions would leave them."""
    folder.mkdir(parents=True, exist_ok=True)
    m, v = results.marks, results.votes
    sequence = [(name, 1) for name in results.images.names]
    for code, user in enumerate(results.users.names):
        with SqliteStore.open(folder / f"{user}.imgmarker.sqlite") as store:
            store.create_sequence(sequence)
            mine = np.flatnonzero(m.user == code)
            rows = [(results.images[i], int(p), results.groups[g], results.labels[c], x, y, 0, None, None,
                     "2024-01-01T00:00:00Z")
                    for i, p, g, c, x, y in zip(m.image[mine].tolist(), m.pass_index[mine].tolist(),
                                                m.group[mine].tolist(), m.label[mine].tolist(),
                                                m.x[mine].tolist(), m.y[mine].tolist())]
            votes = np.flatnonzero(v.user == code)
            states = [(results.images[i], int(p), json.dumps(list(c)), str(t), int(f), "2024-01-01T00:00:00Z")
                      for i, p, c, t, f in zip(v.image[votes].tolist(), v.pass_index[votes].tolist(),
                                               v.categories[votes], v.comment[votes], v.favorite[votes].tolist())]
            conn = store._conn
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO marks(image, pass, grp, label, x, y, frame, ra, dec, time) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany("INSERT INTO image_state(image, pass, categories, comment, favorite, seen, seen_time) "
                             "VALUES (?, ?, ?, ?, ?, 1, ?)", states)
            conn.execute("COMMIT")


def prepare(results: Results, folder: Path, kind: str) -> None:
    """Write the annotators' files into ``folder`` unless an earlier run left them there."""
    pattern = "*_marks.csv" if kind == "csv" else "*.imgmarker.sqlite"
    if folder.is_dir() and len(list(folder.glob(pattern))) == len(results.users):
        print(f"reusing the annotators' files in {folder}")
        return
    t = time.perf_counter()
    (write_csvs if kind == "csv" else write_stores)(results, folder)
    print(f"wrote the annotators' {'CSV files' if kind == 'csv' else 'databases'} in {time.perf_counter() - t:.1f} s")


def aggregate_once(results: Results, folder: Path | None, out: Path) -> tuple[dict[str, float], object, int, int]:
    """One timed aggregate (reading ``folder`` when given); (seconds per stage, consensus,
    supported and disputed rows)."""
    times = {}
    if folder is not None:
        t = time.perf_counter()
        results, problems = load_results([folder], workers=None)  # as the command does
        times["reading"] = time.perf_counter() - t
        assert not problems, problems
    t = time.perf_counter()
    stages = []
    cons, _ = consensus(results, {"1": Radius(10)}, 0.5, progress=lambda s: stages.append((s, time.perf_counter())))
    times["clustering"] = time.perf_counter() - t
    ends = [s[1] for s in stages[1:]] + [t + times["clustering"]]
    print("  consensus: " + ", ".join(f"{name} {end - start:.1f} s" for (name, start), end in zip(stages, ends)))
    t = time.perf_counter()
    votes = category_votes(results, ["A", "B", "C"])
    times["category votes"] = time.perf_counter() - t
    t = time.perf_counter()
    supported, disputed = consensus_tables(cons)
    n_cons = write_csv(out / "consensus.csv", supported)
    n_disp = write_csv(out / "disputed.csv", disputed)
    write_csv(out / "categories.csv", categories_table(votes, results.images.names))
    times["writing CSV"] = time.perf_counter() - t
    times["total"] = sum(times.values())
    print("  " + ", ".join(f"{name} {value:.1f} s" for name, value in times.items()))
    return times, cons, n_cons, n_disp


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--annotators", type=int, default=100)
    p.add_argument("--images", type=int, default=10_000)
    p.add_argument("--marks", type=int, default=5)
    p.add_argument("--csv", action="store_true", help="go through exported CSV files")
    p.add_argument("--store", action="store_true", help="go through the annotators' databases")
    p.add_argument("--results", type=Path, metavar="DIR",
                   help="keep the annotators' files in DIR and reuse them in later runs (default: a temporary folder)")
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="time the aggregate N times (median, best)")
    p.add_argument("--agreement", action="store_true", help="also compute the agreement statistics")
    args = p.parse_args()
    noise = 1.5
    t = time.perf_counter()
    results, truth = simulate(args.annotators, args.images, args.marks, noise=noise, miss=0.1, false=0.05, seed=1)
    print(f"generated {len(results.marks):,} marks of {args.annotators} annotators on {args.images:,} images "
          f"in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = None
        if args.csv or args.store:
            folder = args.results or Path(tmp) / "results"
            prepare(results, folder, "csv" if args.csv else "store")
        runs = []
        for run in range(args.repeat):
            print(f"run {run + 1} (load average {os.getloadavg()[0]:.2f}):")
            times, cons, n_cons, n_disp = aggregate_once(results, folder, Path(tmp) / "out")
            runs.append(times)
    keep = ~cons.disputed
    print(f"clusters: {len(cons):,} ({n_cons:,} consensus, {n_disp:,} disputed); true objects: {len(truth.x):,}")
    # recovery: each true object against the nearest consensus centre on its image
    stride = 1e4
    tree = cKDTree(np.column_stack([cons.x[keep] + cons.image[keep] * stride, cons.y[keep]]))
    off, _ = tree.query(np.column_stack([truth.x + truth.image * stride, truth.y]))
    print(f"centre offset from truth: median {np.median(off):.3f} px, max {off.max():.3f} px "
          f"(noise {noise} px per axis per mark)")
    source = " from CSV files" if args.csv else " from databases" if args.store else " (in memory)"
    for name in runs[0]:
        values = [r[name] for r in runs]
        print(f"{name}: median {statistics.median(values):.1f} s, best {min(values):.1f} s")
    print(f"aggregate{source}: median {statistics.median(r['total'] for r in runs):.1f} s over {len(runs)} run(s) "
          f"(target <= 30 s); load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.agreement:
        from imgmarker.kernel.agreement.compare import agreement

        t = time.perf_counter()
        report = agreement(results, {"1": Radius(10)}, ["A", "B", "C"], True)
        f1 = np.mean([r.f1 for r in report.marks])
        print(f"agreement ({report.reference}: {len(report.marks)} comparisons, mean F1 {f1:.3f}; categories "
              f"of every pair): {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()

"""Aggregate 100 annotators x 10,000 images x 5 marks (target: <= 30 s).

Usage: python benchmarks/bench_agreement.py [--annotators N] [--images N] [--marks N] [--csv] [--store]
                                            [--agreement]

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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--annotators", type=int, default=100)
    p.add_argument("--images", type=int, default=10_000)
    p.add_argument("--marks", type=int, default=5)
    p.add_argument("--csv", action="store_true", help="go through exported CSV files")
    p.add_argument("--store", action="store_true", help="go through the annotators' databases")
    p.add_argument("--agreement", action="store_true", help="also compute the agreement statistics")
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
        elif args.store:
            t = time.perf_counter()
            write_stores(results, Path(tmp) / "results")
            print(f"wrote the annotators' databases in {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            results, problems = load_results([Path(tmp) / "results"])
            load_s = time.perf_counter() - t
            assert not problems, problems
            print(f"read {len(results.marks):,} marks from the databases in {load_s:.1f} s")
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
        supported, disputed = consensus_tables(cons)
        n_cons = write_csv(out / "consensus.csv", supported)
        n_disp = write_csv(out / "disputed.csv", disputed)
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
    source = "CSV" if args.csv else "databases" if args.store else ""
    print(f"consensus clustering {cluster_s:.1f} s, category votes {votes_s:.1f} s, writing CSV {write_s:.1f} s"
          + (f", reading {source} {load_s:.1f} s" if source else ""))
    print(f"aggregate total {total:.1f} s (target <= 30 s)")
    if args.agreement:
        from imgmarker.kernel.agreement.compare import agreement

        t = time.perf_counter()
        report = agreement(results, {"1": Radius(10)}, ["A", "B", "C"], True)
        f1 = np.mean([r.f1 for r in report.marks])
        print(f"agreement ({report.reference}: {len(report.marks)} comparisons, mean F1 {f1:.3f}; categories "
              f"of every pair): {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()

"""``imgmarker aggregate``: one consensus from several annotators' results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.annotators import add_command, load_and_compute, radii

OUTPUTS = ("consensus.csv", "disputed.csv", "categories.csv", "comments.csv")


def cmd_aggregate(args: argparse.Namespace) -> int:
    from imgmarker.kernel.agreement.categories import category_votes, comments
    from imgmarker.kernel.agreement.clustering import consensus
    from imgmarker.kernel.agreement.export import categories_table, comments_table, consensus_tables, write_csv

    run = load_and_compute(args, lambda bar, experiment, results: consensus(
        results, radii(args, experiment), args.min_support, progress=bar.step))
    if run is None:
        return 1
    bar, (experiment, results, errors, host, listing), (cons, notes) = run
    bar.done(f"{len(cons)} clusters, {int((~cons.disputed).sum())} with support >= {args.min_support:g}")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    out = Path(args.output) if args.output else experiment.output.directory / "aggregate"
    supported, disputed = consensus_tables(cons)
    tables = {
        "consensus.csv": supported,
        "disputed.csv": disputed,
        "categories.csv": categories_table(category_votes(results, experiment.categories.names()),
                                           results.images.names),
        "comments.csv": comments_table(comments(results)),
    }
    for done, (name, table) in enumerate(tables.items()):
        bar.update(done, len(tables), "writing")
        rows = write_csv(out / name, table)
        bar.done()
        print(f"{out / name}: {rows} rows")
    others = [w for w in dict.fromkeys(args.writer) if w != "csv"]
    if others:
        from imgmarker.kernel.agreement.writers import consensus_rows, image_geometry, run_consensus_writers
        from imgmarker.kernel.campaign.sequence import utc_now

        written, problems = run_consensus_writers(others, host.registry, experiment, out,
                                                  consensus_rows(cons, utc_now()),
                                                  image_geometry(listing.root, host.registry))
        for path in written:
            print(path)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        errors += len(problems)
    return 1 if errors else 0


def register(sub) -> None:
    p = add_command(sub, "aggregate", help="combine several annotators' results into a consensus",
                    description="Cluster the marks of all annotators of EXPERIMENT into consensus "
                                "positions (mean and median centre, spread, support), list weakly "
                                "supported marks as disputed, and count the category votes per image. "
                                "Writes consensus.csv (a catalog: image,label,group,x,y,ra,dec,...), "
                                "disputed.csv, categories.csv and comments.csv into OUT.",
                    output_metavar="OUT", output_help="output folder (default: <output directory>/aggregate)",
                    min_support_help="fraction of the annotators who looked at an image that must agree on a "
                                     "mark (default 0.5); below it the mark is disputed")
    p.add_argument("--writer", metavar="NAME", action="append", default=[],
                   help="also write the consensus through this writer plugin (repeatable), e.g. votable "
                        "(consensus_marks.xml) or ds9 (consensus_regions.reg); the CSV tables are always written")
    p.set_defaults(func=cmd_aggregate)

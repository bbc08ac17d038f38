"""``imgmarker agreement``: how far several annotators (and each with itself) agree."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.annotators import add_command, load_and_compute, radii


def cmd_agreement(args: argparse.Namespace) -> int:
    from imgmarker.kernel.agreement.compare import agreement
    from imgmarker.kernel.agreement.report import write_report

    run = load_and_compute(args, lambda bar, experiment, results: agreement(
        results, radii(args, experiment), experiment.categories.names(), experiment.categories.exclusive,
        progress=lambda d, t: bar.update(d, t, "comparing"), reference=args.marks_against,
        min_support=args.min_support))
    if run is None:
        return 1
    bar, (experiment, results, errors, _, _), report = run
    bar.done()
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for c in report.categories:
        print(f"{c.variable}: Fleiss kappa {c.fleiss.value:.3f} ({c.fleiss.n} images), "
              f"Krippendorff alpha {c.alpha.value:.3f} ({c.alpha.n} images)")
    target = Path(args.output) if args.output else experiment.output.directory / "agreement.html"
    for path in write_report(report, target, f"Agreement: {experiment.name}"):
        print(path)
    return 1 if errors else 0


def register(sub) -> None:
    p = add_command(sub, "agreement", help="agreement statistics between annotators, as an HTML report",
                    description="Fleiss' kappa, Krippendorff's alpha and pairwise Cohen's kappa for image "
                                "categories; one-to-one matched marks (precision, recall, F1, median "
                                "offset) per group and pair of annotators; the same within each annotator "
                                "between the first pass and the consistency repeat. Writes REPORT (HTML) "
                                "and, beside it, the numbers as JSON and CSV.",
                    output_metavar="REPORT",
                    output_help="HTML report to write (default: <output directory>/agreement.html)",
                    min_support_help="support a consensus mark needs to count as a reference (default 0.5)")
    p.add_argument("--marks-against", choices=("auto", "pairs", "consensus"), default="auto",
                   help="compare marks between every pair of annotators, or each annotator with the consensus "
                        "of all (default auto: pairs up to 10 annotators, the consensus above)")
    p.set_defaults(func=cmd_agreement)

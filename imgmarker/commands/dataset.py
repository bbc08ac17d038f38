"""``imgmarker dataset``: a training set for machine learning from a campaign's results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.annotators import add_input_options, load, radii
from imgmarker.commands.progress import ProgressBar

DEFAULT_WRITERS = ("coco", "yolo")


def _options(args: argparse.Namespace):
    from imgmarker.kernel.datasets.options import DatasetOptions, Size

    writers = tuple(dict.fromkeys(args.writer)) if args.writer else (DEFAULT_WRITERS if args.examples == "cutouts" else ())
    return DatasetOptions(
        kind=args.examples, size=Size.parse(args.size), format=args.format, edge=args.edge, frame=args.frame,
        groups=tuple(args.group), categories=tuple(args.category), drop_categories=tuple(args.drop_category),
        annotators=tuple(args.annotator), min_support=args.min_support, fractions=tuple(args.split),
        seed=args.seed, stratify=args.stratify, writers=tuple(w for w in writers if w != "none"),
        workers=args.workers)


def _classes(classes: dict) -> str:
    return ", ".join(f"{name or '-'} {n}" for name, n in classes.items())


def cmd_dataset(args: argparse.Namespace) -> int:
    from imgmarker.kernel.datasets.build import build_dataset, check_target
    from imgmarker.kernel.datasets.selection import DatasetError
    from imgmarker.kernel.experiment.loader import plugin_modules

    try:
        options = _options(args)
        check_target(Path(args.output), args.overwrite)
    except (ValueError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bar = ProgressBar()
    loaded = load(args, bar)
    if loaded is None:
        return 1
    experiment, results, errors, host, listing = loaded
    plugins = {"blocked": list(args.no_plugin), "modules": list(plugin_modules(experiment.path)),
               "base_dir": experiment.path.parent, "trust_modules": args.trust_modules}
    try:
        report = build_dataset(experiment, results, options, Path(args.output), root=listing.root,
                               available=listing.names or None, registry=host.registry, plugins=plugins,
                               radii=radii(args, experiment), overwrite=args.overwrite,
                               progress=lambda done, total, stage: bar.update(done, total, stage))
    except (ValueError, DatasetError) as exc:
        bar.done()
        for problem in getattr(exc, "problems", ()):
            print(f"error: {problem}", file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        bar.done()
        print(f"error: {exc.filename or args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    bar.done()
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{report.folder}: {report.examples} examples from {len(report.annotators)} annotator"
          f"{'s' * (len(report.annotators) != 1)} ({', '.join(report.annotators)})")
    for split, count in report.counts.items():
        if count["examples"]:
            print(f"  {split}: {count['examples']} from {count['images']} image{'s' * (count['images'] != 1)}"
                  f" ({_classes(count['classes'])})")
    for reason, n in report.skipped.items():
        print(f"  left out: {n} {reason}")
    return 1 if errors or report.problems else 0


def register(sub) -> None:
    p = sub.add_parser(
        "dataset", help="build a machine-learning training set from the annotators' results",
        description="Build a dataset from the results of EXPERIMENT: cutouts around the consensus marks (the "
                    "clusters of `imgmarker aggregate` supported by at least --min-support of the annotators), "
                    "or whole images by their consensus category; train/validation/test splits that keep each "
                    "source image in one split; a label table (examples.csv, and examples.parquet when pyarrow "
                    "is installed), COCO and YOLO labels, and manifest.json. The same inputs and seed give the "
                    "same files. See docs/datasets.md.")
    add_input_options(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="dataset folder (new or empty)")
    p.add_argument("--overwrite", action="store_true", help="replace a dataset written to DIR before")
    p.add_argument("--examples", choices=("cutouts", "images"), default="cutouts",
                   help="cutouts around marks (default) or whole images by category")
    p.add_argument("--size", default="64", metavar="SIZE",
                   help="cutout side: pixels (64) or arcseconds through the local pixel scale (20arcsec); default 64")
    p.add_argument("--format", choices=("fits", "png"), default="fits",
                   help="fits: original pixel values and WCS (default); png: 8-bit through the campaign's display settings")
    p.add_argument("--edge", choices=("pad", "skip"), default="pad",
                   help="cutouts reaching past the image edge: pad them (NaN in FITS, black in PNG; default) or skip them")
    p.add_argument("--frame", type=int, metavar="N", help="frame to cut from (default: the experiment's display frame)")
    p.add_argument("--group", action="append", default=[], metavar="NAME", help="only marks of this group (repeatable)")
    p.add_argument("--category", action="append", default=[], metavar="NAME",
                   help="only images in this category (repeatable: any of them)")
    p.add_argument("--drop-category", action="append", default=[], metavar="NAME",
                   help='leave out images in this category, e.g. "Bad image" (repeatable)')
    p.add_argument("--annotator", action="append", default=[], metavar="NAME",
                   help="use only this annotator's results (repeatable); one annotator gives their own marks")
    p.add_argument("--min-support", type=float, default=0.5, metavar="F",
                   help="fraction of the annotators who looked at an image that must agree on a mark or a "
                        "category (default 0.5)")
    p.add_argument("--split", type=float, nargs=3, default=[0.8, 0.1, 0.1], metavar=("TRAIN", "VAL", "TEST"),
                   help="fractions of the examples in each split (default 0.8 0.1 0.1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits (default 0)")
    p.add_argument("--stratify", choices=("group", "category", "none"),
                   help="balance the splits by the images' group or category (default: group for cutouts, "
                        "category for images)")
    p.add_argument("--writer", action="append", default=[], metavar="NAME",
                   help="label writer per split (repeatable; default coco and yolo for cutouts; none: only the table)")
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: up to 2)")
    p.set_defaults(func=cmd_dataset)

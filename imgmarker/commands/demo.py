"""``imgmarker demo``: write the synthetic demo campaign and start it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.common import add_plugin_options


def cmd_demo(args: argparse.Namespace) -> int:
    from imgmarker.kernel.experiment.demo import write_demo

    folder = Path(args.directory)
    experiment = folder / "experiment.yaml"
    if experiment.exists() and not args.force:
        print(f"{experiment}: using the existing demo campaign (--force rewrites it)", file=sys.stderr)
    else:
        experiment = write_demo(folder)
        print(f"wrote the demo campaign to {folder}")
    if args.no_run:
        print(f"start it with: imgmarker run {experiment}")
        return 0
    from imgmarker.commands.run import start

    return start(experiment, args)


def register(sub) -> None:
    p = sub.add_parser("demo", help="write a demo campaign of synthetic images and start it",
                       description="Write a demo campaign (star-field FITS with a WCS, a two-page TIFF with an "
                                   "embedded WCS, a PNG, a JPEG, a catalog and experiment.yaml) into DIRECTORY "
                                   "and open it in the marking window.")
    p.add_argument("directory", nargs="?", default="imgmarker-demo", help="target folder (default: ./imgmarker-demo)")
    p.add_argument("--no-run", action="store_true", help="only write the campaign")
    p.add_argument("--force", action="store_true", help="rewrite the demo files if they exist")
    p.add_argument("--user", help="annotator name (default: the experiment's, else your login name)")
    p.add_argument("--output", help="results folder (default: the experiment's)")
    add_plugin_options(p)
    p.set_defaults(func=cmd_demo, trust_modules=False)

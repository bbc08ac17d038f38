"""``imgmarker run``: open the marking window on a campaign."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.common import add_plugin_options, add_trust_option


def start(experiment: Path | None, args: argparse.Namespace) -> int:
    if getattr(args, "smoke", False):
        return smoke(experiment, args)
    try:
        from imgmarker.shell.app import run_app
    except ImportError as exc:
        print(f"imgmarker run needs PyQt6 with a working display: {exc}", file=sys.stderr)
        return 1
    return run_app(experiment, user=args.user, output=Path(args.output) if args.output else None,
                   blocked=args.no_plugin, trust_modules=getattr(args, "trust_modules", False))


def smoke(experiment: Path | None, args: argparse.Namespace) -> int:
    if experiment is None:
        print("imgmarker run --smoke needs an EXPERIMENT", file=sys.stderr)
        return 2
    try:
        from imgmarker.shell.smoke import smoke_run
    except ImportError as exc:
        print(f"imgmarker run needs PyQt6 with a working display: {exc}", file=sys.stderr)
        return 1
    return smoke_run(experiment, user=args.user, output=Path(args.output) if args.output else None,
                     blocked=args.no_plugin, trust_modules=getattr(args, "trust_modules", False))


def cmd_run(args: argparse.Namespace) -> int:
    return start(Path(args.experiment) if args.experiment else None, args)


def register(sub) -> None:
    p = sub.add_parser("run", help="open the marking window on a campaign",
                       description="Open EXPERIMENT in the marking window at the first unseen image. "
                                   "Without EXPERIMENT, offer to open an experiment file or an image folder.")
    p.add_argument("experiment", nargs="?", help="experiment.yaml")
    p.add_argument("--user", help="annotator name (default: the experiment's, else your login name)")
    p.add_argument("--output", help="results folder (default: the experiment's)")
    p.add_argument("--smoke", action="store_true",
                   help="check that the window works here: place one mark of the left-click group at the centre "
                        "of the first image as its key does, close, and report (for installs and frozen apps)")
    add_plugin_options(p)
    add_trust_option(p)
    p.set_defaults(func=cmd_run)

"""``imgmarker export``: regenerate the output files of a campaign from its database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.common import add_plugin_options, add_trust_option, host_and_experiment


def cmd_export(args: argparse.Namespace) -> int:
    from imgmarker.kernel.output.export import run_writers
    from imgmarker.kernel.campaign.session import database_path, resolve_user
    from imgmarker.kernel.store import StoreError
    from imgmarker.kernel.store.sqlite import SqliteStore

    host, experiment = host_and_experiment(args)
    if experiment is None:
        return 1
    try:
        user = resolve_user(experiment, args.user)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    output_dir = Path(args.output) if args.output else experiment.output.directory
    names = args.writer or list(experiment.output.writers)
    db = database_path(output_dir, user)
    try:
        with SqliteStore.open(db, readonly=True) as store:
            result = run_writers(experiment, user, output_dir, store, host.registry, names)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for written in result.paths:
        print(written)
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if result.problems else 0


def register(sub) -> None:
    p = sub.add_parser("export", help="write the output files of a campaign from its database",
                       description="Regenerate the writers' files (CSV, VOTable, DS9 regions, ...) "
                                   "from the annotator's database, without opening the GUI.")
    p.add_argument("experiment", help="experiment.yaml")
    p.add_argument("--user", help="annotator whose database to export (default: as the experiment says, "
                                  "else the login name)")
    p.add_argument("--output", metavar="DIR", help="output folder holding the database (default: the experiment's)")
    p.add_argument("--writer", metavar="NAME", action="append",
                   help="writer to run (repeatable; default: the experiment's writers)")
    add_plugin_options(p)
    add_trust_option(p)
    p.set_defaults(func=cmd_export)

"""``imgmarker init``: write a commented starter experiment and its schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from imgmarker.commands.common import add_plugin_options, plugin_host, report_plugin_problems


def cmd_init(args: argparse.Namespace) -> int:
    from imgmarker.kernel.experiment.schema import compose_schema
    from imgmarker.kernel.experiment.starter import SCHEMA_FILE, STARTER_EXPERIMENT
    from imgmarker.kernel.output.atomic import atomic_write

    folder = Path(args.directory)
    target = folder / "experiment.yaml"
    if target.exists() and not args.force:
        print(f"{target}: already exists (use --force to overwrite)", file=sys.stderr)
        return 1
    host = plugin_host(args)
    report_plugin_problems(host)
    # the schema with the installed plugins' sections, beside the experiment: the
    # reference then works for whoever receives the folder
    schema = compose_schema(host.registry.config_schemas)
    text = STARTER_EXPERIMENT.format(schema_file=SCHEMA_FILE, name=json.dumps(args.name))
    try:
        (folder / "images").mkdir(parents=True, exist_ok=True)
        with atomic_write(folder / SCHEMA_FILE) as out:
            out.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        with atomic_write(target) as out:
            out.write(text)
    except OSError as exc:
        print(f"{exc.filename or folder}: cannot write the starter: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {target} and {folder / SCHEMA_FILE}; put images in {folder / 'images'}, "
          f"then: imgmarker validate {target}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("init", help="write a commented starter experiment.yaml",
                       description="Write DIRECTORY/experiment.yaml (and an empty images/ folder) that validates, "
                                   "with the experiment schema beside it for editors.")
    p.add_argument("directory", nargs="?", default=".", help="target folder (default: current folder)")
    p.add_argument("--name", default="My campaign", help="campaign name")
    p.add_argument("--force", action="store_true", help="overwrite an existing experiment.yaml")
    add_plugin_options(p)
    p.set_defaults(func=cmd_init)

"""``imgmarker init``: write a commented starter experiment."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from importlib import resources


def cmd_init(args: argparse.Namespace) -> int:
    from imgmarker.kernel.experiment.starter import STARTER_EXPERIMENT

    folder = Path(args.directory)
    target = folder / "experiment.yaml"
    if target.exists() and not args.force:
        print(f"{target}: already exists (use --force to overwrite)", file=sys.stderr)
        return 1
    (folder / "images").mkdir(parents=True, exist_ok=True)
    schema_file = resources.files("imgmarker.schemas").joinpath("experiment.schema.json")
    text = STARTER_EXPERIMENT.format(schema_url=str(schema_file), name=json.dumps(args.name))
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}; put images in {folder / 'images'}, then: imgmarker validate {target}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("init", help="write a commented starter experiment.yaml",
                       description="Write DIRECTORY/experiment.yaml (and an empty images/ folder) that validates.")
    p.add_argument("directory", nargs="?", default=".", help="target folder (default: current folder)")
    p.add_argument("--name", default="My campaign", help="campaign name")
    p.add_argument("--force", action="store_true", help="overwrite an existing experiment.yaml")
    p.set_defaults(func=cmd_init)

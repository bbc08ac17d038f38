"""``imgmarker schema``: the composed experiment schema."""

from __future__ import annotations

import argparse
import json
import sys

from imgmarker.commands.common import add_plugin_options, plugin_host, report_plugin_problems


def cmd_schema(args: argparse.Namespace) -> int:
    from imgmarker.kernel.experiment.schema import base_schema, compose_schema

    if args.base:
        schema = base_schema()
    else:
        host = plugin_host(args)
        report_plugin_problems(host)  # on stderr: the schema on stdout stays clean
        schema = compose_schema(host.registry.config_schemas)
    if args.markdown:
        from imgmarker.kernel.experiment.schemadoc import schema_markdown

        sys.stdout.write(schema_markdown(schema))
    else:
        print(json.dumps(schema, indent=2))
    return 0


def register(sub) -> None:
    p = sub.add_parser("schema", help="print the experiment JSON Schema (with plugin sections)",
                       description="Print the experiment schema composed with the installed plugins' sections.")
    p.add_argument("--markdown", action="store_true", help="print the reference documentation instead")
    p.add_argument("--base", action="store_true", help="imgmarker's own schema only, without plugin sections")
    add_plugin_options(p)
    p.set_defaults(func=cmd_schema)

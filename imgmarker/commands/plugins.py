"""``imgmarker plugins``: what is loaded, from where, and what failed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from imgmarker.commands.common import add_plugin_options, plugin_host, add_trust_option


def cmd_plugins(args: argparse.Namespace) -> int:
    host = plugin_host(args, Path(args.experiment) if args.experiment else None)
    registry = host.registry
    offered: dict[str, list[str]] = {}
    for attribute in ("readers", "filters", "catalog_readers", "overlays", "writers", "config_schemas"):
        table = getattr(registry, attribute)
        for name, entry in table.entries.items():
            offered.setdefault(entry.plugin, []).append(f"{attribute.rstrip('s').replace('_', ' ')}:{name}")
    if args.json:
        rows = [dict(name=i.name, version=i.version, source=i.source, origin=i.origin, hooks=list(i.hooks),
                     provides=offered.get(i.name, []), error=i.error) for i in host.infos]
        print(json.dumps({"plugins": rows, "problems": host.problems + registry.problems}, indent=2))
        return 1 if host.load_problems() else 0
    for info in host.infos:
        status = "" if info.loaded else "  NOT LOADED"
        print(f"{info.name} {info.version} [{info.source}: {info.origin}]{status}")
        if info.error:
            print(f"    error: {info.error}")
        if info.hooks:
            print(f"    hooks: {', '.join(info.hooks)}")
        if offered.get(info.name):
            print(f"    provides: {', '.join(offered[info.name])}")
    for problem in host.problems + registry.problems:
        print(f"problem: {problem}")
    if not host.infos:
        print("no plugins loaded")
    # scripts and CI can tell that something a plugin offers is missing
    return 1 if host.load_problems() else 0


def register(sub) -> None:
    p = sub.add_parser("plugins", help="list loaded plugins, their hooks and load errors",
                       description="List every plugin: name, version, source (built-in, distribution, module), "
                                   "the hooks it implements, what it provides, and load errors. "
                                   "Exit 1 when a plugin failed to load or offered something refused.")
    p.add_argument("experiment", nargs="?", help="also load the modules this experiment names")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_plugin_options(p)
    add_trust_option(p)
    p.set_defaults(func=cmd_plugins)

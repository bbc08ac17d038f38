"""Options and helpers shared by several commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_plugin_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-plugin", metavar="NAME", action="append", default=[],
                        help="do not load the plugin NAME (repeatable)")


def add_trust_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-modules", action="store_true",
                        help="import the local plugin files (.py) that the experiment names")


def plugin_host(args: argparse.Namespace, experiment: Path | None = None):
    from imgmarker.kernel.experiment.loader import plugin_modules
    from imgmarker.kernel.plugins.host import create_plugin_host

    modules = plugin_modules(experiment) if experiment is not None else []
    base_dir = experiment.parent if experiment is not None else None
    return create_plugin_host(blocked=args.no_plugin, modules=modules, base_dir=base_dir,
                              trust_modules=getattr(args, "trust_modules", False))


def report_plugin_problems(host) -> None:
    """Each problem of loading plugins, once, as one line on stderr."""
    for problem in host.load_problems():
        print(f"error: {problem}", file=sys.stderr)


def host_and_experiment(args: argparse.Namespace):
    """Plugins and the validated experiment of ``args.experiment``: (host, experiment),
    with experiment None after its problems were printed."""
    from imgmarker.kernel.experiment.loader import check_experiment

    path = Path(args.experiment)
    host = plugin_host(args, path)
    report_plugin_problems(host)
    experiment, problems = check_experiment(path, host.registry)
    if experiment is None:
        for problem in problems:
            print(problem, file=sys.stderr)
    return host, experiment

"""What ``aggregate`` and ``agreement`` share: loading the experiment and the results
of its annotators, reporting every input problem, and the clustering radius options."""

from __future__ import annotations

import argparse
import sys

from imgmarker.commands.common import add_plugin_options, add_trust_option, host_and_experiment
from imgmarker.commands.progress import ProgressBar


def add_command(sub, name: str, *, help: str, description: str, output_metavar: str, output_help: str,
                min_support_help: str) -> argparse.ArgumentParser:
    """The parser of a command that reads the annotators' results: inputs, ``-o`` and
    ``--min-support`` (default 0.5); the caller adds its own options."""
    p = sub.add_parser(name, help=help, description=description)
    add_input_options(p)
    p.add_argument("-o", "--output", metavar=output_metavar, help=output_help)
    p.add_argument("--min-support", type=float, default=0.5, metavar="F", help=min_support_help)
    return p


def load_and_compute(args: argparse.Namespace, compute):
    """Load the experiment and results, then ``compute(bar, experiment, results)``.
    Returns (bar, what :func:`load` returns, computed), or None after printing why
    (including the ValueError of a bad radius or support)."""
    bar = ProgressBar()
    loaded = load(args, bar)
    if loaded is None:
        return None
    try:
        return bar, loaded, compute(bar, loaded[0], loaded[1])
    except ValueError as exc:
        bar.done()
        print(f"error: {exc}", file=sys.stderr)
        return None


def add_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("experiment", help="experiment.yaml")
    p.add_argument("results", nargs="*", help="result folders or exported CSV files of the annotators "
                                             "(default: the experiment's output directory, or the campaign "
                                             "server when the experiment has a campaign)")
    p.add_argument("--radius", type=float, metavar="R",
                   help="marks within R of each other count as the same object (default: half of each "
                        "group's marker size, in its unit)")
    p.add_argument("--unit", choices=("px", "arcsec"),
                   help="unit of --radius (default: each group's size unit); arcsec needs RA/DEC in the results")
    add_plugin_options(p)
    add_trust_option(p)


def radii(args: argparse.Namespace, experiment) -> dict:
    from imgmarker.kernel.agreement.clustering import Radius, default_radii

    out = default_radii(experiment.groups)
    if args.radius is not None:
        out = {name: Radius(args.radius, args.unit or r.unit) for name, r in out.items()}
    elif args.unit:
        out = {name: Radius(r.value, args.unit) for name, r in out.items()}
    return out


def load(args: argparse.Namespace, bar: ProgressBar):
    """(experiment, results, number of input errors, plugin host, image listing), or
    None after printing why."""
    from imgmarker.kernel.agreement.loader import Expected, load_results
    from imgmarker.kernel.annotations.names import output_name
    from imgmarker.kernel.campaign.discovery import discover

    host, experiment = host_and_experiment(args)
    if experiment is None:
        return None
    path = experiment.path
    listing = discover(experiment.images, host.registry.image_suffixes())
    names = [output_name(name) for name in listing.names]  # as the results write them
    if not names:
        print(f"{path}: warning: no images of the experiment were found, so image names in the results "
              "are not checked", file=sys.stderr)
    expected = Expected(images=names or None, groups=experiment.group_names,
                        categories=experiment.categories.names(), name=f"{path.name} ({experiment.name!r})")
    sources = args.results or [experiment.output.directory]
    bar.step("reading")
    if experiment.campaign is not None and not args.results:
        from imgmarker.commands.campaign_results import load_from_server

        sources = [f"campaign {experiment.campaign.schema} on the server"]
        loaded = load_from_server(experiment, expected)
        if loaded is None:
            bar.done()
            return None
        results, problems = loaded
    else:
        results, problems = load_results(sources, expected, progress=lambda d, t: bar.update(d, t, "reading"),
                                         workers=None)  # the command may use worker processes
    bar.done()
    for problem in problems:
        print(f"{'error' if problem.is_error else 'warning'}: {problem}".replace(": warning: ", ": "),
              file=sys.stderr)
    errors = sum(p.is_error for p in problems)
    if not len(results.users):
        print(f"error: no annotator results could be read from {', '.join(map(str, sources))}", file=sys.stderr)
        return None
    print(f"{len(results.users)} annotators, {len(results.marks)} marks, {len(results.votes)} image rows",
          file=sys.stderr)
    return experiment, results, errors, host, listing

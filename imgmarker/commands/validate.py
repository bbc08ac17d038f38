"""``imgmarker validate``: check an experiment and summarise it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.common import add_plugin_options, plugin_host, report_plugin_problems, add_trust_option


def cmd_validate(args: argparse.Namespace) -> int:
    from imgmarker.kernel.annotations.names import readable_name
    from imgmarker.kernel.campaign.discovery import discover
    from imgmarker.kernel.experiment.loader import check_experiment
    from imgmarker.kernel.plugins.host import is_local_module, resolve_local_module

    path = Path(args.experiment)
    host = plugin_host(args, path)
    report_plugin_problems(host)
    experiment, problems = check_experiment(path, host.registry)
    for problem in problems:
        print(problem, file=sys.stderr if experiment is None else sys.stdout)
    if experiment is None:
        errors = sum(p.is_error for p in problems)
        print(f"{path}: {errors} error{'s' * (errors != 1)}", file=sys.stderr)
        return 1
    found = discover(experiment.images, host.registry.image_suffixes())
    late = _campaign_problems(path, experiment, host.registry)
    for line in found.problems():
        print(f"warning: {readable_name(line)}")
    for problem in late:
        print(problem, file=sys.stderr)
    errors = sum(p.is_error for p in late)
    if errors:
        print(f"{path}: {errors} error{'s' * (errors != 1)}", file=sys.stderr)
        return 1
    where = experiment.images.directory or experiment.images.list_file
    print(f"{path}: valid experiment {experiment.name!r}")
    print(f"  images:     {len(found.names)} found in {where}"
          + (f" ({len(found.missing)} listed but missing)" if found.missing else ""))
    order = experiment.order
    print(f"  order:      {order.mode}" + (f" (seed {order.seed})" if order.mode != "sorted" else ""))
    print(f"  groups:     {len(experiment.groups)}: " + ", ".join(
        f"{g.name} [{g.key or '-'}]" + (f" max {g.max}" if g.max else "") for g in experiment.groups))
    cats = experiment.categories
    print(f"  categories: {len(cats.items)}{' (exclusive)' if cats.exclusive else ''}: "
          + ", ".join(f"{c.name} [{c.key or '-'}]" for c in cats.items))
    print(f"  catalogs:   {len(experiment.catalogs)}" + (": " + ", ".join(
        c.path.name for c in experiment.catalogs) if experiment.catalogs else ""))
    print(f"  writers:    {', '.join(experiment.output.writers) or 'none'} -> {experiment.output.directory}")
    for ref in experiment.plugins.modules:
        if is_local_module(ref):
            target = resolve_local_module(ref, experiment.base_dir)
            state = "imported" if args.trust_modules else "would be imported with --trust-modules"
            info = host.info(target.stem)
            if args.trust_modules and info is not None and info.error:
                state = "not loaded: see the error above"
            print(f"  module:     {target} ({state})")
        else:
            print(f"  module:     {ref} (installed module)")
    return 0


def _campaign_problems(path: Path, experiment, registry) -> list:
    """What only trying finds: catalogs that cannot be read, a results folder that
    cannot be written. The file and line are those of the setting."""
    from imgmarker.kernel.catalogs.model import CatalogError, load_catalog
    from imgmarker.kernel.experiment.problems import Problem
    from imgmarker.kernel.experiment.yamlsource import YamlSyntaxError, read_yaml
    from imgmarker.kernel.output.folders import folder_problem

    try:
        doc = read_yaml(path)
        line_of = doc.line_of
    except YamlSyntaxError:  # read a moment ago; a file changed since has no lines to give
        def line_of(_where):
            return 0
    problems = []
    for i, config in enumerate(experiment.catalogs):
        try:
            load_catalog(config, registry)
        except CatalogError as exc:
            problems.append(Problem(path, line_of(["catalogs", i, "path"]), f"catalogs[{i}].path", str(exc)))
    why = folder_problem(experiment.output.directory)
    if why is not None:
        problems.append(Problem(path, line_of(["output", "directory"]), "output.directory",
                                f"{experiment.output.directory} {why}"))
    return problems


def register(sub) -> None:
    p = sub.add_parser("validate", help="check an experiment file and summarise it",
                       description="Check EXPERIMENT against the schema and the installed plugins. "
                                   "Exit 0 with a summary, or 1 with every problem as FILE:LINE: path: message.")
    p.add_argument("experiment", help="experiment.yaml")
    add_plugin_options(p)
    add_trust_option(p)
    p.set_defaults(func=cmd_validate)

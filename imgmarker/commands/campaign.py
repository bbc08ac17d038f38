"""``imgmarker campaign create|invite|status``: a team campaign on a PostgreSQL server."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from imgmarker.commands.common import add_plugin_options, add_trust_option, host_and_experiment


def _team(args: argparse.Namespace):
    """(experiment, host, kernel.team modules) or None after printing why."""
    host, experiment = host_and_experiment(args)
    if experiment is None:
        return None
    if experiment.campaign is None:
        print(f"{experiment.path}: no 'campaign' section: this experiment is not a team campaign "
              "(docs/team.md)", file=sys.stderr)
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        print(f"{experiment.path}: team campaigns need psycopg ({exc}); pip install 'psycopg[binary]'",
              file=sys.stderr)
        return None
    return experiment, host


def _failed(experiment, exc) -> int:
    print(f"{experiment.path}: campaign {experiment.campaign.schema}: {exc.message}", file=sys.stderr)
    return 1


def priority(name: str) -> int:
    """The image's place in the order claims hand images out (the same on every run)."""
    from imgmarker.kernel.campaign.ordering import derive_seed

    return derive_seed("claim", name) - (1 << 63)


def cmd_create(args: argparse.Namespace) -> int:
    from imgmarker.commands.progress import ProgressBar
    from imgmarker.kernel.campaign.discovery import discover
    from imgmarker.kernel.team.admin import create_or_upgrade, register_images
    from imgmarker.kernel.team.connection import TeamError, connect
    from imgmarker.kernel.team.fingerprint import fingerprints

    team = _team(args)
    if team is None:
        return 1
    experiment, host = team
    plan = experiment.campaign
    listing = discover(experiment.images, host.registry.image_suffixes())
    names = list(listing.names)
    for name in plan.gold:
        if name not in set(names):
            print(f"{experiment.path}: warning: gold image {name!r} is not one of the experiment's images",
                  file=sys.stderr)
    bar = ProgressBar()
    bar.step("fingerprinting")
    prints = []
    step = 256
    for start in range(0, len(names), step):
        bar.update(start, len(names), "fingerprinting")
        prints.extend(fingerprints([listing.root / n for n in names[start:start + step]]))
    bar.done()
    rows = [(name, *(fp if fp is not None else (None, None)), priority(name)) for name, fp in zip(names, prints)]
    try:
        with connect(plan) as conn:
            created = create_or_upgrade(conn, plan)
            registered = register_images(conn, plan, rows)
    except TeamError as exc:
        return _failed(experiment, exc)
    what = "created" if created.version_before == 0 else (
        f"upgraded from schema {created.version_before}" if created.version_before < created.version else "up to date")
    print(f"campaign {plan.schema}: {what} (schema {created.version}), owner {created.owner}, "
          f"team role {created.team_role}")
    print(f"images: {registered.total} registered ({registered.added} new, {registered.changed} changed), "
          f"{registered.gold} gold")
    unreadable = sum(fp is None for fp in prints)
    if unreadable:
        print(f"{experiment.path}: warning: {unreadable} image(s) could not be read for their fingerprint",
              file=sys.stderr)
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    from imgmarker.kernel.team.admin import invite
    from imgmarker.kernel.team.connection import TeamError, connect

    team = _team(args)
    if team is None:
        return 1
    experiment, _ = team
    try:
        with connect(experiment.campaign) as conn:
            invited = invite(conn, experiment.campaign, args.roles)
    except TeamError as exc:
        return _failed(experiment, exc)
    for entry in invited:
        if entry.created:
            print(f"{entry.role}: new role, password {entry.password}  (hand it over privately; "
                  "it is not shown again)")
        else:
            print(f"{entry.role}: existing role, added to the team (its password is unchanged)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from imgmarker.kernel.output.atomic import atomic_write
    from imgmarker.kernel.team.connection import TeamError, connect
    from imgmarker.kernel.team.status import campaign_status, status_html, status_json, status_text

    team = _team(args)
    if team is None:
        return 1
    experiment, _ = team
    want_images = args.images or bool(args.json) or bool(args.html)
    try:
        with connect(experiment.campaign) as conn:
            status = campaign_status(conn, experiment.campaign, images=want_images)
    except TeamError as exc:
        return _failed(experiment, exc)
    if args.html:
        with atomic_write(Path(args.html)) as handle:
            handle.write(status_html(status))
        print(args.html)
    elif args.json:
        print(status_json(status))
    else:
        print(status_text(status))
    return 0


def register(sub) -> None:
    p = sub.add_parser("campaign", help="a team campaign on a PostgreSQL server (create, invite, status)",
                       description="Share EXPERIMENT's images with a team through the PostgreSQL server "
                                   "that its 'campaign' section names (docs/team.md).")
    commands = p.add_subparsers(dest="campaign_command", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="create or upgrade the campaign on the server and register "
                                                "the images with their fingerprints",
                                 description="Create (or upgrade) the campaign's schema on the server as its "
                                             "owner, store the plan, and register the experiment's images "
                                             "with a content fingerprint (size and SHA-256 of the first and "
                                             "last MiB). Run it again after adding images.")
    invite = commands.add_parser("invite", help="make PostgreSQL roles annotators of the campaign",
                                 description="Add each ROLE to the campaign's team role, creating login roles "
                                             "that do not exist yet with a random password printed once "
                                             "(needs CREATEROLE).")
    status = commands.add_parser("status", help="who saw what, looks per image, team progress",
                                 description="Per annotator: images seen and marked, images claimed, actions "
                                             "not yet synced, last activity; per image: looks and retirement; "
                                             "and the team's progress.")
    out = status.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print everything as JSON (images included)")
    out.add_argument("--html", metavar="FILE", help="write an HTML page (images included)")
    status.add_argument("--images", action="store_true", help="list every image's looks in the text output")
    for sub_parser, func in ((create, cmd_create), (invite, cmd_invite), (status, cmd_status)):
        sub_parser.add_argument("experiment", help="experiment.yaml")
        if sub_parser is invite:
            invite.add_argument("roles", nargs="+", metavar="ROLE")
        add_plugin_options(sub_parser)
        add_trust_option(sub_parser)
        sub_parser.set_defaults(func=func)

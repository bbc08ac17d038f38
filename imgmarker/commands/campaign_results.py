"""Reading the team's results from the campaign server for ``aggregate`` and ``agreement``."""

from __future__ import annotations

import sys


def load_from_server(experiment, expected):
    """(Results, problems) from the server, or None after printing why not."""
    try:
        from imgmarker.kernel.team.connection import TeamError, connect
        from imgmarker.kernel.team.results import load_team_results
    except ImportError as exc:
        print(f"{experiment.path}: the campaign needs psycopg ({exc}); pip install 'psycopg[binary]'", file=sys.stderr)
        return None
    try:
        with connect(experiment.campaign) as conn:
            return load_team_results(conn, experiment.campaign, expected)
    except TeamError as exc:
        print(f"{experiment.path}: campaign {experiment.campaign.schema}: {exc.message}", file=sys.stderr)
        return None

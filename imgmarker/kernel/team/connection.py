"""Connecting to a campaign's server, and telling the annotator why it failed.

The connection string comes from the experiment (shared, without a password); the
role, password, certificates and so on come from the annotator's own libpq
environment (``PGUSER``, the password file, a service file) or from keyword
``overrides`` given by a program. Keep-alives make a silently dropped network fail in
seconds rather than hanging the sync thread.
"""

from __future__ import annotations

from typing import Any, Mapping

import psycopg
from psycopg import sql

from imgmarker.kernel.experiment.config import CampaignPlan

CONNECT_TIMEOUT = 5
KEEPALIVES = {"keepalives": "1", "keepalives_idle": "5", "keepalives_interval": "2", "keepalives_count": "3"}


class TeamError(Exception):
    """The campaign server cannot be used; ``reason`` is what the status line says."""

    def __init__(self, reason: str, message: str):
        self.reason = reason  # "unreachable", "refused" or "error"
        self.message = message
        super().__init__(message)


def conninfo(plan: CampaignPlan, overrides: Mapping[str, Any] | None = None) -> str:
    params = {"connect_timeout": str(CONNECT_TIMEOUT), "application_name": "imgmarker", **KEEPALIVES}
    params.update({k: str(v) for k, v in (overrides or {}).items() if v is not None})
    return psycopg.conninfo.make_conninfo(plan.server, **params)


def connect(plan: CampaignPlan, overrides: Mapping[str, Any] | None = None, *,
            autocommit: bool = True) -> psycopg.Connection:
    """A connection to the campaign's database; raises :class:`TeamError`."""
    try:
        return psycopg.connect(conninfo(plan, overrides), autocommit=autocommit)
    except psycopg.Error as exc:
        raise classify(exc) from exc


def classify(exc: BaseException) -> TeamError:
    """A server error as the annotator needs to hear it."""
    if isinstance(exc, TeamError):
        return exc
    text = _first_line(exc)
    if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, psycopg.errors.InsufficientPrivilege):
        if "password authentication failed" in text or "no password supplied" in text \
                or "role" in text and "does not exist" in text:
            return TeamError("refused", f"server refused the connection: {text}")
        return TeamError("unreachable", f"server unreachable: {text}")
    if isinstance(exc, (psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException,
                        psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedTable,
                        psycopg.errors.UndefinedFunction)):
        return TeamError("refused", f"refused by the server: {text}")
    if isinstance(exc, psycopg.InterfaceError):
        return TeamError("unreachable", f"server unreachable: {text}")
    return TeamError("error", f"server error: {text}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def ident(plan: CampaignPlan) -> sql.Identifier:
    return sql.Identifier(plan.schema)


def q(template: str, plan: CampaignPlan, **identifiers: str) -> sql.Composed:
    """``template`` with ``{s}`` the campaign's schema and other identifiers quoted."""
    return sql.SQL(template).format(s=ident(plan), **{k: sql.Identifier(v) for k, v in identifiers.items()})

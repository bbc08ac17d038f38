"""What the campaign owner does on the server: create or upgrade the campaign's schema,
store the plan, register the images, and invite annotators.

Every step runs in one transaction under an advisory lock, so two owners' commands
never interleave and a failed step leaves the campaign as it was.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Iterable, Sequence

import psycopg
from psycopg import sql

from imgmarker.kernel.experiment.config import CampaignPlan
from imgmarker.kernel.team import server_sql
from imgmarker.kernel.team.connection import TeamError, classify, q

SCHEMA_VERSION = len(server_sql.MIGRATIONS)
MAX_ROLE = 63


def team_role(database: str, schema: str) -> str:
    """The role every annotator of the campaign belongs to (roles are cluster-wide, so
    it names the database as well as the schema)."""
    return f"{database}_{schema}_team"[:MAX_ROLE]


def plan_json(plan: CampaignPlan, role: str) -> dict:
    return {"mode": plan.mode, "looks_per_image": plan.looks_per_image, "retirement_agree": plan.retire_agree,
            "batch_size": plan.batch_size, "lease_seconds": plan.lease_seconds, "gold": list(plan.gold),
            "team_role": role}


@dataclass(frozen=True)
class Created:
    version_before: int
    version: int
    team_role: str
    owner: str


def _owner_check(conn: psycopg.Connection, plan: CampaignPlan) -> str:
    row = conn.execute("SELECT n.nspowner::regrole::text, current_user, r.rolsuper FROM pg_namespace n, pg_roles r "
                       "WHERE n.nspname = %s AND r.rolname = current_user", (plan.schema,)).fetchone()
    me = conn.execute("SELECT current_user").fetchone()[0]
    if row is not None and row[0] != me and not row[2]:
        raise TeamError("refused", f"campaign {plan.schema!r} belongs to role {row[0]!r}; only its owner "
                                   f"can create or change it (you are {me!r})")
    return me


def create_or_upgrade(conn: psycopg.Connection, plan: CampaignPlan) -> Created:
    """Create the campaign schema (or bring it to the current version), its team role,
    privileges, functions and plan. ``conn`` is the owner's (autocommit) connection."""
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"imgmarker:{plan.schema}",))
            me = _owner_check(conn, plan)
            conn.execute(q("CREATE SCHEMA IF NOT EXISTS {s}", plan))
            conn.execute(q(server_sql.META, plan))
            row = conn.execute(q("SELECT value FROM {s}.meta WHERE key = 'schema_version'", plan)).fetchone()
            before = int(row[0]) if row else 0
            if before > SCHEMA_VERSION:
                raise TeamError("refused", f"campaign {plan.schema!r} has schema {before}, newer than this "
                                           f"imgmarker knows ({SCHEMA_VERSION}); upgrade imgmarker")
            for step in range(before, SCHEMA_VERSION):
                conn.execute(q(server_sql.MIGRATIONS[step], plan))
            database = conn.execute("SELECT current_database()").fetchone()[0]
            role = team_role(database, plan.schema)
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            conn.execute(q(server_sql.SECURITY, plan, team=role))
            conn.execute(q(server_sql.FUNCTIONS, plan))
            for signature in server_sql.FUNCTION_SIGNATURES:
                name, _, args = signature.partition("(")
                target = sql.SQL("{}.{}(" + args).format(sql.Identifier(plan.schema), sql.Identifier(name))
                conn.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(target))
                conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(target, sql.Identifier(role)))
            conn.execute(q("INSERT INTO {s}.meta(key, value) VALUES ('schema_version', %s), ('plan', %s) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", plan),
                         (json.dumps(SCHEMA_VERSION), json.dumps(plan_json(plan, role))))
    except psycopg.Error as exc:
        raise classify(exc) from exc
    return Created(before, SCHEMA_VERSION, role, me)


@dataclass(frozen=True)
class Registered:
    added: int
    changed: int
    total: int
    gold: int


def register_images(conn: psycopg.Connection, plan: CampaignPlan,
                    rows: Iterable[tuple[str, int | None, str | None, int]]) -> Registered:
    """Add or update images ``(name, size, fingerprint, priority)`` by COPY, and mark the
    plan's gold images; images already registered keep their looks."""
    try:
        with conn.transaction():
            conn.execute("CREATE TEMP TABLE incoming(name text, size bigint, fingerprint text, priority bigint) "
                         "ON COMMIT DROP")
            with conn.cursor() as cur:
                with cur.copy("COPY incoming(name, size, fingerprint, priority) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            before = conn.execute(q("SELECT count(*) FROM {s}.images", plan)).fetchone()[0]
            changed = conn.execute(q(
                "UPDATE {s}.images i SET size = n.size, fingerprint = n.fingerprint FROM incoming n "
                "WHERE i.name = n.name AND (i.size, i.fingerprint) IS DISTINCT FROM (n.size, n.fingerprint)",
                plan)).rowcount
            conn.execute(q("INSERT INTO {s}.images(name, size, fingerprint, priority) "
                           "SELECT name, size, fingerprint, priority FROM incoming ON CONFLICT (name) DO NOTHING",
                           plan))
            total = conn.execute(q("SELECT count(*) FROM {s}.images", plan)).fetchone()[0]
            conn.execute(q("UPDATE {s}.images SET gold = (name = ANY(%s)) WHERE gold <> (name = ANY(%s))", plan),
                         (list(plan.gold), list(plan.gold)))
            gold = conn.execute(q("SELECT count(*) FROM {s}.images WHERE gold", plan)).fetchone()[0]
            if total - before > 1000:
                conn.execute(q("ANALYZE {s}.images", plan))  # the planner learns the pool's size now
    except psycopg.Error as exc:
        raise classify(exc) from exc
    return Registered(total - before, changed, total, gold)


def encrypted_password(conn: psycopg.Connection, role: str, password: str) -> str:
    """The SCRAM verifier of ``password``: the clear text never travels to the server."""
    return conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


@dataclass(frozen=True)
class Invited:
    role: str
    created: bool
    password: str | None  # the new role's password, to hand to the annotator once


def invite(conn: psycopg.Connection, plan: CampaignPlan, roles: Sequence[str]) -> list[Invited]:
    """Make each role an annotator of the campaign, creating the login roles that do not
    exist yet with a random password (needs the CREATEROLE attribute)."""
    out = []
    try:
        with conn.transaction():
            row = conn.execute(q("SELECT value ->> 'team_role' FROM {s}.meta WHERE key = 'plan'", plan)).fetchone()
            if row is None:
                raise TeamError("refused", f"no campaign {plan.schema!r} on this server; run "
                                           "'imgmarker campaign create' first")
            team = row[0]
            for role in roles:
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                password = None
                if exists is None:
                    password = secrets.token_urlsafe(18)
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(encrypted_password(conn, role, password))))
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(team), sql.Identifier(role)))
                out.append(Invited(role, exists is None, password))
    except psycopg.Error as exc:
        raise classify(exc) from exc
    return out

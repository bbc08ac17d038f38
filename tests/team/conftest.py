"""A real PostgreSQL server for the team tests: one throwaway cluster per test session
(see :mod:`pgcluster`), one fresh database per test, dropped afterwards with the roles
the test created. Without PostgreSQL the tests skip, except in CI, where they fail."""

from __future__ import annotations

import os
import uuid

import pytest

from teamkit import LEAD, LEAD_PASSWORD, TeamServer

def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"team tests need PostgreSQL in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        _unavailable(f"psycopg is not installed ({exc})")
    from pgcluster import find_bindir, start_cluster

    if find_bindir() is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    cluster = start_cluster()
    with cluster.admin() as conn:
        from psycopg import sql

        verifier = conn.pgconn.encrypt_password(LEAD_PASSWORD.encode(), LEAD.encode(), b"scram-sha-256").decode()
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
            sql.Identifier(LEAD), sql.Literal(verifier)))
    yield cluster
    cluster.destroy()


@pytest.fixture
def team_server(pg_cluster, tmp_path):
    dbname = "t_" + uuid.uuid4().hex[:12]
    with pg_cluster.admin() as conn:
        from psycopg import sql

        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(dbname), sql.Identifier(LEAD)))
        before = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles")}
    server = TeamServer(pg_cluster, dbname, tmp_path / "pg", {LEAD: LEAD_PASSWORD})
    server.folder.mkdir()
    yield server
    pg_cluster.start()  # running again if the test stopped it
    pg_cluster.wait_ready()
    with pg_cluster.admin() as conn:
        from psycopg import sql

        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        for (role,) in conn.execute("SELECT rolname FROM pg_roles").fetchall():
            if role not in before:
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


@pytest.fixture
def lead_env(team_server, monkeypatch):
    """The campaign owner's libpq environment for in-process commands."""
    monkeypatch.setenv("PGUSER", LEAD)
    monkeypatch.setenv("PGPASSFILE", str(team_server.passfile(LEAD)))
    return team_server

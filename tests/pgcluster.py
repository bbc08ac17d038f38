"""A throwaway PostgreSQL cluster for the team-campaign tests and benchmarks.

``initdb`` in a temporary folder, a free port, the unix socket in that folder.
PostgreSQL refuses to run as root, so when we are root the cluster runs as an
unprivileged system user (created when missing). Authentication is the real thing:
``trust`` only for the bootstrap superuser over the socket, SCRAM passwords for
every other role, so the tests exercise password files as annotators use them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_USER = "imgmarker-pg"
SEARCH = ("/usr/lib/postgresql/{v}/bin",)
VERSIONS = ("17", "16", "15", "14", "13")


def find_bindir() -> Path | None:
    """The folder holding initdb/pg_ctl: $PG_BINDIR, Debian's versioned folders, or PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    for v in VERSIONS:
        for pattern in SEARCH:
            folder = Path(pattern.format(v=v))
            if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
                return folder
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ensure_user() -> str:
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                       check=True, capture_output=True)
    return PG_USER


class Cluster:
    """One running cluster; :meth:`stop` / :meth:`start` simulate an outage."""

    def __init__(self, bindir: Path, root: Path | None = None):
        self.bindir = bindir
        self.root = Path(root or tempfile.mkdtemp(prefix="imgmarker-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.port = free_port()
        self.as_user = _ensure_user() if os.geteuid() == 0 else None
        self.superuser = "postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, cwd=self.root)

    def init(self) -> "Cluster":
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.data.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            entry = pwd.getpwnam(self.as_user)
            for path in (self.root, self.data, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(self.data, 0o700)
        self._run("initdb", "-D", str(self.data), "-U", self.superuser, "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        (self.data / "pg_hba.conf").write_text(
            f"local all {self.superuser} trust\n"
            "local all all scram-sha-256\n"
            "host all all 127.0.0.1/32 scram-sha-256\n")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.socket_dir}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "max_connections = 200\nshared_buffers = 128MB\n"
                       "password_encryption = 'scram-sha-256'\n")
        return self

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> None:
        if self.running():
            return
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def host(self) -> str:
        return str(self.socket_dir)

    def conninfo(self, dbname: str = "postgres", **extra: str) -> str:
        parts = {"host": self.host, "port": str(self.port), "dbname": dbname, **extra}
        return " ".join(f"{k}={v}" for k, v in parts.items())

    def admin(self, dbname: str = "postgres"):
        """A superuser connection (autocommit) for setting up and for cutting connections."""
        import psycopg

        return psycopg.connect(self.conninfo(dbname, user=self.superuser), autocommit=True)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with self.admin():
                    return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


def start_cluster() -> Cluster:
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found; "
                                "install Debian's postgresql package or set PG_BINDIR")
    cluster = Cluster(bindir).init()
    cluster.start()
    cluster.wait_ready()
    return cluster

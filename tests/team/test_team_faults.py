"""Faults against a real server: the server stopped and restarted, connections cut from
the server's side, an annotator killed during a sync, annotators racing for the last
image, clocks that disagree. After each, every action committed locally is on the
server exactly once and the local stores are intact."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from teamkit import join, local_actions, local_marks, normalised, server_actions, server_marks, set_up

from imgmarker.kernel.store.sqlite import SCHEMA_VERSION, SqliteStore
from imgmarker.kernel.team.client import TeamClient


def wait_for(condition, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def assert_exactly_once(server, role, store_path):
    """The server holds every local action once (the primary key forbids more), in order."""
    local = normalised(local_actions(store_path))
    assert normalised(server_actions(server, role)) == local
    assert [a[0] for a in local] == list(range(1, len(local) + 1))


def assert_intact(store_path):
    conn = sqlite3.connect(store_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with SqliteStore.open(store_path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_server_stopped_mid_campaign_then_back(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 6")
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    with session:
        session.add_mark(1.0, 2.0, "BCG")
        assert sync.wait_synced()
        team_server.cluster.stop()
        started = time.monotonic()
        for i in range(1, 5):  # marking goes on at local speed while the server is away
            session.go_to(i)
            session.add_mark(3.0, 4.0, "star")
            session.toggle_category("empty")
        assert time.monotonic() - started < 2.0
        assert wait_for(lambda: sync.state().phase == "offline")
        state = sync.state()
        assert state.pending >= 8 and state.text().startswith(f"campaign: {state.pending} actions waiting: "
                                                              "server unreachable")
        team_server.cluster.start()
        assert sync.wait_synced(30)
        assert wait_for(lambda: sync.state().text() == "campaign: synced")
        sync.stop()
        assert server_marks(team_server, "ana") == local_marks(session)
        path = session.store.path
    assert_exactly_once(team_server, "ana", path)
    assert_intact(path)


def test_connections_cut_from_the_server_side(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 6")
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    stop = threading.Event()
    cuts = []

    def cut():
        with team_server.admin() as conn:
            while not stop.is_set():
                cuts.extend(r[0] for r in conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'ana'").fetchall())
                time.sleep(random.uniform(0.005, 0.05))

    cutter = threading.Thread(target=cut)
    cutter.start()
    try:
        with session:
            for n in range(120):
                session.go_to(n % len(session))
                result = session.add_mark(float(n % 16), 1.0, "star")  # inside the 16 x 12 images
                assert result.refused is None
                if n % 3 == 0:
                    session.remove_mark(result.mark.id)
                elif n % 5 == 0:
                    session.undo()
                time.sleep(0.02)
            stop.set()
            cutter.join()
            assert sync.wait_synced(30)
            sync.stop()
            assert server_marks(team_server, "ana") == local_marks(session)
            path = session.store.path
    finally:
        stop.set()
        cutter.join()
    assert sum(cuts) >= 3  # the sync's connection really was cut, repeatedly
    assert_exactly_once(team_server, "ana", path)
    assert_intact(path)


def test_an_annotator_killed_during_a_sync_loses_and_doubles_nothing(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 4\n"
                                                       "sync_seconds: 0.01", images=40)
    results = tmp_path / "ana"
    acked: list[int] = []
    rng = random.Random(7)
    for round_ in range(4):
        proc = subprocess.Popen([sys.executable, "-m", "imgmarker.kernel.team.simulate", str(experiment.path), "ana",
                                 str(results), "--interval", "0.005", "--idle-timeout", "20"],
                                env=team_server.env("ana"), stdout=subprocess.PIPE, text=True)
        lines = []
        deadline = time.monotonic() + 60
        target = rng.randint(4, 14)
        while sum(line.startswith("acked") for line in lines) < target and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        os.kill(proc.pid, signal.SIGKILL)  # while its sync thread is sending
        proc.wait()
        proc.stdout.close()
        acked += [int(line.split()[1]) for line in lines if line.startswith("acked")]
        assert_intact(results / "ana.imgmarker.sqlite")
    assert len(acked) >= 16
    # a last, undisturbed run sends whatever the killed ones had not
    done = subprocess.run([sys.executable, "-m", "imgmarker.kernel.team.simulate", str(experiment.path), "ana",
                           str(results), "--idle-timeout", "20"], env=team_server.env("ana"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    path = results / "ana.imgmarker.sqlite"
    assert_exactly_once(team_server, "ana", path)
    held = {a[0] for a in server_actions(team_server, "ana")}
    assert set(acked) <= held
    assert_intact(path)
    with team_server.admin() as conn:  # every image looked at once: none handed to ana twice
        assert conn.execute("SELECT count(*), sum(looks), max(looks) FROM imgmarker.images").fetchone() == (40, 40, 1)


@pytest.mark.parametrize("looks", [1, 2])
def test_annotators_racing_for_the_last_images(team_server, tmp_path, looks):
    experiment = set_up(team_server, tmp_path / "exp", f"mode: shared\nlooks_per_image: {looks}\nbatch_size: 1",
                        images=8, roles=("ana", "bob", "carol"))
    clients = [TeamClient(experiment.campaign, team_server.overrides(role)) for role in ("ana", "bob", "carol")]
    for i, client in enumerate(clients):
        client.join(f"store-{i}", "x", "h")
    got: dict[str, list[str]] = {c.overrides["user"]: [] for c in clients}
    barrier = threading.Barrier(len(clients))

    def race(client):
        for _ in range(12):
            barrier.wait()
            got[client.overrides["user"]].extend(c.name for c in client.claim(1))

    threads = [threading.Thread(target=race, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    handed = [name for names in got.values() for name in names]
    assert sorted(set(handed)) == [f"img{i:02d}.png" for i in range(8)]
    assert all(handed.count(name) == looks for name in set(handed))  # exactly K, never more
    assert all(len(names) == len(set(names)) for names in got.values())  # nobody twice


def test_clocks_that_disagree_change_nothing_the_server_decides(team_server, tmp_path, monkeypatch):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 2\n"
                                                       "lease_minutes: 0.05", images=4)
    import imgmarker.kernel.campaign.session as session_module

    # ana's machine runs a day ahead: her marks carry her time, her leases the server's
    monkeypatch.setattr(session_module, "utc_now", lambda: "2099-01-02T00:00:00.000+00:00")
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    claimed = [e.name for e in session.entries]
    session.add_mark(1.0, 1.0, "BCG")
    assert sync.wait_synced()
    with team_server.admin() as conn:
        lease_left = conn.execute("SELECT max(expires_at - now()) FROM imgmarker.leases").fetchone()[0]
        client_time = conn.execute("SELECT time FROM imgmarker.marks").fetchone()[0]
    assert 0 < lease_left.total_seconds() <= 3.0 and client_time.startswith("2099")
    sync.stop()  # ana walks away: nothing renews her leases; the server's clock expires them
    session.close()
    monkeypatch.undo()
    bob = TeamClient(experiment.campaign, team_server.overrides("bob"))
    bob.join("store-bob", "bob", "h")
    first = [c.name for c in bob.claim(4)]
    assert not set(first) & set(claimed[1:])  # ana's unseen images are hers while the lease lasts
    time.sleep(3.2)
    later = [c.name for c in bob.claim(4)]
    assert set(claimed) - {claimed[0]} <= set(later)  # expired: back in the pool
    assert claimed[0] not in later  # the image ana looked at counts as looked at
    bob.close()
    with team_server.admin() as conn:
        assert conn.execute("SELECT count(*) FROM imgmarker.leases WHERE expired AND annotator = 'ana'").fetchone()[0] == 1

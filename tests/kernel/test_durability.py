"""Commits return without waiting for the disk; an action counts as durable only once the
syncing thread has flushed it, and closing waits for that."""

from __future__ import annotations

import shutil
import sqlite3
import threading

from session_fakes import fake_host, load, make_campaign

from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.store import durability
from imgmarker.kernel.store.sqlite import SqliteStore

ADD = {"t": "add", "mark": {"image": "a.npy", "pass_index": 1, "group": "g", "label": "one", "x": 1.5, "y": 2.25,
                            "frame": 0, "ra": None, "dec": None, "time": "2026-01-01T00:00:00Z"}}


class HeldDisk:
    """A sync step that waits until released, as a very slow disk would."""

    def __init__(self, real):
        self.real, self.release, self.paths = real, threading.Event(), []

    def __call__(self, path):
        self.paths.append(path)
        self.release.wait(30)
        self.real(path)


def test_a_commit_is_stored_at_once_and_durable_only_after_its_sync(tmp_path):
    store = SqliteStore.open(tmp_path / "a.sqlite")
    disk = HeldDisk(store.sync_step)
    store.sync_step = disk
    durable_reports = []
    store.on_durable = durable_reports.append
    store.apply(("a.npy", 1), "add a mark", [ADD])
    number = store.committed
    with SqliteStore.open(tmp_path / "a.sqlite", readonly=True) as reader:  # committed: every reader sees it
        assert [r.label for r in reader.mark_rows()] == ["one"]
    assert not store.wait_durable(number, timeout=0.2)
    assert store.durable < number and durable_reports == []
    disk.release.set()
    assert store.wait_durable(number, timeout=30)
    assert store.durable >= number and durable_reports[-1] >= number
    assert disk.paths and disk.paths[0].name == "a.sqlite-wal"  # the log is what gets flushed
    store.close()


def test_closing_waits_for_the_sync_and_nothing_is_lost(tmp_path):
    host = fake_host()
    experiment = load(make_campaign(tmp_path, "groups: [{name: free}]\n", n=5), host)
    session = Session.open(experiment, user="slow", host=host, export_delay=None)
    disk = HeldDisk(session.store.sync_step)
    session.store.sync_step = disk
    ids = [session.add_mark(float(i), 2.0, "free").mark.id for i in range(20)]
    store = session.store
    assert store.durable < store.committed
    threading.Timer(0.3, disk.release.set).start()
    session.close()  # returns only once the last action is on the disk
    assert store.durable == store.committed
    with Session.open(experiment, user="slow", host=host, export_delay=None) as again:
        assert sorted(r.id for r in again.store.mark_rows()) == sorted(ids)


def test_the_log_is_moved_into_the_database_file(tmp_path, monkeypatch):
    monkeypatch.setattr(durability, "CHECKPOINT_BYTES", 0)
    store = SqliteStore.open(tmp_path / "a.sqlite")
    store.apply(("a.npy", 1), "add a mark", [ADD])
    assert store.wait_durable(timeout=30)
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(tmp_path / "a.sqlite", copy)  # the database file alone, without its log
    rows = sqlite3.connect(copy).execute("SELECT label FROM marks").fetchall()
    assert rows == [("one",)]
    store.close()

"""The SQLite store: durable settings, schema versioning, readers never blocking."""

from __future__ import annotations

import sqlite3
import time

import pytest
from session_fakes import load, make_campaign

from imgmarker.kernel.campaign.session import Session, database_path
from imgmarker.kernel.store import StoreError
from imgmarker.kernel.store.sqlite import SCHEMA_VERSION, SqliteStore


def test_database_is_wal_with_schema_version_and_one_file_per_annotator(tmp_path, host):
    exp = load(make_campaign(tmp_path, n=2), host)
    for user in ("ana", "bob"):
        with Session.open(exp, user=user, host=host, export_delay=None) as s:
            s.add_mark(1, 1, "1")
    for user in ("ana", "bob"):
        path = tmp_path / "results" / f"{user}.imgmarker.sqlite"
        assert path == database_path(tmp_path / "results", user)
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM marks").fetchone()[0] == 1
        conn.close()


def test_newer_schema_and_foreign_files_are_refused_with_the_file_named(tmp_path):
    newer = tmp_path / "newer.sqlite"
    SqliteStore.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match=r"newer.sqlite: written by a newer imgmarker"):
        SqliteStore.open(newer)
    foreign = tmp_path / "other.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA user_version=3")
    conn.close()
    with pytest.raises(StoreError, match="other.sqlite: not an imgmarker database"):
        SqliteStore.open(foreign)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="junk.sqlite"):
        SqliteStore.open(junk)
    with pytest.raises(StoreError, match="missing.sqlite: no annotation database here"):
        SqliteStore.open(tmp_path / "missing.sqlite", readonly=True)


def test_a_reader_holding_a_snapshot_never_blocks_the_annotator(tmp_path, host):
    exp = load(make_campaign(tmp_path, n=2), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.add_mark(1, 1, "1")
        with s.store.reader() as reader, reader.snapshot():
            before = list(reader.mark_rows())
            start = time.perf_counter()
            for i in range(5):
                s.add_mark(i, i, "1")
            assert time.perf_counter() - start < 2.0
            assert list(reader.mark_rows()) == before  # the snapshot is stable
        assert len(s.marks()) == 6


def test_read_only_store_refuses_to_write(tmp_path):
    path = tmp_path / "a.sqlite"
    SqliteStore.open(path).close()
    with SqliteStore.open(path, readonly=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            store.set_setting("a", 1)


def test_background_writers_follow_changes_and_close_writes_them(tmp_path, host):
    import pandas as pd

    exp = load(make_campaign(tmp_path, "output: {writers: [csv]}\n", n=2), host)
    out = tmp_path / "results"
    with Session.open(exp, user="ana", host=host, export_delay=0.05) as s:
        s.add_mark(1.5, 2.5, "1", label="first")
        assert s.wait_for_export(10)
        assert list(pd.read_csv(out / "ana_marks.csv").label) == ["first"]
        s.add_mark(3.5, 4.5, "1", label="second")
        s.relabel_mark(s.marks()[0].id, "renamed")
        assert s.wait_for_export(10)
        assert list(pd.read_csv(out / "ana_marks.csv").label) == ["renamed", "second"]
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.go_to(0)
        assert s.undo() == "relabel mark 'first' as 'renamed'"
    assert list(pd.read_csv(out / "ana_marks.csv").label) == ["first", "second"]  # written on close


def test_a_failing_writer_is_reported_and_the_others_still_run(tmp_path):
    import imgmarker
    from session_fakes import FakeReader
    from imgmarker.kernel.plugins.host import create_plugin_host
    from imgmarker.kernel.plugins.records import WriterSpec

    class Broken:
        @imgmarker.hookimpl
        def imgmarker_writers(self):
            return WriterSpec("broken", write=lambda context: 1 / 0)

    host = create_plugin_host(autoload=False, extra=[("fake", FakeReader()), ("broken", Broken())])
    exp = load(make_campaign(tmp_path, "output: {writers: [broken, csv]}\n", n=1), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        paths = s.export()
        assert [p.name for p in paths] == ["ana_marks.csv", "ana_images.csv", "ana_favorites.csv"]
        assert s.export_problems == ["writer 'broken' of plugin 'broken' (registered) failed: "
                                     "ZeroDivisionError: division by zero"]
        assert s.export(["nope"]) == []
        assert s.export_problems[0].startswith("unknown writer 'nope'")


def test_kernel_session_imports_no_qt(tmp_path):
    import subprocess
    import sys

    code = ("import sys; sys.modules['PyQt6'] = None; "
            "import imgmarker.kernel.campaign.session, imgmarker.kernel.output.export, imgmarker_plugins.writers.csv_files, "
            "imgmarker_plugins.writers.ds9, imgmarker_plugins.writers.votable; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_stale_temporary_files_of_killed_exports_are_removed(tmp_path, host):
    import os

    exp = load(make_campaign(tmp_path, n=1), host)
    out = tmp_path / "results"
    out.mkdir()
    stale = out / ".ana_marks.csv.k2j3.tmp"
    fresh = out / ".ana_images.csv.x9.tmp"
    other = out / ".bob_marks.csv.a1.tmp"
    for path in (stale, fresh, other):
        path.write_text("half")
    os.utime(stale, (1, 1))
    os.utime(other, (1, 1))
    Session.open(exp, user="ana", host=host, export_delay=None).close()
    assert not stale.exists() and fresh.exists() and other.exists()


def test_second_process_creating_the_sequence_keeps_the_first(tmp_path):
    store = SqliteStore.open(tmp_path / "a.sqlite")
    first = [("a", 1), ("b", 1)]
    assert store.create_sequence(first) is first
    assert store.create_sequence([("b", 1), ("a", 1)]) == first
    store.close()


def test_bulk_columns_hold_every_mark_and_image_as_the_rows_do(tmp_path, host):
    from imgmarker.kernel.store.base import Store

    exp = load(make_campaign(tmp_path, n=3), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.add_mark(5.25, 7.5, "1")
        s.next()
        s.add_mark(0.125, 3.0, "1")
        s.previous()
        s.add_mark(9.0, 1.5, "1")
        s.toggle_favorite()
        marks, images = s.store.mark_columns(), s.store.image_columns()
        # the interface's defaults, built from mark_rows and image_rows
        marks_from_rows, images_from_rows = Store.mark_columns(s.store), Store.image_columns(s.store)
    assert marks == {k: tuple(v) for k, v in marks_from_rows.items()}
    assert list(zip(marks["x"], marks["y"])) == [(5.25, 7.5), (0.125, 3.0), (9.0, 1.5)]  # placement order
    assert set(marks) == {"image", "group", "label", "x", "y", "ra", "dec", "pass"}
    assert images == {k: tuple(v) for k, v in images_from_rows.items()}
    assert images["favorite"].count(True) == 1 and set(images) == {"image", "pass", "categories", "comment",
                                                                    "favorite"}

"""The store's outbox: one row per committed action, in commit order, written in the
action's own transaction (what a campaign server receives)."""

from __future__ import annotations

import json
import sqlite3

from session_fakes import fake_host, load, make_campaign

from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.store.outbox import MIGRATION, OutboxReader, statements
from imgmarker.kernel.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore


def test_every_action_undo_redo_and_first_look_is_one_outbox_row_in_order(tmp_path):
    host = fake_host()
    exp = load(make_campaign(tmp_path, "groups: [{name: BCG, max: 1}, {name: star}]\n", n=3), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        first = s.add_mark(1.5, 2.5, "BCG").mark
        s.add_mark(3.0, 4.0, "star")
        s.toggle_category(exp.categories.names()[0])
        s.undo()
        s.redo()
        s.next()
        s.set_comment("odd")
        path = s.store.path
    reader = OutboxReader(path)
    events = reader.events()
    kinds = [(e.image, e.pass_index, e.kind) for e in events]
    img0, img1 = kinds[0][0], kinds[-1][0]
    assert kinds == [(img0, 1, "do"), (img0, 1, "seen"), (img0, 1, "do"), (img0, 1, "do"), (img0, 1, "undo"),
                     (img0, 1, "redo"), (img1, 1, "do"), (img1, 1, "seen")]
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert json.loads(events[0].changes)[0]["mark"]["id"] == first.id
    assert reader.last_seq() == events[-1].seq
    evs, states = reader.read(after=events[5].seq)
    assert [e.kind for e in evs] == ["do", "seen"]
    assert [(st.image, st.comment, st.seen) for st in states] == [(img1, "odd", True)]
    reader.close()


def test_a_version_1_store_gains_the_outbox_with_its_history(tmp_path):
    path = tmp_path / "old.imgmarker.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO actions(image, pass, description, changes, undone) VALUES ('a', 1, 'x', '[]', 0)")
    conn.execute("INSERT INTO actions(image, pass, description, changes, undone) VALUES ('a', 1, 'y', '[]', 1)")
    conn.execute("INSERT INTO image_state(image, pass, seen, seen_time) VALUES ('a', 1, 1, 't')")
    conn.execute("PRAGMA application_id=1768777581")
    conn.execute("PRAGMA user_version=1")
    conn.close()
    with SqliteStore.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    reader = OutboxReader(path)
    assert [(e.kind, e.description) for e in reader.events()] == [("do", "x"), ("seen", "")]
    reader.close()


def test_trigger_bodies_are_kept_whole_when_the_migration_is_split():
    parts = statements(MIGRATION)
    assert sum(p.startswith("CREATE TRIGGER") for p in parts) == 5
    assert all(p.rstrip().endswith(";") for p in parts)
    assert all(sqlite3.complete_statement(p) for p in parts)


def test_a_seen_mark_left_for_later_is_written_before_the_next_action_and_in_its_order(tmp_path):
    """A window leaves the seen mark of a step for after the picture; it must reach the
    database (and the outbox, in the order it happened) before anything that follows."""
    host = fake_host()
    exp = load(make_campaign(tmp_path, n=3), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.seen_later = True
        first, second = s.entries.key(0), s.entries.key(1)
        s.next()
        path = s.store.path
        outside = sqlite3.connect(path)
        assert outside.execute("SELECT count(*) FROM image_state WHERE seen = 1").fetchone()[0] == 0  # not yet
        assert s.is_seen(0)  # the session knows it at once
        s.set_comment("odd")  # the next write carries it first
        assert outside.execute("SELECT image FROM image_state WHERE seen = 1 ORDER BY image").fetchall() == [
            (first[0],), (second[0],)]
        s.next()
        s.next()  # on the last image: it counts as seen
        assert outside.execute("SELECT count(*) FROM image_state WHERE seen = 1").fetchone()[0] == 2
        assert s.image_state().seen  # a read writes it first too
        assert outside.execute("SELECT count(*) FROM image_state WHERE seen = 1").fetchone()[0] == 3
        s.toggle_favorite()
        outside.close()
    kinds = [(e.image, e.kind) for e in OutboxReader(path).events()]
    third = s.entries.key(2)[0]
    assert kinds == [(first[0], "seen"), (second[0], "do"), (second[0], "seen"), (third, "seen"), (third, "do")]


def test_closing_writes_a_seen_mark_left_for_later(tmp_path):
    host = fake_host()
    exp = load(make_campaign(tmp_path, n=2), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.seen_later = True
        s.next()
        path = s.store.path
    assert [e.kind for e in OutboxReader(path).events()] == ["seen"]


def test_a_seen_mark_left_for_later_survives_a_write_that_fails(tmp_path):
    host = fake_host()
    exp = load(make_campaign(tmp_path, n=2), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.seen_later = True
        s.next()
        store = s.store
        try:
            with store._tx() as conn:
                conn.execute("INSERT INTO no_such_table VALUES (1)")
        except sqlite3.OperationalError:
            pass
        outside = sqlite3.connect(store.path)
        assert outside.execute("SELECT count(*) FROM image_state").fetchone()[0] == 0  # rolled back with it
        store.settle()
        assert outside.execute("SELECT image FROM image_state WHERE seen = 1").fetchall() == [(s.entries.key(0)[0],)]
        outside.close()

"""A team campaign through a real server: claims under leases, idempotent sync of every
action (undo and redo too), and each annotator confined to their own rows."""

from __future__ import annotations

import psycopg
import pytest

from teamkit import (join, local_actions, local_marks, local_states, normalised, server_actions, server_marks,
                     server_states, set_up)

from imgmarker.kernel.team import admin
from imgmarker.kernel.team.client import TeamClient
from imgmarker.kernel.team.connection import TeamError, connect
from imgmarker.kernel.team.joining import deliver

SHARED = "mode: shared\nlooks_per_image: 2\nbatch_size: 3"


def look_through(session, category="cluster"):
    """Mark and classify every image of the session, moving on after each."""
    for i in range(len(session)):
        session.go_to(i)
        session.add_mark(3.0 + i, 4.5, "BCG")
        session.toggle_category(category)
    session.next()


def test_two_annotators_get_the_same_batch_and_a_third_gets_the_rest(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", SHARED)
    names = {}
    for role in ("ana", "bob", "carol"):
        session, sync = join(team_server, experiment, role, tmp_path / role)
        with session:
            names[role] = [e.name for e in session.entries]
            look_through(session)
            assert sync.wait_synced()
            sync.stop()
    assert names["ana"] == names["bob"] == ["img00.png", "img01.png", "img02.png"]
    assert names["carol"] == ["img03.png", "img04.png", "img05.png"]
    with team_server.admin() as conn:
        looks = dict(conn.execute("SELECT name, looks FROM imgmarker.images").fetchall())
        open_looks = dict(conn.execute("SELECT name, open_looks FROM imgmarker.images").fetchall())
    assert looks == {"img00.png": 2, "img01.png": 2, "img02.png": 2, "img03.png": 1, "img04.png": 1, "img05.png": 1}
    assert open_looks == looks  # every lease was used: no image handed out beyond its looks


def test_the_server_ends_with_exactly_the_local_actions_and_state(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", SHARED)
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    with session:
        session.add_mark(1.25, 2.5, "BCG")
        moved = session.add_mark(5.0, 6.0, "star").mark
        session.move_mark(moved.id, 7.5, 8.25)
        session.toggle_category("cluster")
        session.undo()  # the category
        session.undo()  # the move
        session.redo()  # the move again
        session.next()
        session.set_comment("two galaxies")
        session.toggle_favorite()
        session.rename_group("star", "point")
        assert sync.wait_synced()
        sync.stop()
        path = session.store.path
        assert normalised(server_actions(team_server, "ana")) == normalised(local_actions(path))
        assert server_marks(team_server, "ana") == local_marks(session)
        assert server_states(team_server, "ana") == local_states(session.store)
    assert [m[2] for m in server_marks(team_server, "ana")] == ["BCG", "point"]
    kinds = [a[3] for a in server_actions(team_server, "ana")]
    assert kinds.count("undo") == 2 and kinds.count("redo") == 1 and "rename" in kinds


def test_sending_again_stores_nothing_twice(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", SHARED)
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    with session:
        look_through(session)
        assert sync.wait_synced()
        sync.stop()
        path = session.store.path
    from imgmarker.kernel.store.outbox import OutboxReader

    reader = OutboxReader(path)
    events, states = reader.read(0)
    client = TeamClient(experiment.campaign, team_server.overrides("ana"))
    for _ in range(3):  # a lost acknowledgement: the whole outbox again, and a part of it
        assert client.push(events, states, events[-1].seq) == events[-1].seq
        assert client.push(events[2:5], states, events[-1].seq) == events[-1].seq
    reader.close()
    assert normalised(server_actions(team_server, "ana")) == normalised(local_actions(path))
    with team_server.admin() as conn:
        assert conn.execute("SELECT seen, marked FROM imgmarker.annotators WHERE name = 'ana'").fetchone() == (3, 3)
        assert conn.execute("SELECT sum(looks) FROM imgmarker.images").fetchone()[0] == 3


def test_an_annotator_cannot_write_another_annotators_rows(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", SHARED)
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    with session:
        session.add_mark(1.0, 1.0, "BCG")
        assert sync.wait_synced()
        sync.stop()
    bob = TeamClient(experiment.campaign, team_server.overrides("bob"))
    conn = bob.conn()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        conn.execute("INSERT INTO imgmarker.marks(annotator, mark_id, image, pass, grp, label, x, y, frame, time) "
                     "VALUES ('ana', 99, 'img00.png', 1, 'BCG', 'BCG', 0, 0, 0, 'now')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        conn.execute("INSERT INTO imgmarker.actions(annotator, seq, image, pass, kind, description, changes, "
                     "client_time) VALUES ('ana', 999, 'img00.png', 1, 'do', 'x', '[]', 'now')")
    assert conn.execute("UPDATE imgmarker.marks SET x = 0 WHERE annotator = 'ana'").rowcount == 0
    assert conn.execute("DELETE FROM imgmarker.marks WHERE annotator = 'ana'").rowcount == 0
    assert conn.execute("UPDATE imgmarker.image_state SET comment = 'x' WHERE annotator = 'ana'").rowcount == 0
    for statement in ("UPDATE imgmarker.images SET looks = 0", "DELETE FROM imgmarker.leases",
                      "UPDATE imgmarker.annotators SET synced_seq = 0 WHERE name = 'ana'",
                      "UPDATE imgmarker.meta SET value = '1' WHERE key = 'plan'",
                      "UPDATE imgmarker.actions SET kind = 'x'",
                      "ALTER TABLE imgmarker.marks ADD COLUMN evil text",
                      "CREATE TABLE imgmarker.evil(x int)"):
        with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.InsufficientPrivilege)):
            conn.execute(statement)
    bob.close()
    assert server_marks(team_server, "ana") == [("img00.png", 1, "BCG", "BCG", 1.0, 1.0)]
    with pytest.raises(TeamError, match="belongs to role 'lead'; only its owner"):
        with connect(experiment.campaign, team_server.overrides("bob")) as conn:
            admin.create_or_upgrade(conn, experiment.campaign)


def test_a_second_results_folder_for_the_same_role_is_refused(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", SHARED)
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    sync.stop()
    session.close()
    session, sync = join(team_server, experiment, "ana", tmp_path / "elsewhere", start=False)
    with session:
        assert any("already sends results from another results folder" in note for note in session.notes)
        assert len(session) == 0


def test_claims_ahead_in_the_background_and_runs_out_cleanly(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 2", images=5)
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    with session:
        seen = []
        for _ in range(20):
            while session.index < len(session):
                seen.append(session.current.name)
                session.toggle_category("empty")
                if session.index + 1 == len(session):
                    break
                session.next()
            session.next()
            assert sync.wait_synced()
            sync.wake()
            import time

            deadline = time.monotonic() + 5
            while not deliver(session, sync) and time.monotonic() < deadline and not sync.state().exhausted:
                time.sleep(0.05)
            if sync.state().exhausted and session.index + 1 >= len(session):
                break
            session.next()
        sync.stop()
    assert sorted(dict.fromkeys(seen)) == [f"img{i:02d}.png" for i in range(5)]
    assert "no more images to claim" in sync.state().text()

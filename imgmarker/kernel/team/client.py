"""One annotator's calls to the campaign server, over one connection.

Pushing is idempotent: an action's identity is (role, outbox sequence number), the
server keeps it once (primary key, ``ON CONFLICT DO NOTHING``) however often it is sent,
and the state of every (image, pass) it touched replaces the server's copy only when
it is at least as new. So a push cut off at any instant is simply sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

import psycopg

from imgmarker.kernel.experiment.config import CampaignPlan
from imgmarker.kernel.store.outbox import Event, KeyState
from imgmarker.kernel.team.connection import TeamError, classify, connect, q


@dataclass(frozen=True)
class Claimed:
    """An image leased to this annotator."""

    name: str
    size: int | None
    fingerprint: str | None
    gold: bool
    expires_at: datetime


@dataclass(frozen=True)
class Joined:
    synced_seq: int  # the last action of ours the server holds
    plan: dict
    server_time: datetime


class TeamClient:
    """The server as one annotator sees it. Not thread-safe: one thread uses it."""

    def __init__(self, plan: CampaignPlan, overrides: Mapping[str, Any] | None = None):
        self.plan = plan
        self.overrides = dict(overrides or {})
        self._conn: psycopg.Connection | None = None

    # -- connection ------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def conn(self) -> psycopg.Connection:
        if not self.connected:
            self._conn = connect(self.plan, self.overrides)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def _call(self, function, *args):
        """Run ``function(conn, *args)``; a broken connection is dropped so the next call
        reconnects, and every failure becomes a :class:`TeamError`."""
        try:
            return function(self.conn(), *args)
        except TeamError:
            self._drop_if_broken()
            raise
        except psycopg.Error as exc:
            self._drop_if_broken()
            raise classify(exc) from exc

    def _drop_if_broken(self) -> None:
        conn = self._conn
        if conn is not None and (conn.closed or conn.broken):
            self.close()

    # -- calls -----------------------------------------------------------------
    def role(self) -> str:
        return self._call(lambda conn: conn.execute("SELECT session_user").fetchone()[0])

    def join(self, store_id: str, local_user: str, host: str) -> Joined:
        def run(conn):
            row = conn.execute(q("SELECT * FROM {s}.join_campaign(%s, %s, %s)", self.plan),
                               (store_id, local_user, host)).fetchone()
            return Joined(int(row[0]), row[1] or {}, row[2])
        return self._call(run)

    def claim(self, n: int) -> list[Claimed]:
        def run(conn):
            with conn.transaction():
                # The claim does not wait for the server's disk: a lease lost in a server
                # crash only sends its images round again (see docs/team.md), and the
                # annotator is not kept waiting on a flush behind everyone else's.
                conn.execute("SET LOCAL synchronous_commit = off")
                rows = conn.execute(q("SELECT * FROM {s}.claim(%s)", self.plan), (int(n),)).fetchall()
            return [Claimed(*row) for row in rows]
        return self._call(run)

    def open_leases(self) -> list[Claimed]:
        """Images leased to us that we have not looked at yet (and whose lease holds)."""
        def run(conn):
            rows = conn.execute(q(
                "SELECT i.name, i.size, i.fingerprint, i.gold, l.expires_at FROM {s}.leases l "
                "JOIN {s}.images i ON i.id = l.image_id WHERE l.annotator = session_user "
                "AND l.done_at IS NULL AND NOT l.expired AND l.expires_at >= now() "
                "ORDER BY l.claimed_at, i.gold DESC, i.priority", self.plan)).fetchall()
            return [Claimed(*row) for row in rows]
        return self._call(run)

    def renew(self) -> int:
        return self._call(lambda conn: conn.execute(q("SELECT {s}.renew()", self.plan)).fetchone()[0])

    def report(self, local_seq: int) -> None:
        self._call(lambda conn: conn.execute(q("SELECT {s}.report(%s)", self.plan), (int(local_seq),)))

    def fingerprints(self, names: Sequence[str]) -> dict[str, tuple[int | None, str | None]]:
        def run(conn):
            rows = conn.execute(q("SELECT name, size, fingerprint FROM {s}.images WHERE name = ANY(%s)", self.plan),
                                (list(names),)).fetchall()
            return {name: (size, fp) for name, size, fp in rows}
        return self._call(run)

    def push(self, events: Sequence[Event], states: Sequence[KeyState], local_seq: int) -> int:
        """Send ``events`` (in order, starting right after what the server holds or
        overlapping it) and the current ``states`` of their keys in one transaction;
        returns the sequence number the server now holds."""
        return self._call(self._push, events, states, local_seq)

    def _push(self, conn: psycopg.Connection, events: Sequence[Event], states: Sequence[KeyState],
              local_seq: int) -> int:
        plan = self.plan
        with conn.transaction():
            held = conn.execute(q("SELECT {s}.push_begin()", plan)).fetchone()[0]
            new = [e for e in events if e.seq > held]
            if new and new[0].seq != held + 1:
                raise TeamError("refused", f"the server holds this annotator's actions up to {held}, but this "
                                           f"results folder goes on from {new[0].seq}: it is not the folder "
                                           "these actions came from")
            if not events:
                conn.execute(q("SELECT {s}.push_end(%s, %s, %s)", plan), (held, local_seq, []))
                return held
            top = max(held, events[-1].seq)
            with conn.cursor() as cur:
                if new:
                    cur.executemany(q(
                        "INSERT INTO {s}.actions(seq, image, pass, kind, description, changes, client_time) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING", plan),
                        [(e.seq, e.image, e.pass_index, e.kind, e.description, e.changes, e.time) for e in new])
                # one sender per role (push_begin locks the role's row), states as new as the events:
                # the keys' marks are replaced by the ones sent
                cur.execute(q("DELETE FROM {s}.marks WHERE annotator = current_user AND (image, pass) IN "
                              "(SELECT * FROM unnest(%s::text[], %s::integer[]))", plan),
                            ([st.image for st in states], [st.pass_index for st in states]))
                marks = [(m[0], st.image, st.pass_index, m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
                         for st in states for m in st.marks]
                if marks:
                    cur.executemany(q(
                        "INSERT INTO {s}.marks(mark_id, image, pass, grp, label, x, y, frame, ra, dec, time) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (annotator, mark_id) "
                        "DO UPDATE SET image = excluded.image, pass = excluded.pass, grp = excluded.grp, "
                        "label = excluded.label, x = excluded.x, y = excluded.y, frame = excluded.frame, "
                        "ra = excluded.ra, dec = excluded.dec, time = excluded.time", plan), marks)
                cur.executemany(q(
                    "INSERT INTO {s}.image_state AS t(image, pass, categories, comment, favorite, seen, seen_time, "
                    "state_seq) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (annotator, image, pass) "
                    "DO UPDATE SET categories = excluded.categories, comment = excluded.comment, "
                    "favorite = excluded.favorite, seen = excluded.seen, seen_time = excluded.seen_time, "
                    "state_seq = excluded.state_seq, updated_at = now() WHERE t.state_seq <= excluded.state_seq",
                    plan), [(st.image, st.pass_index, list(st.categories), st.comment, st.favorite, st.seen,
                             st.seen_time, top) for st in states])
            firsts = [st.image for st in states if st.pass_index == 1]
            conn.execute(q("SELECT {s}.push_end(%s, %s, %s)", plan), (top, max(local_seq, top), firsts))
        return top

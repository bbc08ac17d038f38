"""The outbox: every committed action, in commit order, for a campaign server.

Triggers on the store's own tables append one outbox row per action, undo, redo,
rename and first look, inside the transaction that commits it: whatever path commits
an action, the row exists exactly when the action does. The row's ``seq`` (with the
annotator) is the action's identity on the server, so resending is harmless. The
server's acknowledgement is remembered in ``sync_state``.

Reading goes through a separate connection (the sync thread's), never the one the
session commits on.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Sequence

_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

#: Schema step 1 -> 2 of the SQLite store (additive: two tables and five triggers);
#: existing actions and first looks are copied in, so an older store syncs its history.
MIGRATION = f"""
CREATE TABLE outbox(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, image TEXT NOT NULL, pass INTEGER NOT NULL,
    kind TEXT NOT NULL, action INTEGER, description TEXT NOT NULL DEFAULT '',
    changes TEXT NOT NULL DEFAULT '[]', time TEXT NOT NULL DEFAULT ({_NOW}));
CREATE TABLE sync_state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO outbox(image, pass, kind, action, description, changes)
    SELECT image, pass, 'do', id, description, changes FROM actions WHERE undone = 0 ORDER BY id;
INSERT INTO outbox(image, pass, kind) SELECT image, pass, 'seen' FROM image_state WHERE seen = 1;
CREATE TRIGGER outbox_do AFTER INSERT ON actions BEGIN
    INSERT INTO outbox(image, pass, kind, action, description, changes)
    VALUES (new.image, new.pass, 'do', new.id, new.description, new.changes);
END;
CREATE TRIGGER outbox_step AFTER UPDATE OF undone ON actions WHEN new.undone != old.undone BEGIN
    INSERT INTO outbox(image, pass, kind, action, description, changes)
    VALUES (new.image, new.pass, CASE new.undone WHEN 1 THEN 'undo' ELSE 'redo' END, new.id,
            new.description, new.changes);
END;
CREATE TRIGGER outbox_rename AFTER UPDATE OF changes ON actions WHEN new.changes != old.changes BEGIN
    INSERT INTO outbox(image, pass, kind, action, description, changes)
    VALUES (new.image, new.pass, 'rename', new.id, new.description, new.changes);
END;
CREATE TRIGGER outbox_seen_new AFTER INSERT ON image_state WHEN new.seen = 1 BEGIN
    INSERT INTO outbox(image, pass, kind) VALUES (new.image, new.pass, 'seen');
END;
CREATE TRIGGER outbox_seen AFTER UPDATE OF seen ON image_state WHEN new.seen = 1 AND old.seen = 0 BEGIN
    INSERT INTO outbox(image, pass, kind) VALUES (new.image, new.pass, 'seen');
END;
"""


def statements(script: str) -> list[str]:
    """The complete SQL statements of ``script`` (trigger bodies hold semicolons)."""
    out: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out


@dataclass(frozen=True)
class Event:
    """One outbox row: an action as the server stores it."""

    seq: int
    image: str
    pass_index: int
    kind: str
    description: str
    changes: str  # JSON text, as committed
    time: str  # UTC of the local commit (the annotator's clock: information only)


@dataclass(frozen=True)
class KeyState:
    """The current state of one (image, pass) in the local store."""

    image: str
    pass_index: int
    categories: tuple[str, ...]
    comment: str
    favorite: bool
    seen: bool
    seen_time: str | None
    marks: tuple[tuple[Any, ...], ...]  # (id, group, label, x, y, frame, ra, dec, time)


class OutboxReader:
    """The outbox of one store file, through its own connection (the sync thread's)."""

    def __init__(self, path: Any):
        self.path = path
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._lock = threading.Lock()  # the sync thread reads, the window asks how much is waiting

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def last_seq(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]

    def sequence_names(self) -> list[str]:
        """Names in the stored image sequence (any pass)."""
        with self._lock:
            rows = self._conn.execute("SELECT entries FROM sequence ORDER BY chunk").fetchall()
        return [name for (text,) in rows for name, _ in json.loads(text)]

    def read(self, after: int, limit: int = 1000) -> tuple[list[Event], list[KeyState]]:
        """Events after ``after`` and the current state of every key they touch, read in
        one snapshot, so the state is at least as new as the last event."""
        with self._lock:
            return self._read(after, limit)

    def _read(self, after: int, limit: int) -> tuple[list[Event], list[KeyState]]:
        conn = self._conn
        conn.execute("BEGIN")
        try:
            rows = conn.execute("SELECT seq, image, pass, kind, description, changes, time FROM outbox "
                                "WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)).fetchall()
            events = [Event(*row) for row in rows]
            keys = list(dict.fromkeys((e.image, e.pass_index) for e in events))
            states = [self._state(image, pass_index) for image, pass_index in keys]
        finally:
            conn.execute("COMMIT")
        return events, states

    def _state(self, image: str, pass_index: int) -> KeyState:
        conn = self._conn
        row = conn.execute("SELECT categories, comment, favorite, seen, seen_time FROM image_state "
                           "WHERE image = ? AND pass = ?", (image, pass_index)).fetchone()
        marks = conn.execute("SELECT id, grp, label, x, y, frame, ra, dec, time FROM marks "
                             "WHERE image = ? AND pass = ? ORDER BY id", (image, pass_index)).fetchall()
        if row is None:
            return KeyState(image, pass_index, (), "", False, False, None, tuple(marks))
        cats, comment, favorite, seen, seen_time = row
        return KeyState(image, pass_index, tuple(json.loads(cats)), comment, bool(favorite), bool(seen),
                        seen_time, tuple(marks))

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO sync_state(key, value) VALUES (?, ?) ON CONFLICT(key) "
                           "DO UPDATE SET value = excluded.value", (key, json.dumps(value)))

    def events(self, seqs: Sequence[int] | None = None) -> list[Event]:
        """Every outbox row (checks and tests)."""
        with self._lock:
            rows = self._conn.execute("SELECT seq, image, pass, kind, description, changes, time FROM outbox "
                                      "ORDER BY seq").fetchall()
        return [Event(*row) for row in rows if seqs is None or row[0] in seqs]

"""The SQLite store: one database file per annotator in the output folder.

Durability: WAL journal with ``synchronous=NORMAL`` and no automatic checkpoints;
every action is one ``BEGIN IMMEDIATE ... COMMIT`` that has finished before the call
returns, so it survives the process being killed at any instant. The commit does not
wait for the disk: a :class:`~imgmarker.kernel.store.durability.Syncer` thread syncs
the log right after and reports which commits are durable (survive a power cut), so
a slow disk never stalls the annotator and a GUI shows an action as stored only then
(:attr:`SqliteStore.durable`, :meth:`SqliteStore.wait_durable`, ``on_durable``). Writers read through separate read-only
connections, which in WAL mode never block the annotator (nor are blocked by them).
The schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` brings an older
file up to date, one transaction per step.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from imgmarker.kernel.annotations.marks import FrameGeometry, ImageState, Mark
from imgmarker.kernel.annotations.rows import ImageRow, MarkRow
from imgmarker.kernel.store.base import IMAGE_COLUMN_FIELDS, MARK_COLUMN_FIELDS, Action, Key, Store, StoreError
from imgmarker.kernel.annotations.changes import Change, invert, rename_changes
from imgmarker.kernel.store.names import exact_rows, from_db, json_text, readable_rows, to_db
from imgmarker.kernel.store import outbox
from imgmarker.kernel.store.durability import DurabilityOf, Syncer

#: Marks the file as an imgmarker store (``PRAGMA application_id``): "imgm".
APPLICATION_ID = 0x696D676D
BUSY_TIMEOUT_MS = 10_000

_V1 = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sequence(chunk INTEGER PRIMARY KEY, entries TEXT NOT NULL);
CREATE TABLE image_state(
    image TEXT NOT NULL, pass INTEGER NOT NULL,
    categories TEXT NOT NULL DEFAULT '[]', comment TEXT NOT NULL DEFAULT '',
    favorite INTEGER NOT NULL DEFAULT 0, seen INTEGER NOT NULL DEFAULT 0, seen_time TEXT,
    PRIMARY KEY(image, pass)) WITHOUT ROWID;
CREATE TABLE marks(
    id INTEGER PRIMARY KEY AUTOINCREMENT, image TEXT NOT NULL, pass INTEGER NOT NULL,
    grp TEXT NOT NULL, label TEXT NOT NULL, x REAL NOT NULL, y REAL NOT NULL,
    frame INTEGER NOT NULL, ra REAL, dec REAL, time TEXT NOT NULL);
CREATE INDEX marks_by_image ON marks(image, pass);
CREATE TABLE actions(
    id INTEGER PRIMARY KEY AUTOINCREMENT, image TEXT NOT NULL, pass INTEGER NOT NULL,
    description TEXT NOT NULL, changes TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0);
CREATE INDEX actions_by_image ON actions(image, pass, undone, id);
CREATE TABLE geometry(
    image TEXT NOT NULL, frame INTEGER NOT NULL, height INTEGER NOT NULL, width INTEGER NOT NULL,
    ra_center REAL, dec_center REAL, PRIMARY KEY(image, frame)) WITHOUT ROWID;
"""

#: Schema steps; entry i takes a file from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = (_V1, outbox.MIGRATION)
SCHEMA_VERSION = len(MIGRATIONS)

_MARK_COLUMNS = "id, image, grp, label, x, y, frame, ra, dec, time, pass"
_FIELD_COLUMNS = {"group": "grp", "label": "label", "x": "x", "y": "y", "frame": "frame",
                  "ra": "ra", "dec": "dec", "time": "time"}
_IMAGE_FIELDS = {"categories", "comment", "favorite"}


def _mark(row: Sequence[Any]) -> Mark:
    return Mark(id=row[0], image=from_db(row[1]), group=row[2], label=row[3], x=row[4], y=row[5],
                frame=row[6], ra=row[7], dec=row[8], time=row[9], pass_index=row[10])


def _connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the annotation database: {exc}") from exc
    return conn


class SqliteStore(DurabilityOf, Store):
    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool):
        self.path = path
        self._conn = conn
        self._readonly = readonly
        self._lock = threading.RLock()
        self._syncer = None if readonly else Syncer(path)
        self._seen_later: list[tuple[Key, str]] = []  # see Store.mark_seen

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> "SqliteStore":
        """Open (creating and migrating when writable) the database at ``path``."""
        path = Path(path)
        if readonly and not path.is_file():
            raise StoreError(f"{path}: no annotation database here")
        conn = _connect(path, readonly=readonly)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{path}: not an imgmarker database ({exc})") from exc
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version != 0):
            conn.close()
            raise StoreError(f"{path}: not an imgmarker database")
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{path}: written by a newer imgmarker (schema {version}, "
                             f"this version reads up to {SCHEMA_VERSION}); upgrade imgmarker")
        if readonly:
            if version == 0:
                conn.close()
                raise StoreError(f"{path}: not an imgmarker database (empty, or never set up by imgmarker)")
            if version < SCHEMA_VERSION:
                conn.close()
                raise StoreError(f"{path}: schema {version} is older than {SCHEMA_VERSION}; "
                                 "open the campaign once to upgrade it")
            return cls(path, conn, True)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # set-up and migrations wait for the disk
            cls._migrate(conn, version)
            conn.execute("PRAGMA synchronous=NORMAL")  # actions do not: the syncer thread does
            conn.execute("PRAGMA wal_autocheckpoint=0")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"{path}: cannot prepare the annotation database: {exc}") from exc
        return cls(path, conn, False)

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        for step in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in outbox.statements(MIGRATIONS[step]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={step + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def reader(self) -> "SqliteStore":
        return SqliteStore.open(self.path, readonly=True)

    def close(self) -> None:
        with self._lock:
            self.settle()
            if self._syncer is not None:
                self._syncer.close()
            if self._conn is not None:
                self._conn.close()  # the last connection checkpoints the log, syncing the file
                self._conn = None  # type: ignore[assignment]

    @property
    def schema_version(self) -> int:
        return self._query("PRAGMA user_version")[0][0]

    # -- plumbing ------------------------------------------------------------
    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if self._readonly:
            raise StoreError(f"{self.path}: opened read-only")
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            waiting, self._seen_later = self._seen_later, []
            try:
                for key, time in waiting:  # before this write: the outbox keeps the order of events
                    self._seen(conn, key, time)
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                self._seen_later[:0] = waiting
                raise
            conn.execute("COMMIT")
            if self._syncer is not None:
                self._syncer.commit()

    def _query(self, sql: str, params: Sequence[Any] = (), *, settled: bool = True) -> list[tuple]:
        """``settled``: write what :meth:`mark_seen` left for later first (not needed for
        reads that no seen mark can change, e.g. an image's marks)."""
        with self._lock:
            if settled:
                self.settle()
            return self._conn.execute(sql, params).fetchall()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        with self._lock:
            self.settle()
            self._conn.execute("BEGIN")
            try:
                yield
            finally:
                self._conn.execute("COMMIT")

    # -- sequence, meta, settings ------------------------------------------
    # The sequence is stored as JSON chunks, one per append: 100,000 entries load and
    # store in tens of milliseconds, and the order never changes once written.
    def sequence(self) -> list[Key]:
        keys: list[Key] = []
        for (text,) in self._query("SELECT entries FROM sequence ORDER BY chunk"):
            keys.extend(map(tuple, json.loads(text)))
        return keys

    def append_sequence(self, keys: Iterable[Key]) -> None:
        text = json_text([[name, p] for name, p in keys])
        with self._tx() as conn:
            conn.execute("INSERT INTO sequence(entries) VALUES (?)", (text,))

    def create_sequence(self, keys: Iterable[Key], meta: Mapping[str, Any] | None = None) -> list[Key]:
        keys = keys if isinstance(keys, list) else list(keys)
        text = json_text([[name, p] for name, p in keys])
        with self._tx() as conn:
            if conn.execute("SELECT count(*) FROM sequence").fetchone()[0] == 0:
                conn.execute("INSERT INTO sequence(entries) VALUES (?)", (text,))
                self._put_meta(conn, meta)
                return keys
        return self.sequence()

    @staticmethod
    def _put_meta(conn: sqlite3.Connection, meta: Mapping[str, Any] | None) -> None:
        conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         [(key, json_text(value)) for key, value in (meta or {}).items()])

    def _get_json(self, table: str, key: str, default: Any) -> Any:
        rows = self._query(f"SELECT value FROM {table} WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def _set_json(self, table: str, key: str, value: Any) -> None:
        text = json_text(value)
        with self._tx() as conn:
            conn.execute(f"INSERT INTO {table}(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, text))

    def get_meta(self, key: str, default: Any = None) -> Any:
        return self._get_json("meta", key, default)

    def set_meta(self, key: str, value: Any) -> None:
        self._set_json("meta", key, value)

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self._get_json("settings", key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self._set_json("settings", key, value)

    # -- reading state -----------------------------------------------------
    def marks(self, image: str, pass_index: int) -> list[Mark]:
        rows = self._query(f"SELECT {_MARK_COLUMNS} FROM marks WHERE image = ? AND pass = ? ORDER BY id",
                           (to_db(image), pass_index), settled=False)
        return [_mark(r) for r in rows]

    def mark(self, mark_id: int) -> Mark | None:
        rows = self._query(f"SELECT {_MARK_COLUMNS} FROM marks WHERE id = ?", (mark_id,), settled=False)
        return _mark(rows[0]) if rows else None

    def image_state(self, image: str, pass_index: int) -> ImageState:
        rows = self._query("SELECT categories, comment, favorite, seen, seen_time FROM image_state "
                           "WHERE image = ? AND pass = ?", (to_db(image), pass_index))
        if not rows:
            return ImageState()
        cats, comment, favorite, seen, seen_time = rows[0]
        return ImageState(tuple(json.loads(cats)), comment, bool(favorite), bool(seen), seen_time)

    def image_states(self) -> dict[Key, ImageState]:
        rows = exact_rows(self._query("SELECT image, pass, categories, comment, favorite, seen, seen_time "
                                      "FROM image_state"))
        return {(image, p): ImageState(tuple(json.loads(cats)), comment, bool(fav), bool(seen), seen_time)
                for image, p, cats, comment, fav, seen, seen_time in rows}

    def seen_keys(self) -> set[Key]:
        return set(exact_rows(self._query("SELECT image, pass FROM image_state WHERE seen = 1")))

    def mark_counts(self) -> dict[Key, int]:
        rows = exact_rows(self._query("SELECT image, pass, count(*) FROM marks GROUP BY image, pass"))
        return {(image, p): n for image, p, n in rows}

    # -- actions -------------------------------------------------------------
    def _apply_one(self, conn: sqlite3.Connection, key: Key, change: Change) -> Change:
        kind = change["t"]
        if kind == "add":
            m = change["mark"]
            values = (to_db(m["image"]), m["pass_index"], m["group"], m["label"], m["x"], m["y"],
                      m["frame"], m["ra"], m["dec"], m["time"])
            if m.get("id") is None:
                cur = conn.execute("INSERT INTO marks(image, pass, grp, label, x, y, frame, ra, dec, time) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
                return {"t": "add", "mark": {**m, "id": cur.lastrowid}}
            conn.execute("INSERT INTO marks(id, image, pass, grp, label, x, y, frame, ra, dec, time) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (m["id"],) + values)
            return change
        if kind == "del":
            conn.execute("DELETE FROM marks WHERE id = ?", (change["mark"]["id"],))
            return change
        if kind == "upd":
            fields = change["new"]
            sets = ", ".join(f"{_FIELD_COLUMNS[f]} = ?" for f in fields)
            conn.execute(f"UPDATE marks SET {sets} WHERE id = ?", (*fields.values(), change["id"]))
            return change
        if kind == "img":
            field = change["field"]
            if field not in _IMAGE_FIELDS:
                raise ValueError(f"unknown image field {field!r}")
            value = change["new"]
            if field == "categories":
                value = json_text(list(value))
            elif field == "favorite":
                value = int(bool(value))
            conn.execute(f"INSERT INTO image_state(image, pass, {field}) VALUES (?, ?, ?) "
                         f"ON CONFLICT(image, pass) DO UPDATE SET {field} = excluded.{field}",
                         (to_db(key[0]), key[1], value))
            return change
        raise ValueError(f"unknown change {kind!r}")

    def apply(self, key: Key, description: str, changes: Sequence[Change], *,
              seen_time: str | None = None) -> list[Change]:
        with self._tx() as conn:
            done = [self._apply_one(conn, key, c) for c in changes]
            conn.execute("DELETE FROM actions WHERE image = ? AND pass = ? AND undone = 1", (to_db(key[0]), key[1]))
            conn.execute("INSERT INTO actions(image, pass, description, changes) VALUES (?, ?, ?, ?)",
                         (to_db(key[0]), key[1], description, json_text(done)))
            if seen_time is not None:
                self._seen(conn, key, seen_time)
        return done

    def _step(self, key: Key, undo: bool) -> Action | None:
        with self._tx() as conn:
            row = conn.execute(
                "SELECT id, description, changes FROM actions WHERE image = ? AND pass = ? AND undone = ? "
                f"ORDER BY id {'DESC' if undo else 'ASC'} LIMIT 1", (to_db(key[0]), key[1], 0 if undo else 1)).fetchone()
            if row is None:
                return None
            action_id, description, text = row
            changes = json.loads(text)
            todo = invert(changes) if undo else changes
            for change in todo:
                self._apply_one(conn, key, change)
            conn.execute("UPDATE actions SET undone = ? WHERE id = ?", (1 if undo else 0, action_id))
        return Action(description, tuple(todo))

    def undo(self, key: Key) -> Action | None:
        return self._step(key, True)

    def redo(self, key: Key) -> Action | None:
        return self._step(key, False)

    def rename(self, groups: Mapping[str, str], categories: Mapping[str, str], *,
               settings: Mapping[str, Any] | None = None) -> int:
        """Rename groups and categories in marks, image states and the undo log, in one
        transaction; a label equal to its old group name follows the rename. Returns the
        number of marks changed. Mappings apply at once, so swapping two names works.
        ``settings`` are stored in the same transaction (the names they imply)."""
        groups = {a: b for a, b in groups.items() if a != b}
        categories = {a: b for a, b in categories.items() if a != b}
        changed = 0
        with self._tx() as conn:
            for key, value in (settings or {}).items():
                conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) "
                             "DO UPDATE SET value = excluded.value", (key, json_text(value)))
            if not groups and not categories:
                return 0
            if groups:
                marks = conn.execute(
                    f"SELECT id, grp, label FROM marks WHERE grp IN ({','.join('?' * len(groups))})",
                    tuple(groups)).fetchall()
                conn.executemany("UPDATE marks SET grp = ?, label = ? WHERE id = ?",
                                 [(groups[g], groups[g] if label == g else label, i) for i, g, label in marks])
                changed = len(marks)
            if categories:
                rows = conn.execute("SELECT image, pass, categories FROM image_state WHERE categories != '[]'")
                updates = []
                for image, pass_index, text in rows.fetchall():
                    names = json.loads(text)
                    renamed = [categories.get(n, n) for n in names]
                    if renamed != names:
                        updates.append((json_text(renamed), image, pass_index))
                conn.executemany("UPDATE image_state SET categories = ? WHERE image = ? AND pass = ?", updates)
            log = conn.execute("SELECT id, changes FROM actions").fetchall()
            conn.executemany("UPDATE actions SET changes = ? WHERE id = ?", [
                (json_text(new), i) for i, text in log
                if (new := rename_changes(json.loads(text), groups, categories)) is not None])
        return changed

    def replace_sequence(self, keys: Iterable[Key], meta: Mapping[str, Any] | None = None) -> None:
        text = json_text([[name, p] for name, p in keys])
        with self._tx() as conn:
            conn.execute("DELETE FROM sequence")
            conn.execute("INSERT INTO sequence(entries) VALUES (?)", (text,))
            self._put_meta(conn, meta)

    @staticmethod
    def _seen(conn: sqlite3.Connection, key: Key, time: str) -> None:
        conn.execute("INSERT INTO image_state(image, pass, seen, seen_time) VALUES (?, ?, 1, ?) "
                     "ON CONFLICT(image, pass) DO UPDATE SET seen = 1, "
                     "seen_time = coalesce(image_state.seen_time, excluded.seen_time)",
                     (to_db(key[0]), key[1], time))

    def mark_seen(self, key: Key, time: str, *, later: bool = False) -> None:
        if later and not self._readonly:
            with self._lock:
                self._seen_later.append((key, time))
            return
        with self._tx() as conn:
            self._seen(conn, key, time)

    def settle(self) -> None:
        with self._lock:
            if self._seen_later and self._conn is not None:
                with self._tx():
                    pass

    # -- geometry ------------------------------------------------------------
    def put_geometries(self, geometries: Iterable[FrameGeometry]) -> None:
        rows = [(to_db(g.image), g.frame, g.height, g.width, g.ra_center, g.dec_center) for g in geometries]
        with self._tx() as conn:
            conn.executemany("INSERT OR REPLACE INTO geometry(image, frame, height, width, ra_center, dec_center) "
                             "VALUES (?, ?, ?, ?, ?, ?)", rows)

    def geometry(self, image: str, frame: int) -> FrameGeometry | None:
        rows = self._query("SELECT image, frame, height, width, ra_center, dec_center FROM geometry "
                           "WHERE image = ? AND frame = ?", (to_db(image), frame))
        return FrameGeometry(image, *rows[0][1:]) if rows else None

    def geometries(self) -> dict[tuple[str, int], FrameGeometry]:
        rows = readable_rows(self._query("SELECT image, frame, height, width, ra_center, dec_center FROM geometry"))
        return {(r[0], r[1]): FrameGeometry(*r) for r in rows}

    # -- what writers read ---------------------------------------------------
    def mark_rows(self) -> Iterator[MarkRow]:
        """Marks by image, pass, then placement order."""
        # "+image" keeps SQLite off the (image, pass) index: a table scan and one sort
        # beat fetching 100,000 rows one index entry at a time.
        rows = self._query("SELECT id, image, grp, label, x, y, ra, dec, frame, time, pass FROM marks "
                           "ORDER BY +image, pass, id")
        rows = readable_rows(rows, 1)
        # tuple.__new__ turns each fetched tuple into a MarkRow without Python code per row
        return map(functools.partial(tuple.__new__, MarkRow), rows)

    def mark_columns(self) -> dict[str, Sequence[Any]]:
        """All marks as columns in placement order: one scan of the table (ids are its
        row ids, so the order costs no sort), no row objects."""
        rows = readable_rows(self._query("SELECT image, grp, label, x, y, ra, dec, pass FROM marks ORDER BY id"))
        columns = list(zip(*rows)) if rows else [()] * len(MARK_COLUMN_FIELDS)
        return dict(zip(MARK_COLUMN_FIELDS, columns))

    def image_columns(self) -> dict[str, Sequence[Any]]:
        """One scan of the image table in key order (image, pass); each distinct set of
        categories is decoded once."""
        rows = readable_rows(self._query("SELECT image, pass, categories, comment, favorite = 1 FROM image_state "
                                         "ORDER BY image, pass"))
        columns = list(zip(*rows)) if rows else [()] * len(IMAGE_COLUMN_FIELDS)
        chosen = {text: tuple(json.loads(text)) for text in set(columns[2])}
        columns[2] = tuple(map(chosen.__getitem__, columns[2]))
        columns[4] = tuple(map(bool, columns[4]))
        return dict(zip(IMAGE_COLUMN_FIELDS, columns))

    def image_rows(self) -> Iterator[ImageRow]:
        """Images the annotator has seen, classified, commented or liked, by name and pass."""
        centres: dict[str, tuple[float, float]] = {}
        for (image, frame), g in sorted(self.geometries().items()):
            if g.ra_center is not None and image not in centres:
                centres[image] = (g.ra_center, g.dec_center)
        rows = readable_rows(self._query("SELECT image, pass, categories, comment, favorite, seen_time "
                                         "FROM image_state ORDER BY image, pass"))
        chosen: dict[str, tuple[str, ...]] = {"[]": ()}  # few distinct category sets
        no_centre = (None, None)
        new = tuple.__new__
        for image, pass_index, cats, comment, favorite, seen_time in rows:
            ra, dec = centres.get(image, no_centre)
            categories = chosen.get(cats)
            if categories is None:
                categories = chosen[cats] = tuple(json.loads(cats))
            yield new(ImageRow, (image, ra, dec, categories, comment, favorite == 1, seen_time, pass_index))

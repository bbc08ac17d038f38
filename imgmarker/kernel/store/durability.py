"""Making committed transactions durable off the caller's thread.

The store commits in WAL mode with ``synchronous=NORMAL`` and no automatic checkpoints,
so a commit appends to the write-ahead log and returns without waiting for the disk:
it survives the process being killed at once, and a power cut once the log has been
synced. A :class:`Syncer` thread does that sync (and, now and then, a checkpoint that
moves the log into the database file) and then reports which commits are durable, so a
GUI shows an action as stored only when it is. Each commit has a number, in order; a
sync makes every commit up to the newest one it saw durable.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable

#: checkpoint (copy the log into the database, then start it afresh) past this size
CHECKPOINT_BYTES = 4 * 1024 * 1024


def fsync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk (any descriptor of a file flushes all its pages)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


class Syncer:
    """Syncs the write-ahead log of the database at ``path`` after commits.

    ``sync`` is the step that flushes a file to the disk (:func:`fsync_file`); a test or
    a benchmark may give a slower or a blocking one. ``on_durable(n)`` is called from
    the syncer's thread when commits up to number ``n`` are durable.
    """

    def __init__(self, path: Path, *, sync: Callable[[Path], None] = fsync_file,
                 on_durable: Callable[[int], None] | None = None):
        self.path = Path(path)
        self.wal = self.path.with_name(self.path.name + "-wal")
        self.sync = sync
        self.on_durable = on_durable
        self._cond = threading.Condition()
        self._committed = 0
        self._durable = 0
        self._closed = False
        self._error: BaseException | None = None
        self._dir_synced = False
        self._thread = threading.Thread(target=self._run, name="imgmarker-sync", daemon=True)
        self._thread.start()

    @property
    def committed(self) -> int:
        with self._cond:
            return self._committed

    @property
    def durable(self) -> int:
        with self._cond:
            return self._durable

    def commit(self) -> int:
        """Note one more commit; its number."""
        with self._cond:
            self._committed += 1
            self._cond.notify_all()
            return self._committed

    def flush(self, timeout: float | None = None) -> bool:
        """Make durable everything written to the log before this call: a sync that
        starts after it (even when every counted commit is durable already, a commit
        whose count is still on its way is covered)."""
        return self.wait(self.commit(), timeout)

    def wait(self, number: int | None = None, timeout: float | None = None) -> bool:
        """Block until commit ``number`` (default: the last one) is durable."""
        with self._cond:
            target = self._committed if number is None else number
            return self._cond.wait_for(lambda: self._durable >= target or self._closed, timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Sync what is committed, then stop."""
        self.wait(timeout=timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._committed > self._durable)
                if self._committed <= self._durable:
                    return  # closed with nothing left to do
                target = self._committed
            try:
                self._sync_once()
            except BaseException as exc:  # reported by the next wait; never kills the process
                self._error = exc
                time.sleep(0.05)
                continue
            with self._cond:
                self._durable = max(self._durable, target)
                self._cond.notify_all()
            if self.on_durable is not None:
                try:
                    self.on_durable(target)
                except Exception:
                    pass

    def _sync_once(self) -> None:
        self.sync(self.wal)
        if not self._dir_synced:  # the log's name in its folder must be durable too
            fsync_dir(self.path.parent)
            self._dir_synced = True
        try:
            size = self.wal.stat().st_size
        except OSError:
            return
        if size > CHECKPOINT_BYTES:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the synced log into the database file (it syncs the file itself)."""
        conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=0.0, check_same_thread=False)
        try:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:  # busy: the next round tries again
            pass
        finally:
            conn.close()


class DurabilityOf:
    """What a store with a :class:`Syncer` (in ``self._syncer``; None when read-only)
    tells about its commits reaching the disk."""

    _syncer: Syncer | None

    @property
    def committed(self) -> int:
        """Number of the last commit (in order, from 1; 0: none since opening)."""
        return self._syncer.committed if self._syncer is not None else 0

    @property
    def durable(self) -> int:
        """Commits up to this number are on the disk."""
        return self._syncer.durable if self._syncer is not None else 0

    def wait_durable(self, number: int | None = None, timeout: float | None = None) -> bool:
        """Block until commit ``number`` (default: the last) is on the disk."""
        return True if self._syncer is None else self._syncer.wait(number, timeout)

    def make_durable(self, timeout: float | None = None) -> bool:
        """Sync everything committed so far, now: for readers of this database that pass
        its actions on (a campaign server must never hold what a power cut could take
        back from the annotator's disk). False when ``timeout`` ran out."""
        return True if self._syncer is None else self._syncer.flush(timeout)

    @property
    def on_durable(self) -> Any:
        """Called (from the syncing thread) with the number up to which commits are durable."""
        return self._syncer.on_durable if self._syncer is not None else None

    @on_durable.setter
    def on_durable(self, callback: Any) -> None:
        if self._syncer is not None:
            self._syncer.on_durable = callback

    @property
    def sync_step(self) -> Any:
        """The function that flushes the log file to the disk (replaceable: a slow disk in a benchmark)."""
        return self._syncer.sync if self._syncer is not None else None

    @sync_step.setter
    def sync_step(self, sync: Any) -> None:
        if self._syncer is not None:
            self._syncer.sync = sync

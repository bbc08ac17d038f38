"""One marking session per annotator and results folder at a time.

Two windows marking as the same user would interleave their actions and undo
histories in one database; the second one is refused with a message saying who holds
the campaign. The locks are OS advisory locks (``flock``), so they disappear with the
process however it ends (even SIGKILL); readers (export, aggregate) do not take them.

Two locks are held: one on a small lock file, which says who holds the campaign, and
one on the annotator's database file itself. A lock file can be deleted while its
session runs, and nobody would notice; the database cannot be deleted without losing
the work, so its lock is the one that keeps a second writer out. ``flock`` locks do
not interact with SQLite's own (``fcntl``) locks. The database's descriptor is closed
only after the store, except when a second session is refused: closing it then drops
the ``fcntl`` locks the first session's connections hold, which matters only when
both sessions are in one process and the lock file was deleted in between.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locking, as before
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("imgmarker.session")

_BUSY = {errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES}


class SessionBusy(RuntimeError):
    """Another live process is marking as this annotator in this results folder."""


def _try_lock(fd: int, path: Path) -> bool:
    """Take the exclusive lock on ``fd`` without waiting; False when someone holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _BUSY:
            return False
        log.warning("%s: cannot be locked (%s); a second session would not be refused", path, exc.strerror)
    return True


class AnnotatorLock:
    def __init__(self, output_dir: Path, user: str, database: Path | None = None):
        self.path = Path(output_dir) / f".{user}.imgmarker.lock"
        self.user = user
        self.database = Path(database) if database is not None else None
        self._fds: list[int] = []

    def acquire(self) -> "AnnotatorLock":
        """Take both locks or raise :class:`SessionBusy` (OSError when the folder cannot be written)."""
        if fcntl is None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd, self.path):
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise SessionBusy(f"{self.path.parent}: the campaign of {self.user!r} is already "
                              f"open ({holder}); close it there first")
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode("ascii"))
        self._fds.append(fd)
        if self.database is not None:
            try:
                db = os.open(self.database, os.O_RDONLY | os.O_CREAT, 0o644)
            except OSError:
                self.release()
                raise
            if not _try_lock(db, self.database):
                os.close(db)
                self.release()
                raise SessionBusy(f"{self.path.parent}: the campaign of {self.user!r} is already open in "
                                  f"another process (its lock file {self.path.name} was removed); "
                                  "close it there first")
            self._fds.append(db)
        return self

    def release(self) -> None:
        while self._fds:  # closing a descriptor releases its lock; the database's goes first
            os.close(self._fds.pop())

"""One marking session per annotator and results folder at a time.

Two windows marking as the same user would interleave their actions and undo
histories in one database; the second one is refused with a message saying who holds
the campaign. The lock is an OS advisory lock on a small file, so it disappears with
the process however it ends (even SIGKILL); readers (export, aggregate) do not take it.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locking, as before
    fcntl = None  # type: ignore[assignment]


class SessionBusy(RuntimeError):
    """Another live process is marking as this annotator in this results folder."""


class AnnotatorLock:
    def __init__(self, output_dir: Path, user: str):
        self.path = Path(output_dir) / f".{user}.imgmarker.lock"
        self._fd: int | None = None

    def acquire(self) -> "AnnotatorLock":
        if fcntl is None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise SessionBusy(f"{self.path.parent}: the campaign of {self.path.name[1:].split('.')[0]!r} is already "
                              f"open ({holder}); close it there first") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()}".encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

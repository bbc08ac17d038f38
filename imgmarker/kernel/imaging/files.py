"""What a path on disk is, in words, before any reader touches it.

Image and catalog readers open paths; a FIFO would block them for ever, a folder named
like an image or a dangling link would end in a reader's own puzzling error. Asking
the file system first turns each of these into one clear reason.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def why_not_a_file(path: Path) -> str:
    """Why ``path`` is not a regular file an image reader can open, in words."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return "not found" if exc.errno == errno.ENOENT else (exc.strerror or str(exc))
    if stat.S_ISLNK(info.st_mode):
        try:
            info = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "a symbolic link loop"
            if exc.errno == errno.ENOENT:
                try:
                    return f"a dangling symbolic link (to {os.readlink(path)})"
                except OSError:
                    return "a dangling symbolic link"
            return exc.strerror or str(exc)
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder, not an image file"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    return "not a regular file"


def not_a_regular_file(path: Path | str) -> str | None:
    """None for a regular file (links followed), else why ``path`` is not one."""
    try:
        if stat.S_ISREG(os.stat(path).st_mode):
            return None
    except OSError:
        pass
    return why_not_a_file(Path(path))

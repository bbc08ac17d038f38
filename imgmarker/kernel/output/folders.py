"""Whether a results folder can be made and written, asked before anything is written.

``validate`` says so before a campaign starts, so nobody marks for an hour to find
their results had nowhere to go. Asking leaves nothing behind (a probe folder is made
and removed at once).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def folder_problem(path: Path | str) -> str | None:
    """None when ``path`` is (or can be made) a folder this process can write; else why not."""
    path = Path(path)
    probe = path
    while not os.path.lexists(probe) and probe.parent != probe:
        probe = probe.parent  # the nearest part of the path that exists
    verb = "written" if probe == path else "created"
    if not os.path.isdir(probe):
        what = "a file" if os.path.isfile(probe) else (
            "a dangling link" if os.path.islink(probe) and not os.path.exists(probe) else "not a folder")
        return f"cannot be {verb}: {probe} is {what}"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"cannot be {verb}: {probe} is not writable"
    try:  # the only sure answer (a read-only mount, /proc, root's access checks): try
        os.rmdir(tempfile.mkdtemp(prefix=".imgmarker-probe-", dir=probe))
    except OSError as exc:
        return f"cannot be {verb}: {probe}: {exc.strerror or exc}"
    return None

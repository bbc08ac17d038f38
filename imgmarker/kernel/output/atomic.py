"""Writing files so that a reader never sees half of one: write a temporary file in the
same folder, flush it to disk, then rename it over the target."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

SHARED_MODE = 0o644


@contextlib.contextmanager
def atomic_write(target: Path | str, mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO]:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, SHARED_MODE)  # mkstemp makes 0600; results are meant to be shared
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_output(output_dir: Path, name: str, mode: str = "w") -> Iterator[IO]:
    """An atomic write of ``name`` inside ``output_dir``; a writer plugin may not write
    outside the results folder (a name like ``../x`` is refused)."""
    target = Path(output_dir) / name
    if Path(output_dir).resolve() not in target.resolve().parents:
        raise ValueError(f"writer output {name!r} is outside {output_dir}")
    with atomic_write(target, mode, newline="") as handle:
        yield handle

"""Content fingerprints of image files: cheap enough for thousands of large FITS files.

The size plus a SHA-256 of the first and last MiB tells a truncated download, another
data release or a re-reduced image apart from the campaign's copy without reading
whole files (a change only in the middle of a large file goes unnoticed).
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

CHUNK = 1 << 20


def fingerprint(path: Path) -> tuple[int, str] | None:
    """(size in bytes, "sha256:<hex>" of first and last MiB), or None if unreadable."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            digest = hashlib.sha256(size.to_bytes(8, "big"))
            digest.update(handle.read(CHUNK))
            if size > CHUNK:
                handle.seek(max(CHUNK, size - CHUNK))
                digest.update(handle.read(CHUNK))
    except OSError:
        return None
    return size, "sha256:" + digest.hexdigest()


def fingerprints(paths: Iterable[Path], workers: int = 4) -> list[tuple[int, str] | None]:
    """Fingerprints of many files, read by a few threads (the work is waiting on disks)."""
    paths = list(paths)
    if len(paths) < 16 or workers < 2:
        return [fingerprint(p) for p in paths]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fingerprint, paths, chunksize=64))

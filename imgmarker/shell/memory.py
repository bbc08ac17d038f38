"""Giving freed frame-sized memory back to the system at once (Linux with glibc).

glibc serves large allocations with their own memory maps, but after the first one is
freed it raises that threshold (up to 32 MiB) and serves later ones from its heaps, whose
freed pages stay in the process. Render temporaries and previews of a few MiB then keep
the window's resident memory tens of MiB above what the caches hold. A fixed threshold
keeps every allocation of 1 MiB and more in its own map, unmapped when freed; smaller
ones, Python's objects among them, are unaffected.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
THRESHOLD = 1 << 20


def return_freed_memory() -> bool:
    """Fix glibc's threshold for memory-mapped allocations; False where that does not apply."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # another C library (musl): nothing to tune
            return False
        return bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        return False

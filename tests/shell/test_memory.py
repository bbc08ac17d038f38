"""Freed frame-sized memory leaves the window's process at once (Linux with glibc)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = r"""
import sys, numpy as np
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
if sys.argv[1] == "window":
    from imgmarker.shell.memory import return_freed_memory
    assert return_freed_memory()
big = np.ones(16 << 18, np.float32); del big  # a 16 MiB array freed: glibc raises its threshold to it
start = rss()
held, kept = [], []
for _ in range(20):
    held.append(np.ones(1 << 20, np.float32))  # 4 MiB, as a render's temporaries
    kept.append(np.ones(25_000, np.float32))  # 100 KiB that stays, between them
del held
print(round(rss() - start))
"""


def glibc() -> bool:
    import ctypes

    return sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")


@pytest.mark.skipif(not glibc(), reason="the tuning is for glibc's allocator")
def test_render_temporaries_freed_in_the_window_leave_the_resident_memory():
    def grown(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True)
        return int(out.stdout)

    assert grown("default") >= 60  # without it, 80 MiB freed stay in the process
    assert grown("window") <= 8

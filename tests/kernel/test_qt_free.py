"""The kernel modules used by the GUI stay importable without PyQt6."""

from __future__ import annotations

import subprocess
import sys

BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PyQt6" or name.startswith("PyQt6."):
            raise ImportError("PyQt6 is blocked in kernel code")
sys.meta_path.insert(0, Block())
import imgmarker.kernel.display.prefetch, imgmarker.kernel.display.preview
print("ok")
"""


def test_prefetch_and_preview_import_without_qt():
    done = subprocess.run([sys.executable, "-c", BLOCK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

"""The kernel must work where Qt is not installed (servers, pipelines, CI)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import imgmarker

PACKAGE = Path(imgmarker.__file__).parent

BLOCK_QT = """
import importlib.abc, sys
class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "PyQt6" or name.startswith("PyQt6."):
            raise ImportError("PyQt6 is blocked for this test")
sys.meta_path.insert(0, BlockQt())
"""


def kernel_modules() -> list[str]:
    names = ["imgmarker", "imgmarker.cli", "imgmarker.hookspecs", "imgmarker.testing"]
    names += [f"imgmarker.kernel.{p.stem}" for p in sorted((PACKAGE / "kernel").glob("*.py")) if p.stem != "__init__"]
    names += [f"imgmarker.kernel.{p.parent.name}.{p.stem}" for p in sorted((PACKAGE / "kernel").glob("*/*.py"))
              if p.stem != "__init__"]
    names += [f"imgmarker.commands.{p.stem}" for p in sorted((PACKAGE / "commands").glob("*.py"))]
    return names


def test_kernel_imports_with_pyqt6_blocked():
    modules = kernel_modules()
    assert "imgmarker.kernel.experiment.loader" in modules
    code = BLOCK_QT + "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules) + (
        "from imgmarker.kernel.plugins.host import create_plugin_host\n"
        "host = create_plugin_host(autoload=False)\n"
        "assert not [m for m in sys.modules if m.startswith('PyQt6')]\n"
        "print('ok', len(host.infos))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_blocker_really_blocks():
    result = subprocess.run([sys.executable, "-c", BLOCK_QT + "import PyQt6.QtCore\n"], capture_output=True, text=True)
    assert result.returncode != 0 and "blocked" in result.stderr


def test_no_kernel_source_imports_qt():
    pattern = re.compile(r"^\s*(import|from)\s+PyQt6", re.MULTILINE)
    offenders = [p for p in (PACKAGE / "kernel").rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []

"""What users install: the wheel, and third-party plugins found by entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_contains_schema_and_builtin_plugins(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("imgmarker-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "imgmarker/schemas/experiment.schema.json" in names
    assert "imgmarker_plugins/__init__.py" in names
    builtin_sources = {p.relative_to(REPO / "plugins").as_posix() for p in (REPO / "plugins").rglob("*.py")}
    assert {n.split("imgmarker_plugins/", 1)[1] for n in names if n.startswith("imgmarker_plugins/")} >= builtin_sources
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[imgmarker]" in text and "imgmarker = imgmarker.cli:main" in text


def test_demo_plugin_is_picked_up_once_installed(tmp_path):
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                             str(REPO / "examples" / "plugin-demo")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("IMGMARKER_DISABLE_PLUGIN_AUTOLOAD", None)
    listing = subprocess.run([sys.executable, "-m", "imgmarker", "plugins", "--json"],
                             capture_output=True, text=True, env=env)
    assert listing.returncode == 0, listing.stderr
    rows = {row["name"]: row for row in json.loads(listing.stdout)["plugins"]}
    assert rows["jsonl"]["source"] == "distribution"
    assert rows["jsonl"]["origin"] == "imgmarker-jsonl" and rows["jsonl"]["version"] == "0.1.0"
    assert "writer:jsonl" in rows["jsonl"]["provides"] and rows["jsonl"]["error"] is None

    env["IMGMARKER_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    listing = subprocess.run([sys.executable, "-m", "imgmarker", "plugins", "--json"],
                             capture_output=True, text=True, env=env)
    assert "jsonl" not in {row["name"] for row in json.loads(listing.stdout)["plugins"]}

    env.pop("IMGMARKER_DISABLE_PLUGIN_AUTOLOAD")
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(REPO / "examples" / "plugin-demo" / "tests")],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "passed" in tests.stdout

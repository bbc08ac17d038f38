"""The built application folder, run with no Python on PATH (see packaging/smoke.py).

Runs against ``dist/imgmarker`` (or the folder in ``IMGMARKER_APP_DIR``) when an app
has been built there with ``python packaging/build.py``; skipped otherwise, since the
build takes minutes and is not part of the ordinary test run.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_smoke():
    spec = importlib.util.spec_from_file_location("imgmarker_app_smoke", REPO / "packaging" / "smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def app_dir() -> Path:
    folder = Path(os.environ.get("IMGMARKER_APP_DIR", REPO / "dist" / "imgmarker"))
    if not load_smoke().executable(folder).is_file():
        pytest.skip(f"no built app in {folder} (build one with: python packaging/build.py)")
    return folder


def test_frozen_app_works_without_python(app_dir, tmp_path):
    passed = load_smoke().smoke(app_dir, tmp_path)
    assert [line.split(":")[0] for line in passed] == [
        "version", "plugins", "demo --no-run", "render", "window (offscreen)",
        "local plugin file named by an experiment", "migrate"]
    with open(tmp_path / "demo" / "results" / "smoke_marks.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["image"], r["group"]) for r in rows] == [("cluster_field.fits", "BCG")]
    assert abs(float(rows[0]["x"]) - 255.5) < 1 and abs(float(rows[0]["y"]) - 255.5) < 1  # the centre of 512 x 512


def test_smoke_refuses_a_folder_without_an_app(tmp_path):
    smoke = load_smoke()
    with pytest.raises(smoke.SmokeFailure) as caught:
        smoke.smoke(tmp_path, tmp_path / "work")
    assert str(caught.value) == (f"{smoke.executable(tmp_path)}: no built application here "
                                 "(build it with: python packaging/build.py)")

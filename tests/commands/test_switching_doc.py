"""docs/switching.md, run as it is written: the commands and what they print, and the
keys it says changed (checked against the bindings the window is built from)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from legacy_folders import Legacy12, Seen, make_images

DOC = Path(__file__).resolve().parents[2] / "docs" / "switching.md"
IMGMARKER = Path(sys.executable).parent / "imgmarker"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def save_folder(root: Path) -> None:
    """The save folder the doc imports: made on Windows (cp1252, CRLF) with a Windows image_dir."""
    images = make_images(root / "images")
    Legacy12(root / "ana-save", images, windows=True, image_dir_text="C:\\Users\\ana\\Desktop\\clusters\\", seen=[
        Seen("c.fits", categories=(1,), comment="two arcs, one faint",
             marks=[(1, None, "40", "20"), (2, "arc é", "12", "33.0")]),
        Seen("a.fits"),
        Seen("e.png", marks=[(3, None, "5", "6")]),
        Seen("c.fits", pass_index=2, marks=[(1, None, "41", "21")]),
    ], favorites={"c.fits"}, catalogs={"bcg_candidates.csv": b"label,ra,dec\r\nsrc,150.0,2.0\r\n"}).write()


def command(line: str) -> list[str]:
    words = shlex.split(line.strip())
    assert words[0] == "imgmarker"
    return [str(IMGMARKER), *words[1:]]


def held(lock: Path) -> bool:
    fcntl = pytest.importorskip("fcntl")  # the annotator lock is advisory on POSIX only
    if not lock.exists():
        return False
    with open(lock, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_the_switching_guide_runs_as_written(tmp_path):
    save_folder(tmp_path)
    commands, outputs = blocks("sh"), blocks("text")
    assert len(commands) == 3 and len(outputs) == 2
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IMGMARKER_CONFIG_DIR": str(tmp_path / "config")}

    refused = subprocess.run(command(commands[0]), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == outputs[0]
    assert not (tmp_path / "ana-save" / "imgmarker").exists()

    done = subprocess.run(command(commands[1]), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == outputs[1]

    again = subprocess.run(command(commands[1]), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0
    assert "ana-save/imgmarker: already holds this import; nothing changed\n" in again.stdout

    results = tmp_path / "ana-save" / "imgmarker" / "results"
    window = subprocess.Popen(command(commands[2]), cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ((results / "imgmarker.log").exists() and held(results / ".ana.imgmarker.lock")):
            assert window.poll() is None, window.communicate()
            assert time.monotonic() < deadline, "the window did not open"
            time.sleep(0.1)
    finally:
        window.send_signal(signal.SIGTERM)
        out, err = window.communicate(timeout=60)
    assert "Traceback" not in err
    log = (results / "imgmarker.log").read_text(encoding="utf-8")
    assert "ERROR" not in log


def table(title: str) -> list[list[str]]:
    section = DOC.read_text(encoding="utf-8").split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def keys(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@pytest.fixture
def bindings(tmp_path):
    from imgmarker.kernel.experiment.bindings import MENU_SHORTCUTS, catalog_toggle_key, key_bindings
    from imgmarker.kernel.experiment.loader import experiment_from_text
    from imgmarker.kernel.plugins.host import create_plugin_host

    (tmp_path / "images").mkdir()
    experiment = experiment_from_text("schema_version: 1\nimages: {directory: images}\n", tmp_path / "experiment.yaml",
                                      create_plugin_host(autoload=False).registry)
    bound: dict[str, set[str]] = {}
    for binding in key_bindings(experiment):
        bound.setdefault(binding.action, set()).add(binding.key)
    for name, key in MENU_SHORTCUTS.items():
        bound.setdefault(name, set()).add(key)
    bound["catalogs"] = {catalog_toggle_key(0), catalog_toggle_key(8)}
    return bound


ACTIONS = {
    "show or hide marks": "toggle_marks", "show or hide mark labels": "toggle_labels", "zoom in": "zoom_in",
    "zoom out": "zoom_out", "zoom to fit": "zoom_fit", "actual size (1 image pixel per screen pixel)": "view.zoom_actual",
    "open": "file.open_experiment", "image folder": "file.open_folder", "mark file": "file.import_catalog",
    "campaign overview": "view.overview", "next image not seen": "next_unseen",
    "accept the catalog source under the cursor as a mark": "promote_source", "show or hide catalog 1..9": "catalogs",
}


def test_the_keys_the_guide_names_are_the_keys_bound(bindings):
    rows = table("Keys that changed")
    checked = set()
    for action, _old, new in rows:
        name = ACTIONS.get(action)
        if name is None:
            assert action in ("frames", "Gaussian blur", "comment"), action  # no key: said in words
            continue
        named = keys(new)
        if name == "catalogs":
            assert named == ["Alt+1", "Alt+9"] and bindings["catalogs"] == {"Alt+1", "Alt+9"}
        else:
            assert set(named) <= bindings[name], (action, named, bindings[name])
        checked.add(action)
    assert checked == set(ACTIONS)
    every = set().union(*bindings.values())
    paragraph = DOC.read_text(encoding="utf-8").split("## Keys that changed\n", 1)[1].split("| action", 1)[0]
    same = [k for k in keys(paragraph) if k not in ("1", "9", "Ctrl+1", "Ctrl+5")]
    assert same and set(same) <= every, set(same) - every
    assert {str(i) for i in range(1, 10)} | {f"Ctrl+{i}" for i in range(1, 6)} <= every

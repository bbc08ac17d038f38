"""Bad input gives one clear line naming the file and the problem, and the campaign goes
on: the whole corpus of :mod:`badfiles` through ``validate``, ``info``, ``render`` and
a marking session."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from badfiles import LARGE_SIDE, NON_UTF8_NAMES, experiment_over, make_corpus, written_name

from imgmarker.kernel.annotations.names import readable_name
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.experiment.problems import ExperimentError
from imgmarker.kernel.imaging.images import ImageReadError
from imgmarker.kernel.store.base import StoreError

CHILD = Path(__file__).parent / "cli_child.py"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("bad") / "corpus")


def run_cli(commands: list[list[str]], tmp_path: Path) -> list[dict]:
    """Run command lines in one child process, as a terminal sees them."""
    (tmp_path / "commands.json").write_text(json.dumps(commands), encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IMGMARKER_DISABLE_PLUGIN_AUTOLOAD": "1"}
    subprocess.run([sys.executable, str(CHILD), str(tmp_path / "commands.json"), str(tmp_path / "results.json")],
                   check=True, timeout=600, env=env)
    return json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))


def one_line(result: dict) -> str:
    lines = result["stderr"].splitlines()
    assert "Traceback" not in result["stderr"], result
    assert len(lines) == 1, result
    return lines[0]


def test_info_and_render_on_anything(corpus, tmp_path):
    targets = corpus.anything()
    commands = []
    for path in targets:
        commands.append(["info", path])
        commands.append(["render", path, "-o", str(tmp_path / "out.png")])
    results = run_cli(commands, tmp_path)
    for result in results:
        path = result["argv"][1]
        if targets[path] == "good":
            assert result["code"] == 0 and result["stderr"] == "", result
            assert result["stdout"].splitlines()[0].startswith(
                readable_name(path) if result["argv"][0] == "info" else str(tmp_path / "out.png")), result
        elif result["argv"][0] == "info" and result["code"] == 0:  # headers intact, pixels not: info may describe it
            assert result["stderr"] == "" and targets[path] in ("truncated", "huge"), result
        else:
            assert result["code"] == 1, result
            assert one_line(result).startswith(f"error: {readable_name(path)}: "), result


def test_render_and_info_never_show_an_undecodable_name_raw(corpus, tmp_path):
    name = os.fsdecode(NON_UTF8_NAMES[0])
    info, broken = run_cli([["info", str(corpus.images / name)], ["info", str(corpus.images / "line\nbreak.fits")]],
                           tmp_path)
    assert info["stdout"].startswith(str(corpus.images / "caf\\xe9.fits") + ": FITS, 1 frame")
    assert broken["stdout"].startswith(str(corpus.images / "line\\x0abreak.fits") + ": FITS, 1 frame")


def test_render_of_a_large_frame_is_its_overview_in_bounded_memory(corpus, tmp_path):
    out = tmp_path / "large.png"
    code = ("import resource, sys\nfrom imgmarker.cli import main\n"
            f"code = main(['render', {str(corpus.large)!r}, '-o', {str(out)!r}])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)\nsys.exit(code)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report, peak = result.stdout.splitlines()
    assert f"overview of {LARGE_SIDE} x {LARGE_SIDE}" in report
    assert int(peak) < 1.5 * 2 ** 30  # the frame alone is 1.6 GB
    from PIL import Image

    with Image.open(out) as picture:
        assert max(picture.size) <= 2048


def test_validate_refuses_bad_experiment_files_in_one_line(corpus, tmp_path):
    results = run_cli([["validate", path] for path in corpus.experiments], tmp_path)
    for result in results:
        path = result["argv"][1]
        assert result["code"] == 1, result
        lines = result["stderr"].splitlines()
        assert "Traceback" not in result["stderr"] and len(lines) == 2, result
        assert lines[0].startswith(f"{path}:") and lines[1] == f"{path}: 1 error", result


def test_bombs_and_nesting_are_refused_by_name(corpus):
    messages = {}
    for path, kind in corpus.experiments.items():
        with pytest.raises(ExperimentError) as caught:
            Session.open(path, export_delay=None)
        (problem,) = caught.value.problems
        assert str(problem.file) == path
        messages[kind] = str(problem)
    assert "alias bomb" in messages["bomb"] and "alias bomb" in messages["bomb-in-groups"]
    assert "recursive anchor" in messages["recursive"] and "recursive anchor" in messages["recursive-list"]
    assert "nested more than 64 levels" in messages["deep-flow"]
    assert "nested more than 64 levels" in messages["deep-block"]
    assert messages["fifo"].endswith("cannot read: not a regular file")
    assert messages["huge"].split(": ", 1)[1].startswith("too large for an experiment")


def test_validate_names_each_skipped_entry_and_goes_on(corpus, tmp_path):
    flat = experiment_over(corpus, "flat")
    deep = experiment_over(corpus, "deep", recursive=True)
    flat_result, deep_result = run_cli([["validate", str(flat)], ["validate", str(deep)]], tmp_path)
    assert flat_result["code"] == 0 and flat_result["stderr"] == "", flat_result
    warnings = [line for line in flat_result["stdout"].splitlines() if line.startswith("warning: ")]
    for path, kind in corpus.not_listed.items():
        (line,) = [w for w in warnings if w.startswith(f"warning: {path}: skipped: ")]
        assert kind.split()[0] in line.lower() or kind == "link loop" and "loop" in line, line
    assert len(warnings) == len(corpus.not_listed)
    images = len(corpus.good) + len(corpus.bad_images)
    assert f"images:     {images} found" in flat_result["stdout"]
    assert deep_result["code"] == 0
    assert f"warning: {corpus.images / 'sub' / 'up'}: skipped: links back to a folder already listed" \
        in deep_result["stdout"]
    assert f"images:     {images + 1} found" in deep_result["stdout"]  # folder.fits/inside.fits


def test_validate_reports_unreadable_catalogs_and_results_folders(corpus, tmp_path):
    commands = []
    for i, catalog in enumerate(corpus.catalogs):
        commands.append(["validate", str(experiment_over(corpus, f"catalog-{i}", catalogs=[catalog]))])
    for i, output in enumerate(corpus.outputs):
        commands.append(["validate", str(experiment_over(corpus, f"out-{i}", output=output))])
    results = run_cli(commands, tmp_path)
    for result, catalog in zip(results, corpus.catalogs):
        path = result["argv"][1]
        assert result["code"] == 1, result
        problem, count = result["stderr"].splitlines()
        assert problem.startswith(f"{path}:7: catalogs[0].path: {catalog}") and count == f"{path}: 1 error", result
    for result in results[len(corpus.catalogs):]:
        path = result["argv"][1]
        assert result["code"] == 1, result
        problem, count = result["stderr"].splitlines()
        assert problem.startswith(f"{path}:5: output.directory: ") and " cannot be " in problem, result
        assert count == f"{path}: 1 error"


def test_a_results_folder_that_cannot_be_written_stops_the_session_in_one_line(corpus):
    for output in corpus.outputs:
        with pytest.raises(StoreError) as caught:
            Session.open(experiment_over(corpus, "session-out", output=output), export_delay=None)
        message = str(caught.value)
        assert "\n" not in message and "the results folder cannot be created or written" in message


def pixels_or_reason(session) -> str:
    """"pixels" when the current image opens and its first frame's pixels load; else
    the reason, as the window would show it."""
    try:
        image = session.open_image()
    except ImageReadError as exc:
        assert str(exc).startswith(f"{session.current.path}: "), exc
        return exc.reason
    with image:
        if image.frames[0].info.height * image.frames[0].info.width > 10 ** 8:
            return "pixels"  # the overview's business, not this test's
        try:
            image.frames[0].data()
        except Exception as exc:  # noqa: BLE001 - readers report bad pixels as they find them
            return f"{type(exc).__name__}: {exc}"
    return "pixels"


def test_a_session_over_the_corpus_navigates_marks_and_writes(corpus, tmp_path):
    experiment = experiment_over(corpus, "session", output=str(tmp_path / "results"))
    with Session.open(experiment, user="ann", export_delay=None) as session:
        names = [entry.name for entry in session.entries]
        assert sorted(names) == sorted(corpus.good + [Path(p).name for p in corpus.bad_images])
        assert any("skipped" in note for note in session.notes)
        marked = {}
        for i in range(len(session)):
            entry = session.go_to(i)
            if entry.name not in corpus.good:
                assert pixels_or_reason(session) != "pixels"
                continue
            assert pixels_or_reason(session) == "pixels"
            if entry.name == corpus.large.name:
                continue
            mark = session.add_mark(10.0, 20.0, "A").mark
            marked[entry.name] = mark
            if entry.name.endswith(".fits"):  # written with a WCS
                assert mark.ra is not None and mark.dec is not None
        assert set(marked) == set(corpus.good) - {corpus.large.name}
        session.toggle_favorite()
    with open(tmp_path / "results" / "ann_marks.csv", newline="", encoding="utf-8") as handle:
        rows = {row["image"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {written_name(name) for name in marked}
    assert "line\nbreak.fits" in rows  # valid UTF-8 is written exactly (CSV quotes it)
    assert "caf\\xe9.fits" in rows and "\\x80odd.png" in rows and "\\xff\\xfe.tif" in rows
    with Session.open(experiment, user="ann", export_delay=None) as again:  # the names came back exactly
        assert {e.name for e in again.entries if again.marks(e)} == set(marked)
        assert again.progress.seen == len(again)


def test_files_that_vanish_or_turn_bad_later_do_not_stop_navigation(corpus, tmp_path):
    folder = tmp_path / "campaign"
    shutil.copytree(corpus.images, folder / "images", symlinks=True,
                    ignore=lambda d, names: [n for n in names if n in ("pipe.fits", "large-sparse.fits")])
    (folder / "e.yaml").write_text("schema_version: 1\nimages: {directory: images}\n", encoding="utf-8")
    with Session.open(folder / "e.yaml", user="ann", export_delay=None) as session:
        good = [e for e in session.entries if e.name in corpus.good]
        gone, fifo, folder_now, truncated = good[:4]
        gone.path.unlink()
        fifo.path.unlink()
        os.mkfifo(fifo.path)
        folder_now.path.unlink()
        folder_now.path.mkdir()
        truncated.path.write_bytes(truncated.path.read_bytes()[:truncated.path.stat().st_size // 2])
        for entry in (gone, fifo, folder_now, truncated):
            session.go_to(entry.position)
            assert pixels_or_reason(session) != "pixels"
        for entry in good[4:]:
            session.go_to(entry.position)
            assert pixels_or_reason(session) == "pixels"
        session.next()
        assert session.progress.seen >= 5

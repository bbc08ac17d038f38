"""``imgmarker run EXPERIMENT --smoke``: one mark placed through the window's key action
reaches the output files, and the line printed says where it landed."""

from __future__ import annotations

import csv

from imgmarker.cli import main
from imgmarker.kernel.experiment.demo import write_demo


def test_run_smoke_places_a_mark_that_reaches_the_outputs(tmp_path, capsys):
    experiment = write_demo(tmp_path / "demo")
    assert main(["run", str(experiment), "--smoke", "--user", "checker"]) == 0
    out = capsys.readouterr().out
    with open(tmp_path / "demo" / "results" / "checker_marks.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["image"], r["group"], r["label"]) for r in rows] == [("cluster_field.fits", "BCG", "BCG")]
    x, y = float(rows[0]["x"]), float(rows[0]["y"])
    assert abs(x - 255.5) < 1 and abs(y - 255.5) < 1  # the centre of the 512 x 512 image
    assert out.startswith(f"smoke: placed a BCG mark at x {x:.2f}, y {y:.2f} on cluster_field.fits, RA ")
    assert rows[0]["RA"] and rows[0]["DEC"]


def test_run_smoke_needs_an_experiment(capsys):
    assert main(["run", "--smoke"]) == 2
    assert capsys.readouterr().err == "imgmarker run --smoke needs an EXPERIMENT\n"

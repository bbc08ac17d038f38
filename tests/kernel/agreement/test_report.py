from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from imgmarker.kernel.agreement import svg
from imgmarker.kernel.agreement.clustering import Radius
from imgmarker.kernel.agreement.compare import agreement
from imgmarker.kernel.agreement.report import html, write_report
from imgmarker.kernel.agreement.simulate import simulate


def test_histogram_bars_scale_with_counts():
    out = svg.histogram([0, 1, 2, 3], [2, 4, 0], "offsets", "offset (px)")
    assert out.startswith("<svg") and out.endswith("</svg>")
    heights = [float(part.split('height="')[1].split('"')[0]) for part in out.split("<rect")[1:]]
    assert heights[1] == 2 * heights[0] and heights[2] == 0


def test_matrix_marks_undefined_cells_and_escapes_names():
    out = svg.matrix(np.array([[1.0, np.nan], [np.nan, 0.0]]), ["<ann>", "bob"], "kappa")
    assert "&lt;ann&gt;" in out and "<ann>" not in out
    assert out.count('fill="#dddddd"') == 2  # undefined
    assert 'fill="#084594"' in out and 'fill="#ffffff"' in out  # 1.0 dark, 0.0 white


def test_report_files_hold_the_same_numbers(tmp_path):
    results, _ = simulate(3, 10, 2, groups=("g",), seed=4)
    report = agreement(results, {"g": Radius(10)}, ["A", "B", "C"], True)
    written = write_report(report, tmp_path / "r.html", "Test <campaign>")
    assert [p.name for p in written] == ["r.html", "r.json", "r_categories.csv", "r_marks.csv", "r_repeat_marks.csv"]
    page = (tmp_path / "r.html").read_text()
    assert "Test &lt;campaign&gt;" in page and "<script" not in page
    data = json.loads((tmp_path / "r.json").read_text())
    fleiss = data["categories"][0]["fleiss_kappa"]["value"]
    assert f"{fleiss:.3f}" in page
    csv_text = (tmp_path / "r_categories.csv").read_text()
    assert f"category,fleiss_kappa,,,{fleiss:.6g},10" in csv_text
    assert html(report, "x").count("<tr>") >= 1 + 3 * 1  # header + 3 pairs x 1 group


def test_agreement_kernel_imports_without_qt():
    code = ("import sys; sys.modules['PyQt6'] = None\n"
            "import imgmarker.kernel.agreement.compare, imgmarker.kernel.agreement.report, "
            "imgmarker.kernel.agreement.export, imgmarker.kernel.agreement.loader")
    subprocess.run([sys.executable, "-c", code], check=True)

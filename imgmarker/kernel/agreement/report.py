"""The agreement report: one self-contained HTML page (tables and inline SVG), plus
the same numbers as JSON and CSV for scripts."""

from __future__ import annotations

import json
from dataclasses import astuple, fields
from html import escape
from pathlib import Path
from typing import Sequence

import numpy as np

from imgmarker.kernel.agreement import svg
from imgmarker.kernel.agreement.compare import Agreement, MarkPair
from imgmarker.kernel.agreement.export import write_csv
from imgmarker.kernel.output.atomic import atomic_write

HTML_ROW_LIMIT = 500
STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:1em auto;color:#222}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
         "text-align:right}th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}"
         ".plots svg{margin:4px;vertical-align:top}.note{color:#a33}")


def _fmt(value) -> str:
    if isinstance(value, (float, np.floating)):
        return "n/a" if not np.isfinite(value) else f"{value:.3f}"
    return escape(str(value))


def _table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
                   for row in rows[:HTML_ROW_LIMIT])
    more = (f"<p>{len(rows) - HTML_ROW_LIMIT} more rows in the CSV files.</p>" if len(rows) > HTML_ROW_LIMIT else "")
    return f"<table><tr>{head}</tr>{body}</table>{more}"


MARK_COLUMNS = tuple(f.name for f in fields(MarkPair))


def html(report: Agreement, title: str) -> str:
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
           f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>",
           f"<p>{len(report.annotators)} annotators: {escape(', '.join(report.annotators))}</p>"]
    out += [f"<p class='note'>{escape(n)}</p>" for n in report.notes]
    out.append("<h2>Image categories</h2>")
    if report.categories:
        out.append(_table(("variable", "Fleiss kappa", "images", "Krippendorff alpha", "images"),
                          [(c.variable, c.fleiss.value, c.fleiss.n, c.alpha.value, c.alpha.n)
                           for c in report.categories]))
        out.append("<div class='plots'>" + "".join(
            svg.matrix(c.cohen, report.annotators, f"Cohen's kappa: {c.variable}", low=0.0, high=1.0)
            for c in report.categories) + "</div>")
    else:
        out.append("<p>No categories.</p>")
    out.append("<h2>Marks between annotators</h2>")
    if report.marks:
        groups = sorted({r.group for r in report.marks})
        if report.reference == "consensus":
            out.append("<p>Each annotator's marks against the consensus of all annotators (clusters with "
                       "enough support); the annotator is one of the consensus' members.</p>")
        matrices = groups if report.reference == "pairs" else []
        out.append("<div class='plots'>" + "".join(
            svg.matrix(report.f1_matrix(g), report.annotators, f"F1 of marks: {g}") for g in matrices)
            + "".join(svg.histogram(h.edges, h.counts, f"Offsets of matched marks: {h.group}", f"offset ({h.unit})")
                      for h in report.histograms) + "</div>")
        out.append(_table(MARK_COLUMNS, [astuple(r) for r in report.marks]))
    else:
        out.append("<p>No pairs of annotators with marks.</p>")
    out.append("<h2>Consistency repeat (pass 2 against pass 1)</h2>")
    if report.pass_categories:
        out.append(_table(("annotator", "variable", "Cohen kappa", "images"),
                          [(p.user, p.variable, p.kappa.value, p.kappa.n) for p in report.pass_categories]))
    if report.pass_marks:
        out.append(_table(MARK_COLUMNS, [astuple(r) for r in report.pass_marks]))
    if not (report.pass_categories or report.pass_marks):
        out.append("<p>No image was shown twice.</p>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(report: Agreement, path: Path, title: str) -> list[Path]:
    """Write ``path`` (HTML) and beside it ``<stem>.json`` and ``<stem>_*.csv``."""
    path = Path(path)
    written = []
    with atomic_write(path) as handle:
        handle.write(html(report, title))
    written.append(path)
    json_path = path.with_suffix(".json")
    with atomic_write(json_path) as handle:
        json.dump(report.to_dict(), handle, indent=1)
    written.append(json_path)
    stem = path.with_suffix("")
    cat_rows = []
    for c in report.categories:
        cat_rows.append((c.variable, "fleiss_kappa", "", "", _num(c.fleiss.value), c.fleiss.n))
        cat_rows.append((c.variable, "krippendorff_alpha", "", "", _num(c.alpha.value), c.alpha.n))
        for i, a in enumerate(report.annotators):
            for j in range(i + 1, len(report.annotators)):
                cat_rows.append((c.variable, "cohen_kappa", a, report.annotators[j], _num(c.cohen[i, j]),
                                 int(c.cohen_n[i, j])))
    for p in report.pass_categories:
        cat_rows.append((p.variable, "cohen_kappa_repeat", p.user, p.user, _num(p.kappa.value), p.kappa.n))
    tables = {
        "categories": (("variable", "statistic", "a", "b", "value", "images"), cat_rows),
        "marks": (MARK_COLUMNS, [tuple(_num(v) if isinstance(v, float) else v for v in astuple(r))
                                 for r in report.marks]),
        "repeat_marks": (MARK_COLUMNS, [tuple(_num(v) if isinstance(v, float) else v for v in astuple(r))
                                        for r in report.pass_marks]),
    }
    for name, table in tables.items():
        target = Path(f"{stem}_{name}.csv")
        write_csv(target, table)
        written.append(target)
    return written


def _num(value: float) -> str:
    return "" if value is None or not np.isfinite(value) else f"{value:.6g}"

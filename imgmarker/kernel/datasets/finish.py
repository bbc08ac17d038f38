"""The second half of a build: the examples that were cut are dealt to the splits and
moved into their split folders, then the label table, the writers' files, the
checksums and the manifest are written into the staging folder."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from imgmarker.kernel.datasets.cutting import WRITTEN, skipped_counts
from imgmarker.kernel.datasets.layout import inside
from imgmarker.kernel.datasets.splits import SPLITS, split_examples

#: how the dataset lays out a writer's files (its own section of the experiment still applies)
WRITER_LAYOUT = {"yolo": {"folder": ""}}


@dataclass
class DatasetReport:
    folder: Path
    examples: int
    counts: dict[str, dict[str, Any]]  # split -> {"examples", "images", "classes": {class: n}}
    skipped: dict[str, int]
    problems: list[str]  # one line each: an image that could not be used, a writer that failed
    notes: list[str]
    files: list[Path] = field(default_factory=list)  # tables and writer outputs
    annotators: list[str] = field(default_factory=list)


def _table(examples, files, cut, split, keep, frame) -> dict[str, Any]:
    index = keep
    whole = not any(examples.group)
    x = np.full(len(index), np.nan) if whole else examples.x[index] - cut["x0"][index]
    y = np.full(len(index), np.nan) if whole else examples.y[index] - cut["y0"][index]
    ra = np.where(np.isfinite(cut["ra"][index]), cut["ra"][index], examples.ra[index])
    dec = np.where(np.isfinite(cut["dec"][index]), cut["dec"][index], examples.dec[index])
    pick = index.tolist()
    return {
        "file": [f"images/{SPLITS[split[i]]}/{files[i]}" for i in pick],
        "split": [SPLITS[split[i]] for i in pick],
        "source_image": [examples.image_names[int(examples.image[i])] for i in pick],
        "frame": np.full(len(index), frame),
        "group": [examples.group[i] for i in pick],
        "label": [examples.label[i] for i in pick],
        "x": x, "y": y, "source_x": examples.x[index], "source_y": examples.y[index], "ra": ra, "dec": dec,
        "categories": [examples.categories[i] for i in pick],
        "support": examples.support[index], "n_annotators": examples.n[index], "n_seen": examples.seen[index],
        "annotators": [examples.annotators[i] for i in pick],
        "width": cut["width"][index], "height": cut["height"][index],
        "source_x0": cut["x0"][index], "source_y0": cut["y0"][index], "padded": cut["padded"][index],
    }


def _writer_rows(examples, table, order, cut):
    """Per split: mark rows (every selected mark inside each cutout), image rows,
    cutout sizes and scales, for the writer plugins."""
    from imgmarker.kernel.annotations.rows import ImageRow, MarkRow

    by_image: dict[int, np.ndarray] = {}
    for code in set(examples.image.tolist()):
        by_image[code] = np.flatnonzero(examples.image == code)
    per_split = {name: ([], [], {}, {}) for name in SPLITS}
    next_id = 1
    for row, i in enumerate(order.tolist()):
        split, file = table["split"][row], table["file"][row]
        rows, images, sizes, scales = per_split[split]
        w, h, x0, y0 = (int(cut[k][i]) for k in ("width", "height", "x0", "y0"))
        sizes[file] = (h, w)
        scale = float(cut["scale"][i])
        scales[file] = scale if np.isfinite(scale) else None
        cats = tuple(c for c in examples.categories[i].split("+") if c)
        images.append(ImageRow(file, _num(table["ra"][row]), _num(table["dec"][row]), cats, "", False, None, 1))
        members = by_image[int(examples.image[i])]
        shown = members[inside(examples.x[members], examples.y[members], x0, y0, w, h)]
        for j in shown.tolist():
            rows.append(MarkRow(next_id, file, examples.group[j], examples.label[j], float(examples.x[j] - x0),
                                float(examples.y[j] - y0), _num(examples.ra[j]), _num(examples.dec[j]), 0, "", 1))
            next_id += 1
    return per_split


def _num(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def _run_writers(experiment, options, registry, staging, per_split, problems, digests) -> list[Path]:
    from imgmarker.kernel.datasets.context import DatasetWriterContext

    written: list[Path] = []
    sections = experiment.plugins.sections
    for name in options.writers:
        spec = registry.writers.get(name)
        if spec is None:
            problems.append(f"unknown writer {name!r} (installed: {', '.join(registry.writers.names()) or 'none'})")
            continue
        config = {**sections.get(name, {}), **WRITER_LAYOUT.get(name, {})}
        for split in SPLITS:
            rows, images, sizes, scales = per_split[split]
            if not images:
                continue
            context = DatasetWriterContext(experiment, split, staging, config, rows, images, sizes, scales)
            try:
                spec.write(context)
            except Exception as exc:  # one broken writer must not cost the dataset
                problems.append(f"writer {name!r} failed on the {split} split: {type(exc).__name__}: {exc}")
            written.extend(context.written)
            digests.update(context.digests)
    if "yolo" in options.writers and registry.writers.get("yolo") is not None:
        written.append(_data_yaml(staging, experiment, per_split))
    return written


def _data_yaml(staging: Path, experiment, per_split) -> Path:
    """The file Ultralytics YOLO reads: where each split's images are, and the class names."""
    lines = ["# YOLO dataset: images/<split>/*, labels in labels/<split>/*.txt", "path: ."]
    for split, key in zip(SPLITS, ("train", "val", "test")):
        if per_split[split][1]:
            lines.append(f"{key}: images/{split}")
    lines.append("names:")
    lines.extend(f"  {k}: {json.dumps(g)}" for k, g in enumerate(experiment.group_names))
    path = staging / "data.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _counts(table, key: str) -> dict[str, dict[str, Any]]:
    out = {}
    for split in SPLITS:
        rows = [i for i, s in enumerate(table["split"]) if s == split]
        classes: dict[str, int] = {}
        for i in rows:
            classes[table[key][i]] = classes.get(table[key][i], 0) + 1
        out[split] = {"examples": len(rows), "images": len({table["source_image"][i] for i in rows}),
                      "classes": dict(sorted(classes.items()))}
    return out


def finish(experiment, results, options, selection, files, cut, staging: Path, folder: Path, frame: int, registry,
           problems: list[str], progress: Callable[[int, int, str], None] | None):
    from imgmarker.kernel.datasets.manifest import results_fingerprint, versions, write_checksums, write_manifest
    from imgmarker.kernel.datasets.selection import DatasetError
    from imgmarker.kernel.datasets.table import COLUMNS, write_csv, write_parquet

    examples = selection.examples
    keep = cut["status"] == WRITTEN
    if not keep.any():
        raise DatasetError("no examples could be cut (" + ", ".join(f"{k}: {v}" for k, v in
                                                                   skipped_counts(cut["status"]).items()) + ")",
                           problems)
    split = split_examples(examples, keep, options.fractions, options.seed)
    known: dict[str, str] = {}
    cut_dir = staging / "images" / ".cut"
    for i in np.flatnonzero(keep).tolist():
        target = staging / "images" / SPLITS[split[i]] / files[i]
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(cut_dir / files[i], target)
        known[target.relative_to(staging).as_posix()] = cut["sha256"][i]
    for leftover in sorted(cut_dir.rglob("*"), reverse=True):
        leftover.unlink() if leftover.is_file() else leftover.rmdir()
    cut_dir.rmdir()
    order = np.flatnonzero(keep)
    order = order[np.lexsort((np.array([files[i] for i in order.tolist()], dtype=object).astype(str), split[order]))]
    table = _table(examples, files, cut, split, order, frame)
    if progress:
        progress(0, 1, "writing")
    written = [staging / "examples.csv"]
    write_csv(staging / "examples.csv", table)
    if write_parquet(staging / "examples.parquet", table):
        written.append(staging / "examples.parquet")
    if options.kind == "cutouts":
        written += _run_writers(experiment, options, registry, staging, _writer_rows(examples, table, order, cut),
                                problems, known)
    key = "group" if options.kind == "cutouts" else "label"
    counts = _counts(table, key)
    checksum = write_checksums(staging, known, skip=["manifest.json"])
    skipped = skipped_counts(cut["status"])
    experiment_bytes = experiment.path.read_bytes() if experiment.path is not None else b""
    manifest = {
        "experiment": {"name": experiment.name, "file": experiment.path.name if experiment.path else None,
                       "sha256": hashlib.sha256(experiment_bytes).hexdigest()},
        "results": {"annotators": selection.annotators, "sha256": results_fingerprint(results)},
        "options": {**options.as_dict(), "frame": frame},
        "examples": len(order), "classes": sorted({table[key][i] for i in range(len(order))}),
        "counts": counts, "left_out": {**selection.dropped, **skipped},
        "columns": {name: meaning for name, (_, meaning) in COLUMNS.items()},
        "files": {"table": [p.name for p in written if p.name.startswith("examples.")],
                  "checksums": "SHA256SUMS", "checksums_sha256": checksum},
        "versions": versions(),
    }
    write_manifest(staging / "manifest.json", manifest)
    written.append(staging / "manifest.json")
    if progress:
        progress(1, 1, "writing")
    return DatasetReport(folder, len(order), counts, skipped, problems, selection.notes, written,
                         selection.annotators)

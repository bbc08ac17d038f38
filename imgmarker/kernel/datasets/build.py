"""Building a dataset: select the examples, cut them on worker processes, deal the
source images to the splits, then write the label table, the writers' label files and
the manifest. Everything is built in a staging folder beside the target, which takes
the target's place only when the build is complete: a dataset folder is never half
written, and a failed build leaves the previous one untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from imgmarker.kernel.datasets.cutting import ImageTask
from imgmarker.kernel.datasets.finish import DatasetReport, finish
from imgmarker.kernel.datasets.layout import example_files
from imgmarker.kernel.datasets.selection import DatasetError, Examples, select, strata

TABLE_CSV, TABLE_PARQUET, MANIFEST = "examples.csv", "examples.parquet", "manifest.json"


def check_target(folder: Path, overwrite: bool) -> None:
    """Refuse to write over anything but an earlier dataset (and that only when asked)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise DatasetError(f"{folder}: exists and is not a folder")
    if not any(folder.iterdir()):
        return
    if not (folder / MANIFEST).is_file():
        raise DatasetError(f"{folder}: not empty and not a dataset (no {MANIFEST}); choose a new or empty folder")
    if not overwrite:
        raise DatasetError(f"{folder}: a dataset is already there; --overwrite replaces it")


def _tasks(examples: Examples, files: Sequence[str], root: Path, available: set[str] | None, frame: int,
           kind: str, problems: list[str]) -> list[ImageTask]:
    by_image: dict[int, list[int]] = {}
    for i, code in enumerate(examples.image.tolist()):
        by_image.setdefault(code, []).append(i)
    tasks = []
    for code, members in sorted(by_image.items(), key=lambda kv: examples.image_names[kv[0]]):
        name = examples.image_names[code]
        if available is not None and name not in available:
            problems.append(f"{root / name}: not an image of the campaign (not found); its "
                            f"{len(members)} example(s) are left out")
            continue
        ids = np.array(members, dtype=np.int64)
        cards = [{"SRCIMAGE": (name, "source image"), "SRCFRAME": (frame, "frame of the source image"),
                  **({"MARKGRP": (examples.group[i], "mark group"), "MARKLAB": (examples.label[i], "mark label")}
                     if kind == "cutouts" else {"CATEGORY": (examples.label[i], "image category")})}
                 for i in members]
        tasks.append(ImageTask(name, str(root / name), frame, ids, examples.x[ids], examples.y[ids],
                               [files[i] for i in members], cards))
    return tasks


def _merge(n: int, outcomes) -> dict[str, np.ndarray | list]:
    out = {"status": np.full(n, -1), "x0": np.zeros(n, dtype=np.int64), "y0": np.zeros(n, dtype=np.int64),
           "width": np.zeros(n, dtype=np.int64), "height": np.zeros(n, dtype=np.int64), "padded": np.zeros(n),
           "ra": np.full(n, np.nan), "dec": np.full(n, np.nan), "scale": np.full(n, np.nan), "sha256": [""] * n}
    for o in outcomes:
        ids = o.ids
        for key in ("status", "x0", "y0", "width", "height", "padded", "ra", "dec", "scale"):
            out[key][ids] = getattr(o, key)
        for i, digest in zip(ids.tolist(), o.sha256):
            out["sha256"][i] = digest
    return out


def build_dataset(experiment: Any, results: Any, options: Any, folder: Path | str, *, root: Path,
                  available: Sequence[str] | None, registry: Any, plugins: Mapping[str, Any] | None = None,
                  radii: Mapping[str, Any] | None = None, overwrite: bool = False,
                  progress: Callable[[int, int, str], None] | None = None) -> DatasetReport:
    """Build the dataset of ``options`` from ``results`` into ``folder``.

    ``root``/``available``: the campaign's image folder and image names; ``registry``
    runs the writers; ``plugins`` (keyword arguments of ``create_plugin_host``) load the
    same readers in the worker processes. Raises :class:`DatasetError` when nothing
    sensible can be built; problems with single images are reported and skipped."""
    from imgmarker.kernel.agreement.clustering import default_radii
    from imgmarker.kernel.datasets.cutting import CutSettings
    from imgmarker.kernel.datasets.parallel import run_tasks
    from imgmarker.kernel.display.pipeline import DisplaySettings

    folder = Path(folder)
    check_target(folder, overwrite)
    radii = radii or default_radii(experiment.groups)
    selection = select(results, experiment, options, radii)
    examples = selection.examples
    examples.stratum = strata(examples, options.strata)
    if not len(examples):
        raise DatasetError("no examples: nothing is left after the filters (" + (", ".join(
            f"{k}: {v}" for k, v in selection.dropped.items()) or "no marks or categories in the results") + ")")
    frame = experiment.display.frame if options.frame is None else options.frame
    suffix = ".fits" if options.format == "fits" else ".png"
    files = example_files(examples.image, examples.image_names, examples.label, options.kind, suffix)
    problems: list[str] = []
    tasks = _tasks(examples, files, root, set(available) if available is not None else None, frame,
                   options.kind, problems)
    staging = folder.parent / f".{folder.name}.building"
    if staging.exists():
        shutil.rmtree(staging)
    cut_dir = staging / "images" / ".cut"
    cut_dir.mkdir(parents=True)
    try:
        settings = CutSettings(options.kind, options.format, options.edge, options.size.value, options.size.unit,
                               str(cut_dir), DisplaySettings.from_display(experiment.display), dict(plugins or {}),
                               experiment.images.max_pixels)
        outcomes = run_tasks(tasks, settings, options.workers,
                             (lambda d, t: progress(d, t, "cutting")) if progress else None)
        problems.extend(o.error for o in outcomes if o.error)
        cut = _merge(len(examples), outcomes)
        report = finish(experiment, results, options, selection, files, cut, staging, folder, frame, registry,
                        problems, progress)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise
    if folder.exists():
        shutil.rmtree(folder)
    os.replace(staging, folder)
    report.files = [folder / p.relative_to(staging) for p in report.files]
    return report


__all__ = ["DatasetError", "DatasetReport", "build_dataset", "check_target"]

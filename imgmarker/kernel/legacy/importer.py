"""Writing an imported 1.2 save folder: the experiment file, the catalogs and the
annotator's store, so that ``imgmarker run`` resumes where they were.

Safe to repeat: the store is built in a temporary file and compared with what is
there; the same content leaves everything as it was, different content (say, marks
made since the first import) is only replaced when the caller says so, and then the
old file is kept beside it. The marks keep their x, y exactly; their RA/Dec come from
the image's WCS as imgmarker computes it (1.2 used FITS y = H - y, one pixel off), and
the result says how far they moved.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from imgmarker.kernel.annotations import changes
from imgmarker.kernel.campaign.lock import AnnotatorLock, SessionBusy
from imgmarker.kernel.campaign.mark_sky import SkyLocator
from imgmarker.kernel.campaign.sequence import database_path, utc_now
from imgmarker.kernel.legacy.plan import DEFAULT_MAX_PIXELS, RESULTS_FOLDER, ImportPlan, plan_import
from imgmarker.kernel.legacy.savefolder import LegacyError, read_save_folder
from imgmarker.kernel.legacy.sky import SkyShift, sky_shift
from imgmarker.kernel.output.atomic import atomic_write
from imgmarker.kernel.store.sqlite import SqliteStore

ACTION = "import from Image Marker 1.2"
HEADER = ("# Imported from an Image Marker 1.2 save folder by `imgmarker migrate`.\n"
          "# Resume with: imgmarker run experiment.yaml\n")


class ImportConflict(LegacyError):
    """Files from an earlier import (or later work) differ from what this import writes."""


@dataclass
class ImportResult:
    plan: ImportPlan
    experiment_path: Path
    database: Path
    status: str  # "created", "unchanged" or "replaced"
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # earlier files moved aside (replace only)
    counts: dict[str, int] = field(default_factory=dict)
    sky: SkyShift | None = None
    problems: list[str] = field(default_factory=list)  # file:line lines (skipped rows and the like)
    notes: list[str] = field(default_factory=list)


def experiment_text(plan: ImportPlan) -> str:
    return HEADER + yaml.safe_dump(plan.document, sort_keys=False, allow_unicode=True)


def _digest(store: SqliteStore) -> str:
    """What the annotator would notice, timestamps aside: the sequence, every image's
    state and every mark (sky positions to 1e-9 degree)."""
    def deg(value: float | None) -> float | None:
        return None if value is None else round(value, 9)

    states = sorted([k[0], k[1], list(s.categories), s.comment, s.favorite, s.seen]
                    for k, s in store.image_states().items())
    marks = sorted([r.image, r.pass_index, r.group, r.label, r.x, r.y, r.frame, deg(r.ra), deg(r.dec)]
                   for r in store.mark_rows())
    text = json.dumps([store.sequence(), states, marks], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _build_store(plan: ImportPlan, path: Path, registry: Any) -> tuple[dict[str, int], list[tuple]]:
    """Write the plan into a new database at ``path``; (counts, sky pairs for the report)."""
    counts = {"seen": 0, "repeats": 0, "marks": 0, "categorised": 0, "comments": 0, "favourites": 0}
    pairs: list[tuple] = []
    with SqliteStore.open(path) as store:
        store.create_sequence(plan.sequence)
        store.set_meta("order", {"mode": plan.order_mode, "seed": plan.order_seed, "user": plan.user})
        store.set_meta("consistency", {"fraction": 0.0, "seed": 0, "min_gap": 10, "images": plan.image_count})
        store.set_meta("imported_from", {"program": "Image Marker 1.2", "folder": str(plan.folder.path.resolve()),
                                         "user": plan.folder.user})
        geometries: list = []  # written in one transaction at the end, not one per image
        locator = SkyLocator(registry, DEFAULT_MAX_PIXELS, geometries.extend)
        for key in plan.sequence:
            state = plan.states.get(key)
            if state is None:
                continue
            when = state.date or utc_now()
            todo = []
            for mark in state.marks:
                ra, dec = locator.locate(key[0], plan.image_dir / key[0], 0, mark.x, mark.y)
                pairs.append((mark.ra, mark.dec, ra, dec))
                todo.append(changes.add({"id": None, "image": key[0], "group": mark.group, "label": mark.label,
                                         "x": mark.x, "y": mark.y, "frame": 0, "ra": ra, "dec": dec,
                                         "time": mark.date or when, "pass_index": key[1]}))
            if state.categories:
                todo.append(changes.image_field("categories", [], list(state.categories)))
            if state.comment:
                todo.append(changes.image_field("comment", "", state.comment))
            if state.favorite:
                todo.append(changes.image_field("favorite", False, True))
            if todo:
                store.apply(key, ACTION, todo, seen_time=when)
            else:
                store.mark_seen(key, when)
            counts["seen"] += 1
            counts["repeats"] += key[1] == 2
            counts["marks"] += len(state.marks)
            counts["categorised"] += bool(state.categories)
            counts["comments"] += bool(state.comment)
            counts["favourites"] += state.favorite
        if geometries:
            store.put_geometries(geometries)
    return counts, pairs


def _sidecars(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def _keep_aside(path: Path, stamp: str) -> Path | None:
    if not path.exists():
        return None
    target = path.with_name(f"{path.name}.before-import-{stamp}")
    os.replace(path, target)
    return target


def _same_store(db: Path, fresh_digest: str) -> bool:
    try:
        with SqliteStore.open(db, readonly=True) as old:
            return _digest(old) == fresh_digest
    except Exception:
        return False


def import_save_folder(save_dir: Path | str, experiment_dir: Path | str, *, registry: Any,
                       images: Path | None = None, user: str | None = None, encoding: str | None = None,
                       force: bool = False) -> ImportResult:
    """Import one annotator's 1.2 save folder into ``experiment_dir``. Raises
    LegacyError (nothing written) when it cannot, ImportConflict when earlier files
    differ and ``force`` is not given."""
    folder = read_save_folder(Path(save_dir), user, encoding)
    experiment_dir = Path(experiment_dir)
    plan = plan_import(folder, experiment_dir, images=images, registry=registry)
    experiment_path = experiment_dir / "experiment.yaml"
    output_dir = experiment_dir / RESULTS_FOLDER
    db = database_path(output_dir, plan.user)
    text = experiment_text(plan)
    conflicts: list[Path] = []
    if experiment_path.exists() and experiment_path.read_text(encoding="utf-8", errors="replace") != text:
        conflicts.append(experiment_path)
    for source, rel in plan.catalogs:
        target = experiment_dir / rel
        if target.exists() and not filecmp.cmp(source, target, shallow=False):
            conflicts.append(target)
    output_dir.mkdir(parents=True, exist_ok=True)
    try:
        lock = AnnotatorLock(output_dir, plan.user).acquire()
    except SessionBusy as exc:
        raise LegacyError(str(exc)) from None
    fresh = output_dir / f".{db.name}.import-{os.getpid()}"
    try:
        for leftover in _sidecars(fresh):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        counts, pairs = _build_store(plan, fresh, registry)
        with SqliteStore.open(fresh, readonly=True) as built:
            digest = _digest(built)
        same = db.exists() and _same_store(db, digest)
        if db.exists() and not same:
            conflicts.append(db)
        if conflicts and not force:
            raise ImportConflict("\n".join(
                f"{path}: differs from what this import writes (an earlier import, or work done since); "
                "nothing changed. Use --force to replace it (the old file is kept beside it)"
                for path in conflicts))
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        result = ImportResult(plan, experiment_path, db, "unchanged", counts=counts, sky=sky_shift(pairs),
                              problems=list(folder.problems), notes=list(plan.notes))
        for path in conflicts:
            for part in (_sidecars(path) if path == db else [path]):
                kept = _keep_aside(part, stamp)
                if kept is not None and part == path:
                    result.kept.append(kept)
        for source, rel in plan.catalogs:
            target = experiment_dir / rel
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                result.written.append(target)
        if not experiment_path.exists():
            with atomic_write(experiment_path, newline="\n") as handle:
                handle.write(text)
            result.written.append(experiment_path)
        if not db.exists():
            for stale in _sidecars(db)[1:]:  # a -wal beside a new main file would corrupt it
                _keep_aside(stale, stamp)
            os.replace(fresh, db)
            result.written.append(db)
        result.status = "replaced" if conflicts else ("created" if result.written else "unchanged")
        return result
    finally:
        for leftover in _sidecars(fresh):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        lock.release()


def describe_counts(counts: dict[str, int]) -> str:
    def n(key: str, one: str, many: str | None = None) -> str:
        value = counts.get(key, 0)
        return f"{value} {one if value == 1 else (many or one + 's')}"

    return ", ".join([n("seen", "image seen", "images seen") + f" ({n('repeats', 'repeat')})", n("marks", "mark"),
                      n("categorised", "image categorised", "images categorised"), n("comments", "comment"),
                      n("favourites", "favourite")])

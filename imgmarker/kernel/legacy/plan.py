"""From a 1.2 save folder to what the import writes: the experiment document, the
campaign sequence and the state of every seen image (by image and pass).

The sequence keeps 1.2's order: the seen images in the order ``<user>_images.csv``
lists them (a repeat where 1.2 showed it, as pass 2), then the images not seen yet,
sorted, or shuffled (from a seed fixed by the annotator's name) when 1.2 randomised.
The first unseen image is where ``imgmarker run`` resumes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from imgmarker.kernel.campaign.discovery import discover
from imgmarker.kernel.campaign.ordering import order_images
from imgmarker.kernel.experiment.config import ImageSource
from imgmarker.kernel.legacy.savefolder import LegacyError, LegacyMark, SaveFolder

Key = tuple[str, int]
CATALOG_FOLDER = "catalogs"
RESULTS_FOLDER = "results"
DEFAULT_MAX_PIXELS = 1_000_000_000


@dataclass
class KeyState:
    date: str = ""
    marks: list[LegacyMark] = field(default_factory=list)
    categories: tuple[str, ...] = ()
    comment: str = ""
    favorite: bool = False


@dataclass
class ImportPlan:
    folder: SaveFolder
    user: str  # the annotator's name here (1.2's, made safe for file names)
    image_dir: Path
    experiment_dir: Path
    groups: tuple[str, ...]
    document: dict[str, Any]
    sequence: list[Key]
    states: dict[Key, KeyState]  # every seen key
    order_mode: str
    order_seed: int
    image_count: int
    catalogs: list[tuple[Path, str]]  # (1.2 file, path relative to the experiment)
    notes: list[str] = field(default_factory=list)


def safe_user(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]", "_", name) or "annotator"


def order_seed(user: str) -> int:
    """The seed of the still-unseen images' shuffle: fixed per annotator, so importing
    twice gives the same campaign."""
    return int.from_bytes(hashlib.sha256(f"imgmarker-1.2:{user}".encode("utf-8")).digest()[:4], "big") >> 1


def resolve_image_dir(folder: SaveFolder, images: Path | None) -> Path:
    config_name = f"{folder.user}_config.txt"
    if images is not None:
        if not images.is_dir():
            raise LegacyError(f"{images}: no such image folder (given with --images)")
        return images.resolve()
    value = folder.config.image_dir
    if value is None:
        raise LegacyError(f"{folder.path / config_name}: names no image folder; point to the images with --images DIR")
    candidate = Path(value)
    if not candidate.is_absolute():
        candidate = folder.path / candidate
    if not candidate.is_dir():
        raise LegacyError(f"{folder.path / config_name}: image_dir {value} does not exist on this machine; "
                          "point to the images with --images DIR")
    return candidate.resolve()


def _unique_names(names: tuple[str, ...], what: str, notes: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for i, name in enumerate(names, 1):
        fixed = name or str(i)
        n = 2
        while fixed in out:
            fixed = f"{name or i} ({n})"
            n += 1
        if fixed != name:
            notes.append(f"{what} {i} {name!r} is renamed {fixed!r} (names must differ)")
        out.append(fixed)
    return tuple(out)


def _images_entry(image_dir: Path, experiment_dir: Path) -> str:
    """Relative when the images are inside the experiment's folder (it can be zipped)."""
    try:
        rel = image_dir.relative_to(experiment_dir.resolve())
    except ValueError:
        return str(image_dir)
    return rel.as_posix() or "."


def _catalog_targets(paths: list[Path]) -> list[tuple[Path, str]]:
    return [(p, f"{CATALOG_FOLDER}/{p.name}") for p in paths]


def build_document(folder: SaveFolder, user: str, image_dir: Path, experiment_dir: Path, groups: tuple[str, ...],
                   categories: tuple[str, ...], mode: str, seed: int,
                   catalogs: list[tuple[Path, str]]) -> dict[str, Any]:
    config = folder.config
    document: dict[str, Any] = {
        "schema_version": 1,
        "name": f"{folder.path.resolve().name} (Image Marker 1.2, {folder.user})",
        "images": {"directory": _images_entry(image_dir, experiment_dir), "recursive": False},
        "order": {"mode": mode, "seed": seed},
        "groups": [{"name": name, **({"max": limit} if limit else {})}
                   for name, limit in zip(groups, config.group_max)],
        "categories": {"exclusive": False, "items": [{"name": name} for name in categories]},
    }
    if catalogs:
        document["catalogs"] = [{"path": rel, "name": Path(rel).stem} for _, rel in catalogs]
    document["output"] = {"directory": RESULTS_FOLDER, "writers": ["csv"], "user": user}
    document["controls"] = {"left_click_group": groups[config.left_click_group - 1]}
    return document


def _states(folder: SaveFolder, groups: dict[str, str]) -> tuple[list[Key], dict[Key, KeyState]]:
    """Seen keys in 1.2's list order, and their state."""
    order: list[Key] = []
    states: dict[Key, KeyState] = {}

    def state(key: Key, date: str) -> KeyState:
        if key not in states:
            states[key] = KeyState(date=date)
            order.append(key)
        elif not states[key].date:
            states[key].date = date
        return states[key]

    for row in folder.images:
        st = state((row.image, row.pass_index), row.date)
        st.categories, st.comment = row.categories, row.comment
    for image, pass_index, date in folder.placeholders:
        if pass_index == 2 and (image, 1) not in states:
            state((image, 1), date)
        state((image, pass_index), date)
    for mark in folder.marks:
        if mark.pass_index == 2 and (mark.image, 1) not in states:
            state((mark.image, 1), mark.date)
        renamed = mark if groups[mark.group] == mark.group else _regrouped(mark, groups[mark.group])
        state((mark.image, mark.pass_index), mark.date).marks.append(renamed)
    for key, st in states.items():
        st.favorite = key[0] in folder.favorites
    return order, states


def _regrouped(mark: LegacyMark, group: str) -> LegacyMark:
    label = group if mark.label == mark.group else mark.label
    return replace(mark, group=group, label=label)


def plan_import(folder: SaveFolder, experiment_dir: Path, *, images: Path | None = None,
                registry: Any) -> ImportPlan:
    notes: list[str] = list(folder.notes)
    image_dir = resolve_image_dir(folder, images)
    user = safe_user(folder.user)
    if user != folder.user:
        notes.append(f"annotator {folder.user!r} is called {user!r} here (file names allow letters, digits, _ . @ -)")
    config = folder.config
    groups = _unique_names(config.groups, "group", notes)
    categories = _unique_names(config.categories, "category", notes)
    first_named = {}
    for old, new in zip(config.groups, groups):
        first_named.setdefault(old, new)  # 1.2 finds a group by its first name
    mode = "shuffled" if config.randomize_order else "sorted"
    seed = order_seed(user) if config.randomize_order else 0
    seen_order, states = _states(folder, first_named)
    missing_favorites = sorted(folder.favorites - {k[0] for k in states})
    if missing_favorites:
        notes.append(f"{len(missing_favorites)} favourite(s) not among the seen images (ignored): "
                     + ", ".join(missing_favorites[:5]))
    suffixes = registry.image_suffixes()
    source = ImageSource(image_dir, None, False, None, DEFAULT_MAX_PIXELS)
    found = discover(source, suffixes)
    seen_names = {name for name, _ in seen_order}
    unseen = [name for name in found.names if name not in seen_names]
    sequence = seen_order + [(name, 1) for name in order_images(unseen, mode, seed, user)]
    absent = sorted(seen_names - set(found.names))
    if absent:
        notes.append(f"{len(absent)} seen image(s) not in {image_dir} (their records are kept): "
                     + ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else ""))
    catalogs = _catalog_targets(folder.catalogs)
    document = build_document(folder, user, image_dir, experiment_dir, groups, categories, mode, seed, catalogs)
    return ImportPlan(folder, user, image_dir, experiment_dir, groups, document, sequence, states, mode, seed,
                      len(found.names), catalogs, notes)


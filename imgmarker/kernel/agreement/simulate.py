"""Synthetic annotators for tests and benchmarks: true positions plus noise, misses and
false marks, and categories chosen with a given accuracy."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from imgmarker.kernel.agreement.tables import ImageVotes, Marks, Names, Results
from imgmarker.kernel.output.csvtext import join_categories


@dataclass
class Truth:
    image: np.ndarray  # image code per true object
    group: np.ndarray
    x: np.ndarray
    y: np.ndarray
    category: np.ndarray  # true category index per image


def simulate(n_annotators: int, n_images: int, marks_per_image: int, *, noise: float = 1.0,
             miss: float = 0.1, false: float = 0.1, size: float = 1000.0, groups: Sequence[str] = ("1",),
             categories: Sequence[str] = ("A", "B", "C"), accuracy: float = 0.8,
             seed: int = 0) -> tuple[Results, Truth]:
    """Every annotator marks each true object with probability ``1 - miss`` (Gaussian
    noise of ``noise`` px per axis) and adds on average ``false`` random marks per true
    object; it names the true category with probability ``accuracy``."""
    rng = np.random.default_rng(seed)
    n_true = n_images * marks_per_image
    t_image = np.repeat(np.arange(n_images, dtype=np.int32), marks_per_image)
    t_group = rng.integers(0, len(groups), n_true).astype(np.int32)
    # objects on a jittered grid so that true objects never fall within a radius of each other
    side = max(int(np.ceil(np.sqrt(marks_per_image))), 1)
    slot = np.tile(np.arange(marks_per_image), n_images)
    cell = size / side
    t_x = (slot % side + 0.3 + 0.4 * rng.random(n_true)) * cell
    t_y = (slot // side + 0.3 + 0.4 * rng.random(n_true)) * cell
    t_cat = rng.integers(0, len(categories), n_images)
    mark_parts, vote_parts = [], []
    for user in range(n_annotators):
        keep = rng.random(n_true) >= miss
        n_false = rng.poisson(false * n_true)
        image = np.concatenate([t_image[keep], rng.integers(0, n_images, n_false).astype(np.int32)])
        group = np.concatenate([t_group[keep], rng.integers(0, len(groups), n_false).astype(np.int32)])
        x = np.concatenate([t_x[keep] + rng.normal(0, noise, keep.sum()), rng.uniform(0, size, n_false)])
        y = np.concatenate([t_y[keep] + rng.normal(0, noise, keep.sum()), rng.uniform(0, size, n_false)])
        n = len(x)
        nan = np.full(n, np.nan)
        mark_parts.append(Marks(user=np.full(n, user, dtype=np.int32), image=image, group=group,
                                label=group.copy(), x=x, y=y, ra=nan, dec=nan.copy(),
                                pass_index=np.ones(n, dtype=np.int8)))
        right = rng.random(n_images) < accuracy
        chosen = np.where(right, t_cat, rng.integers(0, len(categories), n_images))
        cats = np.empty(n_images, dtype=object)
        cats[:] = [(categories[c],) for c in chosen]
        vote_parts.append(ImageVotes(user=np.full(n_images, user, dtype=np.int32),
                                     image=np.arange(n_images, dtype=np.int32), categories=cats,
                                     comment=np.full(n_images, "", dtype=object),
                                     favorite=np.zeros(n_images, dtype=bool),
                                     pass_index=np.ones(n_images, dtype=np.int8)))
    results = Results(Names(f"user{u:03d}" for u in range(n_annotators)),
                      Names(f"img{i:05d}.fits" for i in range(n_images)), Names(groups), Names(groups),
                      Marks.concat(mark_parts), ImageVotes.concat(vote_parts))
    return results, Truth(t_image, t_group, t_x, t_y, t_cat)


MARK_COLUMNS = ("date", "image", "group", "label", "x", "y", "RA", "DEC", "frame", "time", "pass")
IMAGE_COLUMNS = ("image", "RA", "DEC", "categories", "comment", "favorite", "seen time", "pass")


def _num(value: float) -> str:
    return "" if np.isnan(value) else repr(float(value))


def write_csvs(results: Results, folder: Path) -> list[Path]:
    """Write each annotator's ``<user>_marks.csv`` and ``<user>_images.csv`` in the
    exported format, as a session would."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    m, v = results.marks, results.votes
    for code, user in enumerate(results.users.names):
        path = folder / f"{user}_marks.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(MARK_COLUMNS)
            for i in np.flatnonzero(m.user == code):
                out.writerow(("2024-01-01", results.images[m.image[i]], results.groups[m.group[i]],
                              results.labels[m.label[i]], repr(float(m.x[i])), repr(float(m.y[i])),
                              _num(m.ra[i]), _num(m.dec[i]), 0, "2024-01-01T00:00:00Z", int(m.pass_index[i])))
        written.append(path)
        path = folder / f"{user}_images.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(IMAGE_COLUMNS)
            for i in np.flatnonzero(v.user == code):
                out.writerow((results.images[v.image[i]], "", "", join_categories(v.categories[i]), v.comment[i],
                              int(v.favorite[i]), "2024-01-01T00:00:00Z", int(v.pass_index[i])))
        written.append(path)
    return written

"""Per-image category votes, the majority category, comments with their authors, and
the annotator x image label matrices the agreement statistics read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from imgmarker.kernel.agreement import grouping
from imgmarker.kernel.agreement.tables import Results

MISSING = -1


@dataclass
class CategoryVotes:
    categories: list[str]
    image: np.ndarray  # image codes with at least one annotator
    seen: np.ndarray  # annotators who looked at each image
    counts: np.ndarray  # (images, categories) votes

    def fractions(self) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.seen[:, None] > 0, self.counts / np.maximum(self.seen, 1)[:, None], 0.0)

    def majority(self) -> list[str]:
        """The category with the most votes; empty when nobody chose one or on a tie."""
        out = []
        for row in self.counts:
            top = row.max() if len(row) else 0
            winners = np.flatnonzero(row == top)
            out.append(self.categories[winners[0]] if top > 0 and len(winners) == 1 else "")
        return out


def _category_codes(results: Results, categories: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Flat (row of votes, category code) of every category chosen, unknown ones left out,
    in row order. A million rows hold a handful of distinct category sets, so each set
    is looked at once and the rows are expanded with numpy."""
    code = {c: i for i, c in enumerate(categories)}
    chosen = results.votes.categories.tolist()
    distinct = {s: i for i, s in enumerate(dict.fromkeys(chosen))}
    codes = [[code[c] for c in s if c in code] for s in distinct]
    which = np.fromiter(map(distinct.__getitem__, chosen), dtype=np.int64, count=len(chosen))
    sizes = np.array([len(c) for c in codes], dtype=np.int64)
    flat = np.array([c for cs in codes for c in cs], dtype=np.int64)
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]) if len(sizes) else sizes
    per_row = sizes[which] if len(chosen) else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(chosen), dtype=np.int64), per_row)
    starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
    within = np.arange(len(rows), dtype=np.int64) - starts
    return rows, flat[offset[which][rows] + within] if len(rows) else np.zeros(0, dtype=np.int64)


def category_votes(results: Results, categories: Sequence[str]) -> CategoryVotes:
    """Votes of the first pass (a consistency repeat does not vote twice)."""
    fp = results.first_pass()
    seen = fp.seen_count()
    images = np.flatnonzero(seen > 0)
    rows, cats = _category_codes(fp, categories)
    k = len(categories)
    n_users = max(len(fp.users), 1)
    # one vote per annotator, image and category even if a row is repeated
    pair = grouping.distinct((fp.votes.image[rows].astype(np.int64) * n_users + fp.votes.user[rows]) * max(k, 1) + cats)
    image = pair // max(k, 1) // n_users
    cat = pair % max(k, 1)
    counts = np.zeros((len(fp.images), max(k, 1)), dtype=np.int64)
    np.add.at(counts, (image, cat), 1)
    return CategoryVotes(list(categories), images, seen[images], counts[images, :k])


def comments(results: Results) -> list[tuple[str, str, int, str]]:
    """(image, annotator, pass, comment) of every non-empty comment, by image then author."""
    v = results.votes
    out = [(results.images[int(v.image[i])], results.users[int(v.user[i])], int(v.pass_index[i]), str(v.comment[i]))
           for i in np.flatnonzero([bool(str(c).strip()) for c in v.comment])]
    return sorted(out)


def label_matrices(results: Results, categories: Sequence[str], exclusive: bool,
                   pass_index: int = 1) -> dict[str, np.ndarray]:
    """Annotator x image matrices of nominal labels (codes, ``MISSING`` where the
    annotator did not look at the image or chose nothing).

    Exclusive categories give one variable, ``category``; otherwise each category is
    its own yes/no variable (1 chosen, 0 seen but not chosen)."""
    sel = results.votes.pass_index == pass_index
    user, image = results.votes.user[sel], results.votes.image[sel]
    shape = (len(results.users), len(results.images))
    rows, cats = _category_codes(results, categories)
    keep = sel[rows]
    rows, cats = rows[keep], cats[keep]
    if exclusive:
        m = np.full(shape, MISSING, dtype=np.int64)
        # the first category of a row wins if a row somehow has several
        order = np.argsort(rows, kind="stable")[::-1]
        m[results.votes.user[rows[order]], results.votes.image[rows[order]]] = cats[order]
        return {"category": m}
    out = {}
    for k, name in enumerate(categories):
        m = np.full(shape, MISSING, dtype=np.int64)
        m[user, image] = 0
        chosen = cats == k
        m[results.votes.user[rows[chosen]], results.votes.image[rows[chosen]]] = 1
        out[name] = m
    return out

"""Reading an annotator's results straight from the campaign database.

The database is opened read-only through the store interface, so an annotator who is
still marking is never held up. The store records the image sequence it was built
from; comparing it with the experiment's images tells results of another experiment
apart from a campaign whose folder merely changed a little.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from imgmarker.kernel.agreement.tables import ImageVotes, Marks, Names
from imgmarker.kernel.annotations.names import output_name
from imgmarker.kernel.store.base import StoreError

#: below this share of its sequence being images of the experiment, a store is refused
MIN_SHARED = 0.5


class StoreReadError(Exception):
    """The database cannot be read; ``message`` does not repeat the path."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _without_path(path: Path, message: str) -> str:
    for prefix in (f"{path}: ", f"{path.resolve()}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


@dataclass
class StoreColumns:
    """One database's contents as compact columns with local name codes, so that it can
    be read in another process and handed back cheaply; the shared codes are assigned
    by :func:`to_tables` in the reading order of the annotators."""

    mark_images: list[str]  # sorted distinct image names of the marks
    mark_image: np.ndarray  # index into mark_images, in export order
    groups: list[str]  # group names in order of first appearance (export order)
    group: np.ndarray
    labels: list[str]
    label: np.ndarray
    x: np.ndarray
    y: np.ndarray
    ra: np.ndarray
    dec: np.ndarray
    pass_index: np.ndarray
    vote_images: list[str]
    categories: list[tuple[str, ...]]
    comments: list[str]
    favorite: np.ndarray
    vote_pass: np.ndarray
    sequence: list[str]


def read_columns(path: Path) -> StoreColumns:
    """The marks, image rows and first-pass sequence of one database (read-only)."""
    from imgmarker.kernel.store.sqlite import SqliteStore

    try:
        store = SqliteStore.open(path, readonly=True)
    except StoreError as exc:
        raise StoreReadError(_without_path(path, str(exc))) from exc
    try:
        with store, store.snapshot():
            sequence = [output_name(name) for name, pass_index in store.sequence() if pass_index == 1]
            marks = store.mark_columns()
            rows = store.image_columns()
    except (sqlite3.DatabaseError, StoreError, ValueError, TypeError) as exc:
        raise StoreReadError(f"corrupt annotation database ({type(exc).__name__}: {exc})") from exc
    return _columns(marks, rows, sequence)


def read_store(path: Path, user: int, images: Names, groups: Names, labels: Names
               ) -> tuple[Marks, ImageVotes, list[str]]:
    """Marks, image rows and the stored sequence's image names of one database."""
    columns = read_columns(path)
    marks, votes = to_tables(columns, user, images, groups, labels)
    return marks, votes, columns.sequence


def _local_codes(values: Sequence[str], order: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """Names of ``values`` in order of first appearance when taken in ``order``, and each
    value's index into them, with Python touching each distinct value only once."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) == 1:
        return distinct, np.zeros(len(values), dtype=np.int32)
    local = dict(zip(distinct, range(len(distinct))))
    index = np.fromiter(map(local.__getitem__, values), dtype=np.int64, count=len(values))
    if order is not None:
        index = index[order]
    seen, first = np.unique(index, return_index=True)
    appearance = seen[np.argsort(first)]
    renumber = np.zeros(len(distinct), dtype=np.int32)
    renumber[appearance] = np.arange(len(appearance), dtype=np.int32)
    return [distinct[i] for i in appearance.tolist()], renumber[index]


def _columns(columns: dict, rows: dict, sequence: list[str]) -> StoreColumns:
    """Marks in the order of an export (image name, pass, placement), so that every
    later sum runs in the same order whether the results come from a store or a CSV file."""
    n = len(columns["x"])
    if n:
        image = columns["image"]
        names = sorted(set(image))
        rank = np.fromiter(map(dict(zip(names, range(len(names)))).__getitem__, image), dtype=np.int64, count=n)
        passes = np.array(columns["pass"], dtype=np.int64)
        key = rank * (int(passes.max()) + 1) + passes
        ordered = bool(np.all(key[1:] >= key[:-1]))
        order = None if ordered else np.argsort(key, kind="stable")  # stable: placement order kept
    else:
        names, rank, passes, order = [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), None

    def arrange(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    def number(name: str) -> np.ndarray:
        values = columns[name]
        if values.count(None) == n:  # no sky positions at all
            return np.full(n, np.nan)
        return arrange(np.array(values, dtype=np.float64).reshape(n))  # None -> NaN

    group_names, group = _local_codes(columns["group"], order)
    label_names, label = _local_codes(columns["label"], order)
    m = len(rows["image"])
    return StoreColumns(
        mark_images=names, mark_image=arrange(rank).astype(np.int32), groups=group_names, group=group,
        labels=label_names, label=label, x=number("x"), y=number("y"), ra=number("ra"), dec=number("dec"),
        pass_index=arrange(passes.astype(np.int8)), vote_images=list(rows["image"]),
        categories=list(rows["categories"]), comments=list(rows["comment"]),
        favorite=np.array(rows["favorite"], dtype=bool).reshape(m), vote_pass=np.array(rows["pass"], dtype=np.int8).reshape(m),
        sequence=sequence)


def _shared(local: list[str], index: np.ndarray, names: Names) -> np.ndarray:
    if not len(index):
        return np.zeros(0, dtype=np.int32)
    return names.encode(local)[index]


def to_tables(c: StoreColumns, user: int, images: Names, groups: Names, labels: Names
              ) -> tuple[Marks, ImageVotes]:
    """Tables of one database's columns, its names coded in the shared name lists (marks
    first, then the image rows, each in export order, as a CSV export would be read)."""
    n = len(c.x)
    marks = Marks()
    if n:
        marks = Marks(user=np.full(n, user, dtype=np.int32), image=_shared(c.mark_images, c.mark_image, images),
                      group=_shared(c.groups, c.group, groups), label=_shared(c.labels, c.label, labels),
                      x=c.x, y=c.y, ra=c.ra, dec=c.dec, pass_index=c.pass_index)
    m = len(c.vote_images)
    if not m:
        return marks, ImageVotes()
    cats = np.empty(m, dtype=object)
    cats[:] = c.categories
    comments = np.empty(m, dtype=object)
    comments[:] = c.comments
    return marks, ImageVotes(user=np.full(m, user, dtype=np.int32), image=images.encode(c.vote_images),
                             categories=cats, comment=comments, favorite=c.favorite, pass_index=c.vote_pass)


def check_sequence(sequence: Sequence[str], expected_images: Sequence[str] | None, name: str) -> None:
    """Refuse a store whose image sequence is mostly not the experiment's images."""
    if expected_images is None or not sequence:
        return
    known = set(expected_images)
    shared = sum(1 for s in sequence if s in known)
    if shared < MIN_SHARED * len(sequence):
        sample = ", ".join(repr(s) for s in [s for s in sequence if s not in known][:3])
        raise StoreReadError(f"results of a different experiment? only {shared} of the {len(sequence)} images "
                             f"in this database's sequence are images of {name} (not: {sample}, ...)")


__all__ = ["StoreColumns", "StoreReadError", "check_sequence", "read_columns", "read_store", "to_tables"]

"""Reading an annotator's results straight from the campaign database.

The database is opened read-only through the store interface, so an annotator who is
still marking is never held up. The store records the image sequence it was built
from; comparing it with the experiment's images tells results of another experiment
apart from a campaign whose folder merely changed a little.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np

from imgmarker.kernel.agreement.tables import ImageVotes, Marks, Names
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


def read_store(path: Path, user: int, images: Names, groups: Names, labels: Names
               ) -> tuple[Marks, ImageVotes, list[str]]:
    """Marks, image rows and the stored sequence's image names of one database."""
    from imgmarker.kernel.store.sqlite import SqliteStore

    try:
        store = SqliteStore.open(path, readonly=True)
    except StoreError as exc:
        raise StoreReadError(_without_path(path, str(exc))) from exc
    try:
        with store, store.snapshot():
            sequence = [name for name, pass_index in store.sequence() if pass_index == 1]
            marks = store.mark_columns()
            rows = store.image_columns()
    except (sqlite3.DatabaseError, StoreError, ValueError, TypeError) as exc:
        raise StoreReadError(f"corrupt annotation database ({type(exc).__name__}: {exc})") from exc
    return _marks(marks, user, images, groups, labels), _votes(rows, user, images), sequence


def _codes_in_order(values: Sequence[str], order: np.ndarray | None, names: Names) -> np.ndarray:
    """Codes of ``values`` taken in ``order``, new names coded in their order of first
    appearance there, with Python touching each distinct value only once."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) == 1:
        return np.full(len(values), names.code(distinct[0]), dtype=np.int32)
    local = dict(zip(distinct, range(len(distinct))))
    index = np.fromiter(map(local.__getitem__, values), dtype=np.int64, count=len(values))
    if order is not None:
        index = index[order]
    seen, first = np.unique(index, return_index=True)
    appearance = seen[np.argsort(first)].tolist()
    table = np.zeros(len(distinct), dtype=np.int32)
    table[appearance] = names.encode([distinct[i] for i in appearance])
    return table[index]


def _marks(columns: dict, user: int, images: Names, groups: Names, labels: Names) -> Marks:
    """Marks in the order of an export (image name, pass, placement), so that every
    later sum runs in the same order whether the results come from a store or a CSV file."""
    n = len(columns["x"])
    if not n:
        return Marks()
    image = columns["image"]
    names = sorted(set(image))
    rank = np.fromiter(map(dict(zip(names, range(len(names)))).__getitem__, image), dtype=np.int64, count=n)
    passes = np.array(columns["pass"], dtype=np.int64)
    key = rank * (int(passes.max()) + 1) + passes
    ordered = bool(np.all(key[1:] >= key[:-1]))
    order = None if ordered else np.argsort(key, kind="stable")  # stable: placement order kept

    def arrange(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    def number(name: str) -> np.ndarray:
        values = columns[name]
        if values.count(None) == n:  # no sky positions at all
            return np.full(n, np.nan)
        return arrange(np.array(values, dtype=np.float64))  # None -> NaN

    # rows sorted by image name meet the names in sorted order
    return Marks(user=np.full(n, user, dtype=np.int32), image=images.encode(names)[arrange(rank)],
                 group=_codes_in_order(columns["group"], order, groups),
                 label=_codes_in_order(columns["label"], order, labels),
                 x=number("x"), y=number("y"), ra=number("ra"), dec=number("dec"),
                 pass_index=arrange(passes.astype(np.int8)))


def _votes(columns: dict, user: int, images: Names) -> ImageVotes:
    n = len(columns["image"])
    if not n:
        return ImageVotes()
    cats = np.empty(n, dtype=object)
    cats[:] = list(columns["categories"])
    comments = np.empty(n, dtype=object)
    comments[:] = list(columns["comment"])
    return ImageVotes(user=np.full(n, user, dtype=np.int32), image=images.encode(columns["image"]), categories=cats,
                      comment=comments, favorite=np.array(columns["favorite"], dtype=bool).reshape(n),
                      pass_index=np.array(columns["pass"], dtype=np.int8))


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


__all__ = ["StoreReadError", "check_sequence", "read_store"]

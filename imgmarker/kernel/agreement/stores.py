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


def _marks(columns: dict, user: int, images: Names, groups: Names, labels: Names) -> Marks:
    """Marks in the order of an export (image name, pass, placement), so that every
    later sum runs in the same order whether the results come from a store or a CSV file."""
    n = len(columns["x"])
    if not n:
        return Marks()
    image = columns["image"]
    names = sorted(set(image))
    rank = np.array(list(map(dict(zip(names, range(len(names)))).__getitem__, image)), dtype=np.int64)
    order = np.lexsort((np.array(columns["pass"], dtype=np.int64), rank))  # stable: placement order kept
    take = order.tolist()

    def text(name: str) -> list[str]:
        return list(map(columns[name].__getitem__, take))

    def number(name: str) -> np.ndarray:
        values = columns[name]
        if values.count(None) == n:  # no sky positions at all
            return np.full(n, np.nan)
        return np.array(values, dtype=np.float64)[order]  # None -> NaN

    return Marks(user=np.full(n, user, dtype=np.int32), image=images.encode(text("image")),
                 group=groups.encode(text("group")), label=labels.encode(text("label")),
                 x=number("x"), y=number("y"), ra=number("ra"), dec=number("dec"),
                 pass_index=np.array(columns["pass"], dtype=np.int8)[order])


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

"""Column tables of many annotators' results.

Millions of marks are held as numpy columns (names as integer codes into shared name
lists) rather than one Python object per mark, so that a campaign of 100 annotators
stays fast and small in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from imgmarker.kernel.agreement.grouping import distinct


class Names:
    """A growing list of names with their integer codes."""

    def __init__(self, names: Iterable[str] = ()):
        self.names: list[str] = []
        self.codes: dict[str, int] = {}
        for name in names:
            self.code(name)

    def code(self, name: str) -> int:
        code = self.codes.get(name)
        if code is None:
            code = self.codes[name] = len(self.names)
            self.names.append(name)
        return code

    def encode(self, values: Sequence[str]) -> np.ndarray:
        """Codes of many values (one C-level dictionary pass; no sorting of strings)."""
        found = list(map(self.codes.get, values))
        if None in found:  # new names: code them in order of first appearance, then look up again
            for value in dict.fromkeys(v for v, c in zip(values, found) if c is None):
                self.code(value)
            found = list(map(self.codes.__getitem__, values))
        return np.array(found, dtype=np.int32).reshape(len(values))

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, code: int) -> str:
        return self.names[code]


def _empty(dtype) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass
class Marks:
    """Marks of any number of annotators. ``user``/``image``/``group`` are codes;
    ``ra``/``dec`` are NaN without a WCS; ``pass_index`` 1 = first pass, 2 = repeat."""

    user: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    image: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    group: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    label: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    x: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    y: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    ra: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    dec: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    pass_index: np.ndarray = field(default_factory=lambda: _empty(np.int8))

    COLUMNS = ("user", "image", "group", "label", "x", "y", "ra", "dec", "pass_index")

    def __len__(self) -> int:
        return len(self.x)

    def take(self, index) -> "Marks":
        return Marks(**{c: getattr(self, c)[index] for c in self.COLUMNS})

    @classmethod
    def concat(cls, parts: Sequence["Marks"]) -> "Marks":
        if not parts:
            return cls()
        return cls(**{c: np.concatenate([getattr(p, c) for p in parts]) for c in cls.COLUMNS})


@dataclass
class ImageVotes:
    """One row per annotator and image seen: categories chosen, comment, favourite."""

    user: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    image: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    categories: np.ndarray = field(default_factory=lambda: _empty(object))  # tuples of names
    comment: np.ndarray = field(default_factory=lambda: _empty(object))
    favorite: np.ndarray = field(default_factory=lambda: _empty(bool))
    pass_index: np.ndarray = field(default_factory=lambda: _empty(np.int8))

    COLUMNS = ("user", "image", "categories", "comment", "favorite", "pass_index")

    def __len__(self) -> int:
        return len(self.user)

    def take(self, index) -> "ImageVotes":
        return ImageVotes(**{c: getattr(self, c)[index] for c in self.COLUMNS})

    @classmethod
    def concat(cls, parts: Sequence["ImageVotes"]) -> "ImageVotes":
        if not parts:
            return cls()
        return cls(**{c: np.concatenate([getattr(p, c) for p in parts]) for c in cls.COLUMNS})


@dataclass
class Results:
    """All annotators' results of one experiment, ready for aggregation."""

    users: Names
    images: Names
    groups: Names
    labels: Names
    marks: Marks
    votes: ImageVotes
    sources: dict[str, tuple[Path, ...]] = field(default_factory=dict)

    def first_pass(self) -> "Results":
        def first(table):
            mask = table.pass_index == 1
            # no repeats: the same columns, not a copy of millions of marks
            return type(table)(**{c: getattr(table, c) for c in table.COLUMNS}) if mask.all() else table.take(mask)
        return Results(self.users, self.images, self.groups, self.labels, first(self.marks), first(self.votes),
                       self.sources)

    def seen_count(self) -> np.ndarray:
        """Per image code: how many annotators looked at it (an image row, or a mark on it)."""
        n_users, n_images = max(len(self.users), 1), max(len(self.images), 1)
        if n_users * n_images <= 50_000_000:  # a flag matrix is cheaper than sorting pairs
            seen = np.zeros((n_users, n_images), dtype=bool)
            seen[self.votes.user, self.votes.image] = True
            seen[self.marks.user, self.marks.image] = True
            return seen.sum(axis=0)
        pairs = distinct(np.concatenate([self.votes.image.astype(np.int64) * n_users + self.votes.user,
                                         self.marks.image.astype(np.int64) * n_users + self.marks.user]))
        return np.bincount(pairs // n_users, minlength=n_images)

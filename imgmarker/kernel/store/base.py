"""The store interface the session and the writers talk to.

Small on purpose: a server database (shared multi-annotator campaigns) only has to
provide these calls. Every mutating call is atomic and committed when it returns (it
survives the process being killed); a store may reach the disk a moment later and says
when (:meth:`Store.make_durable`).
Actions are logged as lists of changes (:mod:`imgmarker.kernel.annotations.changes`).
"""

from __future__ import annotations

import abc
import contextlib
from dataclasses import dataclass
from typing import Any, ContextManager, Iterable, Iterator, Mapping, Sequence

from imgmarker.kernel.annotations.marks import FrameGeometry, ImageState, Mark
from imgmarker.kernel.annotations.rows import ImageRow, MarkRow
from imgmarker.kernel.annotations.changes import Change

Key = tuple[str, int]  # (image name, pass index)

#: the columns of :meth:`Store.mark_columns` and the MarkRow field each holds
MARK_COLUMN_FIELDS = {"image": "image", "group": "group", "label": "label", "x": "x", "y": "y",
                      "ra": "ra", "dec": "dec", "pass": "pass_index"}
#: the columns of :meth:`Store.image_columns` and the ImageRow field each holds
IMAGE_COLUMN_FIELDS = {"image": "image", "pass": "pass_index", "categories": "categories", "comment": "comment",
                       "favorite": "favorite"}


class StoreError(Exception):
    """The store cannot be used (wrong file, newer schema, locked beyond patience)."""


@dataclass(frozen=True)
class Action:
    """One logged user action on one image, as undo/redo sees it."""

    description: str
    changes: tuple[Change, ...]


class Store(abc.ABC):
    # -- campaign sequence and metadata --------------------------------------
    @abc.abstractmethod
    def sequence(self) -> list[Key]:
        """The stored presentation order (first pass and repeats)."""

    @abc.abstractmethod
    def append_sequence(self, keys: Iterable[Key]) -> None: ...

    @abc.abstractmethod
    def create_sequence(self, keys: Iterable[Key], meta: Mapping[str, Any] | None = None) -> list[Key]:
        """Store ``keys`` as the sequence unless one exists (another process may have
        been first), with the ``meta`` entries that describe it (order, repeats) in the
        same transaction, so a campaign is never half set up; returns the stored sequence."""

    @abc.abstractmethod
    def get_meta(self, key: str, default: Any = None) -> Any: ...

    @abc.abstractmethod
    def set_meta(self, key: str, value: Any) -> None: ...

    # -- settings (per annotator, JSON values) ------------------------------
    @abc.abstractmethod
    def get_setting(self, key: str, default: Any = None) -> Any: ...

    @abc.abstractmethod
    def set_setting(self, key: str, value: Any) -> None: ...

    # -- reading state -------------------------------------------------------
    @abc.abstractmethod
    def marks(self, image: str, pass_index: int) -> list[Mark]: ...

    @abc.abstractmethod
    def mark(self, mark_id: int) -> Mark | None: ...

    @abc.abstractmethod
    def image_state(self, image: str, pass_index: int) -> ImageState: ...

    def image_states(self) -> "dict[Key, ImageState]":
        """Every stored image state, by (image, pass)."""
        raise NotImplementedError(f"{type(self).__name__} cannot list image states")

    @abc.abstractmethod
    def seen_keys(self) -> set[Key]: ...

    @abc.abstractmethod
    def mark_counts(self) -> dict[Key, int]: ...

    # -- actions -------------------------------------------------------------
    @abc.abstractmethod
    def apply(self, key: Key, description: str, changes: Sequence[Change], *,
              seen_time: str | None = None) -> list[Change]:
        """Apply ``changes`` and log them for undo (dropping what could be redone on
        ``key``), also marking ``key`` seen when ``seen_time`` is given; returns the
        changes with new mark ids filled in."""

    @abc.abstractmethod
    def undo(self, key: Key) -> Action | None:
        """Revert the last action on ``key``; returns the changes applied (the inverse)."""

    @abc.abstractmethod
    def redo(self, key: Key) -> Action | None: ...

    @abc.abstractmethod
    def mark_seen(self, key: Key, time: str, *, later: bool = False) -> None:
        """``later``: written with the next write or read of the store or at :meth:`settle`,
        so a step to the next image does not wait for the database (nothing is lost that
        was acknowledged: the mark is not shown as stored before it is written)."""

    def settle(self) -> None:
        """Write what :meth:`mark_seen` left for later."""

    def rename(self, groups: "dict[str, str]", categories: "dict[str, str]", *,
               settings: "dict[str, Any] | None" = None) -> int:
        """Rename groups (labels equal to the old name follow) and categories everywhere,
        and store ``settings``, in one transaction; the number of marks changed."""
        raise NotImplementedError(f"{type(self).__name__} cannot rename groups or categories")

    def replace_sequence(self, keys: Iterable[Key], meta: Mapping[str, Any] | None = None) -> None:
        """Replace the stored presentation order (a changed order or repeat fraction),
        with the ``meta`` entries that describe it in the same transaction."""
        raise NotImplementedError(f"{type(self).__name__} cannot replace the sequence")

    # -- geometry known from opened images -----------------------------------
    @abc.abstractmethod
    def put_geometries(self, geometries: Iterable[FrameGeometry]) -> None: ...

    @abc.abstractmethod
    def geometry(self, image: str, frame: int) -> FrameGeometry | None: ...

    # -- what writers read ---------------------------------------------------
    @abc.abstractmethod
    def mark_rows(self) -> Iterator[MarkRow]: ...

    @abc.abstractmethod
    def image_rows(self) -> Iterator[ImageRow]: ...

    @abc.abstractmethod
    def geometries(self) -> dict[tuple[str, int], FrameGeometry]: ...

    def mark_columns(self) -> dict[str, Sequence[Any]]:
        """All marks as columns (``image``, ``group``, ``label``, ``x``, ``y``, ``ra``,
        ``dec``, ``pass``) in placement order: one bulk read for programs that load
        many annotators; a store may answer it without sorting or a row object per mark."""
        rows = sorted(self.mark_rows(), key=lambda row: row.id)
        columns = list(zip(*rows)) if rows else [()] * len(MarkRow._fields)
        index = {name: i for i, name in enumerate(MarkRow._fields)}
        return {name: columns[index[field]] for name, field in MARK_COLUMN_FIELDS.items()}

    def image_columns(self) -> dict[str, Sequence[Any]]:
        """The rows of :meth:`image_rows` as columns ``image``, ``pass``, ``categories``
        (tuples), ``comment`` and ``favorite`` (bool), by image and pass."""
        rows = list(self.image_rows())
        columns = list(zip(*rows)) if rows else [()] * len(ImageRow._fields)
        index = {name: i for i, name in enumerate(ImageRow._fields)}
        return {name: columns[index[field]] for name, field in IMAGE_COLUMN_FIELDS.items()}

    def snapshot(self) -> ContextManager[None]:
        """Hold one consistent view of the store while a writer reads it."""
        return contextlib.nullcontext()

    def make_durable(self, timeout: float | None = None) -> bool:
        """Put everything committed so far on the disk before returning (True when done)."""
        return True

    @abc.abstractmethod
    def reader(self) -> "Store":
        """A separate read-only handle for another thread; never blocks the writer."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

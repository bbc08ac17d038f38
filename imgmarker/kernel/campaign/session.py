"""A marking campaign driven from Python: the API the GUI, scripts and tests use.

    with Session.open(experiment, user="ana") as s:
        s.add_mark(10.5, 20.25, "BCG")
        s.toggle_category("merger")
        s.next()

Every mutating call is one committed transaction before it returns (it survives the
program being killed); the store puts it on the disk a moment later and the GUI says
"stored" only then. Navigation is stored too (leaving an image, or acting on it, makes
it *seen*), so reopening resumes at the first unseen image. Writers regenerate the
output files in the background after changes, and once more on :meth:`Session.close`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Sequence

from imgmarker.kernel.annotations import changes
from imgmarker.kernel.campaign.sequence import (Entries, SequenceSource, build_sequence, database_path,
                                                resolve_user, utc_now)
from imgmarker.kernel.campaign.lock import AnnotatorLock
from imgmarker.kernel.campaign.discovery import discover
from imgmarker.kernel.output.export import DEFAULT_DELAY, BackgroundExporter, remove_stale_temporaries, run_writers
from imgmarker.kernel.imaging.images import Image, ImageReadError, open_image
from imgmarker.kernel.campaign.annotator_settings import change_overrides, effective_experiment
from imgmarker.kernel.experiment.overrides import SETTING as OVERRIDES
from imgmarker.kernel.annotations.marks import FrameGeometry, ImageEntry, ImageState, Mark, MarkResult, Progress
from imgmarker.kernel.campaign.mark_sky import SkyLocator, stored_images
from imgmarker.kernel.campaign.mark_checks import refusal
from imgmarker.kernel.store.base import Key, Store, StoreError
from imgmarker.kernel.store.sqlite import SqliteStore

__all__ = ["ImageEntry", "ImageState", "Mark", "MarkResult", "Progress", "Session",
           "database_path", "resolve_user", "utc_now"]

log = logging.getLogger("imgmarker.session")
CLOSE_GEOMETRY_BUDGET = 5.0  # seconds of header reads closing may spend on centres not yet stored


class Session:
    """One annotator's campaign. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, experiment: Any, user: str, output_dir: Path, host: Any, store: Store,
                 root: Path, keys: list[Key], vanished: list[str], notes: list[str],
                 export_delay: float | None):
        self.experiment = experiment  # the effective experiment: the file plus this annotator's overrides
        self.base_experiment = experiment  # the experiment file as loaded
        self._names: list[str] = [name for name, _ in keys]
        self.user = user
        self.output_dir = output_dir
        self.host = host
        self.registry = host.registry
        self.store = store
        self.entries: Entries = Entries(root, keys)
        self.vanished: tuple[str, ...] = tuple(vanished)
        self.notes: list[str] = notes
        self.export_problems: list[str] = []
        self._key_set = set(keys)
        self._seen = store.seen_keys()
        self._seen_count = len(self._seen & self._key_set)
        self._counts: dict[Key, int] | None = None  # counted on first use: opening stays fast
        self._marked_count = 0
        self._sky = SkyLocator(self.registry, experiment.images.max_pixels, self._record_geometry,
                               note=self.notes.append)
        self._sky.want(k[0] for k in self._seen & self._key_set)
        self._closed = False
        self.seen_later = False  # a window sets it: a step's seen mark is written after its picture (Store.mark_seen)
        self.index = next((i for i, k in enumerate(keys) if k not in self._seen), 0)
        self._exporter = BackgroundExporter(self._export_in_background, export_delay) \
            if export_delay is not None else None

    # -- opening and closing ---------------------------------------------------
    @classmethod
    def open(cls, experiment: Any, *, user: str | None = None, output: Path | str | None = None,
             host: Any = None, export_delay: float | None = DEFAULT_DELAY,
             sequence: SequenceSource | None = None) -> "Session":
        """Open (or resume) the campaign of ``experiment`` (an Experiment or a path to one)
        for ``user`` with the database and outputs in ``output`` (default: the experiment's).

        ``export_delay``: seconds of quiet before writers run in the background; None
        runs writers only on :meth:`export` and :meth:`close`. ``sequence``: where the
        image sequence comes from (default: this folder's images, ordered and stored once;
        a team campaign gives the images claimed from its server).
        """
        if host is None:
            from imgmarker.kernel.plugins.host import create_plugin_host

            host = create_plugin_host()
            for problem in host.load_problems():  # a caller that passes a host reports them itself
                log.error("%s", problem)
        if isinstance(experiment, (str, Path)):
            from imgmarker.kernel.experiment.loader import load_experiment

            experiment = load_experiment(experiment, host.registry)
        user = resolve_user(experiment, user)
        output_dir = Path(output) if output is not None else experiment.output.directory
        found = discover(experiment.images, host.registry.image_suffixes())
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            lock = AnnotatorLock(output_dir, user, database_path(output_dir, user)).acquire()
        except OSError as exc:
            raise StoreError(f"{output_dir}: the results folder cannot be created or written: "
                             f"{exc.strerror or exc}") from None
        try:
            remove_stale_temporaries(output_dir, user)
            store = SqliteStore.open(database_path(output_dir, user))
        except BaseException:
            lock.release()
            raise
        base = experiment
        try:
            experiment, override_note = effective_experiment(base, store)
            keys, vanished, notes = (sequence or build_sequence)(store, experiment, user, found.names)
        except BaseException:
            store.close()
            lock.release()
            raise
        if override_note:
            notes.append(override_note)
        notes.extend(found.summary())
        for note in notes:
            log.warning("%s: %s", experiment.name, note)
        session = cls(experiment, user, output_dir, host, store, found.root, keys, vanished, notes, export_delay)
        session.base_experiment = base
        session._lock = lock
        session._names = list(found.names)
        host.notify("imgmarker_session_started", session=session)
        if len(session):
            host.notify("imgmarker_image_shown", session=session, image=session.current)
        return session

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop background writing, write the outputs once more, close the store."""
        if self._closed:
            return
        self._closed = True
        if self._exporter is not None:
            self._exporter.stop()
        try:
            self._settle_geometry(CLOSE_GEOMETRY_BUDGET)
            self._export(None, self.store)
        finally:
            self.host.notify("imgmarker_session_closed", session=self)
            self.store.close()
            lock = getattr(self, "_lock", None)
            if lock is not None:
                lock.release()

    # -- navigation ----------------------------------------------------------
    def __len__(self) -> int:
        return len(self.entries)

    @property
    def current(self) -> ImageEntry:
        if not len(self.entries):
            raise IndexError("the campaign has no images")
        return self.entries[self.index]

    def _entry(self, entry: ImageEntry | None) -> ImageEntry:
        return self.current if entry is None else entry

    def _set_seen(self, key: Key) -> None:
        if key not in self._seen:
            self.store.mark_seen(key, utc_now(), later=self.seen_later)
            self._note_seen(key)

    def _note_seen(self, key: Key) -> None:
        if key not in self._seen:
            self._seen.add(key)
            if key in self._key_set:
                self._seen_count += 1
            self._sky.want((key[0],))  # its size and centre are stored later, off the annotator's path

    def _settle_geometry(self, budget: float | None = None) -> None:
        self._sky.settle(lambda name: self.entries._root / name,
                         lambda names: stored_images(self.store, names), budget)

    def go_to(self, i: int) -> ImageEntry:
        """Show entry ``i``; the image left behind counts as seen."""
        n = len(self.entries)
        if not 0 <= i < n:
            raise IndexError(f"image position {i} is outside 0..{n - 1}")
        if i != self.index:
            self._set_seen(self.entries.key(self.index))
            self.index = i
            self.host.notify("imgmarker_image_shown", session=self, image=self.current)
            self._touch()
        return self.current

    def next(self) -> ImageEntry:
        """The next image; at the end, stays on the last one (marking it seen)."""
        if self.index + 1 >= len(self.entries):
            self._set_seen(self.entries.key(self.index))
            self._touch()
            return self.current
        return self.go_to(self.index + 1)

    def previous(self) -> ImageEntry:
        return self.go_to(max(self.index - 1, 0))

    def extend(self, keys: Sequence[Key]) -> int:
        """Append images to the sequence (stored first); those already in it are skipped.
        Returns how many were added. Call it from the thread that drives the session."""
        new = [k for k in dict.fromkeys(map(tuple, keys)) if k not in self._key_set]
        if new:
            self.store.append_sequence(new)
            self.entries.extend(new)
            self._key_set.update(new)
            self._marked_count += sum(1 for k in new if (self._counts or {}).get(k))
            self._seen_count += sum(1 for k in new if k in self._seen)
        return len(new)

    def peek_next_unseen(self) -> ImageEntry | None:
        """The first unseen image after the current one (wrapping round), without moving."""
        n = len(self.entries)
        for step in range(1, n):
            i = (self.index + step) % n
            if self.entries.key(i) not in self._seen:
                return self.entries[i]
        return None

    def next_unseen(self) -> ImageEntry | None:
        """Go to the first unseen image after the current one (wrapping round); None,
        without moving, when every other image has been seen."""
        entry = self.peek_next_unseen()
        return None if entry is None else self.go_to(entry.position)

    # -- reading state -------------------------------------------------------
    def marks(self, entry: ImageEntry | None = None) -> list[Mark]:
        entry = self._entry(entry)
        return self.store.marks(entry.name, entry.pass_index)

    def image_state(self, entry: ImageEntry | None = None) -> ImageState:
        entry = self._entry(entry)
        return self.store.image_state(entry.name, entry.pass_index)

    def _mark_counts(self) -> dict[Key, int]:
        if self._counts is None:
            self._counts = self.store.mark_counts()
            self._marked_count = len({k for k, n in self._counts.items() if n} & self._key_set)
        return self._counts

    def is_seen(self, i: int) -> bool:
        return self.entries.key(i) in self._seen

    def mark_count(self, i: int) -> int:
        return self._mark_counts().get(self.entries.key(i), 0)

    def image_states(self) -> dict[Key, ImageState]:
        """Every stored image state in one read (an overview of the whole campaign)."""
        return self.store.image_states()

    @property
    def progress(self) -> Progress:
        self._mark_counts()
        total = len(self.entries)
        return Progress(self._seen_count, total, self._marked_count, total - self._seen_count)

    # -- actions -------------------------------------------------------------
    def _apply(self, key: Key, description: str, todo: list[dict]) -> list[dict]:
        seen_time = None if key in self._seen else utc_now()
        done = self.store.apply(key, description, todo, seen_time=seen_time)
        if seen_time is not None:
            self._note_seen(key)
        self._after(key, done)
        return done

    def _after(self, key: Key, done: Sequence[dict]) -> None:
        """Keep counters in step with applied changes and tell plugins."""
        for change in done:
            if change["t"] == "add":
                self._count(key, +1)
                self.host.notify("imgmarker_mark_added", session=self, mark=Mark.from_dict(change["mark"]))
            elif change["t"] == "del":
                self._count(key, -1)
                self.host.notify("imgmarker_mark_removed", session=self, mark=Mark.from_dict(change["mark"]))
        self._touch()

    def _count(self, key: Key, delta: int) -> None:
        counts = self._counts
        if counts is None:  # not counted yet: the first count will include this change
            return
        before = counts.get(key, 0)
        after = before + delta
        counts[key] = after
        if key in self._key_set and (before == 0) != (after == 0):
            self._marked_count += 1 if after else -1

    def _locate(self, entry: ImageEntry, frame: int, x: float, y: float) -> tuple[float | None, float | None]:
        return self._sky.locate(entry.name, entry.path, frame, x, y)

    def _refusal(self, name: str, path: Path, frame: Any, x: Any, y: Any) -> str | None:
        return refusal(self._sky, name, path, frame, x, y,
                       lambda: open_image(path, self.registry, max_pixels=self.experiment.images.max_pixels))

    def add_mark(self, x: float, y: float, group: str, *, frame: int = 0, label: str | None = None) -> MarkResult:
        """Place a mark on the current image. With the group's ``max`` of 1 the new mark
        replaces the old (all of them, if a since-lowered limit left several); above 1 an
        extra mark is refused with the reason. The sky position comes from the frame's
        WCS; without one it is None.

        Refused (``MarkResult.refused`` says why; nothing is stored, nothing raised): a
        position that is not two finite numbers, a frame the image does not have, an
        image that cannot be read, and a position beyond the pixel edges of the frame,
        ``-0.5 <= x < width - 0.5`` and ``-0.5 <= y < height - 0.5``."""
        entry = self.current
        try:
            spec = self.experiment.group(group)
        except KeyError:
            return MarkResult(None, f"no group named {group!r} (groups: {', '.join(self.experiment.group_names)})")
        refused = self._refusal(entry.name, entry.path, frame, x, y)
        if refused:
            return MarkResult(None, refused)
        x, y = float(x), float(y)
        existing = [m for m in self.marks(entry) if m.group == group]
        todo: list[dict] = []
        replaced = None
        if spec.max == 1 and existing:
            replaced = existing[-1]
            todo.extend(changes.delete(m) for m in existing)
        elif spec.max is not None and spec.max > 1 and len(existing) >= spec.max:
            return MarkResult(None, f"group {group!r} allows at most {spec.max} marks per image")
        ra, dec = self._locate(entry, frame, x, y)
        text = spec.name if label is None else str(label)
        todo.append(changes.add({"id": None, "image": entry.name, "group": group, "label": text,
                                 "x": x, "y": y, "frame": int(frame), "ra": ra, "dec": dec,
                                 "time": utc_now(), "pass_index": entry.pass_index}))
        verb = "replace" if replaced else "add"
        done = self._apply((entry.name, entry.pass_index), f"{verb} mark {text!r} ({group})", todo)
        return MarkResult(Mark.from_dict(done[-1]["mark"]), None, replaced)

    def _own_mark(self, mark_id: int) -> Mark:
        mark = self.store.mark(mark_id)
        if mark is None:
            raise KeyError(f"no mark with id {mark_id}")
        return mark

    def remove_mark(self, mark_id: int) -> Mark:
        mark = self._own_mark(mark_id)
        self._apply((mark.image, mark.pass_index), f"remove mark {mark.label!r} ({mark.group})",
                    [changes.delete(mark)])
        return mark

    def relabel_mark(self, mark_id: int, label: str) -> Mark:
        mark = self._own_mark(mark_id)
        label = str(label)
        self._apply((mark.image, mark.pass_index), f"relabel mark {mark.label!r} as {label!r}",
                    [changes.update(mark, label=label)])
        return mark.updated(label=label)

    def move_mark(self, mark_id: int, x: float, y: float) -> MarkResult:
        """Move a mark within its frame; refused, like :meth:`add_mark`, where a mark
        could not be placed (the mark then stays where it was)."""
        mark = self._own_mark(mark_id)
        entry = ImageEntry(-1, mark.image, self.entries._root / mark.image, mark.pass_index)
        refused = self._refusal(entry.name, entry.path, mark.frame, x, y)
        if refused:
            return MarkResult(None, refused)
        x, y = float(x), float(y)
        ra, dec = self._locate(entry, mark.frame, x, y)
        self._apply((mark.image, mark.pass_index), f"move mark {mark.label!r}",
                    [changes.update(mark, x=x, y=y, ra=ra, dec=dec)])
        return MarkResult(mark.updated(x=x, y=y, ra=ra, dec=dec), None)

    def toggle_category(self, name: str) -> tuple[str, ...]:
        """Switch a category on or off for the current image; with exclusive categories,
        switching one on switches the others off."""
        cats = self.experiment.categories
        names = cats.names()
        if name not in names:
            raise ValueError(f"no category named {name!r} (categories: {', '.join(names)})")
        entry = self.current
        old = self.image_state(entry).categories
        if name in old:
            new = tuple(c for c in old if c != name)
            verb = "unset"
        elif cats.exclusive:
            new = (name,)
            verb = "set"
        else:
            chosen = set(old) | {name}
            new = tuple(c for c in names if c in chosen) + tuple(c for c in old if c not in names)
            verb = "set"
        self._apply((entry.name, entry.pass_index), f"{verb} category {name!r}",
                    [changes.image_field("categories", list(old), list(new))])
        return new

    def set_comment(self, text: str) -> None:
        entry = self.current
        old = self.image_state(entry).comment
        text = str(text)
        if text == old:
            return
        self._apply((entry.name, entry.pass_index), "edit comment", [changes.image_field("comment", old, text)])

    def toggle_favorite(self) -> bool:
        entry = self.current
        old = self.image_state(entry).favorite
        self._apply((entry.name, entry.pass_index), "remove favourite" if old else "add favourite",
                    [changes.image_field("favorite", old, not old)])
        return not old

    def _step(self, undo: bool) -> str | None:
        entry = self.current
        key = (entry.name, entry.pass_index)
        action = self.store.undo(key) if undo else self.store.redo(key)
        if action is None:
            return None
        self._after(key, action.changes)
        return action.description

    def undo(self) -> str | None:
        """Revert the last action on the current image; its description, or None."""
        return self._step(True)

    def redo(self) -> str | None:
        return self._step(False)

    # -- images, settings, outputs ------------------------------------------
    def open_image(self, entry: ImageEntry | None = None) -> Image:
        """Open the current (or given) image; raises ImageReadError naming the file."""
        entry = self._entry(entry)
        image = open_image(entry.path, self.registry, max_pixels=self.experiment.images.max_pixels)
        try:
            self._sky.learn(entry.name, image)
        except ImageReadError:
            image.close()
            raise
        return image

    def _record_geometry(self, rows: list[FrameGeometry]) -> None:
        """Store frame sizes and centres for the writers, unless already known."""
        if any(self.store.geometry(r.image, r.frame) != r for r in rows):
            self.store.put_geometries(rows)

    def get_setting(self, key: str, default: Any = None) -> Any:
        return self.store.get_setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self.store.set_setting(key, value)

    @property
    def overrides(self) -> dict[str, Any]:
        """This annotator's changes to the experiment (see :mod:`imgmarker.kernel.experiment.overrides`)."""
        return dict(self.store.get_setting(OVERRIDES, {}) or {})

    def set_overrides(self, overrides: dict[str, Any]) -> list[str]:
        """Store new overrides and apply them: renamed groups and categories are renamed
        in every stored mark and image (labels equal to the old group name follow), a new
        order or repeat fraction re-orders the images not seen yet. Returns what changed,
        in words; raises OverrideError (nothing changed) when they cannot apply."""
        return change_overrides(self, overrides)

    def rename_group(self, old: str, new: str) -> list[str]:
        """Rename a group for this annotator, everywhere in the outputs."""
        base = next((g.name for g, e in zip(self.base_experiment.groups, self.experiment.groups) if e.name == old),
                    None)
        if base is None:
            raise KeyError(f"no group named {old!r}; groups: {', '.join(self.experiment.group_names)}")
        overrides = self.overrides
        groups = dict(overrides.get("groups") or {})
        groups[base] = {**(groups.get(base) or {}), "name": new}
        return self.set_overrides({**overrides, "groups": groups})

    def _touch(self) -> None:
        if self._exporter is not None and not self._closed:
            self._exporter.touch()

    def _export(self, writers: Sequence[str] | None, store: Store, *, courteous: bool = False) -> list[Path]:
        names = list(self.experiment.output.writers if writers is None else writers)
        result = run_writers(self.experiment, self.user, self.output_dir, store, self.registry, names,
                             courteous=courteous)
        self.export_problems = result.problems
        for problem in result.problems:
            log.error("%s", problem)
        return result.paths

    def _export_in_background(self) -> None:
        self._settle_geometry()
        with self.store.reader() as reader:
            self._export(None, reader, courteous=True)

    def export(self, writers: Sequence[str] | None = None) -> list[Path]:
        """Run writers now on this thread (default: the experiment's); the files written."""
        self._settle_geometry()
        with self.store.reader() as reader:
            return self._export(writers, reader)

    def wait_for_export(self, timeout: float | None = None) -> bool:
        """Block until background writing has caught up (scripts and tests)."""
        return self._exporter.idle(timeout) if self._exporter is not None else True

"""A campaign's annotator, database file and image sequence.

The sequence is created once (order, then repeats) and stored; later openings read it
back, so files added to the folder join the end and the order never shifts.
"""

from __future__ import annotations

import getpass
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, overload

from imgmarker.kernel.annotations.marks import ImageEntry
from imgmarker.kernel.campaign.ordering import order_images, with_repeats
from imgmarker.kernel.store.base import Key, Store

USER_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]+$")
DB_SUFFIX = ".imgmarker.sqlite"

#: Where a session's image sequence comes from: (store, experiment, user, image names
#: found) -> (keys to show, vanished names, notes). :func:`build_sequence` by default.
SequenceSource = Callable[[Store, Any, str, Sequence[str]], "tuple[list[Key], list[str], list[str]]"]


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def resolve_user(experiment: Any, user: str | None = None) -> str:
    """The annotator's name: explicit, else the experiment's, else the login name."""
    name = user or experiment.output.user
    if not name:
        try:
            name = getpass.getuser()
        except Exception:
            name = "annotator"
        name = re.sub(r"[^A-Za-z0-9_.@-]", "_", name) or "annotator"
    if not USER_PATTERN.match(name):
        raise ValueError(f"user name {name!r} may only hold letters, digits and _ . @ -")
    return name


def database_path(output_dir: Path, user: str) -> Path:
    return Path(output_dir) / f"{user}{DB_SUFFIX}"


class Entries(Sequence[ImageEntry]):
    """The campaign sequence, built on access so 100,000 images cost two lists."""

    def __init__(self, root: Path, keys: list[Key]):
        self._root = root
        self._keys = keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> ImageEntry: ...
    @overload
    def __getitem__(self, i: slice) -> list[ImageEntry]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._keys)
        name, pass_index = self._keys[i]
        return ImageEntry(i, name, self._root / name, pass_index)

    def __iter__(self) -> Iterator[ImageEntry]:
        return (self[i] for i in range(len(self._keys)))

    def key(self, i: int) -> Key:
        return self._keys[i]

    def extend(self, keys: Sequence[Key]) -> None:
        self._keys.extend(keys)

    @property
    def root(self) -> Path:
        """The folder image names are relative to."""
        return self._root


def sequence_meta(experiment: Any, user: str, images: int) -> dict[str, Any]:
    """What the stored sequence was made from, stored with it in one transaction."""
    order, consistency = experiment.order, experiment.consistency
    return {"order": {"mode": order.mode, "seed": order.seed, "user": user},
            "consistency": {"fraction": consistency.fraction, "seed": consistency.seed,
                            "min_gap": consistency.min_gap, "images": images}}


def build_sequence(store: Store, experiment: Any, user: str, names: Sequence[str]) -> tuple[list[Key], list[str], list[str]]:
    """The stored sequence, created on first use; new files go to the end.

    Returns (keys to show, vanished names, notes)."""
    notes: list[str] = []
    stored = store.sequence()
    order = experiment.order
    consistency = experiment.consistency
    if not stored:
        ordered = order_images(names, order.mode, order.seed, user)
        keys = with_repeats(ordered, consistency.fraction, consistency.seed, consistency.min_gap)
        created = store.create_sequence(keys, sequence_meta(experiment, user, len(names)))
        if created is keys:
            return keys, [], notes
        stored = created
    meta = store.get_meta("order", {})
    if meta and (meta.get("mode"), meta.get("seed")) != (order.mode, order.seed):
        notes.append(f"the stored order ({meta.get('mode')}, seed {meta.get('seed')}) is kept; "
                     f"the experiment now says {order.mode}, seed {order.seed}")
    present = set(names)
    known = {name for name, _ in stored}
    fresh = present - known
    added = [name for name in names if name in fresh] if fresh else []
    if added:
        new_keys = [(name, 1) for name in order_images(added, order.mode, order.seed, user)]
        store.append_sequence(new_keys)
        stored = stored + new_keys
        notes.append(f"{len(added)} new image{'s' * (len(added) != 1)} added at the end")
    vanished = sorted(known - present)
    if vanished:
        shown = ", ".join(vanished[:5]) + (", ..." if len(vanished) > 5 else "")
        notes.append(f"{len(vanished)} image{'s' * (len(vanished) != 1)} no longer found "
                     f"(their records are kept): {shown}")
    keys = [key for key in stored if key[0] in present] if vanished else stored
    return keys, vanished, notes

"""Applying an annotator's overrides to an open campaign: renames reach every stored
mark and image, a new order or repeat fraction re-orders what is still to be seen."""

from __future__ import annotations

import logging
from typing import Any

from imgmarker.kernel.campaign.sequence import Entries, sequence_meta
from imgmarker.kernel.experiment.config import Experiment
from imgmarker.kernel.campaign.ordering import order_images, with_repeats
from imgmarker.kernel.experiment.overrides import SETTING, OverrideError, apply_overrides, renames

log = logging.getLogger("imgmarker.session")


def effective_experiment(base: Experiment, store: Any) -> tuple[Experiment, str | None]:
    """The experiment this annotator works with; stored overrides that no longer apply
    (the shared file changed under them) are set aside with a note, never fatal."""
    overrides = store.get_setting(SETTING, {}) or {}
    try:
        return apply_overrides(base, overrides), None
    except (OverrideError, KeyError, TypeError, ValueError) as exc:
        return base, f"your own experiment settings were not applied: {exc}"


def _sequence_changed(a: Experiment, b: Experiment) -> bool:
    return (a.order.mode, a.order.seed, a.consistency.fraction) != (b.order.mode, b.order.seed, b.consistency.fraction)


def change_overrides(session: Any, overrides: dict[str, Any]) -> list[str]:
    before = session.experiment
    after = apply_overrides(session.base_experiment, overrides)  # raises before anything is stored
    group_renames, category_renames = renames(before, after)
    count = session.store.rename(dict(group_renames), dict(category_renames), settings={SETTING: overrides})
    notes = [f"group {a!r} is now {b!r}" for a, b in group_renames]
    if group_renames:
        notes.append(f"{count} stored mark{'s' * (count != 1)} renamed")
    notes += [f"category {a!r} is now {b!r}" for a, b in category_renames]
    session.experiment = after
    if _sequence_changed(before, after):
        notes.append(_resequence(session))
    for note in notes:
        log.info("%s: %s", session.user, note)
    session._touch()
    return notes


def _resequence(session: Any) -> str:
    """Keep the images already seen where they are; the rest follow in the new order."""
    experiment = session.experiment
    old = [session.entries.key(i) for i in range(len(session.entries))]
    current = old[session.index] if old else None
    seen = session._seen
    kept = [k for k in old if k in seen]
    kept_set = set(kept)
    ordered = order_images(session._names, experiment.order.mode, experiment.order.seed, session.user)
    consistency = experiment.consistency
    fresh = with_repeats(ordered, consistency.fraction, consistency.seed, consistency.min_gap)
    keys = kept + [k for k in fresh if k not in kept_set]
    session.store.replace_sequence(keys, sequence_meta(experiment, session.user, len(session._names)))
    session.entries = Entries(session.entries._root, keys)
    session._key_set = set(keys)
    session._seen_count = len(seen & session._key_set)
    session._counts = None
    positions = {k: i for i, k in enumerate(keys)}
    session.index = positions.get(current, next((i for i, k in enumerate(keys) if k not in seen), 0))
    if not keys:
        raise OverrideError("the campaign has no images left to order")
    return (f"images not seen yet now follow the {experiment.order.mode} order (seed {experiment.order.seed}), "
            f"repeating {consistency.fraction:.0%}")

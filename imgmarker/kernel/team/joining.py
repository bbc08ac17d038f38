"""Joining a campaign: the session's image sequence from the server's claims, and the
background sync attached to the session.

In the 'everyone' mode the sequence is the folder's, as without a campaign. In the
'shared' mode it is the images this annotator has claimed, in the experiment's order
(and with its consistency repeats) batch by batch; a first batch is claimed while the
session opens, later ones in the background as the annotator nears the end of the
last. Offline, the annotator marks the images claimed before.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping, Sequence

from imgmarker.kernel.campaign.ordering import order_images, with_repeats
from imgmarker.kernel.campaign.sequence import database_path, resolve_user
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.store.base import Key, Store
from imgmarker.kernel.team.client import Claimed
from imgmarker.kernel.team.connection import TeamError
from imgmarker.kernel.team.sync import TeamSync

log = logging.getLogger("imgmarker.team")


def arrange(names: Sequence[str], experiment: Any, user: str) -> list[Key]:
    """One claimed batch as sequence keys: the experiment's order, then its repeats."""
    order, consistency = experiment.order, experiment.consistency
    ordered = order_images(list(names), order.mode, order.seed, user)
    return with_repeats(ordered, consistency.fraction, consistency.seed, consistency.min_gap)


class ClaimedSequence:
    """The sequence source of a shared campaign (see :data:`SequenceSource`)."""

    def __init__(self, sync: TeamSync):
        self.sync = sync

    def __call__(self, store: Store, experiment: Any, user: str, names: Sequence[str]):
        sync = self.sync
        sync.attach(store.path, store.make_durable)
        stored = store.sequence()
        notes: list[str] = []
        seen = store.seen_keys()
        unseen = sum(1 for k in stored if k not in seen)
        try:
            sync.join()
            sync.reconcile()
            if unseen + sync.ready_count() <= experiment.campaign.batch_size // 2:
                sync.claim(experiment.campaign.batch_size)
        except TeamError as exc:
            sync.record_failure(exc)
            notes.append(f"campaign server: {exc.message}; you can mark the {unseen} claimed images not seen yet")
        fresh = stored_keys(stored, sync.take_claimed(), experiment, user)
        if fresh:
            if stored:
                store.append_sequence(fresh)
            else:
                store.create_sequence(fresh)
        keys = stored + fresh
        sync.note_delivered(name for name, _ in keys)
        present = set(names)
        missing = sorted({name for name, _ in keys if name not in present})
        if missing:
            notes.append(f"{len(missing)} claimed image(s) are not in your image folder: " + ", ".join(missing[:5]))
        return [k for k in keys if k[0] in present] if missing else keys, [], notes


def stored_keys(stored: Sequence[Key], claimed: Sequence[Claimed], experiment: Any, user: str) -> list[Key]:
    known = {name for name, _ in stored}
    names = [c.name for c in claimed if c.name not in known]
    return arrange(list(dict.fromkeys(names)), experiment, user) if names else []


def deliver(session: Session, sync: TeamSync) -> int:
    """Hand images claimed in the background to the session (on its own thread)."""
    claimed = sync.take_claimed()
    if not claimed:
        return 0
    entries = session.entries
    keys = stored_keys([entries.key(i) for i in range(len(entries))], claimed, session.experiment, session.user)
    keys = [k for k in keys if (entries.root / k[0]).is_file()]
    sync.note_delivered(name for name, _ in keys)
    return session.extend(keys)


def open_team_session(experiment: Any, *, user: str | None = None, output: Path | str | None = None,
                      host: Any = None, overrides: Mapping[str, Any] | None = None, start: bool = True,
                      interval: float | None = None, **session_options: Any) -> tuple[Session, TeamSync]:
    """Open ``experiment``'s session joined to its campaign, with the sync running.
    ``overrides``: connection keywords (user, passfile, ...) beside the experiment's server."""
    plan = experiment.campaign
    if plan is None:
        raise ValueError(f"{experiment.path}: the experiment has no campaign section")
    if host is None:
        from imgmarker.kernel.plugins.host import create_plugin_host

        host = create_plugin_host()
    name = resolve_user(experiment, user)
    sync = TeamSync(plan, name, Path("."), overrides=overrides, interval=interval)
    source = ClaimedSequence(sync) if plan.mode == "shared" else None
    session = Session.open(experiment, user=name, output=output, host=host, sequence=source, **session_options)
    try:
        sync.root = session.entries.root
        sync.attach(database_path(session.output_dir, name), session.store.make_durable)
        if plan.mode != "shared":
            entries = session.entries
            sync.check_later((n, None, None) for n in dict.fromkeys(entries.key(i)[0] for i in range(len(entries))))
        if start:
            sync.start()
    except BaseException:
        session.close()
        raise
    return session, sync

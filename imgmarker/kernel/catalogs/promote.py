"""Accepting a catalog source as a mark, without retyping its position."""

from __future__ import annotations

from typing import Any


def promote_source(session: Any, source: Any, group: str) -> Any:
    """Add a mark of ``group`` at the source's position on the frame it was shown on,
    labelled with the source's label (the group's default label when it has none).

    Returns the session's ``MarkResult`` (which says if the group refused the mark).
    """
    label = source.label or None
    return session.add_mark(float(source.x), float(source.y), group, frame=int(source.frame), label=label)

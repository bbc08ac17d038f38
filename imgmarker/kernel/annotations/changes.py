"""Undo/redo changes: each user action is logged as a list of small changes that can be
applied forwards or backwards, so undo survives a restart (the log is in the store).

Changes are plain JSON-able dicts:

- ``{"t": "add", "mark": {...}}``   insert a mark (its id is filled in when stored)
- ``{"t": "del", "mark": {...}}``   delete a mark (the full row, so it can come back)
- ``{"t": "upd", "id": n, "old": {...}, "new": {...}}``  change some fields of a mark
- ``{"t": "img", "field": f, "old": v, "new": v}``  categories, comment or favorite
"""

from __future__ import annotations

from typing import Any, Sequence

from imgmarker.kernel.annotations.marks import Mark

Change = dict[str, Any]


def add(mark: dict[str, Any]) -> Change:
    return {"t": "add", "mark": mark}


def delete(mark: Mark) -> Change:
    return {"t": "del", "mark": mark.to_dict()}


def update(mark: Mark, **new: Any) -> Change:
    return {"t": "upd", "id": mark.id, "old": {k: getattr(mark, k) for k in new}, "new": new}


def image_field(field: str, old: Any, new: Any) -> Change:
    return {"t": "img", "field": field, "old": old, "new": new}


def invert(changes: Sequence[Change]) -> list[Change]:
    """The changes that take the store back, in the order to apply them."""
    inverse = []
    for change in reversed(changes):
        kind = change["t"]
        if kind == "add":
            inverse.append({"t": "del", "mark": change["mark"]})
        elif kind == "del":
            inverse.append({"t": "add", "mark": change["mark"]})
        elif kind == "upd":
            inverse.append({"t": "upd", "id": change["id"], "old": change["new"], "new": change["old"]})
        elif kind == "img":
            inverse.append({"t": "img", "field": change["field"], "old": change["new"], "new": change["old"]})
        else:
            raise ValueError(f"unknown change {kind!r}")
    return inverse


def rename_changes(changes: Sequence[Change], groups: dict[str, str], categories: dict[str, str]) -> list[Change] | None:
    """``changes`` with groups and categories renamed (a label equal to its old group
    name follows); None when nothing in them changes, so a log rewrite stays cheap."""

    def mark(m: dict[str, Any]) -> dict[str, Any]:
        g = m.get("group")
        if g not in groups:
            return m
        return {**m, "group": groups[g], "label": groups[g] if m.get("label") == g else m.get("label")}

    def cats(value: Any) -> Any:
        return [categories.get(c, c) for c in value] if isinstance(value, list) else value

    out: list[Change] = []
    for change in changes:
        kind = change["t"]
        if kind in ("add", "del"):
            out.append({**change, "mark": mark(change["mark"])})
        elif kind == "upd":
            old, new = dict(change["old"]), dict(change["new"])
            for side in (old, new):
                if side.get("group") in groups:
                    side["group"] = groups[side["group"]]
                if side.get("label") in groups:
                    side["label"] = groups[side["label"]]
            out.append({**change, "old": old, "new": new})
        elif kind == "img" and change["field"] == "categories":
            out.append({**change, "old": cats(change["old"]), "new": cats(change["new"])})
        else:
            out.append(change)
    return out if out != list(changes) else None

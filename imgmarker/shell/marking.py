"""Placing, selecting, moving, relabelling and deleting marks, and accepting catalog
sources: the workspace's mark actions, each one a session call first."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QGuiApplication

from imgmarker.kernel.catalogs.promote import promote_source
from imgmarker.shell.guard import guarded

PICK_DISTANCE_PX = 12  # screen pixels within which a catalog source is "under the cursor"


class MarkingActions:
    """Mixed into :class:`~imgmarker.shell.workspace.Workspace` (uses its session, view,
    signals and refresh methods)."""

    @guarded
    def place(self, group: str, x: float | None = None, y: float | None = None) -> Any:
        if x is None or y is None:
            if self.cursor is None:
                self.message.emit("move the cursor over the image to place a mark")
                return None
            x, y = self.cursor
        if self.view.state != "image" and self.view.state != "error":
            self.message.emit("the image is still loading")
            return None
        result = self.session.add_mark(x, y, group, frame=self.frame)
        if result.mark is None:
            self.message.emit(f"mark refused: {result.refused}")
            return None
        note = f" (replaced the previous {group} mark)" if result.replaced is not None else ""
        self.message.emit(f"{group} mark at x {result.mark.x:.2f}, y {result.mark.y:.2f}{note}")
        self.refresh_overlays()
        self.refresh_state()
        return result.mark

    def _mark_under(self, x: float, y: float) -> Any:
        item = self.view.item_at(x, y)
        if item is not None and getattr(item, "kind", None) == "mark":
            return item
        return None

    @guarded
    def _clicked(self, x: float, y: float, button: Any, modifiers: Any) -> None:
        if button != Qt.MouseButton.LeftButton:
            return
        hit = self._mark_under(x, y)
        shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if hit is not None:
            if shift:
                self.delete_marks([hit.key])
            elif ctrl:
                self.selected ^= {hit.key}
                self.refresh_overlays()
            else:
                self.selected = {hit.key}
                self.refresh_overlays()
            return
        if shift or ctrl:
            return
        self.selected.clear()
        self.place(self.left_group, x, y)

    @guarded
    def _drag_finished(self, item: Any, x: float, y: float) -> None:
        if getattr(item, "kind", None) != "mark":
            return
        result = self.session.move_mark(item.key, x, y)
        if result.mark is None:
            self.message.emit(f"move refused: {result.refused}")
        else:
            self.message.emit(f"moved {result.mark.label} to x {result.mark.x:.2f}, y {result.mark.y:.2f}")
        self.refresh_overlays()  # a refused move puts the mark back where it is stored

    @guarded
    def delete_marks(self, ids: list[int] | None = None) -> int:
        ids = list(self.selected) if ids is None else ids
        if not ids:
            self.message.emit("no mark selected (click a mark to select it)")
            return 0
        for mark_id in ids:
            self.session.remove_mark(mark_id)
            self.selected.discard(mark_id)
        self.message.emit(f"deleted {len(ids)} mark{'s' * (len(ids) != 1)}")
        self.refresh_overlays()
        self.refresh_state()
        return len(ids)

    def mark_for_label_edit(self, x: float, y: float) -> Any:
        """The mark whose symbol or label is at image point (x, y)."""
        item = self.view.label_item_at(self.view.image_to_widget(x, y))
        if item is None or getattr(item, "kind", None) != "mark":
            item = self._mark_under(x, y)
        if item is None:
            return None
        return next((m for m in self.session.marks() if m.id == item.key), None)

    @guarded
    def _double_clicked(self, x: float, y: float, button: Any, modifiers: Any) -> None:
        mark = self.mark_for_label_edit(x, y)
        if mark is not None:
            self.label_edit_requested.emit(mark)

    @guarded
    def relabel(self, mark_id: int, label: str) -> None:
        mark = self.session.relabel_mark(mark_id, label)
        self.message.emit(f"label set to {mark.label!r}")
        self.refresh_overlays()

    @guarded
    def copy_coordinates(self) -> str:
        marks = [m for m in self.frame_marks() if m.id in self.selected]
        if not marks:
            self.message.emit("no mark selected (click a mark to select it)")
            return ""
        lines = []
        for m in marks:
            sky = f"\t{m.ra:.7f}\t{m.dec:.7f}" if m.ra is not None and m.dec is not None else ""
            lines.append(f"{m.label}\t{m.x:.3f}\t{m.y:.3f}{sky}")
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        self.message.emit(f"copied the coordinates of {len(marks)} mark{'s' * (len(marks) != 1)}")
        return text

    def source_under_cursor(self) -> Any:
        """The visible catalog source nearest the cursor, within a few screen pixels."""
        meta = self.current_meta()
        if self.cursor is None or meta is None:
            return None
        x, y = self.cursor
        reach = max(PICK_DISTANCE_PX / max(self.view.scale, 1e-9), 1.0)
        best = None
        for catalog in self.experiment.catalogs:
            if catalog.name not in self.catalogs.names() or not self.visible.get(f"catalog:{catalog.name}", True):
                continue
            sources = self.catalogs.sources(catalog.name, self.session.current.name, meta.wcs, meta.shape, self.frame)
            source = sources.nearest(x, y, reach)
            if source is not None:
                d = (source.x - x) ** 2 + (source.y - y) ** 2
                if best is None or d < best[0]:
                    best = (d, source)
        return None if best is None else best[1]

    @guarded
    def promote(self) -> Any:
        if self.cursor is None:
            self.message.emit("move the cursor onto a catalog source to accept it")
            return None
        source = self.source_under_cursor()
        if source is None:
            self.message.emit("no visible catalog source under the cursor")
            return None
        result = promote_source(self.session, source, self.left_group)
        if result.mark is None:
            self.message.emit(f"mark refused: {result.refused}")
            return None
        self.message.emit(f"accepted {source.label or 'source'} as a {self.left_group} mark")
        self.refresh_overlays()
        self.refresh_state()
        return result.mark

    @guarded
    def undo(self) -> None:
        text = self.session.undo()
        self.message.emit(f"undone: {text}" if text else "nothing to undo on this image")
        self.selected.clear()
        self.refresh_overlays()
        self.refresh_state()

    @guarded
    def redo(self) -> None:
        text = self.session.redo()
        self.message.emit(f"redone: {text}" if text else "nothing to redo on this image")
        self.refresh_overlays()
        self.refresh_state()

    def set_left_group(self, name: str) -> None:
        self.left_group = name
        self.session.set_setting("left_click_group", name)
        self.panel.show_group(name)
        self.message.emit(f"left click places {name}")

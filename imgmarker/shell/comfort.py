"""What a returning annotator finds as they left it: window geometry, dock layout and
zoom, stored per campaign in their own settings (filters and visibility are stored by
the workspace as they change)."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QByteArray

SETTING = "window"
STATE_VERSION = 1


def save_window(win: Any) -> None:
    state = {
        "geometry": bytes(win.saveGeometry().toBase64()).decode("ascii"),
        "docks": bytes(win.saveState(STATE_VERSION).toBase64()).decode("ascii"),
        "view": win.view.view_state() if win.view.state == "image" else (win.session.get_setting(SETTING) or {}).get("view"),
    }
    try:
        win.session.set_setting(SETTING, state)
    except Exception:  # the store is already closed: nothing more to keep
        pass


def restore_window(win: Any) -> None:
    state = win.session.get_setting(SETTING) or {}
    if state.get("geometry"):
        win.restoreGeometry(QByteArray.fromBase64(state["geometry"].encode("ascii")))
    if state.get("docks"):
        win.restoreState(QByteArray.fromBase64(state["docks"].encode("ascii")), STATE_VERSION)


def restore_view(win: Any) -> None:
    """Zoom and centre once the first image is on screen."""
    view_state = (win.session.get_setting(SETTING) or {}).get("view")
    if not view_state:
        return
    if win.view.state == "image":
        win.view.set_view_state(view_state)
        return

    def apply(*_args: Any) -> None:
        if win.view.state == "image":
            win.workspace.bridge.finished.disconnect(apply)
            win.view.set_view_state(view_state)

    win.workspace.bridge.finished.connect(apply)

"""The campaign server's state in the status bar, and images claimed in the background
handed to the session.

Everything network-bound happens on the sync thread; this widget only reads the
sync's state twice a second and appends claimed images on the GUI thread, so marking
never waits for the server.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QLabel

from imgmarker.kernel.team.joining import deliver

REFRESH_MS = 500


class TeamStatus(QLabel):
    def __init__(self, window: Any, sync: Any):
        super().__init__(window)
        self.setObjectName("TeamStatus")
        self.window_ = window
        self.sync = sync
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        session = self.window_.session
        before = len(session)
        if deliver(session, self.sync):
            window = self.window_
            window.overview.apply_filter()
            if before == 0:
                window.workspace.show_current()
            else:
                window.workspace.refresh_state()
        state = self.sync.state()
        self.setText(state.text())
        self.setToolTip(f"campaign {self.sync.plan.schema} as {state.role or '(not connected)'}"
                        + (f"\n{state.reason}" if state.reason else "")
                        + ("\nimages that differ: " + ", ".join(state.mismatches[:10]) if state.mismatches else ""))

    def stop(self) -> None:
        self.timer.stop()


def attach_team(window: Any, sync: Any) -> TeamStatus:
    """Show the sync's state in ``window``'s status bar; the sync stops with the app."""
    widget = TeamStatus(window, sync)
    window.statusBar().addPermanentWidget(widget)
    window.team_status = widget
    return widget

"""The window on a team campaign: the status bar says whether the actions are on the
server, and images claimed in the background join the session without a wait."""

from __future__ import annotations

import time

from teamkit import join, server_marks, set_up

from imgmarker.shell.team_status import attach_team
from imgmarker.shell.window import MainWindow


def test_the_status_bar_shows_the_sync_and_claimed_images_arrive(team_server, tmp_path, qtbot):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 2", images=4)
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    window = MainWindow(session)
    qtbot.addWidget(window)
    label = attach_team(window, sync)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: label.text() == "campaign: synced", timeout=10000)
    assert len(session) == 2
    qtbot.waitUntil(lambda: window.view.state == "image", timeout=10000)
    assert window.workspace.place("BCG", 3.0, 4.0) is not None
    window.workspace.navigate("next")
    qtbot.waitUntil(lambda: len(session) == 4, timeout=10000)  # the next batch, claimed ahead
    assert window.overview.model.total() == 4
    team_server.cluster.stop()
    qtbot.waitUntil(lambda: window.view.state == "image", timeout=10000)
    assert window.workspace.place("BCG", 5.0, 6.0) is not None
    qtbot.waitUntil(lambda: "waiting: server unreachable" in label.text(), timeout=15000)
    window.grab().save(str(tmp_path / "offline.png"))
    assert label.text().startswith("campaign: 1 action waiting: server unreachable") or \
        label.text().startswith("campaign: 2 actions waiting: server unreachable")
    team_server.cluster.start()
    qtbot.waitUntil(lambda: label.text() == "campaign: synced", timeout=20000)
    assert len(server_marks(team_server, "ana")) == 2
    label.stop()
    sync.stop()
    window.close()
    session.close()

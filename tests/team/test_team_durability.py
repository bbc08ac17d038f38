"""Nothing reaches the server before it is on the annotator's own disk: after a power
cut the local store would number new actions again from where its disk stopped, and
the server would keep the lost ones under those numbers."""

from __future__ import annotations

import threading
import time

from teamkit import join, server_actions, set_up

from imgmarker.kernel.store.durability import fsync_file


def test_an_action_goes_to_the_server_only_once_it_is_durable(team_server, tmp_path):
    experiment = set_up(team_server, tmp_path / "exp", "mode: shared\nlooks_per_image: 1\nbatch_size: 3")
    session, sync = join(team_server, experiment, "ana", tmp_path / "ana")
    disk = threading.Event()

    def stuck_disk(path):  # the annotator's disk hangs until the test lets it go
        disk.wait(30)
        fsync_file(path)

    with session:
        assert sync.wait_synced(30)
        before = len(server_actions(team_server, "ana"))
        session.store.sync_step = stuck_disk
        result = session.add_mark(3.0, 4.0, "BCG")
        assert result.refused is None and session.store.durable < session.store.committed
        sync.wake()
        time.sleep(1.0)  # many sync intervals (0.02 s in these tests)
        assert len(server_actions(team_server, "ana")) == before  # committed, not on the disk: not sent
        disk.set()
        assert sync.wait_synced(30)
        actions = server_actions(team_server, "ana")
        assert len(actions) > before and any("BCG" in a[4] for a in actions[before:])
        sync.stop()

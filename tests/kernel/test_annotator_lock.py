"""One marking session per annotator and results folder at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from imgmarker.kernel.campaign.lock import SessionBusy
from imgmarker.kernel.experiment.demo import write_demo
from imgmarker.kernel.campaign.session import Session


def test_a_second_session_of_the_same_annotator_is_refused(tmp_path):
    experiment = write_demo(tmp_path)
    first = Session.open(experiment, user="ann", export_delay=None)
    try:
        with pytest.raises(SessionBusy, match="'ann' is already open"):
            Session.open(experiment, user="ann", export_delay=None)
        with Session.open(experiment, user="bob", export_delay=None) as other:  # another annotator is fine
            assert len(other) == 4
    finally:
        first.close()
    with Session.open(experiment, user="ann", export_delay=None) as again:  # released on close
        assert len(again) == 4


def test_a_killed_holder_releases_the_campaign(tmp_path):
    experiment = write_demo(tmp_path)
    code = ("import sys, time\nfrom imgmarker.kernel.campaign.session import Session\n"
            f"s = Session.open({str(experiment)!r}, user='ann', export_delay=None)\n"
            "print('open', flush=True)\ntime.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(SessionBusy, match=f"process {child.pid}"):
            Session.open(experiment, user="ann", export_delay=None)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 5
        while True:
            try:
                Session.open(experiment, user="ann", export_delay=None).close()
                break
            except SessionBusy:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        if child.poll() is None:
            child.kill()


def test_deleting_the_lock_file_does_not_let_a_second_session_in(tmp_path):
    experiment = write_demo(tmp_path)
    code = ("import sys, time\nfrom imgmarker.kernel.campaign.session import Session\n"
            f"s = Session.open({str(experiment)!r}, user='ann', export_delay=None)\n"
            "print('open', flush=True)\nsys.stdin.readline()\n"
            "s.add_mark(5.0, 6.0, 'BCG')\ns.close()\nprint('closed', flush=True)\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        lock_file = tmp_path / "results" / ".ann.imgmarker.lock"
        lock_file.unlink()  # someone tidies the results folder while the session runs
        with pytest.raises(SessionBusy, match="'ann' is already open in another process .*lock file"):
            Session.open(experiment, user="ann", export_delay=None)
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "closed"  # the first session was not disturbed
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    with Session.open(experiment, user="ann", export_delay=None) as again:  # free once it closed
        assert [m.group for m in again.marks(again.entries[0])] == ["BCG"]

"""Kill a process during the very first open of a campaign, at random instants: the
store it leaves is either not set up at all (and the next open sets it up) or set up
completely (sequence, order and repeat settings), never half."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from session_fakes import fake_host, make_campaign

from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.store.base import StoreError
from imgmarker.kernel.store.sqlite import SqliteStore

ROUNDS = 24
IMAGES = 300
CHILD = """
import sys
sys.path.insert(0, {tests!r})
from session_fakes import fake_host
from imgmarker.kernel.campaign.session import Session
host = fake_host()
print("go", flush=True)
Session.open({experiment!r}, user="kill", output=sys.argv[1], host=host, export_delay=None)
print("open", flush=True)
"""


def start_child(experiment: Path, output: Path) -> subprocess.Popen:
    code = CHILD.format(tests=str(Path(__file__).parents[1]), experiment=str(experiment))
    child = subprocess.Popen([sys.executable, "-c", code, str(output)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "go\n"
    return child


def state_of(database: Path) -> str:
    """'empty' (nothing set up), 'complete', or what is wrong."""
    try:
        store = SqliteStore.open(database, readonly=True)
    except StoreError:  # no file, an empty file, or the schema never committed
        return "empty"
    with store:
        sequence = store.sequence()
        order, repeats = store.get_meta("order"), store.get_meta("consistency")
    if not sequence and order is None and repeats is None:
        return "empty"
    if len({name for name, _ in sequence}) == IMAGES and len(sequence) > IMAGES and order == {"mode": "shuffled", "seed": 7, "user": "kill"} \
            and repeats is not None and repeats["images"] == IMAGES and repeats["fraction"] == 0.1:
        return "complete"
    return f"half set up: {len(sequence)} entries, order {order}, repeats {repeats}"


def test_sigkill_during_the_first_open_never_leaves_a_half_set_up_store(tmp_path):
    experiment = make_campaign(tmp_path, "order: {mode: shuffled, seed: 7}\nconsistency: {fraction: 0.1}\n",
                               n=IMAGES)
    calibration = start_child(experiment, tmp_path / "calibration")
    started = time.monotonic()  # how long a whole first open takes here, now
    assert calibration.stdout.readline() == "open\n"
    calibration.wait()
    span = time.monotonic() - started
    rng = random.Random(11)
    host = fake_host()
    seen = []
    for round_ in range(ROUNDS):
        output = tmp_path / f"results{round_}"
        child = start_child(experiment, output)
        time.sleep(rng.uniform(0, span))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        state = state_of(output / "kill.imgmarker.sqlite")
        assert state in ("empty", "complete"), f"round {round_}: {state}"
        seen.append(state)
        with Session.open(experiment, user="kill", output=output, host=host, export_delay=None) as again:
            assert len(again) == len(again.entries) and len(again) > IMAGES  # the repeats are there too
        assert state_of(output / "kill.imgmarker.sqlite") == "complete"
    assert {"empty", "complete"} <= set(seen), seen  # kills landed before and after the set-up

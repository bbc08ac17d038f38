"""Kill a process that is marking, at random instants, and check that nothing it
acknowledged is lost and that the exported files are never half written."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from session_fakes import fake_host, load, make_campaign

from imgmarker.kernel.output.export import run_writers
from imgmarker.kernel.store.sqlite import SCHEMA_VERSION, SqliteStore

CHILD = Path(__file__).parent.parent / "kill_child.py"
ROUNDS = 12


def complete_csv(path: Path, columns: int) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{path} ends mid-line"
    rows = list(csv.reader(text.splitlines(keepends=True)))
    assert rows and all(len(r) == columns for r in rows), f"{path} has a truncated row"
    return rows


def run_round(experiment: Path, seed: int, rng: random.Random, log: Path) -> list[str]:
    with open(log, "w") as errors:
        child = subprocess.Popen([sys.executable, str(CHILD), str(experiment), str(seed)],
                                 stdout=subprocess.PIPE, stderr=errors, text=True)
        ready = child.stdout.readline()
        assert ready == "ready\n", log.read_text()
        time.sleep(rng.uniform(0.02, 0.6))
        os.kill(child.pid, signal.SIGKILL)
        out = child.stdout.read()  # the same buffered reader that saw "ready"
        child.wait()
    assert child.returncode == -signal.SIGKILL, log.read_text()
    return out.split("\n")[:-1]  # a last line without newline was cut by the kill


def test_sigkill_at_random_instants_loses_nothing_acknowledged(tmp_path):
    host = fake_host()
    exp_path = make_campaign(tmp_path, "groups: [{name: free}]\noutput: {writers: [csv, ds9]}\n", n=20)
    experiment = load(exp_path, host)
    out = tmp_path / "results"
    db = out / "kill.imgmarker.sqlite"
    rng = random.Random(1234)
    present: dict[int, str] = {}
    removed: set[int] = set()
    uncertain: set[int] = set()  # removals in flight at a kill
    maybe_added: set[str] = set()  # additions in flight at a kill
    total_actions = 0
    for seed in range(ROUNDS):
        lines = run_round(exp_path, seed, rng, tmp_path / "child.log")
        pending_removal = pending_add = None
        for line in lines:
            kind, *rest = line.split(" ")
            if kind == "adding":
                pending_add = rest[0]
            elif kind == "added":
                present[int(rest[0])] = rest[1]
                pending_add = None
            elif kind == "removing":
                pending_removal = int(rest[0])
            elif kind == "removed":
                present.pop(int(rest[0]))
                removed.add(int(rest[0]))
                pending_removal = None
            total_actions += 1
        if pending_removal is not None:  # in flight when killed: either outcome is right
            uncertain.add(pending_removal)
            present.pop(pending_removal, None)
        if pending_add is not None:
            maybe_added.add(pending_add)

        # exported files are whole, whatever instant the kill came at
        for name, columns in (("kill_marks.csv", 11), ("kill_images.csv", 8)):
            if (out / name).exists():
                complete_csv(out / name, columns)
        with SqliteStore.open(db, readonly=True) as store:
            stored = {r.id: r.label for r in store.mark_rows()}
            for mark_id, label in present.items():
                assert stored.get(mark_id) == label, f"round {seed}: acknowledged mark {mark_id} lost"
            assert not (removed & stored.keys()), f"round {seed}: acknowledged removal undone"
            extra = {stored[i] for i in set(stored) - set(present) - uncertain}
            assert extra <= maybe_added, f"round {seed}: marks never placed: {extra - maybe_added}"
            result = run_writers(experiment, "kill", out, store, host.registry, ["csv"])
            assert result.problems == []
        rows = complete_csv(out / "kill_marks.csv", 11)
        assert sorted(r[3] for r in rows[1:]) == sorted(stored.values())
    assert total_actions > ROUNDS * 5, "the child hardly acted before being killed"
    with SqliteStore.open(db) as store:
        assert store.schema_version == SCHEMA_VERSION

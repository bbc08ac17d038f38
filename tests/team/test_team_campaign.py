"""Three annotators in separate processes, each with their own results folder (as on
three machines), complete a shared campaign with K = 2 through a real server that goes
away in the middle; status and aggregate then show the right looks and consensus."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from datetime import datetime, timezone

from teamkit import local_actions, normalised, server_actions, set_up

from imgmarker.cli import main
from imgmarker.kernel.team.simulate import category_for, mark_for

ROLES = ("ana", "bob", "carol")
IMAGES = 12


def test_three_annotators_complete_a_shared_campaign_through_an_outage(lead_env, tmp_path, capsys):
    server = lead_env
    experiment = set_up(server, tmp_path / "exp", "mode: shared\nlooks_per_image: 2\nbatch_size: 3\n"
                                                  "sync_seconds: 0.05", images=IMAGES, roles=ROLES)
    procs = {role: subprocess.Popen(
        [sys.executable, "-m", "imgmarker.kernel.team.simulate", str(experiment.path), role,
         str(tmp_path / role / "results"), "--rate", "6", "--idle-timeout", "90"],
        env=server.env(role), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for role in ROLES}
    started = {role: [] for role in ROLES}
    for role, proc in procs.items():  # everyone is marking before the outage
        while len([line for line in started[role] if line.startswith("acked")]) < 2:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            started[role].append(line)
    server.cluster.stop()
    down = datetime.now(timezone.utc)
    time.sleep(2.0)  # the annotators keep marking what they claimed, then wait
    up = datetime.now(timezone.utc)
    server.cluster.start()
    outputs = {}
    for role, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        outputs[role] = started[role] + out.splitlines(keepends=True)
    looked = {role: int(lines[-1].split()[1]) for role, lines in outputs.items()}
    offline = [a for role in ROLES for a in local_actions(tmp_path / role / "results" / f"{role}.imgmarker.sqlite")
               if down < datetime.fromisoformat(a[6].replace("Z", "+00:00")) < up]
    assert len(offline) >= 3  # marking went on while the server was away
    assert sum(looked.values()) == 2 * IMAGES
    for role in ROLES:  # every action acknowledged locally is on the server, once
        store = tmp_path / role / "results" / f"{role}.imgmarker.sqlite"
        assert normalised(server_actions(server, role)) == normalised(local_actions(store))

    assert main(["campaign", "status", str(experiment.path), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {i["name"]: i["looks"] for i in status["images"]} == {f"img{i:02d}.png": 2 for i in range(IMAGES)}
    assert status["team"]["complete"] == IMAGES and status["team"]["progress"] == 1.0
    assert status["team"]["over_looked"] == 0
    assert {a["name"]: (a["seen"], a["pending_sync"]) for a in status["annotators"]} == {
        role: (looked[role], 0) for role in ROLES}

    out = tmp_path / "aggregate"
    assert main(["aggregate", str(experiment.path), "-o", str(out)]) == 0
    categories = experiment.categories.names()
    with open(out / "categories.csv", newline="") as handle:
        votes = {r["image"]: r for r in csv.DictReader(handle)}
    assert {name: (v["n_seen"], v["majority"]) for name, v in votes.items()} == {
        f"img{i:02d}.png": ("2", category_for(f"img{i:02d}.png", categories)) for i in range(IMAGES)}
    with open(out / "consensus.csv", newline="") as handle:
        marks = {r["image"]: r for r in csv.DictReader(handle)}
    assert {name: (float(m["x"]), float(m["y"]), m["n_annotators"]) for name, m in marks.items()} == {
        f"img{i:02d}.png": (*mark_for(f"img{i:02d}.png"), "2") for i in range(IMAGES)}

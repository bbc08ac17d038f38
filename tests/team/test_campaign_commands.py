"""``imgmarker campaign create|invite|status`` and ``aggregate``/``agreement`` reading
the team's results from the server, as the campaign owner runs them."""

from __future__ import annotations

import csv
import json

from teamkit import join

from imgmarker.cli import main
from imgmarker.kernel.experiment.loader import load_experiment

PLAN = "mode: shared\nlooks_per_image: 2\nbatch_size: 4\ngold: [img05.png]"


def create_and_invite(server, folder, capsys, plan=PLAN):
    path = server.experiment(folder, images=6, plan=plan)
    assert main(["campaign", "create", str(path)]) == 0
    out = capsys.readouterr().out
    assert main(["campaign", "invite", str(path), "ana", "bob"]) == 0
    invited = capsys.readouterr().out.splitlines()
    for line in invited:
        role, _, rest = line.partition(": new role, password ")
        server.passwords[role] = rest.split()[0]
    return path, out, invited


def test_create_registers_fingerprints_and_invite_prints_each_password_once(lead_env, tmp_path, capsys):
    server = lead_env
    path, out, invited = create_and_invite(server, tmp_path / "exp", capsys)
    assert out.splitlines() == [
        f"campaign imgmarker: created (schema 1), owner lead, team role {server.dbname}_imgmarker_team",
        "images: 6 registered (6 new, 0 changed), 1 gold"]
    assert [line.split(":")[0] for line in invited] == ["ana", "bob"]
    assert all("new role, password " in line and "not shown again" in line for line in invited)
    with server.admin() as conn:
        rows = conn.execute("SELECT name, size, fingerprint FROM imgmarker.images ORDER BY name").fetchall()
    image = tmp_path / "exp" / "images" / "img00.png"
    assert rows[0][:2] == ("img00.png", image.stat().st_size) and rows[0][2].startswith("sha256:")
    # again, after one image changed: it is reported as changed, nothing is lost
    (tmp_path / "exp" / "images" / "img01.png").write_bytes(b"another picture")
    assert main(["campaign", "create", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "images: 6 registered (0 new, 1 changed), 1 gold"
    assert main(["campaign", "invite", str(path), "ana"]) == 0
    assert capsys.readouterr().out == "ana: existing role, added to the team (its password is unchanged)\n"


def test_an_annotator_with_a_different_copy_is_told_so(lead_env, tmp_path, capsys):
    server = lead_env
    path, _, _ = create_and_invite(server, tmp_path / "exp", capsys)
    experiment = load_experiment(path)
    (tmp_path / "exp" / "images" / "img00.png").write_bytes(b"not the campaign's picture")
    session, sync = join(server, experiment, "ana", tmp_path / "ana")
    with session:
        import time

        deadline = time.monotonic() + 10
        while not sync.state().mismatches and time.monotonic() < deadline:
            time.sleep(0.05)
        sync.stop()
    assert sync.state().mismatches == ("img00.png",)
    assert "1 image differs from the campaign's copies" in sync.state().text()


def test_status_and_aggregate_read_the_team_from_the_server(lead_env, tmp_path, capsys):
    server = lead_env
    path, _, _ = create_and_invite(server, tmp_path / "exp", capsys)
    experiment = load_experiment(path)
    shown = {}
    for role, category in (("ana", "cluster"), ("bob", "cluster")):
        session, sync = join(server, experiment, role, tmp_path / role)
        shown[role] = sorted(e.name for e in session.entries)
        with session:
            for i in range(len(session)):
                session.go_to(i)
                session.add_mark(4.0, 5.0 + (role == "bob"), "BCG")
                session.toggle_category(category)
            session.next()
            assert sync.wait_synced()
            sync.stop()
    assert main(["campaign", "status", str(path)]) == 0
    text = capsys.readouterr().out.splitlines()
    # a batch of 4: the gold image and the same 3 others for both (the second look first)
    assert shown["ana"] == shown["bob"] and len(shown["ana"]) == 4 and "img05.png" in shown["ana"]
    assert text[1] == "images: 6 (1 gold), 3 complete (60.0%), 0 retired, 8 looks taken, 4 to go"
    assert text[3].split() == ["annotator", "seen", "marked", "claimed", "pending", "sync", "last", "activity"]
    assert text[4].split()[:5] == ["ana", "4", "4", "0", "0"] and text[5].split()[:5] == ["bob", "4", "4", "0", "0"]
    assert main(["campaign", "status", str(path), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {i["name"]: i["looks"] for i in status["images"]} == {
        f"img{i:02d}.png": 2 if f"img{i:02d}.png" in shown["ana"] else 0 for i in range(6)}
    assert [i["name"] for i in status["images"] if i["gold"]] == ["img05.png"]
    page = tmp_path / "status.html"
    assert main(["campaign", "status", str(path), "--html", str(page)]) == 0
    assert "<td>ana</td><td>4</td><td>4</td>" in page.read_text()

    out = tmp_path / "aggregate"
    assert main(["aggregate", str(path), "-o", str(out)]) == 0
    with open(out / "consensus.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["image"] for r in rows) == shown["ana"]
    assert {(r["n_annotators"], r["x"], r["y"]) for r in rows} == {("2", "4.0", "5.5")}
    with open(out / "categories.csv", newline="") as handle:
        votes = {r["image"]: r for r in csv.DictReader(handle)}
    assert sorted(votes) == shown["ana"]
    assert {(v["n_seen"], v["n_cluster"], v["majority"]) for v in votes.values()} == {("2", "2", "cluster")}
    assert "2 annotators" in capsys.readouterr().err


def test_commands_name_the_file_when_the_server_is_unreachable_or_absent(tmp_path, capsys):
    (tmp_path / "images").mkdir()
    path = tmp_path / "experiment.yaml"
    path.write_text("schema_version: 1\nname: t\nimages: {directory: images}\n"
                    "campaign: {server: 'host=127.0.0.1 port=1 dbname=none connect_timeout=2'}\n")
    assert main(["campaign", "status", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{path}: campaign imgmarker: server unreachable: ") and "\n" not in err
    path.write_text("schema_version: 1\nname: t\nimages: {directory: images}\n")
    assert main(["campaign", "create", str(path)]) == 1
    assert capsys.readouterr().err == f"{path}: no 'campaign' section: this experiment is not a team campaign " \
                                      "(docs/team.md)\n"

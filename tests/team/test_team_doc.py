"""docs/team.md, run as shown: the server set up with its own superuser, the owner's
and each annotator's service and password files, every command of the guide."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

DOC = Path(__file__).resolve().parents[2] / "docs" / "team.md"
BIN = Path(sys.executable).parent


def blocks() -> list[tuple[str, str]]:
    return re.findall(r"^```(\w*)\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def sh(text: str, *, cwd: Path, env: dict, stdin: str | None = None) -> list[subprocess.CompletedProcess]:
    done = []
    for line in text.strip().splitlines():
        result = subprocess.run(["bash", "-c", line], cwd=cwd, env=env, input=stdin, capture_output=True,
                                text=True, timeout=120, start_new_session=True)
        assert result.returncode == 0, f"{line}: {result.stdout}{result.stderr}"
        done.append(result)
    return done


@pytest.fixture
def own_cluster(pg_cluster):
    """A server of the guide's own (its roles and database are the guide's names)."""
    from pgcluster import start_cluster

    cluster = start_cluster()
    yield cluster
    cluster.destroy()


def test_the_team_guide_runs_as_written(own_cluster, tmp_path):
    cluster = own_cluster
    found = blocks()
    kinds = [kind for kind, _ in found]
    assert kinds == ["sh", "", "yaml", "", "sh", "sh", "sh", "sh"]
    server_sh, hba, experiment, service, pgpass, owner_sh, annotator_sh, results_sh = (text for _, text in found)
    base = {**os.environ, "PATH": f"{BIN}:{cluster.bindir}:{os.environ['PATH']}", "QT_QPA_PLATFORM": "offscreen"}
    base.pop("PGUSER", None), base.pop("PGPASSFILE", None), base.pop("PGSERVICEFILE", None)
    password = "the-password"

    # 1. the server's superuser creates the owner and the database
    superuser = {**base, "PGHOST": cluster.host, "PGPORT": str(cluster.port)}
    sh(server_sh, cwd=tmp_path, env=superuser, stdin=f"{password}\n{password}\n")
    assert "hostssl bcg" in hba and "+bcg_imgmarker_team" in hba

    def machine(role: str, secret: str) -> tuple[Path, dict]:
        """A person's computer: their home with the guide's service and password files."""
        home = tmp_path / role
        work = home / "campaign"
        (work / "images").mkdir(parents=True)
        for i in range(8):
            Image.new("L", (24, 16), color=20 * i).save(work / "images" / f"cluster{i:02d}.png")
        (work / "experiment.yaml").write_text(experiment)
        (home / ".pg_service.conf").write_text(service.replace("db.example.org", cluster.host)
                                               .replace("5432", str(cluster.port)).replace("user=lead", f"user={role}"))
        env = {**base, "HOME": str(home)}
        sh(pgpass.replace("db.example.org", cluster.host).replace("5432", str(cluster.port))
               .replace(":lead:", f":{role}:").replace("the-password", secret), cwd=work, env=env)
        assert (home / ".pgpass").stat().st_mode & 0o777 == 0o600
        return work, env

    # 2-3. the owner creates the campaign and invites the annotators
    lead_work, lead_env = machine("lead", password)
    done = sh(owner_sh, cwd=lead_work, env=lead_env)
    assert done[1].stdout.startswith("campaign imgmarker: created (schema 1), owner lead, team role bcg_imgmarker_team")
    passwords = dict(re.findall(r"^(\w+): new role, password (\S+)", done[2].stdout, re.MULTILINE))
    assert sorted(passwords) == ["ana", "bob", "carol"]

    # 4. annotators open the campaign in the window, then mark (scripted) on their machines
    for role in ("ana", "bob"):
        work, env = machine(role, passwords[role])
        window = subprocess.Popen(["bash", "-c", annotator_sh.strip()], cwd=work, env=env, start_new_session=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            joined = False
            deadline = time.monotonic() + 60
            while not joined and time.monotonic() < deadline and window.poll() is None:
                with cluster.admin("bcg") as conn:
                    joined = conn.execute("SELECT count(*) FROM imgmarker.leases WHERE annotator = %s",
                                          (role,)).fetchone()[0] == 8  # the whole (small) pool in one batch
                time.sleep(0.2)
            assert joined, window.stdout.read() if window.poll() is not None else "window never claimed"
            time.sleep(1.0)
            assert window.poll() is None, window.stdout.read()  # the window is up and marking can start
        finally:
            os.killpg(window.pid, signal.SIGTERM)
            window.wait(30)
        user = subprocess.run(["bash", "-c", "id -un"], capture_output=True, text=True).stdout.strip()
        simulated = subprocess.run([sys.executable, "-m", "imgmarker.kernel.team.simulate", "experiment.yaml", user,
                                    "results", "--idle-timeout", "30"], cwd=work, env=env, capture_output=True,
                                   text=True, timeout=120)
        assert simulated.returncode == 0, simulated.stderr
        assert simulated.stdout.splitlines()[-1] == "done 8"

    # 5. the owner follows the team and gets the results
    done = sh(results_sh, cwd=lead_work, env=lead_env)
    status = done[0].stdout.splitlines()
    assert status[1].startswith("images: 8 (0 gold), 8 complete (100.0%), 8 retired, 16 looks taken, 0 to go")
    assert [line.split()[:3] for line in status[4:6]] == [["ana", "8", "8"], ["bob", "8", "8"]]
    assert "<td>ana</td><td>8</td><td>8</td>" in (lead_work / "status.html").read_text()
    assert "results/aggregate/consensus.csv: 8 rows" in done[2].stdout
    assert (lead_work / "results" / "agreement.html").is_file()

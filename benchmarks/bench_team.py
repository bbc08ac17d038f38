"""Team campaigns against one local PostgreSQL server (a throwaway cluster): prints the
figures the targets are checked against, with the machine load beside each.

- sync lag (local commit -> on the server), 16 annotators at 2 actions/s each, as
  separate processes using the real session, store and sync: p99 target <= 1 s
- claiming the next batch (20 images) with 16 annotators claiming at once: p99 <= 50 ms
- throughput at saturation with 4, 16 and 32 annotator processes (actions/s on the server)
- creating a 1,000,000-image campaign (schema + COPY of names and fingerprints): <= 60 s
- ``campaign status`` of 1,000,000 images and 50 annotators: <= 2 s
- one marking action (add mark + commit) with and without a campaign syncing behind it

Run: python benchmarks/bench_team.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pgcluster import start_cluster  # noqa: E402
from teamkit import LEAD, LEAD_PASSWORD, TeamServer  # noqa: E402

from imgmarker.kernel.experiment.loader import load_experiment  # noqa: E402
from imgmarker.kernel.team import admin  # noqa: E402
from imgmarker.kernel.team.client import TeamClient  # noqa: E402
from imgmarker.kernel.team.connection import connect  # noqa: E402


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def new_server(cluster, folder: Path, name: str) -> TeamServer:
    with cluster.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER {LEAD}')
    server = TeamServer(cluster, name, folder / name, {LEAD: LEAD_PASSWORD})
    server.folder.mkdir(parents=True)
    return server


def campaign(server: TeamServer, folder: Path, images: int, roles: list[str], plan: str):
    path = server.experiment(folder, images=images, plan=plan)
    experiment = load_experiment(path)
    with connect(experiment.campaign, server.overrides(LEAD)) as conn:
        admin.create_or_upgrade(conn, experiment.campaign)
        admin.register_images(conn, experiment.campaign, [(f"img{i:02d}.png", 1, None, i) for i in range(images)])
        for invited in admin.invite(conn, experiment.campaign, roles):
            server.passwords[invited.role] = invited.password
    return experiment


def run_annotators(server, experiment, roles, folder: Path, *, rate=None, duration=10.0):
    args = ["--duration", str(duration), "--idle-timeout", "60", "--interval", "0.05"]
    if rate:
        args += ["--rate", str(rate)]
    procs = [subprocess.Popen([sys.executable, "-m", "imgmarker.kernel.team.simulate", str(experiment.path), role,
                               str(folder / role), *args], env=server.env(role), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for role in roles]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        if proc.returncode:
            raise RuntimeError(err)


def server_figures(server):
    with server.admin() as conn:
        lags = [r[0] for r in conn.execute(
            "SELECT extract(epoch FROM received_at - client_time::timestamptz) FROM imgmarker.actions")]
        span = conn.execute("SELECT count(*), extract(epoch FROM max(received_at) - min(received_at)) "
                            "FROM imgmarker.actions").fetchone()
    return [float(v) for v in lags], span


def bench_lag(cluster, folder, quick):
    server = new_server(cluster, folder, "lag")
    roles = [f"a{i:02d}" for i in range(16)]
    experiment = campaign(server, folder / "lag", 600, roles, "mode: shared\nlooks_per_image: 2\nbatch_size: 20\n"
                                                               "sync_seconds: 0.1")
    before = load()
    run_annotators(server, experiment, roles, folder / "lag-results", rate=2, duration=8 if quick else 20)
    lags, (n, _) = server_figures(server)
    print(f"sync lag, 16 annotators x 2 actions/s: {n} actions, median {1000 * statistics.median(lags):.0f} ms, "
          f"p99 {1000 * pct(lags, 0.99):.0f} ms, max {1000 * max(lags):.0f} ms  [{before}; after: {load()}]")


def _claimer(plan, overrides, role, rounds, barrier, out):
    """One annotator's process: join, then claim a batch each time all are ready."""
    client = TeamClient(plan, overrides)
    client.join(role, role, "bench")
    timings = []
    for _ in range(rounds):
        barrier.wait()
        t0 = time.perf_counter()
        client.claim(20)
        timings.append(time.perf_counter() - t0)
    client.close()
    out.put(timings)


def bench_claims(cluster, folder, quick):
    """16 annotator processes claim a batch at the same instant (a barrier), round after
    round: the worst case, since real annotators rarely ask in the same millisecond."""
    import multiprocessing

    server = new_server(cluster, folder, "claims")
    roles = [f"c{i:02d}" for i in range(16)]
    experiment = campaign(server, folder / "claims", 4, roles, "mode: shared\nlooks_per_image: 3\nbatch_size: 20")
    plan = experiment.campaign
    with connect(plan, server.overrides(LEAD)) as conn:  # a big pool
        admin.register_images(conn, plan, ((f"pool{i:07d}", 1, None, i) for i in range(100_000)))
    rounds = 10 if quick else 30
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(len(roles)), context.Queue()
    before = load()
    procs = [context.Process(target=_claimer, args=(plan, server.overrides(r), r, rounds, barrier, out))
             for r in roles]
    for proc in procs:
        proc.start()
    timings = [t for _ in procs for t in out.get(timeout=600)]
    for proc in procs:
        proc.join()
    print(f"claim a batch of 20, 16 annotator processes at once, pool of 100,000: {len(timings)} claims, median "
          f"{1000 * statistics.median(timings):.1f} ms, p99 {1000 * pct(timings, 0.99):.1f} ms  [{before}]")


def bench_saturation(cluster, folder, quick):
    for n in (4, 16, 32):
        server = new_server(cluster, folder, f"sat{n}")
        roles = [f"s{i:02d}" for i in range(n)]
        experiment = campaign(server, folder / f"sat{n}", 2000, roles,
                              "mode: shared\nlooks_per_image: 2\nbatch_size: 20\nsync_seconds: 0.05")
        before = load()
        run_annotators(server, experiment, roles, folder / f"sat{n}-results", duration=5 if quick else 10)
        lags, (count, span) = server_figures(server)
        print(f"saturation, {n} annotators as fast as they go: {count} actions, {count / max(span, 1e-9):.0f} "
              f"actions/s on the server, lag p99 {1000 * pct(lags, 0.99):.0f} ms  [{before}; after: {load()}]")


def bench_million(cluster, folder, quick):
    n = 100_000 if quick else 1_000_000
    server = new_server(cluster, folder, "million")
    path = server.experiment(folder / "million", images=1, plan="mode: shared\nlooks_per_image: 2")
    plan = load_experiment(path).campaign
    before = load()
    t0 = time.perf_counter()
    with connect(plan, server.overrides(LEAD)) as conn:
        admin.create_or_upgrade(conn, plan)
        rows = ((f"field{i // 1000:04d}/img{i:07d}.fits", 2_000_000 + i, f"sha256:{i:064x}", i * 7919 % n)
                for i in range(n))
        admin.register_images(conn, plan, rows)
    created = time.perf_counter() - t0
    print(f"create a {n:,}-image campaign (COPY of names, sizes, fingerprints): {created:.1f} s  [{before}]")
    with server.admin() as conn:  # 50 annotators with looks spread over the images
        conn.execute("INSERT INTO imgmarker.annotators(name, store_id, seen, marked, synced_seq, local_seq) "
                     "SELECT 'r' || g, md5(g::text), 40000, 30000, 80000, 80010 FROM generate_series(1, 50) g")
        conn.execute("UPDATE imgmarker.images SET looks = id % 3, open_looks = id % 3")
        conn.execute("VACUUM ANALYZE imgmarker.images")
    from imgmarker.kernel.team.status import campaign_status, status_json

    for images in (False, True):
        times = []
        for _ in range(3 if quick else 5):
            t0 = time.perf_counter()
            with connect(plan, server.overrides(LEAD)) as conn:
                status = campaign_status(conn, plan, images=images)
                if images:
                    status_json(status)
            times.append(time.perf_counter() - t0)
        what = "with every image listed (--json)" if images else "summary and annotators"
        print(f"campaign status, {n:,} images, 50 annotators, {what}: median {statistics.median(times):.2f} s "
              f"[{load()}]")


def bench_marking(cluster, folder, quick):
    from teamkit import join, set_up

    from imgmarker.kernel.campaign.session import Session

    server = new_server(cluster, folder, "marking")
    experiment = set_up(server, folder / "marking", "mode: everyone", images=4, roles=("m",))
    n = 200 if quick else 1000
    results = {}
    for label in ("without a campaign", "with the campaign syncing"):
        out = folder / ("plain" if label.startswith("without") else "team")
        if label.startswith("without"):
            session, sync = Session.open(experiment, user="m", output=out, export_delay=None), None
        else:
            session, sync = join(server, experiment, "m", out, interval=0.05)
        times = []
        with session:
            for i in range(n):
                t0 = time.perf_counter()
                session.add_mark(float(i % 16), 3.0, "star")
                times.append(time.perf_counter() - t0)
            if sync is not None:
                sync.wait_synced(60)
                sync.stop()
        results[label] = times
        print(f"one marking action {label}: median {1000 * statistics.median(times):.2f} ms, "
              f"p99 {1000 * pct(times, 0.99):.2f} ms ({n} actions)  [{load()}]")


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"imgmarker team benchmark{' (quick)' if quick else ''}, {os.cpu_count()} CPUs, {load()}")
    cluster = start_cluster()
    try:
        with cluster.admin() as conn:
            from psycopg import sql

            verifier = conn.pgconn.encrypt_password(LEAD_PASSWORD.encode(), LEAD.encode(), b"scram-sha-256").decode()
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {}").format(
                sql.Identifier(LEAD), sql.Literal(verifier)))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for bench in (bench_marking, bench_claims, bench_million, bench_lag, bench_saturation):
                bench(cluster, folder, quick)
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()

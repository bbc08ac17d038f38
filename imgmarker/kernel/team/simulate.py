"""A scripted annotator on a team campaign, for tests and benchmarks that need real
annotators in separate processes using the real session, store and sync.

    python -m imgmarker.kernel.team.simulate EXPERIMENT ROLE RESULTS [--rate N]

It looks at every image it is given: one mark, the category :func:`category_for`
picks (the same for every annotator, so the consensus is known), then the next image;
it claims more until the server has none left for it, waits until everything is on
the server, and exits. Each action is printed as ``acked SEQ TIME`` once the session
call has returned (committed locally). The role and password come from the libpq
environment (``PGUSER``, ``PGPASSFILE``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from imgmarker.kernel.campaign.ordering import derive_seed


def category_for(name: str, categories: list[str]) -> str:
    return categories[derive_seed("truth", name) % len(categories)]


def mark_for(name: str) -> tuple[float, float]:
    seed = derive_seed("mark", name)
    return 2.0 + seed % 11, 3.0 + (seed >> 8) % 7


def _say(text: str) -> None:
    print(text, flush=True)


def annotate(experiment_path: Path, role: str, output: Path, *, rate: float | None = None,
             idle_timeout: float = 60.0, interval: float | None = None, duration: float | None = None,
             say=_say) -> int:
    """Annotate until the campaign has nothing left for ``role``; the number of images."""
    from imgmarker.kernel.experiment.loader import load_experiment
    from imgmarker.kernel.plugins.host import create_plugin_host
    from imgmarker.kernel.team.joining import deliver, open_team_session

    host = create_plugin_host()
    experiment = load_experiment(experiment_path, host.registry)
    categories = experiment.categories.names()
    group = experiment.groups[0].name
    session, sync = open_team_session(experiment, user=role, output=output, host=host, export_delay=None,
                                      interval=interval)
    reader = sync.reader
    pause = 1.0 / rate if rate else 0.0
    looked = 0
    say(f"joined {len(session)}")
    try:
        idle_since = started = time.monotonic()
        while duration is None or time.monotonic() - started < duration:
            deliver(session, sync)
            entry = session.current if len(session) and not session.is_seen(session.index) else \
                session.next_unseen() if len(session) else None
            if entry is None or session.is_seen(entry.position):
                if _finished(sync, idle_since, idle_timeout):
                    break
                time.sleep(0.05)
                continue
            idle_since = time.monotonic()
            x, y = mark_for(entry.name)
            session.add_mark(x, y, group)
            say(f"acked {reader.last_seq()} {time.time():.6f}")
            time.sleep(pause)
            session.toggle_category(category_for(entry.name, categories))
            say(f"acked {reader.last_seq()} {time.time():.6f}")
            session.next()
            looked += 1
            time.sleep(pause)
        sync.wait_synced(idle_timeout)
    finally:
        sync.stop()
        session.close()
    say(f"done {looked}")
    return looked


def _finished(sync, idle_since: float, idle_timeout: float) -> bool:
    """Nothing left to look at: the server has no image for us and all is sent."""
    if time.monotonic() - idle_since > idle_timeout:
        return True
    state = sync.state()
    if state.phase in ("offline", "refused", "starting") or state.pending:
        return False
    if sync.plan.mode != "shared":
        return True
    return state.exhausted and sync.ready_count() == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", type=Path)
    parser.add_argument("role")
    parser.add_argument("results", type=Path)
    parser.add_argument("--rate", type=float, help="actions per second (default: as fast as possible)")
    parser.add_argument("--interval", type=float, help="sync interval in seconds (default: the experiment's)")
    parser.add_argument("--idle-timeout", type=float, default=60.0)
    parser.add_argument("--duration", type=float, help="stop looking at images after this many seconds")
    args = parser.parse_args(argv)
    annotate(args.experiment, args.role, args.results, rate=args.rate, idle_timeout=args.idle_timeout,
             interval=args.interval, duration=args.duration)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The background sync: the store's outbox to the server, leases renewed, the next
batch claimed ahead, the annotator's copies of the images checked.

It runs on its own thread with its own SQLite connection (reading the outbox) and its
own server connection, so the session and the window never wait for the network. A
failure only changes what :meth:`TeamSync.state` says; the thread retries with
backoff, and whatever was committed locally meanwhile goes out when the server is back.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from imgmarker.kernel.experiment.config import CampaignPlan
from imgmarker.kernel.store.outbox import OutboxReader
from imgmarker.kernel.team.client import Claimed, TeamClient
from imgmarker.kernel.team.connection import TeamError
from imgmarker.kernel.team.fingerprint import fingerprint

log = logging.getLogger("imgmarker.team")

PUSH_LIMIT = 1000
DURABLE_WAIT = 5.0  # seconds a push waits for the local disk before the next cycle tries again
MAX_BACKOFF = 5.0
RECHECK_EXHAUSTED = 30.0
CHECKS_PER_SECOND = 4
ACKED_EVERY = 5.0  # seconds between notes of the server's acknowledgement in the local store


@dataclass(frozen=True)
class SyncState:
    """What the status line says about the campaign server."""

    phase: str = "starting"  # starting | synced | sending | offline | refused
    pending: int = 0  # actions committed locally and not yet on the server
    reason: str = ""
    role: str = ""
    claimed_waiting: int = 0  # claimed images not yet handed to the session
    exhausted: bool = False  # the server had no image left to claim
    mismatches: tuple[str, ...] = field(default_factory=tuple)

    @property
    def why(self) -> str:
        """The reason in a few words (the whole message is in :attr:`reason`)."""
        if self.phase == "offline" and self.reason.startswith("server unreachable"):
            return "server unreachable"
        return self.reason if len(self.reason) <= 90 else self.reason[:89] + "…"

    def text(self) -> str:
        if self.phase == "starting":
            head = "campaign: connecting"
        elif self.pending == 0 and self.phase in ("synced", "sending"):
            head = "campaign: synced"
        else:
            head = f"campaign: {self.pending} action{'s' * (self.pending != 1)} waiting"
            head += {"sending": " (sending)", "offline": f": {self.why}", "refused": f": {self.why}"}.get(
                self.phase, "")
        if self.phase in ("offline", "refused") and self.pending == 0:
            head = f"campaign: {self.why}"
        extra = []
        if self.mismatches:
            n = len(self.mismatches)
            extra.append(f"{n} image{'s' * (n != 1)} differ{'s' * (n == 1)} from the campaign's copies")
        if self.exhausted and not self.claimed_waiting:
            extra.append("no more images to claim")
        return " · ".join([head] + extra)


def store_identity(reader: OutboxReader) -> str:
    """The results folder's identity on the server (made once, kept in the store)."""
    store_id = reader.get("store_id")
    if not store_id:
        store_id = uuid.uuid4().hex
        reader.put("store_id", store_id)
    return store_id


class TeamSync:
    """One annotator's link to the campaign server. :meth:`start` after the session's
    store exists; :meth:`stop` when the session closes."""

    def __init__(self, plan: CampaignPlan, user: str, root: Path, *, overrides: Mapping[str, Any] | None = None,
                 interval: float | None = None):
        self.plan = plan
        self.user = user
        self.root = Path(root)
        self.client = TeamClient(plan, overrides)
        self.interval = plan.sync_seconds if interval is None else interval
        self.renew_every = max(0.2, min(60.0, plan.lease_seconds / 4))
        self.shared = plan.mode == "shared"
        self.joined = False
        self.acked = 0
        self.reader: OutboxReader | None = None
        self._lock = threading.Lock()
        self._state = SyncState()
        self._ready: list[Claimed] = []
        self._delivered: set[str] = set()
        self._to_check: list[tuple[str, int | None, str | None]] = []
        self._mismatches: dict[str, str] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_renew = 0.0
        self._last_claim_check = 0.0
        self._exhausted_at: float | None = None
        self._empty_claims = 0
        self._acked_written = 0.0
        self._checked_at = 0.0
        self._durable: Callable[..., bool] | None = None

    # -- the session's side (any thread) -------------------------------------------------
    def attach(self, store_path: Path, durable: Callable[..., bool] | None = None) -> None:
        """Open the outbox of the annotator's store (which must exist by now);
        ``durable(timeout=...)`` syncs the store's committed actions to its disk (pushes wait for it)."""
        if durable is not None:
            self._durable = durable
        if self.reader is None:
            self.reader = OutboxReader(store_path)
            self.acked = int(self.reader.get("acked", 0) or 0)

    def state(self) -> SyncState:
        with self._lock:
            pending = max(0, self._local_seq() - self.acked) if self.reader is not None else 0
            return replace(self._state, pending=pending, claimed_waiting=len(self._ready),
                           mismatches=tuple(sorted(self._mismatches)))

    def _local_seq(self) -> int:
        try:
            return self.reader.last_seq()
        except Exception:  # read while the thread uses it: the thread's own count is close enough
            return self.acked

    def take_claimed(self) -> list[Claimed]:
        """Images claimed in the background since the last call, for the session."""
        with self._lock:
            ready, self._ready = self._ready, []
        return ready

    def ready_count(self) -> int:
        with self._lock:
            return len(self._ready)

    def note_delivered(self, names) -> None:
        with self._lock:
            self._delivered.update(names)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self.reader is None:
            raise RuntimeError("attach the store before starting the sync")
        self._thread = threading.Thread(target=self._run, name="imgmarker-team-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread after one last attempt to send what is waiting."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
        self.client.close()
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def wait_synced(self, timeout: float = 30.0) -> bool:
        """Block until everything committed so far is on the server (scripts, tests)."""
        deadline = time.monotonic() + timeout
        target = self.reader.last_seq()
        while time.monotonic() < deadline:
            if self.acked >= target:
                return True
            self._wake.set()
            time.sleep(0.02)
        return self.acked >= target

    # -- the thread --------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = 0.0
        while True:
            stopping = self._stop.is_set()
            try:
                self.cycle()
                backoff = 0.0
            except TeamError as exc:
                self.record_failure(exc)
                backoff = min(MAX_BACKOFF, backoff * 2 if backoff else 0.1)  # a dropped connection: at once
            except Exception as exc:  # a bug must not kill the sync silently
                log.exception("team sync failed")
                self.record_failure(TeamError("error", f"sync error: {exc}"))
                backoff = MAX_BACKOFF
            if stopping:
                return
            self._wake.wait(backoff or self.interval)
            self._wake.clear()

    def record_failure(self, exc: TeamError) -> None:
        phase = "refused" if exc.reason == "refused" else "offline"
        with self._lock:
            if self._state.reason != exc.message:
                log.warning("campaign %s: %s", self.plan.schema, exc.message)
            self._state = replace(self._state, phase=phase, reason=exc.message)
        if exc.reason != "refused":
            self.joined = False
            self.client.close()

    def join(self) -> None:
        role = self.client.role()
        bound = self.reader.get("role")
        if bound and bound != role:
            raise TeamError("refused", f"this results folder's database sends as {bound!r}, but you are "
                                       f"connected as {role!r}; use your own results folder")
        joined = self.client.join(store_identity(self.reader), self.user, socket.gethostname())
        self.reader.put("role", role)
        self.acked = joined.synced_seq  # the server is the truth (a restored backup gets resent)
        self.joined = True
        with self._lock:
            self._state = replace(self._state, role=role)
        log.info("campaign %s: joined as %s", self.plan.schema, role)

    def cycle(self) -> None:
        """One round: join if needed, push, renew, claim ahead, check a few images."""
        if not self.joined:
            self.join()
            if self.shared:
                self.reconcile()
        self.push_pending()
        now = time.monotonic()
        if now - self._last_renew >= self.renew_every:
            self.client.renew()
            self._last_renew = now
        if self.shared:
            self._claim_ahead(now)
        self._check_some(now)
        with self._lock:
            self._state = replace(self._state, phase="synced", reason="")

    def push_pending(self) -> None:
        local = self.reader.last_seq()
        if local <= self.acked:
            return
        with self._lock:
            self._state = replace(self._state, phase="sending")
        # Only what is on the local disk goes out: after a power cut the store would
        # number new actions again from where its disk stopped, and the server would
        # keep the lost ones under those numbers.
        if self._durable is not None and not self._durable(timeout=DURABLE_WAIT):  # the next cycle tries again
            return
        while self.acked < local:
            events, states = self.reader.read(self.acked, PUSH_LIMIT)
            events = [e for e in events if e.seq <= local]  # later ones wait for the next sync
            if not events:
                break
            self.acked = self.client.push(events, states, local)
        now = time.monotonic()
        if now - self._acked_written >= ACKED_EVERY or self._stop.is_set():
            # a write to the annotator's database: seldom, so it never competes with marking
            self.reader.put("acked", self.acked)
            self._acked_written = now

    def reconcile(self) -> None:
        """Leases the session has never received (the program died between the claim
        and storing the sequence) are handed over again."""
        known = set(self.reader.sequence_names()) | self._delivered
        with self._lock:
            known |= {c.name for c in self._ready}
            lost = [c for c in self.client.open_leases() if c.name not in known]
            self._ready.extend(lost)

    def _claim_ahead(self, now: float) -> None:
        """Claim the next batch once half of the current one has been looked at."""
        if now - self._last_claim_check < 1.0:
            return
        self._last_claim_check = now
        if self._exhausted_at is not None and now - self._exhausted_at < RECHECK_EXHAUSTED:
            return
        if len(self.client.open_leases()) > self.plan.batch_size // 2:
            return
        claimed = self.claim(self.plan.batch_size)
        # one empty claim may have raced another annotator's; two in a row mean the pool is done
        self._empty_claims = 0 if claimed else self._empty_claims + 1
        exhausted = self._empty_claims >= 2
        self._exhausted_at = now if exhausted else None
        with self._lock:
            self._state = replace(self._state, exhausted=exhausted)

    def claim(self, n: int) -> list[Claimed]:
        """Claim ``n`` images now (on the calling thread) and queue them for the session."""
        claimed = self.client.claim(n)
        with self._lock:
            self._ready.extend(claimed)
            self._to_check.extend((c.name, c.size, c.fingerprint) for c in claimed)
        return claimed

    def check_later(self, entries) -> None:
        with self._lock:
            self._to_check.extend(entries)

    def _check_some(self, now: float) -> None:
        if not self._to_check or now - self._checked_at < 1.0:
            return
        self._checked_at = now
        with self._lock:
            batch, self._to_check = self._to_check[:CHECKS_PER_SECOND], self._to_check[CHECKS_PER_SECOND:]
        unknown = [name for name, size, fp in batch if fp is None and size is None]
        known = self.client.fingerprints(unknown) if unknown else {}
        for name, size, fp in batch:
            if fp is None and size is None:
                size, fp = known.get(name, (None, None))
            if fp is None:
                continue
            local = fingerprint(self.root / name)
            problem = "missing here" if local is None else (None if local == (size, fp) else "differs")
            if problem:
                with self._lock:
                    self._mismatches[name] = problem
                log.warning("campaign %s: %s %s from the campaign's copy", self.plan.schema, name,
                            "is missing" if local is None else "differs")

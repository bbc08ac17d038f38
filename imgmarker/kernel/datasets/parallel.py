"""Running the cutting tasks on worker processes, with progress.

Workers are started with 'spawn' (no inherited threads or open files; a calling script
needs an ``if __name__ == "__main__"`` guard). Batches of images are handed out as
workers become free, so one slow file does not hold the others up. The outcome is the
same with any number of workers: files are named by example, not by who wrote them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Sequence

from imgmarker.kernel.datasets.cutting import CutSettings, ImageOutcome, ImageTask, cut_batch

#: examples per batch: enough to make a task's start-up cost small, few enough to balance
BATCH_EXAMPLES = 250
MAX_WORKERS = 2


def batches(tasks: Sequence[ImageTask], workers: int) -> list[list[ImageTask]]:
    total = sum(len(t.ids) for t in tasks) or 1
    target = max(1, min(BATCH_EXAMPLES, total // max(4 * workers, 1) or 1))
    out: list[list[ImageTask]] = []
    current: list[ImageTask] = []
    count = 0
    for task in tasks:
        current.append(task)
        count += len(task.ids)
        if count >= target:
            out.append(current)
            current, count = [], 0
    if current:
        out.append(current)
    return out


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def run_tasks(tasks: Sequence[ImageTask], settings: CutSettings, workers: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[ImageOutcome]:
    """Every task's outcome, in the order of ``tasks``."""
    workers = default_workers() if workers is None else max(1, int(workers))
    total = sum(len(t.ids) for t in tasks)
    done = 0
    parts = batches(tasks, workers)
    results: dict[int, list[ImageOutcome]] = {}
    if progress:
        progress(0, total)
    if workers > 1 and len(parts) > 1:
        try:
            pool = ProcessPoolExecutor(min(workers, len(parts)), mp_context=multiprocessing.get_context("spawn"))
        except (OSError, RuntimeError, ValueError):
            pool = None
        if pool is not None:
            with pool:
                futures = {pool.submit(cut_batch, settings, part): i for i, part in enumerate(parts)}
                pending = set(futures)
                try:
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in finished:
                            i = futures[future]
                            results[i] = future.result()
                            done += sum(len(t.ids) for t in parts[i])
                            if progress:
                                progress(done, total)
                except BrokenProcessPool:  # a worker died: finish the rest here
                    pass
                except BaseException:
                    for future in pending:
                        future.cancel()
                    raise
    for i, part in enumerate(parts):
        if i not in results:
            results[i] = cut_batch(settings, part)
            done += sum(len(t.ids) for t in part)
            if progress:
                progress(done, total)
    return [outcome for i in range(len(parts)) for outcome in results[i]]

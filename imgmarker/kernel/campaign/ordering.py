"""The order in which a campaign shows its images, and where repeats go.

Randomness comes from ``random.Random(...).random()``, whose stream Python guarantees
across versions, fed with seeds derived by SHA-256 (never ``hash()``, which changes
between runs), so the same experiment gives the same order on every machine.
"""

from __future__ import annotations

import hashlib
import random
from typing import Sequence

from imgmarker.kernel.experiment.config import ORDER_MODES


def derive_seed(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def _shuffle(items: list, rng: random.Random) -> list:
    """Fisher-Yates on ``rng.random()`` only (``random.shuffle`` is not guaranteed stable)."""
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def _pick(items: list, count: int, rng: random.Random) -> list:
    """``count`` items drawn without replacement: the first steps of a Fisher-Yates."""
    n = len(items)
    for i in range(count):
        j = i + int(rng.random() * (n - i))
        items[i], items[j] = items[j], items[i]
    return items[:count]


def order_images(names: Sequence[str], mode: str, seed: int, user: str) -> list[str]:
    """``names`` in presentation order for ``user``."""
    items = sorted(names)
    if mode == "sorted":
        return items
    if mode == "shuffled":
        return _shuffle(items, random.Random(derive_seed("order", seed)))
    if mode == "per-annotator":
        return _shuffle(items, random.Random(derive_seed("order", seed, user)))
    raise ValueError(f"unknown order mode {mode!r} (expected one of {', '.join(ORDER_MODES)})")


def repeat_count(n: int, fraction: float) -> int:
    return min(n, int(round(fraction * n)))


def with_repeats(order: Sequence[str], fraction: float, seed: int, min_gap: int) -> list[tuple[str, int]]:
    """The sequence ``[(name, pass)]``: every image once (pass 1) plus ``round(fraction * N)``
    seeded images again (pass 2), each at least ``min_gap`` other images after its first
    showing (or at the end when the campaign is too short for that).

    The repeated images depend on the seed and the names only, so every annotator repeats
    the same images; where they land follows that annotator's order.
    """
    n = len(order)
    count = repeat_count(n, fraction)
    sequence = [(name, 1) for name in order]
    if count == 0:
        return sequence
    rng = random.Random(derive_seed("repeats", seed))
    chosen = _pick(sorted(order), count, rng)
    position = {name: i for i, name in enumerate(order)}
    # Insert each repeat before first-pass slot t (t == n: at the end); every first-pass
    # image between the original and the repeat counts towards the gap.
    # Repeats sharing a slot keep the order of their first showing, so at the end of a
    # short campaign the latest-seen image comes back last.
    inserts: list[tuple[int, int, str]] = []
    for name in sorted(chosen, key=position.__getitem__):
        earliest = min(position[name] + min_gap + 1, n)
        slot = earliest + int(rng.random() * (n - earliest + 1))
        inserts.append((slot, position[name], name))
    inserts.sort()
    out: list[tuple[str, int]] = []
    k = 0
    for t in range(n + 1):
        while k < len(inserts) and inserts[k][0] == t:
            out.append((inserts[k][2], 2))
            k += 1
        if t < n:
            out.append(sequence[t])
    return out

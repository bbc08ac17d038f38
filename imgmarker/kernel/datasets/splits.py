"""Seeded train/validation/test splits that never divide a source image.

Whole source images are dealt to the splits, never single examples, so that near
copies (overlapping cutouts, other frames of one field) cannot leak from training into
testing. Within each stratum (the images' group or category) the images are taken in
a seeded random order and each goes to the split that is furthest below its share of
that stratum's examples, so every split gets about its fraction of every class. The
order depends only on the seed, the stratum's name and the image names: the same
inputs give the same splits on any machine, with any number of worker processes.
"""

from __future__ import annotations

import zlib
from typing import Sequence

import numpy as np

SPLITS = ("train", "validation", "test")


def assign_splits(images: Sequence[str], counts: Sequence[int], strata: Sequence[str],
                  fractions: Sequence[float], seed: int) -> list[int]:
    """The split index (into :data:`SPLITS`) of each image. ``images`` are distinct
    names; ``counts`` their numbers of examples; ``strata`` their strata."""
    total = float(sum(fractions))
    share = np.asarray(fractions, dtype=float) / total
    out = [0] * len(images)
    by_stratum: dict[str, list[int]] = {}
    for i, stratum in enumerate(strata):
        by_stratum.setdefault(stratum, []).append(i)
    for stratum in sorted(by_stratum):
        members = sorted(by_stratum[stratum], key=lambda i: images[i])
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(stratum.encode("utf-8"))])
        order = [members[i] for i in rng.permutation(len(members)).tolist()]
        got = np.zeros(len(share))
        done = 0.0
        for i in order:
            n = max(int(counts[i]), 1)
            deficit = share * (done + n) - got
            deficit[share == 0] = -np.inf
            k = int(np.argmax(deficit))  # the first split on a tie
            out[i] = k
            got[k] += n
            done += n
    return out


def split_examples(examples, keep: np.ndarray, fractions: Sequence[float], seed: int) -> np.ndarray:
    """Split index per kept example (-1 for the others) of :class:`~imgmarker.kernel.datasets.selection.Examples`
    with strata filled in; whole source images go to one split."""
    split = np.full(len(examples), -1)
    index = np.flatnonzero(keep)
    codes = sorted({int(c) for c in examples.image[index].tolist()}, key=lambda c: examples.image_names[c])
    counts = np.bincount(examples.image[index], minlength=len(examples.image_names))
    stratum = {}
    for i in index.tolist():
        stratum.setdefault(int(examples.image[i]), examples.stratum[i])
    chosen = assign_splits([examples.image_names[c] for c in codes], [int(counts[c]) for c in codes],
                           [stratum[c] for c in codes], fractions, seed)
    of_image = dict(zip(codes, chosen))
    split[index] = [of_image[int(c)] for c in examples.image[index].tolist()]
    return split

"""Presentation order and repeat placement, independent of files and stores."""

from __future__ import annotations

import pytest

from imgmarker.kernel.campaign.ordering import order_images, repeat_count, with_repeats

NAMES = [f"f{i:03d}.fits" for i in range(50)]


def test_orders_are_permutations_fixed_by_seed_and_user():
    assert order_images(NAMES[::-1], "sorted", 0, "a") == NAMES
    shuffled = order_images(NAMES, "shuffled", 4, "a")
    assert sorted(shuffled) == NAMES and shuffled != NAMES
    assert order_images(list(reversed(NAMES)), "shuffled", 4, "b") == shuffled
    assert order_images(NAMES, "shuffled", 5, "a") != shuffled
    ana = order_images(NAMES, "per-annotator", 4, "ana")
    assert ana == order_images(NAMES, "per-annotator", 4, "ana")
    assert ana != order_images(NAMES, "per-annotator", 4, "bob")
    with pytest.raises(ValueError, match="unknown order mode 'random'"):
        order_images(NAMES, "random", 0, "a")


@pytest.mark.parametrize("seed", range(20))
def test_repeats_exact_count_and_gap(seed):
    order = order_images(NAMES, "shuffled", seed, "a")
    seq = with_repeats(order, 0.3, seed, 6)
    repeats = [name for name, p in seq if p == 2]
    assert len(repeats) == repeat_count(50, 0.3) == 15
    assert [k for k in seq if k[1] == 1] == [(n, 1) for n in order]
    last_first = max(i for i, k in enumerate(seq) if k[1] == 1)
    for name in repeats:
        gap = seq.index((name, 2)) - seq.index((name, 1)) - 1
        assert gap >= 6 or (order.index(name) + 6 >= 50 and seq.index((name, 2)) > last_first)


def test_same_images_repeat_for_every_annotator():
    a = with_repeats(order_images(NAMES, "per-annotator", 1, "ana"), 0.1, 9, 3)
    b = with_repeats(order_images(NAMES, "per-annotator", 1, "bob"), 0.1, 9, 3)
    assert sorted(k for k in a if k[1] == 2) == sorted(k for k in b if k[1] == 2)
    assert with_repeats(NAMES, 0.0, 9, 3) == [(n, 1) for n in NAMES]

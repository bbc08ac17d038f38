"""The ``labels`` and ``annotators`` summaries of consensus.csv read back exactly,
whatever the names hold (``+`` and ``\\`` are escaped as in the categories column)."""

from __future__ import annotations

from dataclasses import replace

from imgmarker.api import split_categories
from imgmarker.kernel.agreement.clustering import Radius, consensus
from imgmarker.kernel.agreement.export import annotator_summaries, label_summaries
from imgmarker.kernel.agreement.simulate import simulate
from imgmarker.kernel.agreement.tables import Names


def test_names_with_plus_colon_and_backslash_come_back_from_the_summaries():
    results, _ = simulate(3, 4, 2, noise=0.5, miss=0.0, false=0.0, groups=("galaxy",), categories=("A",),
                          accuracy=1.0, seed=1)
    users = ["ana+bob", "c\\d", "plain"]
    results = replace(results, users=Names(users), labels=Names(["BCG+1:core\\x"]))
    cons, _ = consensus(results, {"galaxy": Radius(10)})
    assert len(cons) > 0
    for text in annotator_summaries(cons):
        assert sorted(split_categories(text)) == sorted(users)
    for text in label_summaries(cons):
        (piece,) = split_categories(text)
        name, count = piece.rsplit(":", 1)
        assert (name, count) == ("BCG+1:core\\x", "3")

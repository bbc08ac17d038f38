"""Which examples a dataset holds: consensus marks (or whole images with a consensus
category), with their support and annotators, after the user's filters.

The clustering and the votes are those of ``imgmarker aggregate``
(:func:`imgmarker.kernel.agreement.clustering.consensus`,
:func:`imgmarker.kernel.agreement.categories.category_votes`), so a dataset's examples
are the supported rows of ``consensus.csv``. With one annotator every mark is its own
example with support 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from imgmarker.kernel.agreement.tables import Results


class DatasetError(Exception):
    """The dataset cannot be built as asked; the message says why in one line, and
    ``problems`` lists what went wrong with single images on the way."""

    def __init__(self, message: str, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class Examples:
    """One row per example, as columns; ``image`` holds codes into ``image_names``."""

    image_names: Sequence[str]
    image: np.ndarray
    group: list[str]
    label: list[str]
    x: np.ndarray  # display pixels in the source frame; NaN for whole images
    y: np.ndarray
    ra: np.ndarray  # from the results; replaced by the frame's WCS where it has one
    dec: np.ndarray
    support: np.ndarray
    n: np.ndarray  # annotators who agree
    seen: np.ndarray  # annotators who looked at the image
    annotators: list[str]  # names joined by '+'
    categories: list[str]  # the image's supported categories joined by '+'
    stratum: list[str] = field(default_factory=list)  # per example, filled by :func:`strata`

    def __len__(self) -> int:
        return len(self.image)

    def take(self, index: np.ndarray) -> "Examples":
        index = np.asarray(index, dtype=np.int64)
        pick = index.tolist()
        return Examples(self.image_names, self.image[index], [self.group[i] for i in pick],
                        [self.label[i] for i in pick], self.x[index], self.y[index], self.ra[index],
                        self.dec[index], self.support[index], self.n[index], self.seen[index],
                        [self.annotators[i] for i in pick], [self.categories[i] for i in pick],
                        [self.stratum[i] for i in pick] if self.stratum else [])


@dataclass
class Selection:
    examples: Examples
    annotators: list[str]
    notes: list[str]
    dropped: dict[str, int]  # why candidates were left out -> how many


def _check_names(kind: str, asked: Sequence[str], known: Sequence[str], plural: str | None = None) -> None:
    unknown = [n for n in asked if n not in known]
    if unknown:
        raise DatasetError(f"no {kind} named {', '.join(map(repr, unknown))} "
                           f"({plural or kind + 's'}: {', '.join(known) or 'none'})")


def only_annotators(results: Results, names: Sequence[str]) -> Results:
    """The results of the named annotators only (codes and name lists unchanged)."""
    if not names:
        return results
    _check_names("annotator", names, results.users.names)
    codes = np.array([results.users.codes[n] for n in names], dtype=np.int64)
    keep_marks = np.isin(results.marks.user, codes)
    keep_votes = np.isin(results.votes.user, codes)
    return Results(results.users, results.images, results.groups, results.labels, results.marks.take(keep_marks),
                   results.votes.take(keep_votes), {n: results.sources.get(n, ()) for n in names})


def image_categories(results: Results, categories: Sequence[str], min_support: float):
    """Per image code: (supported categories, majority category or '', its support,
    annotators who chose it joined by '+', annotators who looked, how many chose it)."""
    from imgmarker.kernel.agreement.categories import category_votes

    votes = category_votes(results, categories)
    fractions = votes.fractions()
    majority = votes.majority()
    fp = results.first_pass()
    chosen: dict[tuple[int, str], set[str]] = {}
    for user, image, cats in zip(fp.votes.user.tolist(), fp.votes.image.tolist(), fp.votes.categories.tolist()):
        for c in cats:
            chosen.setdefault((image, c), set()).add(results.users[user])
    out = {}
    for row, code in enumerate(votes.image.tolist()):
        supported = tuple(c for k, c in enumerate(categories) if votes.counts[row, k] > 0
                          and fractions[row, k] >= min_support)
        top = majority[row]
        k = categories.index(top) if top else -1
        share = float(fractions[row, k]) if top else 0.0
        who = "+".join(sorted(chosen.get((code, top), ()))) if top else ""
        out[code] = (supported, top, share, who, int(votes.seen[row]), int(votes.counts[row, k]) if top else 0)
    return out


def _image_filter(cats: Mapping[int, tuple], n_images: int, keep: Sequence[str], drop: Sequence[str]) -> np.ndarray:
    allowed = np.zeros(n_images, dtype=bool)
    for code, (supported, *_rest) in cats.items():
        allowed[code] = (not keep or any(c in keep for c in supported)) and not any(c in drop for c in supported)
    return allowed


def select(results: Results, experiment, options, radii) -> Selection:
    """The examples of ``options.kind`` after every filter of ``options``."""
    from imgmarker.kernel.agreement.clustering import consensus
    from imgmarker.kernel.agreement.export import annotator_summaries

    category_names = experiment.categories.names()
    group_names = experiment.group_names
    _check_names("category", [*options.categories, *options.drop_categories], category_names, "categories")
    _check_names("group", options.groups, group_names)
    results = only_annotators(results, options.annotators)
    used = sorted({results.users[int(u)] for u in np.concatenate([results.marks.user, results.votes.user]).tolist()})
    cats = image_categories(results, category_names, options.min_support)
    allowed = _image_filter(cats, len(results.images), options.categories, options.drop_categories)
    dropped: dict[str, int] = {}
    notes: list[str] = []
    names = results.images.names
    if options.kind == "images":
        picked = []
        for code in sorted(cats, key=names.__getitem__):
            supported, top, share, who, seen, count = cats[code]
            if not allowed[code]:
                dropped["category filter"] = dropped.get("category filter", 0) + 1
            elif not top or share < options.min_support:
                dropped["no supported majority category"] = dropped.get("no supported majority category", 0) + 1
            else:
                picked.append((code, top, share, who, seen, "+".join(supported), count))
        n = len(picked)
        nan = np.full(n, np.nan)
        examples = Examples(names, np.array([p[0] for p in picked], dtype=np.int64), [""] * n,
                            [p[1] for p in picked], nan, nan.copy(), nan.copy(), nan.copy(),
                            np.array([p[2] for p in picked], dtype=float),
                            np.array([p[6] for p in picked], dtype=np.int64),
                            np.array([p[4] for p in picked], dtype=np.int64), [p[3] for p in picked],
                            [p[5] for p in picked])
        return Selection(examples, used, notes, dropped)
    cons, notes = consensus(results, radii, options.min_support)
    res = cons.results
    group_of = np.asarray(res.groups.names, dtype=object)[cons.group] if len(cons) else np.zeros(0, dtype=object)
    keep = ~cons.disputed
    dropped["support below the minimum"] = int(cons.disputed.sum())
    if options.groups:
        in_groups = np.isin(group_of.astype(str), list(options.groups)) if len(cons) else keep
        dropped["group filter"] = int((keep & ~in_groups).sum())
        keep &= in_groups
    by_image = allowed[cons.image] if len(cons) else keep
    dropped["category filter"] = int((keep & ~by_image).sum())
    keep &= by_image
    index = np.flatnonzero(keep)
    rank = {g: i for i, g in enumerate(group_names)}
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    group_rank = np.array([rank.get(g, len(rank)) for g in group_of[index].tolist()], dtype=np.int64)
    order = index[np.lexsort((cons.x[index], cons.y[index], group_rank, name_rank[cons.image[index]]))]
    who = annotator_summaries(cons) if len(cons) else []
    labels = np.asarray(res.labels.names, dtype=object)
    examples = Examples(names, cons.image[order].astype(np.int64), group_of[order].tolist(),
                        labels[cons.label[order]].tolist() if len(order) else [], cons.x[order], cons.y[order],
                        np.asarray(cons.ra, dtype=float)[order], np.asarray(cons.dec, dtype=float)[order],
                        cons.support[order].astype(float), cons.n[order].astype(np.int64),
                        cons.seen[order].astype(np.int64), [who[i] for i in order.tolist()],
                        ["+".join(cats.get(int(code), ((),))[0]) for code in cons.image[order].tolist()])
    return Selection(examples, used, notes, {k: v for k, v in dropped.items() if v})


def strata(examples: Examples, how: str) -> list[str]:
    """The stratum of each example's source image: its most frequent group (on a tie
    the first in the experiment's order), its categories, or one stratum for all."""
    if how == "none" or not len(examples):
        return [""] * len(examples)
    if how == "category":
        if examples.group and any(examples.group):  # cutouts: the image's supported categories
            return list(examples.categories)
        return list(examples.label)
    counts: dict[int, dict[str, int]] = {}
    for code, group in zip(examples.image.tolist(), examples.group):
        per = counts.setdefault(code, {})
        per[group] = per.get(group, 0) + 1
    top = {code: max(per.items(), key=lambda kv: kv[1])[0] for code, per in counts.items()}
    return [top[code] for code in examples.image.tolist()]

"""Agreement between annotators, and within one annotator between the first pass and
the consistency repeat: the numbers the ``agreement`` report shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from imgmarker.kernel.agreement import stats
from imgmarker.kernel.agreement.categories import label_matrices
from imgmarker.kernel.agreement.clustering import Radius, plane
from imgmarker.kernel.agreement.matching import match
from imgmarker.kernel.agreement.tables import Marks, Names, Results

HIST_BINS = 20
#: with more annotators than this, marks are compared with the consensus rather than
#: between every pair (100 annotators are 4,950 pairs but 100 comparisons)
ALL_PAIRS_UP_TO = 10
CONSENSUS = "(consensus)"


@dataclass(frozen=True)
class MarkPair:
    """Marks of ``a`` matched to those of ``b`` (the reference) in one group, on the
    images both looked at. For a pass comparison ``a == b`` (pass 2 against pass 1)."""

    group: str
    a: str
    b: str
    images: int
    n_a: int
    n_b: int
    matched: int
    precision: float  # matched / n_a
    recall: float  # matched / n_b
    f1: float
    median_offset: float
    unit: str


@dataclass(frozen=True)
class CategoryAgreement:
    variable: str  # "category" (exclusive categories) or one category's name (yes/no)
    fleiss: stats.Stat
    alpha: stats.Stat
    cohen: np.ndarray  # annotators x annotators
    cohen_n: np.ndarray


@dataclass(frozen=True)
class PassCategory:
    user: str
    variable: str
    kappa: stats.Stat


@dataclass(frozen=True)
class OffsetHistogram:
    group: str
    unit: str
    edges: tuple[float, ...]
    counts: tuple[int, ...]


@dataclass
class Agreement:
    annotators: list[str]
    reference: str = "pairs"  # marks compared between "pairs" of annotators or with the "consensus"
    categories: list[CategoryAgreement] = field(default_factory=list)
    marks: list[MarkPair] = field(default_factory=list)
    histograms: list[OffsetHistogram] = field(default_factory=list)
    pass_marks: list[MarkPair] = field(default_factory=list)
    pass_categories: list[PassCategory] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def f1_matrix(self, group: str) -> np.ndarray:
        index = {u: i for i, u in enumerate(self.annotators)}
        m = np.full((len(index), len(index)), np.nan)
        for row in self.marks:
            if row.group == group and row.a in index and row.b in index:
                m[index[row.a], index[row.b]] = m[index[row.b], index[row.a]] = row.f1
        return m

    def to_dict(self) -> dict:
        def stat(s: stats.Stat) -> dict:
            return {"value": _num(s.value), "images": s.n}
        return {
            "annotators": self.annotators,
            "marks_reference": self.reference,
            "categories": [{"variable": c.variable, "fleiss_kappa": stat(c.fleiss),
                            "krippendorff_alpha": stat(c.alpha),
                            "cohen_kappa": [[_num(v) for v in row] for row in c.cohen],
                            "cohen_images": c.cohen_n.tolist()} for c in self.categories],
            "marks": [_clean(asdict(r)) for r in self.marks],
            "offset_histograms": [asdict(h) for h in self.histograms],
            "pass_marks": [_clean(asdict(r)) for r in self.pass_marks],
            "pass_categories": [{"annotator": p.user, "variable": p.variable, "cohen_kappa": stat(p.kappa)}
                                for p in self.pass_categories],
            "notes": self.notes,
        }


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _clean(row: dict) -> dict:
    return {k: _num(v) if isinstance(v, float) else v for k, v in row.items()}


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


class _MarkCounter:
    """Shared pieces of every mark comparison of one table of marks."""

    def __init__(self, results: Results, radii: Mapping[str, Radius], notes: list[str]):
        self.results = results
        self.points, self.radius, _, plane_notes = plane(results.marks, results.groups, radii)
        notes.extend(plane_notes)
        self.n_groups = max(len(results.groups), 1)
        self.units = [radii[g].unit for g in results.groups.names]
        self.hist = np.zeros((self.n_groups, HIST_BINS), dtype=np.int64)

    def compare(self, a_index: np.ndarray, b_index: np.ndarray, images: np.ndarray, a: str, b: str) -> list[MarkPair]:
        a_index = a_index[images[self.results.marks.image[a_index]]]
        b_index = b_index[images[self.results.marks.image[b_index]]]
        rows: list[MarkPair] = []
        n_a = np.bincount(self.results.marks.group[a_index], minlength=self.n_groups)
        n_b = np.bincount(self.results.marks.group[b_index], minlength=self.n_groups)
        if len(a_index) and len(b_index):
            ia, _, d = match(self.points[a_index], self.points[b_index])
            group = self.results.marks.group[a_index[ia]]
            offset = d * self.radius[a_index[ia]]
        else:
            group, offset, d = np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        matched = np.bincount(group, minlength=self.n_groups)
        np.add.at(self.hist, (group, np.minimum((d * HIST_BINS).astype(np.int64), HIST_BINS - 1)), 1)
        images_used = int(images.sum())
        for g, name in enumerate(self.results.groups.names):
            if n_a[g] == 0 and n_b[g] == 0:
                continue
            off = offset[group == g]
            rows.append(MarkPair(name, a, b, images_used, int(n_a[g]), int(n_b[g]), int(matched[g]),
                                 _ratio(matched[g], n_a[g]), _ratio(matched[g], n_b[g]),
                                 _ratio(2 * matched[g], n_a[g] + n_b[g]),
                                 float(np.median(off)) if off.size else float("nan"), self.units[g]))
        return rows

    def histograms(self, radii: Mapping[str, Radius]) -> list[OffsetHistogram]:
        out = []
        for g, name in enumerate(self.results.groups.names):
            if self.hist[g].sum():
                r = radii[name].value
                out.append(OffsetHistogram(name, self.units[g], tuple(float(e) for e in np.linspace(0, r, HIST_BINS + 1)),
                                           tuple(int(c) for c in self.hist[g])))
        return out


def _by_user(user: np.ndarray, n_users: int) -> list[np.ndarray]:
    """Indices of each annotator's marks (one sort instead of a scan per annotator)."""
    order = np.argsort(user, kind="stable")
    bounds = np.searchsorted(user[order], np.arange(n_users + 1))
    return [order[bounds[u]:bounds[u + 1]] for u in range(n_users)]


def _seen(results: Results, pass_index: int) -> np.ndarray:
    """Annotators x images: who looked at what in the given pass."""
    seen = np.zeros((len(results.users), len(results.images)), dtype=bool)
    v, m = results.votes, results.marks
    sel = v.pass_index == pass_index
    seen[v.user[sel], v.image[sel]] = True
    sel = m.pass_index == pass_index
    seen[m.user[sel], m.image[sel]] = True
    return seen


def _with_consensus(fp: Results, radii: Mapping[str, Radius], min_support: float) -> tuple[Results, np.ndarray]:
    """``fp`` plus the supported consensus centres as the marks of one more annotator;
    returns those results and the indices of the consensus marks."""
    from imgmarker.kernel.agreement.clustering import consensus

    cons, _ = consensus(fp, radii, min_support)
    keep = np.flatnonzero(~cons.disputed)
    n = len(keep)
    centres = Marks(user=np.full(n, len(fp.users), dtype=np.int32), image=cons.image[keep], group=cons.group[keep],
                    label=cons.label[keep], x=cons.x[keep], y=cons.y[keep], ra=cons.ra[keep], dec=cons.dec[keep],
                    pass_index=np.ones(n, dtype=np.int8))
    users = Names(fp.users.names)
    users.code(CONSENSUS)
    both = Results(users, fp.images, fp.groups, fp.labels, Marks.concat([fp.marks, centres]), fp.votes, fp.sources)
    return both, np.arange(len(fp.marks), len(fp.marks) + n)


def agreement(results: Results, radii: Mapping[str, Radius], categories: Sequence[str], exclusive: bool,
              progress: Callable[[int, int], None] | None = None, *, reference: str = "auto",
              min_support: float = 0.5) -> Agreement:
    """``reference``: "pairs" compares the marks of every pair of annotators, "consensus"
    each annotator with the consensus of all (clusters with at least ``min_support``;
    the annotator is one of its members), "auto" pairs up to :data:`ALL_PAIRS_UP_TO`
    annotators. Category statistics always cover every pair."""
    if reference not in ("auto", "pairs", "consensus"):
        raise ValueError(f"unknown reference {reference!r}: auto, pairs or consensus")
    users = results.users.names
    if reference == "auto":
        reference = "pairs" if len(users) <= ALL_PAIRS_UP_TO else "consensus"
    report = Agreement(list(users), reference)
    fp = results.first_pass()
    # categories between annotators
    for variable, labels in label_matrices(fp, categories, exclusive).items():
        kappa, kappa_n = stats.pairwise_cohen(labels)
        report.categories.append(CategoryAgreement(variable, stats.fleiss_kappa_labels(labels),
                                                   stats.krippendorff_alpha(labels), kappa, kappa_n))
    # marks between annotators
    seen = _seen(fp, 1)
    if reference == "pairs":
        counter = _MarkCounter(fp, radii, report.notes)
        by_user = _by_user(fp.marks.user, len(users))
        pairs = [(a, b) for a in range(len(users)) for b in range(a + 1, len(users))]
        compare = [(by_user[a], by_user[b], seen[a] & seen[b], users[a], users[b]) for a, b in pairs]
    else:
        both, centres = _with_consensus(fp, radii, min_support)
        counter = _MarkCounter(both, radii, report.notes)
        by_user = _by_user(fp.marks.user, len(users))
        compare = [(by_user[a], centres, seen[a], users[a], CONSENSUS) for a in range(len(users))]
    for done, args in enumerate(compare):
        if progress is not None and done % 16 == 0:
            progress(done, len(compare))
        report.marks.extend(counter.compare(*args))
    if progress is not None:
        progress(len(compare), len(compare))
    report.histograms = counter.histograms(radii)
    # within each annotator: the consistency repeat against the first pass
    repeat = _seen(results, 2)
    if repeat.any():
        all_marks = _MarkCounter(results, radii, [])
        before = label_matrices(results, categories, exclusive, pass_index=1)
        after = label_matrices(results, categories, exclusive, pass_index=2)
        for u, user in enumerate(users):
            images = repeat[u]
            if not images.any():
                continue
            mine = results.marks.user == u
            first = np.flatnonzero(mine & (results.marks.pass_index == 1))
            second = np.flatnonzero(mine & (results.marks.pass_index == 2))
            report.pass_marks.extend(all_marks.compare(second, first, images, user, user))
            for variable in before:
                b, a = before[variable][u], after[variable][u]
                report.pass_categories.append(PassCategory(
                    user, variable, stats.cohen_kappa(np.where(images, b, -1), np.where(images, a, -1))))
    return report

"""The team's results straight from the server, as the tables aggregation reads.

The same :class:`Results` that reading every annotator's database would give, built
from the server's copy of each annotator's marks and image rows, in the same order
(image, pass, then placement), so ``aggregate`` and ``agreement`` compute the same
figures either way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg

from imgmarker.kernel.agreement.loader import Expected, InputProblem
from imgmarker.kernel.agreement.tables import ImageVotes, Marks, Names, Results
from imgmarker.kernel.experiment.config import CampaignPlan
from imgmarker.kernel.team.connection import classify, q


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def load_team_results(conn: psycopg.Connection, plan: CampaignPlan, expected: Expected | None = None
                      ) -> tuple[Results, list[InputProblem]]:
    expected = expected or Expected()
    results = Results(Names(), Names(expected.images or ()), Names(expected.groups or ()), Names(),
                      Marks(), ImageVotes())
    problems: list[InputProblem] = []
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            people = [r[0] for r in conn.execute(q(
                "SELECT name FROM {s}.annotators a WHERE EXISTS (SELECT 1 FROM {s}.image_state s "
                "WHERE s.annotator = a.name) ORDER BY name", plan))]
            marks = conn.execute(q("SELECT annotator, image, grp, label, x, y, ra, dec, pass FROM {s}.marks "
                                   "ORDER BY annotator, image, pass, mark_id", plan)).fetchall()
            votes = conn.execute(q(
                "SELECT annotator, image, pass, categories, comment, favorite FROM {s}.image_state "
                "WHERE seen OR cardinality(categories) > 0 OR comment <> '' OR favorite "
                "ORDER BY annotator, image, pass", plan)).fetchall()
    except psycopg.Error as exc:
        raise classify(exc) from exc
    for name in people:
        results.users.code(name)
        results.sources[name] = ()
    known = set(expected.images) if expected.images is not None else None
    unknown = set()
    if known is not None:
        unknown = {r[1] for r in marks if r[1] not in known} | {r[1] for r in votes if r[1] not in known}
        marks = [r for r in marks if r[1] in known]
        votes = [r for r in votes if r[1] in known]
    if unknown:
        sample = ", ".join(repr(n) for n in sorted(unknown)[:3])
        problems.append(InputProblem(Path(f"campaign {plan.schema}"), f"{len(unknown)} image name(s) on the server are not images "
                                                  f"of {expected.name} and are ignored: {sample}", "warning"))
    users = results.users.codes
    marks = [r for r in marks if r[0] in users]
    votes = [r for r in votes if r[0] in users]
    if marks:
        columns = list(zip(*marks))
        results.marks = Marks(
            user=np.array([users[u] for u in columns[0]], dtype=np.int32), image=results.images.encode(columns[1]),
            group=results.groups.encode(columns[2]), label=results.labels.encode(columns[3]),
            x=_floats(columns[4]), y=_floats(columns[5]), ra=_floats(columns[6]), dec=_floats(columns[7]),
            pass_index=np.array(columns[8], dtype=np.int8))
    if votes:
        columns = list(zip(*votes))
        cats = np.empty(len(votes), dtype=object)
        cats[:] = [tuple(c) for c in columns[3]]
        comments = np.empty(len(votes), dtype=object)
        comments[:] = list(columns[4])
        results.votes = ImageVotes(
            user=np.array([users[u] for u in columns[0]], dtype=np.int32), image=results.images.encode(columns[1]),
            categories=cats, comment=comments, favorite=np.array(columns[5], dtype=bool),
            pass_index=np.array(columns[2], dtype=np.int8))
    return results, problems

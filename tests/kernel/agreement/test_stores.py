"""Annotators' campaign databases read directly, without exporting them first."""

from __future__ import annotations

import numpy as np
import pytest

from imgmarker.kernel.agreement.loader import Expected, load_results
from imgmarker.kernel.experiment.loader import load_experiment
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.campaign.session import Session


@pytest.fixture
def mark(campaign):
    """Open a session on a fresh campaign as ``user`` and place the given marks on the
    first images; returns (experiment path, image names, open session or None)."""
    host = create_plugin_host(autoload=False)

    def make(marks_by_image, user="ann", keep_open=False, **campaign_args):
        path, names = campaign(**campaign_args)
        experiment = load_experiment(path, host.registry)
        session = Session.open(experiment, user=user, host=host, export_delay=None)
        for image, marks in marks_by_image.items():
            session.go_to(next(i for i, e in enumerate(session.entries) if e.name == image))
            for x, y, group, label in marks:
                session.add_mark(x, y, group, label=label)
            session.toggle_category("B")
        session.set_comment('odd, "bright"')
        if not keep_open:
            session.close()
        return path, names, session

    return make


def _expected(names):
    return Expected(images=names, groups=["galaxy", "star"], categories=["A", "B", "C"], name="survey.yaml")


def test_store_is_read_with_exact_positions_and_votes(mark):
    path, names, _ = mark({"img00003.fits": [(10.125, 20.0625, "galaxy", "big, round"), (1 / 3, 2 / 7, "star", "star")],
                           "img00007.fits": [(5.5, 6.5, "galaxy", "galaxy")]})
    results_dir = path.parent / "results"
    assert (results_dir / "ann.imgmarker.sqlite").is_file()
    loaded, problems = load_results([results_dir], _expected(names))
    assert problems == []
    assert loaded.users.names == ["ann"]
    assert loaded.sources["ann"] == (results_dir / "ann.imgmarker.sqlite",)
    m = loaded.marks
    got = sorted(zip([loaded.images[i] for i in m.image], [loaded.groups[g] for g in m.group],
                     [loaded.labels[c] for c in m.label], m.x.tolist(), m.y.tolist()))
    assert got == [("img00003.fits", "galaxy", "big, round", 10.125, 20.0625),
                   ("img00003.fits", "star", "star", 1 / 3, 2 / 7),
                   ("img00007.fits", "galaxy", "galaxy", 5.5, 6.5)]
    assert np.isnan(m.ra).all() and (m.pass_index == 1).all()
    votes = {loaded.images[i]: (c, t) for i, c, t in zip(loaded.votes.image, loaded.votes.categories,
                                                         loaded.votes.comment)}
    assert votes["img00003.fits"] == (("B",), "")
    assert votes["img00007.fits"] == (("B",), 'odd, "bright"')


def test_store_is_preferred_to_its_exported_csv_files(mark):
    path, names, _ = mark({"img00001.fits": [(3.0, 4.0, "galaxy", "galaxy")]})
    results_dir = path.parent / "results"
    (results_dir / "ann_marks.csv").write_text("image,group,x,y\nimg00001.fits,galaxy,99,99\n")
    loaded, problems = load_results([results_dir], _expected(names))
    assert problems == []
    assert loaded.marks.x.tolist() == [3.0]


def test_store_read_while_the_annotator_is_still_marking(mark):
    path, names, session = mark({"img00002.fits": [(7.0, 8.0, "star", "star")]}, keep_open=True)
    try:
        session.add_mark(9.0, 9.5, "galaxy")
        loaded, problems = load_results([path.parent / "results"], _expected(names))
        assert problems == []
        assert sorted(loaded.marks.x.tolist()) == [7.0, 9.0]
        session.add_mark(1.0, 1.0, "galaxy")  # the reader held nothing
    finally:
        session.close()


@pytest.mark.parametrize("content", [b"", b"this is not a database" * 100, "truncated"])
def test_corrupt_store_is_named_and_only_that_annotator_is_left_out(mark, content):
    path, names, _ = mark({"img00001.fits": [(3.0, 4.0, "galaxy", "galaxy")]})
    results_dir = path.parent / "results"
    good = (results_dir / "ann.imgmarker.sqlite").read_bytes()
    bad = results_dir / "bob.imgmarker.sqlite"
    bad.write_bytes(good[: len(good) // 2] if content == "truncated" else content)
    loaded, problems = load_results([results_dir], _expected(names))
    assert loaded.users.names == ["ann"]
    [problem] = [p for p in problems if p.is_error]
    text = str(problem)
    assert text.startswith(f"{bad}: ") and "annotator 'bob' left out" in text
    assert "database" in text


def test_store_of_another_experiment_is_refused(mark, campaign):
    path, names, _ = mark({"img00001.fits": [(3.0, 4.0, "galaxy", "galaxy")]})
    other_names = [f"other{i}.fits" for i in range(20)]
    loaded, problems = load_results([path.parent / "results"], _expected(other_names))
    assert len(loaded.users) == 0
    [problem] = problems
    text = str(problem)
    store = path.parent / "results" / "ann.imgmarker.sqlite"
    assert text.startswith(f"{store}: results of a different experiment?")
    assert "only 0 of the 20 images" in text and "survey.yaml" in text


def test_a_named_database_file_is_read(mark):
    path, names, _ = mark({"img00004.fits": [(2.5, 3.5, "galaxy", "galaxy")]}, user="carla")
    loaded, problems = load_results([path.parent / "results" / "carla.imgmarker.sqlite"], _expected(names))
    assert problems == [] and loaded.users.names == ["carla"] and loaded.marks.x.tolist() == [2.5]


def test_many_stores_read_by_worker_processes_match_an_in_process_read(campaign):
    from imgmarker.kernel.agreement.loader import POOL_MIN_STORES

    host = create_plugin_host(autoload=False)
    path, names = campaign()
    experiment = load_experiment(path, host.registry)
    users = [f"u{k:02d}" for k in range(POOL_MIN_STORES)]
    for k, user in enumerate(users):
        with Session.open(experiment, user=user, host=host, export_delay=None) as session:
            for step in range(3):  # users meet images, groups and labels in different orders
                image = names[(k * 7 + step * 3) % len(names)]
                session.go_to(next(i for i, e in enumerate(session.entries) if e.name == image))
                group = ("star", "galaxy")[(k + step) % 2]
                session.add_mark(k + step / 3, step + k / 7, group, label=f"{group} {k % 3}")  # inside
                session.add_mark(step / 9, k / 11, "galaxy")
                if (k + step) % 3:
                    session.toggle_category("ABC"[(k + step) % 3])
                session.set_comment(f"{user} on {image}")
    results_dir = path.parent / "results"
    bad = results_dir / "zed.imgmarker.sqlite"
    bad.write_bytes(b"not a database" * 50)
    here, here_problems = load_results([results_dir], _expected(names), workers=0)
    pooled, pooled_problems = load_results([results_dir], _expected(names), workers=2)
    assert [str(p) for p in pooled_problems] == [str(p) for p in here_problems]
    [problem] = pooled_problems
    assert str(problem).startswith(f"{bad}: ") and "annotator 'zed' left out" in str(problem)
    assert pooled.users.names == here.users.names == users
    for table in ("images", "groups", "labels"):
        assert getattr(pooled, table).names == getattr(here, table).names
    for name in ("user", "image", "group", "label", "x", "y", "ra", "dec", "pass_index"):
        assert np.array_equal(getattr(pooled.marks, name), getattr(here.marks, name), equal_nan=True), name
    assert len(here.marks) == 6 * len(users)
    for name in ("user", "image", "categories", "comment", "favorite", "pass_index"):
        assert getattr(pooled.votes, name).tolist() == getattr(here.votes, name).tolist(), name

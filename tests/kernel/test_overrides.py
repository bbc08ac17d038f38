"""An annotator's own experiment settings: renames reach the outputs, the shared file stays."""

from __future__ import annotations

import csv

import pytest

from imgmarker.kernel.experiment.demo import write_demo
from imgmarker.kernel.experiment.overrides import OverrideError
from imgmarker.kernel.campaign.session import Session


def open_demo(path, **kw):
    return Session.open(path, user="ana", export_delay=None, **kw)


def mark_rows(session):
    paths = session.export()
    table = next(p for p in paths if p.suffix == ".csv" and "mark" in p.name)
    with open(table, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_renaming_a_group_renames_stored_marks_and_default_labels_only(tmp_path):
    experiment = write_demo(tmp_path / "demo")
    shared = experiment.read_text()
    with open_demo(experiment) as s:
        plain = s.add_mark(10.0, 20.0, "Star").mark
        custom = s.add_mark(30.0, 40.0, "Star", label="bright one").mark
        other = s.add_mark(50.0, 60.0, "BCG").mark
        notes = s.rename_group("Star", "Point source")
        assert "group 'Star' is now 'Point source'" in notes
        assert s.experiment.group_names == ["BCG", "Point source", "Artefact"]
        by_id = {m.id: m for m in s.marks()}
        assert (by_id[plain.id].group, by_id[plain.id].label) == ("Point source", "Point source")
        assert (by_id[custom.id].group, by_id[custom.id].label) == ("Point source", "bright one")
        assert (by_id[other.id].group, by_id[other.id].label) == ("BCG", "BCG")
        rows = mark_rows(s)
        groups = {r.get("group") for r in rows}
        assert groups == {"BCG", "Point source"}
        # undo of the earlier placement still works with the new name
        assert s.undo() is not None
        assert {m.group for m in s.marks()} == {"Point source"}
    assert experiment.read_text() == shared  # the shared file is untouched
    with open_demo(experiment) as s:  # a restart keeps the name and the marks
        assert s.experiment.group_names == ["BCG", "Point source", "Artefact"]
        assert s.base_experiment.group_names == ["BCG", "Star", "Artefact"]
        assert {m.label for m in s.marks(s.entries[0])} == {"Point source", "bright one"}
        assert s.add_mark(1.0, 2.0, "Point source").mark is not None
        assert s.add_mark(1.0, 2.0, "Star").refused


def test_limits_categories_left_click_and_middle_click(tmp_path):
    experiment = write_demo(tmp_path / "demo")
    with open_demo(experiment) as s:
        s.toggle_category("Cluster")
        s.set_overrides({"groups": {"Star": {"max": 1}}, "categories": {"Cluster": "Rich cluster"},
                         "left_click_group": "Star", "middle_click": "none"})
        assert s.image_state().categories == ("Rich cluster",)
        assert s.experiment.group("Star").max == 1
        first = s.add_mark(1, 1, "Star")
        second = s.add_mark(2, 2, "Star")
        assert second.replaced == first.mark  # max 1 replaces
        assert s.experiment.controls.left_click_group == "Star"
        assert s.experiment.controls.middle_click == "none"
        assert s.export()  # the writers run with the renamed names
    with open_demo(experiment) as s:
        assert s.experiment.categories.names()[0] == "Rich cluster"
        assert s.image_state(s.entries[0]).categories == ("Rich cluster",)


def test_bad_overrides_are_refused_and_change_nothing(tmp_path):
    experiment = write_demo(tmp_path / "demo")
    with open_demo(experiment) as s:
        s.add_mark(1, 1, "Star")
        with pytest.raises(OverrideError, match="two groups would be named 'BCG'"):
            s.rename_group("Star", "BCG")
        with pytest.raises(OverrideError, match="left-click group"):
            s.set_overrides({"left_click_group": "Nope"})
        assert s.experiment.group_names == ["BCG", "Star", "Artefact"]
        assert [m.group for m in s.marks()] == ["Star"]
        assert s.overrides == {}


def test_new_order_keeps_seen_images_first_and_reorders_the_rest(tmp_path):
    experiment = write_demo(tmp_path / "demo")
    with open_demo(experiment) as s:
        names = [e.name for e in s.entries]
        assert names == sorted(names)
        s.next()  # the first image is now seen
        s.set_overrides({"order": {"mode": "shuffled", "seed": 5}, "repeat_fraction": 0.5})
        keys = [(e.name, e.pass_index) for e in s.entries]
        assert keys[0] == (names[0], 1)
        assert sorted(k for k in keys if k[1] == 1) == sorted((n, 1) for n in names)
        assert sum(1 for k in keys if k[1] == 2) == 2
        assert s.current.name == names[1]
    with open_demo(experiment) as s:
        assert [(e.name, e.pass_index) for e in s.entries] == keys

"""Marks, limits, categories, comments, favourites, undo/redo and plugin events."""

from __future__ import annotations

import pytest
from session_fakes import FakeReader, load, make_campaign, make_wcs, write_image

import imgmarker
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.campaign.session import Session

GROUPS = """groups:
  - {name: one, max: 1}
  - {name: two, max: 2}
  - {name: free}
"""


def open_session(tmp_path, host, body=GROUPS, n=3, **kw):
    exp = load(make_campaign(tmp_path, body, n=n, **kw), host)
    return Session.open(exp, user="ana", host=host, export_delay=None)


def test_mark_keeps_sub_pixel_position_group_label_frame_and_time(tmp_path, host):
    with open_session(tmp_path, host) as s:
        result = s.add_mark(12.123456789, 7.000001, "free", frame=0)
        m = result.mark
        assert result.refused is None and result.replaced is None
        assert (m.x, m.y, m.group, m.label, m.frame, m.pass_index) == (12.123456789, 7.000001, "free", "free", 0, 1)
        assert m.time.endswith("+00:00") and m.time[:4].isdigit()
        assert m.ra is None and m.dec is None  # the image has no WCS
        assert s.add_mark(1, 2, "free", label="spiral, blue").mark.label == "spiral, blue"
        assert [x.id for x in s.marks()] == [m.id, m.id + 1]


def test_mark_on_image_with_wcs_gets_its_sky_position(tmp_path, host):
    with open_session(tmp_path, host, wcs=True) as s:
        m = s.add_mark(10.25, 30.5, "free").mark
        wcs = make_wcs(40, 50)
        ra, dec = wcs.all_pix2world(10.25, 40 - 1 - 30.5, 0)
        assert m.ra == pytest.approx(float(ra), abs=1e-12) and m.dec == pytest.approx(float(dec), abs=1e-12)
        moved = s.move_mark(m.id, 20.0, 20.0).mark
        ra2, dec2 = wcs.all_pix2world(20.0, 19.0, 0)
        assert (moved.x, moved.y) == (20.0, 20.0)
        assert moved.ra == pytest.approx(float(ra2), abs=1e-12) and moved.dec == pytest.approx(float(dec2), abs=1e-12)
        assert s.marks() == [moved]
        geometry = s.store.geometry(s.current.name, 0)
        centre = wcs.all_pix2world(24.5, 19.5, 0)
        assert (geometry.height, geometry.width) == (40, 50)
        assert geometry.ra_center == pytest.approx(float(centre[0])) and geometry.dec_center == pytest.approx(float(centre[1]))


def test_mark_on_unreadable_image_is_refused_with_the_reason_and_nothing_stored(tmp_path, host):
    exp = load(make_campaign(tmp_path, GROUPS, n=0), host)
    (tmp_path / "images" / "broken.bad").write_bytes(b"junk")
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        result = s.add_mark(3.5, 4.5, "free")
        assert result.mark is None
        assert result.refused == "broken.bad cannot be read, so it takes no marks: not a readable image (fake reader)"
        assert s.marks() == [] and not s.image_state().seen


def test_group_with_max_one_replaces_and_above_one_refuses(tmp_path, host):
    with open_session(tmp_path, host) as s:
        first = s.add_mark(1, 1, "one").mark
        second = s.add_mark(2, 2, "one")
        assert second.replaced == first
        assert [m.id for m in s.marks() if m.group == "one"] == [second.mark.id]
        s.add_mark(1, 1, "two")
        s.add_mark(2, 2, "two")
        refused = s.add_mark(3, 3, "two")
        assert refused.mark is None
        assert refused.refused == "group 'two' allows at most 2 marks per image"
        assert len([m for m in s.marks() if m.group == "two"]) == 2
        assert "no group named 'nope'" in s.add_mark(0, 0, "nope").refused
        for i in range(5):
            assert s.add_mark(i, i, "free").mark is not None


def test_lowering_a_limit_never_deletes_marks(tmp_path, host):
    with open_session(tmp_path, host) as s:
        s.add_mark(1, 1, "two")
        s.add_mark(2, 2, "two")
    exp = load(make_campaign(tmp_path, GROUPS.replace("{name: two, max: 2}", "{name: two, max: 1}"), n=3), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        assert s.index == 1  # marking image 0 made it seen
        assert len(s.marks(s.entries[0])) == 2


def test_categories_subset_and_exclusive(tmp_path, host):
    cats = "categories:\n  items: [{name: star}, {name: galaxy}, {name: artefact}]\n"
    with open_session(tmp_path, host, GROUPS + cats) as s:
        assert s.toggle_category("artefact") == ("artefact",)
        assert s.toggle_category("star") == ("star", "artefact")
        assert s.toggle_category("artefact") == ("star",)
        with pytest.raises(ValueError, match="no category named 'planet'"):
            s.toggle_category("planet")
    excl = "categories:\n  exclusive: true\n  items: [{name: star}, {name: galaxy}]\n"
    with open_session(tmp_path / "x", host, GROUPS + excl) as s:
        assert s.toggle_category("star") == ("star",)
        assert s.toggle_category("galaxy") == ("galaxy",)
        assert s.image_state().categories == ("galaxy",)
        assert s.toggle_category("galaxy") == ()


def test_undo_redo_every_action_per_image_across_restart(tmp_path, host):
    with open_session(tmp_path, host) as s:
        m = s.add_mark(1.5, 2.5, "free").mark
        s.move_mark(m.id, 3.5, 4.5)
        s.relabel_mark(m.id, "renamed")
        s.toggle_category("Category 1")
        s.set_comment("odd, \"bright\"\nsecond line")
        s.toggle_favorite()
        gone = s.add_mark(9, 9, "free").mark
        s.remove_mark(gone.id)
        s.next()
        s.add_mark(5, 5, "free")  # another image: its own history
    with open_session(tmp_path, host) as s:
        s.go_to(0)
        state = s.image_state()
        assert state.favorite and state.comment == "odd, \"bright\"\nsecond line"
        assert s.undo() == "remove mark 'free' (free)"
        assert [x.id for x in s.marks()] == [m.id, gone.id]
        assert s.undo() == "add mark 'free' (free)"
        assert s.undo() == "add favourite" and not s.image_state().favorite
        assert s.undo() == "edit comment" and s.image_state().comment == ""
        assert s.undo() == "set category 'Category 1'" and s.image_state().categories == ()
        assert s.undo() == "relabel mark 'free' as 'renamed'" and s.marks()[0].label == "free"
        assert s.undo() == "move mark 'free'" and (s.marks()[0].x, s.marks()[0].y) == (1.5, 2.5)
        assert s.undo() == "add mark 'free' (free)" and s.marks() == []
        assert s.undo() is None
        assert len(s.marks(s.entries[1])) == 1  # untouched by undo on image 0
        assert s.redo() == "add mark 'free' (free)"
        assert s.marks() == [m]  # same id, same time
        assert s.redo() == "move mark 'free'"
    with open_session(tmp_path, host) as s:
        s.go_to(0)
        assert (s.marks()[0].x, s.marks()[0].y) == (3.5, 4.5)
        assert s.redo() == "relabel mark 'free' as 'renamed'"
        s.add_mark(7, 7, "free")  # a new action drops what could be redone
        assert s.redo() is None
        assert s.progress.marked == 2


def test_undo_of_a_replacement_brings_the_old_mark_back(tmp_path, host):
    with open_session(tmp_path, host) as s:
        old = s.add_mark(1, 1, "one").mark
        new = s.add_mark(2, 2, "one").mark
        assert s.undo() == "replace mark 'one' (one)"
        assert s.marks() == [old]
        s.redo()
        assert s.marks() == [new]


def test_settings_persist_per_annotator(tmp_path, host):
    with open_session(tmp_path, host) as s:
        assert s.get_setting("zoom", 1.0) == 1.0
        s.set_setting("zoom", {"level": 2.5, "name": "ünï"})
    with open_session(tmp_path, host) as s:
        assert s.get_setting("zoom") == {"level": 2.5, "name": "ünï"}


def test_open_image_records_geometry_and_raises_for_unreadable(tmp_path, host):
    from imgmarker.kernel.imaging.images import ImageReadError

    exp = load(make_campaign(tmp_path, GROUPS, n=0), host)
    write_image(tmp_path / "images" / "a.npy", height=12, width=7, frames=2)
    (tmp_path / "images" / "b.bad").write_bytes(b"")
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        with s.open_image() as image:
            assert len(image.frames) == 2
        assert s.store.geometry("a.npy", 1).height == 12
        with pytest.raises(ImageReadError, match="b.bad"):
            s.open_image(s.entries[1])


class Recorder:
    def __init__(self):
        self.events = []

    @imgmarker.hookimpl
    def imgmarker_session_started(self, session):
        self.events.append(("started", session.user))

    @imgmarker.hookimpl
    def imgmarker_image_shown(self, session, image):
        self.events.append(("shown", image.position))

    @imgmarker.hookimpl
    def imgmarker_mark_added(self, session, mark):
        self.events.append(("added", mark.label))

    @imgmarker.hookimpl
    def imgmarker_mark_removed(self, session, mark):
        self.events.append(("removed", mark.label))

    @imgmarker.hookimpl
    def imgmarker_session_closed(self, session):
        self.events.append(("closed", session.user))


def test_plugins_hear_lifecycle_events(tmp_path):
    recorder = Recorder()
    host = create_plugin_host(autoload=False, extra=[("fake", FakeReader()), ("rec", recorder)])
    with open_session(tmp_path, host) as s:
        m = s.add_mark(1, 1, "free", label="a").mark
        s.next()
        s.go_to(0)
        s.remove_mark(m.id)
        s.undo()
    assert recorder.events == [("started", "ana"), ("shown", 0), ("added", "a"), ("shown", 1), ("shown", 0),
                               ("removed", "a"), ("added", "a"), ("closed", "ana")]

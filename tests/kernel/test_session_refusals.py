"""Where the Session API refuses a mark: missing frames, positions that are not finite
numbers, positions beyond the pixel edges, unreadable images. A refusal is a
``MarkResult`` with the reason; nothing is stored and nothing is raised."""

from __future__ import annotations

import logging
import math

import pytest
from session_fakes import load, make_campaign, write_image

import imgmarker
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.plugins.host import create_plugin_host
from plugin_maker import write_module

BODY = "groups: [{name: free}]\n"


def open_session(tmp_path, host, **kw):
    exp = load(make_campaign(tmp_path, BODY, **kw), host)
    return Session.open(exp, user="ana", host=host, export_delay=None)


def stored(session):
    return [(m.x, m.y, m.frame) for m in session.marks()]


def test_a_frame_the_image_does_not_have_is_refused(tmp_path, host):
    exp = load(make_campaign(tmp_path, BODY, n=0), host)
    write_image(tmp_path / "images" / "cube.npy", height=40, width=50, frames=3)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        result = s.add_mark(5.0, 5.0, "free", frame=9)
        assert (result.mark, result.refused) == (None, "cube.npy has no frame 9 (frames 0..2)")
        assert s.add_mark(5.0, 5.0, "free", frame=-1).refused == "cube.npy has no frame -1 (frames 0..2)"
        assert s.add_mark(5.0, 5.0, "free", frame=1.5).refused == "frame must be a whole number, got 1.5"
        assert stored(s) == []
        assert s.add_mark(5.0, 5.0, "free", frame=2).mark.frame == 2
        assert stored(s) == [(5.0, 5.0, 2)]


def test_the_only_frame_of_an_image_is_named_so(tmp_path, host):
    with open_session(tmp_path, host, n=1) as s:
        assert s.add_mark(1, 1, "free", frame=1).refused == "img000.npy has no frame 1 (it has one frame, 0)"


@pytest.mark.parametrize("x, y, reason", [
    (math.nan, 3.0, "mark position must be finite, got (nan, 3.0)"),
    (2.0, math.inf, "mark position must be finite, got (2.0, inf)"),
    (-math.inf, math.nan, "mark position must be finite, got (-inf, nan)"),
    ("4", 3.0, "mark position must be two numbers, got ('4', 3.0)"),
    (None, 3.0, "mark position must be two numbers, got (None, 3.0)"),
    (True, 3.0, "mark position must be two numbers, got (True, 3.0)"),
])
def test_positions_that_are_not_finite_numbers_are_refused_without_an_exception(tmp_path, host, x, y, reason):
    with open_session(tmp_path, host, n=1) as s:
        result = s.add_mark(x, y, "free")
        assert (result.mark, result.refused) == (None, reason)
        assert stored(s) == [] and not s.image_state().seen


def test_the_pixel_edges_are_the_limit(tmp_path, host):
    """The image is 50 pixels wide and 40 high: pixel centres 0..49 and 0..39, edges at -0.5."""
    with open_session(tmp_path, host, n=1) as s:
        for x, y in [(-0.5, -0.5), (49.499, 39.499), (0.0, 0.0), (24.5, 19.5)]:
            assert s.add_mark(x, y, "free").refused is None, (x, y)
        outside = "x from -0.5 to below 49.5, y from -0.5 to below 39.5"
        for x, y in [(-50, 1e6), (-0.5001, 3), (49.5, 3), (3, 39.5), (3, -0.6)]:
            result = s.add_mark(x, y, "free")
            assert result.refused == f"position ({x:g}, {y:g}) is outside img000.npy frame 0 (50 x 40 pixels: {outside})"
        assert stored(s) == [(-0.5, -0.5, 0), (49.499, 39.499, 0), (0.0, 0.0, 0), (24.5, 19.5, 0)]


def test_an_unreadable_image_takes_no_marks(tmp_path, host):
    exp = load(make_campaign(tmp_path, BODY, n=1), host)
    (tmp_path / "images" / "zz.bad").write_bytes(b"junk")
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.go_to(1)
        assert s.current.name == "zz.bad"
        reason = "zz.bad cannot be read, so it takes no marks: not a readable image (fake reader)"
        assert s.add_mark(1, 1, "free").refused == reason
        assert s.add_mark(1, 1, "free").refused == reason  # the same answer every time
        assert stored(s) == []
        s.go_to(0)
        assert s.add_mark(1, 1, "free").mark is not None  # the campaign goes on


def test_move_mark_follows_the_same_rule_and_a_refused_move_leaves_the_mark(tmp_path, host):
    with open_session(tmp_path, host, n=1) as s:
        mark = s.add_mark(3.0, 4.0, "free").mark
        for x, y, reason in [
            (math.nan, 1, "mark position must be finite, got (nan, 1.0)"),
            (60, 1, "position (60, 1) is outside img000.npy frame 0 (50 x 40 pixels: "
                    "x from -0.5 to below 49.5, y from -0.5 to below 39.5)"),
        ]:
            result = s.move_mark(mark.id, x, y)
            assert (result.mark, result.refused) == (None, reason)
        assert s.marks() == [mark]
        assert s.undo() == "add mark 'free' (free)"  # refused moves left nothing to undo
        assert s.redo() == "add mark 'free' (free)"
        moved = s.move_mark(mark.id, 49.0, 39.0)
        assert moved.refused is None and (moved.mark.x, moved.mark.y) == (49.0, 39.0)
        assert s.marks() == [moved.mark]


COUNTING_READER = """
    import numpy as np
    import imgmarker
    from imgmarker.api import Frame, FrameInfo, Image, ReaderSpec

    OPENED = []
    LOADED = []

    def load(path):
        LOADED.append(path.name)
        return np.zeros((20, 30), np.float32)

    def open_counted(path, max_pixels=None):
        OPENED.append(path.name)
        return Image(path, "count", [Frame(FrameInfo(0, "only", (20, 30), "float32"),
                                           load=lambda: load(path))])

    @imgmarker.hookimpl
    def imgmarker_readers():
        return ReaderSpec(name="counted", suffixes=(".cnt",), open=open_counted)
"""


def test_checking_a_mark_reads_no_pixels_and_opens_each_image_once(tmp_path):
    module = write_module(tmp_path / "plug", "counting", COUNTING_READER)
    host = create_plugin_host(autoload=False, modules=[str(module)], trust_modules=True)
    plugin = host.manager.get_plugin("counting")
    exp = load(make_campaign(tmp_path / "camp", BODY, n=0), host)
    for name in ("a.cnt", "b.cnt"):
        (tmp_path / "camp" / "images" / name).write_bytes(b"")
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        for i in range(20):
            s.add_mark(i, i % 20, "free")
            s.add_mark(40, 1, "free")  # refused: outside
            s.add_mark(1, 1, "free", frame=3)  # refused: no frame
        s.next()
        s.add_mark(1, 1, "free")
        assert len(s.marks(s.entries[0])) == 20
    assert plugin.OPENED == ["a.cnt", "b.cnt"] and plugin.LOADED == []


EVENT_PLUGIN = """
    import imgmarker

    SEEN = []

    @imgmarker.hookimpl
    def imgmarker_mark_added(mark):
        raise RuntimeError("cannot count " + mark.group)

    @imgmarker.hookimpl
    def imgmarker_image_shown(image):
        SEEN.append(image.name)
"""


def test_a_failing_event_hook_is_logged_once_naming_the_plugin_and_marking_goes_on(tmp_path, host, caplog):
    module = write_module(tmp_path / "plug", "counter", EVENT_PLUGIN)
    host = create_plugin_host(autoload=False, modules=[str(module)], trust_modules=True,
                              extra=[("fake", host.manager.get_plugin("fake"))])
    exp = load(make_campaign(tmp_path / "camp", BODY, n=2), host)
    with caplog.at_level(logging.INFO, logger="imgmarker"):
        with Session.open(exp, user="ana", host=host, export_delay=None) as s:
            for i in range(5):
                assert s.add_mark(i, i, "free").mark is not None
            s.next()
            assert len(s.marks(s.entries[0])) == 5
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert errors == [f"plugin 'counter' (module {module}) failed in imgmarker_mark_added: "
                      "RuntimeError: cannot count free (counter.py:8)"]
    assert host.manager.get_plugin("counter").SEEN == ["img000.npy", "img001.npy"]  # its other hook still runs


def test_a_registered_plugin_object_is_named_in_problems():
    class Broken:
        @imgmarker.hookimpl
        def imgmarker_writers(self):
            return "not a record"

    host = create_plugin_host(autoload=False, extra=[("broken", Broken())])
    assert host.registry.problems == [
        "plugin 'broken' (registered): imgmarker_writers returned str, expected WriterSpec; skipped"]
    assert host.load_problems() == host.registry.problems

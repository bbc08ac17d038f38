"""The window under the speed measures: "stored" means on the disk, the first picture
does not wait for the WCS, previews come at the level the view draws, a huge frame's
overview keeps one-pixel stars, a held key renders ahead, and memory stays in the budget."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from datamakers import tan_header, write_sparse_fits
from imgmarker.kernel.display.frame_jobs import FrameMeta
from imgmarker.kernel.imaging.wcs import format_world, pixel_to_world
from imgmarker.shell.app import open_window
from imgmarker.shell.qimage import array_from_qimage


def campaign(folder: Path, count: int, side: int, *, star: tuple[int, int] | None = None, wcs: bool = False,
             extra: str = "") -> Path:
    images = folder / "images"
    images.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        data = rng.normal(100.0, 1.0, (side, side)).astype(np.float32)
        if star is not None:
            data[star[1], star[0]] = 5000.0
        header = tan_header(side, side) if wcs else None
        fits.PrimaryHDU(data, header=header).writeto(images / f"img{i:03d}.fits")
    experiment = folder / "experiment.yaml"
    experiment.write_text("schema_version: 1\nimages: {directory: images}\ngroups: [{name: star, key: '1'}]\n"
                          "controls: {left_click_group: star}\ndisplay: {interval: minmax}\n" + extra)
    return experiment


@pytest.fixture
def opened(qtbot):
    windows = []

    def open_(experiment: Path, size=(900, 700)):
        win = open_window(experiment, user="tester")
        qtbot.addWidget(win)
        win.resize(*size)
        win.show()
        win.start()
        win.activateWindow()  # keys go to the active window (a busy machine activates it late)
        qtbot.waitUntil(lambda: win.view.state == "image" and win.isActiveWindow(), timeout=20000)
        windows.append(win)
        return win

    yield open_
    for win in windows:
        win.close()
        win.session.close()


def test_stored_is_shown_only_once_the_action_is_on_the_disk(opened, qtbot, tmp_path):
    win = opened(campaign(tmp_path, 2, 64))
    store = win.session.store
    release, real = threading.Event(), store.sync_step
    store.sync_step = lambda path: (release.wait(30), real(path))
    assert win.workspace.place("star", 20.0, 30.0) is not None  # what the mark key does
    assert len(win.session.marks()) == 1  # committed at once
    assert win.storage_indicator.text() == "saving…"
    qtbot.wait(100)
    assert win.storage_indicator.text() == "saving…"  # the disk has not answered
    release.set()
    qtbot.waitUntil(lambda: win.storage_indicator.text() == "stored", timeout=10000)
    assert store.durable >= store.committed


def test_the_first_picture_does_not_wait_for_the_wcs(opened, qtbot, tmp_path):
    win = opened(campaign(tmp_path, 3, 64, wcs=True))
    ws = win.workspace
    ws.followups.warmed = False  # as in a fresh process, before the WCS library is imported
    ws.navigate("next")
    qtbot.waitUntil(lambda: win.view.state == "image" and win.view.name == "img001.fits", timeout=10000)
    qtbot.waitUntil(lambda: ws.current_meta() is not None and ws.current_meta().wcs is not None, timeout=10000)
    meta: FrameMeta = ws.current_meta()
    assert not meta.wcs_pending
    ws.cursor = (10.0, 20.0)
    ra, dec = pixel_to_world(meta.wcs, 64, 10.0, 20.0)
    expected = format_world(float(ra), float(dec), "sexagesimal" if ws.sexagesimal else "degrees")
    assert ws.readout_text().endswith(expected)  # the sky position is there once the WCS is


def test_the_view_gets_the_preview_level_it_draws(opened, qtbot, tmp_path):
    win = opened(campaign(tmp_path, 2, 2048, star=(700, 900)), size=(700, 600))
    view = win.view
    qtbot.waitUntil(lambda: 4 in view.preview_factors(), timeout=10000)  # 2048 px into about 550: 1/4
    assert view.preview_factors() == [1, 4]  # and no other level
    preview = dict((f, img) for f, img in view._previews)[4]
    pixels = array_from_qimage(preview)[..., 0]
    row, col = 2047 - 900, 700
    assert pixels[row // 4, col // 4] == pixels.max() > np.median(pixels) + 8  # the one-pixel star stays


def test_a_huge_frame_overview_becomes_a_block_mean_with_its_one_pixel_star(opened, qtbot, tmp_path):
    size, star = 20_000, (12_345, 6_789)  # FITS x, y: between the quick overview's samples
    (tmp_path / "images").mkdir()
    write_sparse_fits(tmp_path / "images" / "huge.fits", size, size, {star: 1000.0, (5, 5): -1.0, (6, 6): 1.0})
    (tmp_path / "experiment.yaml").write_text("schema_version: 1\nimages: {directory: images}\n"
                                              "display: {interval: minmax}\n")
    win = opened(tmp_path / "experiment.yaml")
    view = win.view
    factor = view.preview_factors()[0]
    row, col = (size - 1 - star[1]) // factor, star[0] // factor

    def star_pixel() -> int:
        return int(array_from_qimage(view.image())[row, col, 0])

    qtbot.waitUntil(lambda: star_pixel() > array_from_qimage(view.image())[..., 0].mean() + 1, timeout=60000)
    assert view.image_size() == (size, size) and view.preview_factors()[0] == factor


def test_a_held_key_renders_where_the_user_will_be(opened, qtbot, tmp_path):
    win = opened(campaign(tmp_path, 30, 256))
    ws = win.workspace
    ws.bridge.prefetcher.wait_idle(10)
    ws.pace.render_s = 0.1  # renders take longer than the key repeats
    for _ in range(4):
        ws.navigate("next")
    steps = ws.pace.steps()
    assert steps >= 2
    ahead = ws.session.entries[ws.session.index + steps]
    wanted = set(ws.bridge.prefetcher.pending()) | {ws.bridge.prefetcher.running}
    assert ws._key(ahead, 0) in wanted or ws._key(ahead, 0) in ws.bridge.cache
    qtbot.waitUntil(lambda: win.view.state == "image" and win.view.name == ws.session.current.name, timeout=10000)


def test_walking_a_campaign_stays_in_the_budget(opened, qtbot, tmp_path):
    win = opened(campaign(tmp_path, 12, 1024))
    ws = win.workspace
    ws.set_cache_mb(16)
    for _ in range(11):
        name = ws.session.entries[ws.session.index + 1].name
        QTest.keyClick(win.view, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: win.view.state == "image" and win.view.name == name, timeout=10000)
        assert ws.budget.nbytes <= 16 * 1024 * 1024
    ws.bridge.prefetcher.wait_idle(10)
    assert ws.budget.nbytes <= 16 * 1024 * 1024


def test_a_picture_flipped_to_is_a_quick_overview_then_the_whole_frame_once_let_go(opened, qtbot, tmp_path):
    star = (701, 901)  # FITS x, y: off the grid of a 4-pixel stride from 0
    win = opened(campaign(tmp_path, 8, 2048, star=star), size=(700, 600))
    ws, view = win.workspace, win.view
    ws.bridge.prefetcher.wait_idle(10)
    ws.pace.render_s = 0.1
    for _ in range(3):  # a held key: navigations closer than a render (however busy the machine)
        ws.navigate("next")
    ws._neighbour_timer.stop()  # still held: the neighbours of where it is wait (on a busy machine too)
    here = ws.session.index

    def rendered_ahead() -> list:  # where the look-ahead rendered (its distance follows the render times)
        return [e for e in ws.session.entries[here + 1:] if getattr(ws.bridge.cache.get(ws._key(e, 0)), "sampled", 0)]

    qtbot.waitUntil(lambda: bool(rendered_ahead()), timeout=10000)
    ahead = rendered_ahead()[0]
    quick = ws.bridge.cache.get(ws._key(ahead, 0))
    assert quick.sampled and quick.factor == 4 and quick.full_size == (2048, 2048)  # the level the view draws
    ws.go_to(ahead.position)  # the key is let go on it
    qtbot.waitUntil(lambda: view.state == "image" and view.name == ahead.name, timeout=10000)
    row, col = 2047 - star[1], star[0]

    def star_shown() -> bool:
        if view.preview_factors()[0] != 1:
            return False
        pixels = array_from_qimage(view.image())[..., 0]
        return pixels[row, col] == pixels.max() > np.median(pixels) + 8

    qtbot.waitUntil(star_shown, timeout=10000)  # the whole frame replaces the strided sample
    assert view.image_size() == (2048, 2048) and not ws.bridge.cache.get(ws._key(ahead, 0)).sampled
    ws.cursor = (float(col), float(row))  # view coordinates: row 0 at the top
    assert ws.readout_text().endswith("value 5000")  # the pixel value under the cursor is there


def test_a_step_to_an_image_not_rendered_yet_shows_its_block_centres_then_the_whole_frame(opened, qtbot, tmp_path):
    star = (701, 901)  # FITS x, y: between the block centres of the view's 1/4
    win = opened(campaign(tmp_path, 4, 2048, star=star), size=(700, 600))
    ws, view = win.workspace, win.view
    ws.bridge.prefetcher.wait_idle(10)
    ws._neighbour_timer.stop()
    ws.bridge.prefetcher.cancel_all()
    ws.bridge.cache.clear()
    target = ws.session.entries[2]
    first: list = []
    paint = view.paintEvent

    def painted(event):
        paint(event)
        if view.state == "image" and view.name == target.name and not first:
            first.append((view.preview_factors()[0], array_from_qimage(view.image()).copy()))

    view.paintEvent = painted
    ws.go_to(2)
    qtbot.waitUntil(lambda: bool(first), timeout=10000)
    factor, pixels = first[0]
    assert factor == 4 and pixels.shape == (512, 512, 4)  # the level the view draws, from block centres
    row, col = 2047 - star[1], star[0]

    def whole_frame() -> bool:
        return view.preview_factors() == [1, 4] and array_from_qimage(view.image())[row, col, 0] == 255

    qtbot.waitUntil(whole_frame, timeout=10000)  # then the whole frame, its star and its 1/4 area means
    assert view.image_size() == (2048, 2048) and not ws.bridge.cache.get(ws._key(target, 0)).sampled
    assert ws.session.store._seen_later == []  # the step's seen mark is written, with the title that shows it
    reader = ws.session.store.reader()
    assert reader.image_state(ws.session.entries[0].name, 1).seen
    reader.close()

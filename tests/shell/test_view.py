"""The image view as a user sees and drives it: pixels on screen, zoom, pan, clicks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PyQt6.QtCore import QPointF, Qt

from .conftest import Marker, gray_image, mouse, render, wheel


def magenta_centre(pixels: np.ndarray) -> tuple[float, float]:
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    ys, xs = np.nonzero((r > 200) & (g < 90) & (b > 200))
    assert xs.size, "marker not drawn"
    return float(xs.mean()), float(ys.mean())


@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0, 3.7, 12.0])
def test_marker_is_drawn_on_the_screen_pixel_of_its_image_position(view, scale):
    view.set_image(gray_image(200, 100), "field.png")
    x, y = 57.0, 31.0
    view.set_layer("marks", [Marker(x, y)])
    view.set_scale(scale)
    view.centre_on(x + 3.3, y + 2.6)  # an off-grid centre, so nothing lines up by luck
    expected = view.image_to_widget(x, y)
    cx, cy = magenta_centre(render(view))
    assert abs(cx - math.floor(expected.x())) <= 0.5
    assert abs(cy - math.floor(expected.y())) <= 0.5


def test_marker_at_deep_zoom_is_drawn_at_its_exact_position(view):
    """Markers too large for a sprite are vectors; they stay centred on the sub-pixel spot."""
    view.set_image(gray_image(200, 100), "field.png")
    view.set_layer("marks", [Marker(20.25, 10.75, size=6.0)])
    view.set_scale(100.0)
    view.centre_on(20.25, 10.75)
    expected = view.image_to_widget(20.25, 10.75)
    cx, cy = magenta_centre(render(view))
    # pixel k covers [k, k+1): its centre index is the position minus one half
    assert abs(cx - (expected.x() - 0.5)) <= 1.0
    assert abs(cy - (expected.y() - 0.5)) <= 1.0


@pytest.mark.parametrize("scale", [1.0, 4.0, 9.5])
def test_image_pixels_land_where_the_mapping_says(view, scale):
    img = gray_image(50, 40, value=0)
    img[12, 30] = (255, 255, 255)
    view.set_image(img, "dot.png")
    view.set_scale(scale)
    view.centre_on(29.4, 12.2)
    pixels = render(view)
    centre = view.image_to_widget(30, 12)
    assert pixels[int(centre.y()), int(centre.x()), 0] == 255
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        p = view.image_to_widget(30 + dx, 12 + dy)
        assert pixels[int(p.y()), int(p.x()), 0] == 0
    # the bright pixel's footprint is scale x scale screen pixels (within one on each edge)
    lit = np.argwhere(pixels[..., 0] == 255)
    assert abs(np.ptp(lit[:, 1]) + 1 - scale) <= 1 and abs(np.ptp(lit[:, 0]) + 1 - scale) <= 1


def test_click_at_one_to_one_gives_the_pixel_centre(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    view.zoom_actual()
    corner = view.image_to_widget(-0.5, -0.5)
    assert corner.x() == int(corner.x()) and corner.y() == int(corner.y())  # crisp: pixels on the grid
    view.centre_on(99.5, 49.5)
    target = view.image_to_widget(37, 21)
    with qtbot.waitSignal(view.clicked) as blocker:
        mouse(view, "press", QPointF(math.floor(target.x()), math.floor(target.y())))
        mouse(view, "release", QPointF(math.floor(target.x()), math.floor(target.y())))
    x, y, button, modifiers = blocker.args
    assert (x, y) == (37.0, 21.0)
    assert button == Qt.MouseButton.LeftButton


def test_mapping_round_trip(view):
    view.set_image(gray_image(300, 200), "field.png")
    rng = np.random.default_rng(1)
    for scale in (0.31, 1.0, 7.3, 150.0):
        view.set_scale(scale)
        view.centre_on(*rng.uniform(0, 200, 2))
        for x, y in rng.uniform(-10, 310, (20, 2)):
            p = view.image_to_widget(x, y)
            back = view.widget_to_image(p)
            assert back == pytest.approx((x, y), abs=1e-9)


def test_wheel_up_zooms_in_keeping_the_point_under_the_cursor(view):
    view.set_image(gray_image(200, 100), "field.png")
    cursor = QPointF(90, 70)
    before = view.event_to_image(cursor)
    scale = view.scale
    wheel(view, cursor, +1)
    assert view.scale > scale
    assert view.event_to_image(cursor) == pytest.approx(before, abs=1e-9)
    wheel(view, cursor, -2)
    assert view.scale < scale
    assert view.event_to_image(cursor) == pytest.approx(before, abs=1e-9)


def test_left_drag_pans_and_does_not_mark(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(2.0)
    centre = view.centre
    clicks = []
    view.clicked.connect(lambda *a: clicks.append(a))
    mouse(view, "press", QPointF(100, 100))
    mouse(view, "move", QPointF(115, 110))
    mouse(view, "move", QPointF(130, 120))
    mouse(view, "release", QPointF(130, 120))
    assert view.centre == pytest.approx((centre[0] - 15.0, centre[1] - 10.0))
    assert clicks == []


def test_click_without_moving_marks_and_does_not_pan(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    centre = view.centre
    with qtbot.waitSignal(view.clicked) as blocker:
        mouse(view, "press", QPointF(150, 120))
        mouse(view, "move", QPointF(151, 120))  # a tremor below the drag distance
        mouse(view, "release", QPointF(151, 120))
    assert view.centre == centre
    assert blocker.args[:2] == pytest.approx(view.event_to_image(QPointF(150, 120)))


def test_fit_shows_the_whole_image_centred(view):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(5.0)
    view.centre_on(10, 10)
    view.zoom_fit()
    top_left = view.image_to_widget(-0.5, -0.5)
    bottom_right = view.image_to_widget(199.5, 99.5)
    assert top_left.x() == pytest.approx(0) and bottom_right.x() == pytest.approx(view.width())
    assert top_left.y() >= 0 and bottom_right.y() <= view.height()
    assert (top_left.y() + bottom_right.y()) / 2 == pytest.approx(view.height() / 2)
    pixels = render(view)
    assert (pixels[int(top_left.y()) + 1, 1, :3] == 60).all()  # image starts at the corner
    assert not (pixels[int(top_left.y()) - 2, 1, :3] == 60).all()  # background above it


@pytest.mark.parametrize("how", ["middle", "alt"])
def test_middle_or_alt_click_centres_on_the_cursor(view, how):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(3.0)
    clicks = []
    view.clicked.connect(lambda *a: clicks.append(a))
    cursor = QPointF(50, 60)
    target = view.event_to_image(cursor)
    if how == "middle":
        mouse(view, "press", cursor, Qt.MouseButton.MiddleButton)
        mouse(view, "release", cursor, Qt.MouseButton.MiddleButton)
    else:
        mouse(view, "press", cursor, modifiers=Qt.KeyboardModifier.AltModifier)
        mouse(view, "release", cursor, modifiers=Qt.KeyboardModifier.AltModifier)
    assert view.centre == pytest.approx(target)
    middle = view.image_to_widget(*target)
    assert (middle.x(), middle.y()) == pytest.approx((view.width() / 2, view.height() / 2))
    assert clicks == []


def test_arrow_keys_pan(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(4.0)
    x, y = view.centre
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.centre[0] > x and view.centre[1] == y
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.centre[1] > y


def test_zoom_and_pan_kept_for_an_image_of_the_same_size(view):
    view.set_image(gray_image(200, 100), "a.png")
    view.set_scale(3.0)
    view.centre_on(20, 30)
    view.show_placeholder("b.png")
    view.set_image(gray_image(200, 100, value=90), "b.png")
    assert view.scale == 3.0 and view.centre == (20, 30)
    view.set_image(gray_image(120, 300), "c.png")
    assert view.scale == pytest.approx(view.fit_scale())
    assert view.centre == (59.5, 149.5)


def text_pixels(view) -> int:
    pixels = render(view)[..., :3].astype(int)
    background = np.array([0x26, 0x26, 0x26])
    return int((np.abs(pixels - background).sum(axis=2) > 60).sum())


def test_placeholder_shows_the_file_name(view):
    view.show_placeholder("deep_field_4096.fits")
    assert "deep_field_4096.fits" in view.message
    assert text_pixels(view) > 200


def test_error_shows_file_and_reason_instead_of_the_image(view, qtbot):
    view.set_image(gray_image(200, 100, value=200), "good.png")
    view.show_error("broken.fits", "truncated: expected 8640 bytes, got 2880")
    assert "broken.fits" in view.message and "truncated" in view.message
    pixels = render(view)
    assert not (pixels[..., :3] == 200).all(axis=2).any()  # the old image is gone
    assert text_pixels(view) > 400
    clicks = []
    view.clicked.connect(lambda *a: clicks.append(a))
    mouse(view, "press", QPointF(200, 150))
    mouse(view, "release", QPointF(200, 150))
    assert clicks == []  # nothing to mark on a broken image


def test_cursor_position_is_reported_in_image_coordinates(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    view.zoom_actual()
    view.centre_on(99.5, 49.5)
    inside = view.image_to_widget(10, 20)
    with qtbot.waitSignal(view.cursor_moved) as blocker:
        mouse(view, "move", QPointF(math.floor(inside.x()), math.floor(inside.y())))
    assert blocker.args == [10.0, 20.0]
    assert view.cursor_image_pos() == (10.0, 20.0)
    outside = view.image_to_widget(-5, 20)
    with qtbot.waitSignal(view.cursor_moved) as blocker:
        mouse(view, "move", outside)
    assert blocker.args == [None, None]
    assert view.cursor_image_pos() is None


def test_hidden_layers_and_labels_are_not_drawn(view):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(2.0)
    view.set_layer("marks", [Marker(100, 50, label="M1", color="#ff00ff")])
    assert magenta_centre(render(view))
    with_label = render(view)
    view.set_labels_visible(False)
    without_label = render(view)
    label_area = view.image_to_widget(100, 50)
    region = (slice(int(label_area.y()) - 25, int(label_area.y())), slice(int(label_area.x()) + 5, int(label_area.x()) + 40))
    assert (with_label[region] != without_label[region]).any()
    view.set_layer_visible("marks", False)
    pixels = render(view)
    assert not ((pixels[..., 0] > 200) & (pixels[..., 1] < 90)).any()


def test_marker_visible_on_white_and_black_images(view):
    for value in (0, 255):
        view.set_image(gray_image(200, 100, value=value), "field.png")
        view.set_layer("marks", [Marker(100, 50, shape="circle", size=20, color="#ffff00" if value == 0 else "#ffffff")])
        pixels = render(view)[..., :3].astype(int)
        centre = view.image_to_widget(100, 50)
        ring = pixels[int(centre.y()), int(centre.x()) - 30 : int(centre.x()) + 30]
        # along a line through the centre, some pixels differ strongly from the background
        assert (np.abs(ring - value).max(axis=1) > 120).sum() >= 4


def test_item_at_finds_the_marker_under_the_cursor(view):
    view.set_image(gray_image(200, 100), "field.png")
    a, b = Marker(50, 50, size=10), Marker(56, 50, size=10)
    view.set_layer("marks", [a, b])
    view.set_scale(4.0)
    assert view.item_at(51, 50) is a
    assert view.item_at(55.5, 50) is b
    assert view.item_at(150, 20) is None
    view.set_layer_visible("marks", False)
    assert view.item_at(51, 50) is None


def test_dragging_a_selected_marker_moves_it_not_the_view(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(2.0)
    chosen = Marker(80, 40, selected=True)
    view.set_layer("marks", [chosen])
    centre = view.centre
    start = view.image_to_widget(80, 40)
    with qtbot.waitSignal(view.item_drag_finished) as blocker:
        mouse(view, "press", start)
        mouse(view, "move", start + QPointF(10, 0))
        mouse(view, "move", start + QPointF(20, 10))
        mouse(view, "release", start + QPointF(20, 10))
    item, x, y = blocker.args
    assert item is chosen
    assert (x, y) == pytest.approx(view.event_to_image(start + QPointF(20, 10)))
    assert (x, y) == pytest.approx((90.25, 45.25))
    assert view.centre == centre


def test_unknown_shape_is_refused_with_its_name(view):
    with pytest.raises(ValueError, match="star"):
        view.set_layer("bad", [Marker(1, 1, shape="star")])


def test_zoomed_out_view_draws_the_preview_and_keeps_faint_stars(view):
    """A 1-pixel star must not vanish at fit; the preview's block mean keeps it visible."""
    from imgmarker.kernel.display.preview import pyramid

    img = np.zeros((1200, 1600, 3), np.uint8)
    img[601, 803] = (255, 255, 255)
    view.set_image(img, "stars.png", previews=pyramid(img, min_side=200))
    view.zoom_fit()
    assert view.scale == pytest.approx(0.25)
    pixels = render(view)
    spot = view.image_to_widget(803, 601)
    near = pixels[int(spot.y()) - 1 : int(spot.y()) + 2, int(spot.x()) - 1 : int(spot.x()) + 2, 0]
    assert near.max() >= 10  # the star's light (255/16) is there, where the mapping says
    assert pixels[..., 0].max() == near.max()  # and nowhere else
    view.zoom_actual()  # at 1:1 the full-resolution image is drawn, pixel-exact
    view.centre_on(803.5, 601.5)  # pixel edges on the screen grid
    pixels = render(view)
    spot = view.image_to_widget(803, 601)
    assert pixels[int(spot.y()), int(spot.x()), 0] == 255


def test_preview_of_the_wrong_size_is_refused(view):
    with pytest.raises(ValueError, match="preview"):
        view.set_image(gray_image(100, 80), "a.png", previews=[(gray_image(10, 10), 2)])


def test_double_click_on_a_label_finds_its_marker(view, qtbot):
    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(2.0)
    m = Marker(100, 50, label="galaxy 7")
    view.set_layer("marks", [m, Marker(20, 20, label="other")])
    pixels = render(view)
    # find where the label text is drawn: magenta-ish pixels up and to the right of the marker
    at = view.image_to_widget(100, 50)
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    ys, xs = np.nonzero((r > 150) & (g < 100) & (b > 150))
    text = (xs > at.x() + 8) & (ys < at.y() - 5)
    assert text.sum() > 10
    point = QPointF(float(np.median(xs[text])), float(np.median(ys[text])))
    assert view.label_item_at(point) is m
    assert view.label_item_at(QPointF(at.x() - 60, at.y())) is None
    with qtbot.waitSignal(view.double_clicked) as blocker:
        mouse(view, "double", point)
    assert view.label_item_at(view.image_to_widget(*blocker.args[:2])) is m
    view.set_labels_visible(False)
    assert view.label_item_at(point) is None


def test_catalog_layer_from_arrays(view):
    from imgmarker.shell.overlay_painter import OverlayLayer

    view.set_image(gray_image(200, 100), "field.png")
    xs = np.array([30.0, 120.0, 150.5])
    ys = np.array([40.0, 60.0, 10.25])
    view.set_layer("catalog", OverlayLayer.from_arrays(xs, ys, shape="plus", size=6, color="#ff00ff", labels=["a", "b", "c"]))
    view.set_scale(3.0)
    view.centre_on(120, 60)
    hit = view.item_at(120.4, 60.2)
    assert hit is not None and (hit.index, hit.x, hit.y, hit.label) == (1, 120.0, 60.0, "b")
    view.set_labels_visible(False)
    expected = view.image_to_widget(120, 60)
    ex, ey = math.floor(expected.x()), math.floor(expected.y())
    window = render(view)[ey - 15 : ey + 16, ex - 15 : ex + 16]
    cx, cy = magenta_centre(window)
    assert (cx, cy) == (15.0, 15.0)
    with pytest.raises(ValueError, match="labels"):
        OverlayLayer.from_arrays(xs, ys, labels=["a"])


def test_view_state_round_trips_through_json(view):
    import json

    view.set_image(gray_image(200, 100), "field.png")
    view.set_scale(5.5)
    view.centre_on(33.25, 70.5)
    saved = json.loads(json.dumps(view.view_state()))
    view.zoom_fit()
    view.set_view_state(saved)
    assert view.scale == 5.5 and view.centre == (33.25, 70.5)
    view.zoom_fit()
    saved = view.view_state()
    view.set_scale(3.0)
    view.set_view_state(saved)
    assert view.scale == pytest.approx(view.fit_scale())


def painted_over(view, sentinel=(0, 255, 0)) -> np.ndarray:
    """The view painted onto a picture of ``sentinel``: a pixel the paint leaves out keeps it."""
    from PyQt6.QtGui import QColor, QImage

    target = QImage(view.width(), view.height(), QImage.Format.Format_ARGB32_Premultiplied)
    target.fill(QColor(*sentinel))
    view.render(target)
    from imgmarker.shell.qimage import array_from_qimage

    return array_from_qimage(target)[..., :3].astype(int)


@pytest.mark.parametrize("scale,centre", [(0.37, (100.0, 50.0)), (1.0, (20.3, 80.6)), (3.7, (190.2, 3.1)),
                                          (12.0, (0.0, 0.0))])
def test_an_opaque_picture_and_the_background_around_it_cover_every_pixel(view, scale, centre):
    rgba = np.zeros((100, 200, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = 60, 255
    view.set_image(rgba, "field.png", opaque=True)
    view.set_scale(scale)
    view.centre_on(*centre)
    pixels = painted_over(view)
    left_out = (pixels[..., 0] == 0) & (pixels[..., 1] == 255) & (pixels[..., 2] == 0)
    assert not left_out.any()
    background = np.array([0x26, 0x26, 0x26])
    picture = (pixels == 60).all(axis=2)
    assert ((pixels == background).all(axis=2) | picture).all()  # nothing but the two, no blend
    top_left = view.image_to_widget(-0.5, -0.5)
    inside = (min(max(int(top_left.y()) + 1, 0), view.height() - 1), min(max(int(top_left.x()) + 1, 0), view.width() - 1))
    assert picture[inside]


def test_a_picture_with_transparent_pixels_shows_the_background_through_them(view):
    rgba = np.zeros((100, 200, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = 200, 255
    rgba[:, :100, 3] = 0  # the left half transparent
    view.set_image(rgba, "cutout.png")
    pixels = painted_over(view)
    left = view.image_to_widget(40.0, 50.0)
    right = view.image_to_widget(160.0, 50.0)
    assert tuple(pixels[int(left.y()), int(left.x())]) == (0x26, 0x26, 0x26)
    assert tuple(pixels[int(right.y()), int(right.x())]) == (200, 200, 200)

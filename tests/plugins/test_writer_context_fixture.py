"""``imgmarker_writer_context``, the fixture plugin authors test writers with: a real
annotator database behind the context, so a writer sees what a campaign gives it."""

from __future__ import annotations

import pandas as pd
import pytest

from imgmarker.api import FrameGeometry, ImageRow, MarkRow
from imgmarker.kernel.plugins.host import create_plugin_host


@pytest.fixture
def writers():
    return create_plugin_host(autoload=False).registry.writers


def test_marks_images_and_geometry_come_back_as_a_campaign_gives_them(imgmarker_writer_context, writers):
    marks = [MarkRow(7, "a.fits", "BCG", "big, \"round\"", 10.25, 3.5, 150.5, 2.25, 0, "2026-01-01T00:00:00+00:00"),
             MarkRow(None, "b.png", "Star", "Star", 1.0, 2.0, None, None, 1, "2026-01-01T00:00:01+00:00", 2)]
    images = [ImageRow("a.fits", 150.0, 2.0, ("merger",), "odd", True, "2026-01-01T00:00:02+00:00"),
              ImageRow("b.png", None, None, (), "", False, None, 2)]
    geometry = [FrameGeometry("a.fits", 0, 40, 50, 150.0, 2.0), FrameGeometry("b.png", 1, 30, 20)]
    context = imgmarker_writer_context(marks, images, geometry, config={"per_image": True}, user="zoe")
    got = list(context.marks())
    assert got[0] == marks[0] and got[1] == marks[1]._replace(id=8)  # None is numbered by the database
    assert list(context.images()) == images
    assert context.geometry("b.png", 1) == geometry[1] and context.geometry("b.png", 0) is None
    assert context.user == "zoe" and context.config == {"per_image": True}

    writers["csv"].write(context)
    writers["ds9"].write(context)
    out = context.output_dir
    csv = pd.read_csv(out / "zoe_marks.csv")
    assert list(csv.label) == ["big, \"round\"", "Star"] and list(csv.x) == [10.25, 1.0]
    assert list(pd.read_csv(out / "zoe_favorites.csv").image) == ["a.fits"]
    regions = (out / "zoe_ds9" / "b.png.pass2.reg").read_text()
    assert "point(2.0,28.0)" in regions  # 1-based, y up, from the frame height the context gave
    assert sorted(p.relative_to(out).as_posix() for p in context.written) == [
        "zoe_ds9/a.fits.reg", "zoe_ds9/b.png.pass2.reg", "zoe_favorites.csv", "zoe_images.csv",
        "zoe_marks.csv", "zoe_regions.reg"]


def test_an_image_centre_needs_its_geometry(imgmarker_writer_context):
    with pytest.raises(ValueError, match="FrameGeometry"):
        imgmarker_writer_context(images=[ImageRow("a.fits", 150.0, 2.0, (), "", False, None)])


def test_mappings_work_as_marks_and_contexts_are_independent(imgmarker_writer_context, tmp_path):
    one = imgmarker_writer_context([{"image": "a.png", "group": "g", "x": 1.5, "y": 2.5}])
    two = imgmarker_writer_context(output_dir=tmp_path / "other")
    [mark] = one.marks()
    assert (mark.image, mark.group, mark.label, mark.x, mark.y, mark.frame, mark.ra) == \
        ("a.png", "g", "g", 1.5, 2.5, 0, None)
    assert list(two.marks()) == [] and two.output_dir == tmp_path / "other"

"""The COCO and YOLO writers in a campaign's ``output.writers``: what an annotator marks
is what a detector's loader reads."""

from __future__ import annotations

import pytest
from session_fakes import load, make_campaign

from imgmarker.kernel.campaign.session import Session

BODY = """groups:
  - {name: BCG, size: 10}
  - {name: star, size: 4}
categories:
  items: [{name: good}]
output: {writers: [coco, yolo]}
"""


@pytest.fixture
def marked(tmp_path, host):
    exp = load(make_campaign(tmp_path, BODY, n=3), host)  # 50 x 40 images
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.add_mark(10.25, 20.5, "BCG", label="the BCG")
        s.add_mark(1.0, 38.9, "star")  # near a corner: the box is clipped
        s.next()  # seen, nothing marked
        s.next()
        s.add_mark(30.0, 5.0, "star")
    return tmp_path / "results", exp


def test_coco_keypoints_read_with_pycocotools(marked):
    coco_module = pytest.importorskip("pycocotools.coco")
    results, _ = marked
    coco = coco_module.COCO(str(results / "ana_coco.json"))
    images = {i["file_name"]: i for i in coco.loadImgs(coco.getImgIds())}
    # img001 was seen without marks: its size is stored, so it is there as an image without objects
    assert sorted(images) == ["img000.npy", "img001.npy", "img002.npy"]
    assert coco.getAnnIds(imgIds=[images["img001.npy"]["id"]]) == []
    assert {(i["width"], i["height"]) for i in images.values()} == {(50, 40)}
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == ["BCG", "star"]
    first = coco.loadAnns(coco.getAnnIds(imgIds=[images["img000.npy"]["id"]]))
    bcg, star = sorted(first, key=lambda a: a["category_id"])
    assert bcg["keypoints"] == [10.25, 20.5, 2] and bcg["label"] == "the BCG"
    assert bcg["bbox"] == [5.75, 16.0, 10.0, 10.0] and bcg["area"] == 100.0
    assert star["bbox"] == pytest.approx([0.0, 37.4, 3.5, 2.6])  # clipped at the left and bottom
    assert len(coco.getAnnIds(imgIds=[images["img002.npy"]["id"]])) == 1


def test_yolo_files_normalised_and_one_per_seen_image(marked):
    results, _ = marked
    folder = results / "ana_yolo"
    assert (folder / "classes.txt").read_text() == "BCG\nstar\n"
    lines = (folder / "img000.txt").read_text().splitlines()
    assert lines[0] == f"0 {10.75 / 50:.6f} {21.0 / 40:.6f} {10 / 50:.6f} {10 / 40:.6f}"
    assert lines[1] == f"1 {1.75 / 50:.6f} {38.7 / 40:.6f} {3.5 / 50:.6f} {2.6 / 40:.6f}"
    assert (folder / "img001.txt").read_text() == ""  # seen, nothing there
    assert (folder / "img002.txt").read_text().startswith("1 ")


def test_yolo_keypoints_and_a_fixed_box_from_the_experiment(tmp_path, host):
    exp = load(make_campaign(tmp_path, BODY + "plugins:\n  yolo: {keypoints: true, box: 8}\n", n=1), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.add_mark(24.5, 19.5, "star")
    line = (tmp_path / "results" / "ana_yolo" / "img000.txt").read_text().strip()
    assert line == "1 0.500000 0.500000 0.160000 0.200000 0.500000 0.500000 2"


def test_an_arcsec_group_without_a_known_scale_names_the_setting(tmp_path, host):
    body = BODY.replace("{name: star, size: 4}", "{name: star, size: 4, size_unit: arcsec}")
    exp = load(make_campaign(tmp_path, body, n=1), host)
    with Session.open(exp, user="ana", host=host, export_delay=None) as s:
        s.add_mark(5.0, 5.0, "star")
        s.export(["coco"])
    assert any("group 'star' is sized in arcsec and the pixel scale of 'img000.npy' is not known here: "
               "set plugins: {coco: {box: PIXELS}}" in p for p in s.export_problems), s.export_problems
    assert not (tmp_path / "results" / "ana_coco.json").exists()

"""Accepting a catalog source as a mark."""

from __future__ import annotations

from pathlib import Path

from astropy.wcs import WCS

from imgmarker.kernel.catalogs.columns import build_catalog
from imgmarker.kernel.catalogs.matching import CatalogIndex
from imgmarker.kernel.catalogs.model import CatalogStyle
from imgmarker.kernel.annotations.marks import Mark, MarkResult
from imgmarker.kernel.catalogs.promote import promote_source
from imgmarker.kernel.imaging.wcs import world_to_pixel


class FakeSession:
    """Follows the session API: add_mark(x, y, group, *, frame=0, label=None) -> MarkResult."""

    def __init__(self, image: str, max_per_group: int | None = None):
        self.image = image
        self.max_per_group = max_per_group
        self.stored: list[Mark] = []

    def add_mark(self, x, y, group, *, frame=0, label=None):
        if self.max_per_group is not None and sum(m.group == group for m in self.stored) >= self.max_per_group:
            return MarkResult(None, refused=f"group {group!r} allows at most {self.max_per_group} marks per image")
        mark = Mark(len(self.stored) + 1, self.image, group, group if label is None else label, x, y, frame,
                    None, None, "2026-01-01T00:00:00+00:00")
        self.stored.append(mark)
        return MarkResult(mark, None)


def sky_sources(frame=0):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [210.0, 54.0]
    w.wcs.crpix = [50.5, 40.5]
    w.wcs.cdelt = [-1 / 3600, 1 / 3600]
    w.wcs.set()
    catalog = build_catalog(Path("cands.csv"), {"label": ["cand 7", ""], "ra": [210.005, 209.998],
                                                "dec": [54.004, 53.999]}, [2, 3], CatalogStyle(name="cands"))
    return CatalogIndex(catalog).sources_for("field.fits", w, (80, 100), frame=frame), w


def test_promoted_source_becomes_a_mark_at_its_pixel_with_its_label():
    sources, wcs = sky_sources(frame=2)
    session = FakeSession("field.fits")
    result = promote_source(session, sources.source(0), "BCG")
    x, y = world_to_pixel(wcs, 80, 210.005, 54.004)
    assert result.mark.group == "BCG" and result.mark.label == "cand 7"
    assert (result.mark.x, result.mark.y) == (float(x), float(y))
    assert result.mark.frame == 2


def test_source_without_label_gets_the_group_default_and_refusals_pass_through():
    sources, _ = sky_sources()
    session = FakeSession("field.fits", max_per_group=1)
    assert promote_source(session, sources.source(1), "star").mark.label == "star"
    refused = promote_source(session, sources.source(0), "star")
    assert refused.mark is None and "at most 1" in refused.refused
    assert len(session.stored) == 1


def test_nearest_source_to_the_cursor_is_the_one_promoted():
    sources, _ = sky_sources()
    session = FakeSession("field.fits")
    target = sources.source(0)
    picked = sources.nearest(target.x + 1.5, target.y - 1.0, max_distance=5)
    assert picked == target
    assert sources.nearest(-50, -50, max_distance=5) is None
    assert promote_source(session, picked, "g").mark.label == "cand 7"

"""A mark gets its sky position whenever its image has a WCS: a failure to read the
image or build its WCS is not remembered, the next mark tries again."""

from __future__ import annotations

import numpy as np
import pytest
from session_fakes import CRVAL, load, make_campaign, make_wcs, write_image

import imgmarker
from imgmarker.kernel.campaign.mark_sky import SkyLocator
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.imaging.images import Frame, FrameInfo, Image
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.plugins.records import ReaderSpec


def test_an_image_unreadable_at_first_gets_sky_positions_once_readable(tmp_path, host):
    path = tmp_path / "field_wcs.npy"
    path.write_bytes(b"being copied...")
    recorded = []
    sky = SkyLocator(host.registry, None, recorded.extend)
    assert sky.locate("field_wcs.npy", path, 0, 10.0, 20.0) == (None, None)
    write_image(path)  # the copy finished
    ra, dec = sky.locate("field_wcs.npy", path, 0, 10.0, 20.0)
    expected = make_wcs(40, 50).all_pix2world(10.0, 40 - 1 - 20.0, 0)
    assert (ra, dec) == pytest.approx((float(expected[0]), float(expected[1])), abs=1e-12)
    assert recorded[0].ra_center == pytest.approx(CRVAL[0], abs=1e-2)


class FlakyWcs:
    """A reader whose WCS cannot be built the first time it is asked for."""

    def __init__(self):
        self.calls = 0

    def _wcs(self):
        self.calls += 1
        if self.calls == 1:
            raise OSError("Too many open files")
        return make_wcs(40, 50)

    def open(self, path, max_pixels=None):
        data = np.load(path)
        return Image(path, "npy", [Frame(FrameInfo(0, "plane 0", data.shape, "float32"), load=lambda: data,
                                         wcs_loader=self._wcs)])

    @imgmarker.hookimpl
    def imgmarker_readers(self):
        return ReaderSpec("flaky", (".npy",), self.open)


def test_a_wcs_that_failed_once_is_built_again_for_the_next_mark(tmp_path):
    reader = FlakyWcs()
    host = create_plugin_host(autoload=False, extra=[("flaky", reader)])
    experiment = load(make_campaign(tmp_path, "groups: [{name: free}]\n", n=1), host)
    with Session.open(experiment, user="ana", host=host, export_delay=None) as session:
        first = session.add_mark(10.0, 20.0, "free").mark
        second = session.add_mark(11.0, 21.0, "free").mark
        third = session.add_mark(12.0, 22.0, "free").mark
    # the failed build is not remembered: the mark's own sky lookup builds it again
    for mark in (first, second, third):
        expected = make_wcs(40, 50).all_pix2world(mark.x, 40 - 1 - mark.y, 0)
        assert (mark.ra, mark.dec) == pytest.approx((float(expected[0]), float(expected[1])), abs=1e-12)
    assert third.ra is not None and reader.calls == 2  # remembered once it worked

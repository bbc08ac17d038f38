"""A WCS that cannot be trusted gives no RA/Dec anywhere and one note naming the file;
a WCS without celestial axes gives no RA/Dec and nothing to say. Never a traceback,
never plausible wrong numbers (astropy reads an all-zero CD matrix as 1 degree per
pixel and an unparsable CRVAL as 0)."""

from __future__ import annotations

import numpy as np
import pytest

from datamakers import fits_with_card, sky_header, tan_header, write_fits
from imgmarker.cli import main
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.imaging.images import Frame, FrameInfo
from imgmarker.kernel.plugins.host import create_plugin_host

HEIGHT, WIDTH = 48, 64
WILD_SIP = {"A_2_0": 5e-1, "B_0_2": -4e-1, "A_1_1": 3e-1, "B_1_1": 2e-1}


def _without_cd(header, **cards):
    for key in ("CD1_1", "CD1_2", "CD2_1", "CD2_2"):
        del header[key]
    for key, value in cards.items():
        header[key] = value
    return header


def _zero_cd():
    header = tan_header(WIDTH, HEIGHT)
    for key in ("CD1_1", "CD1_2", "CD2_1", "CD2_2"):
        header[key] = 0.0
    return header


def _singular_cd():
    header = tan_header(WIDTH, HEIGHT)
    header["CD1_1"], header["CD1_2"], header["CD2_1"], header["CD2_2"] = 1e-4, 2e-4, 1e-4, 2e-4
    return header


#: name -> (header maker, what the note says)
DEGENERATE = {
    "zero CD": (_zero_cd, "the CD matrix is all zero"),
    "singular CD": (_singular_cd, "CD/PC matrix is singular"),
    "singular PC": (lambda: _without_cd(tan_header(WIDTH, HEIGHT), CDELT1=-1e-4, CDELT2=1e-4, PC1_1=1.0,
                                        PC1_2=1.0, PC2_1=1.0, PC2_2=1.0), "CD/PC matrix is singular"),
    "zero CDELT": (lambda: _without_cd(tan_header(WIDTH, HEIGHT), CDELT1=0.0, CDELT2=1e-4), "singular"),
    "NaN CRVAL": (None, "CRVAL1"),
    "wild SIP": (lambda: tan_header(WIDTH, HEIGHT, sip=WILD_SIP), "distortion (SIP) cannot be inverted"),
}


def _write(path, case):
    make, _ = DEGENERATE[case]
    if make is None:
        return fits_with_card(path, tan_header(WIDTH, HEIGHT), "CRVAL1", "NaN", HEIGHT, WIDTH)
    return write_fits(path, np.zeros((HEIGHT, WIDTH), np.float32), make())


@pytest.fixture
def campaign(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    for i, case in enumerate(DEGENERATE):
        _write(images / f"bad{i}.fits", case)
    linear = sky_header(ctype=("LINEAR", "LINEAR"))
    write_fits(images / "linear.fits", np.zeros((HEIGHT, WIDTH), np.float32), linear)
    (tmp_path / "experiment.yaml").write_text(
        "schema_version: 1\nimages: {directory: images}\ngroups: [{name: galaxy, max: 5}]\n"
        "output: {writers: [csv, ds9]}\n", encoding="utf-8")
    return tmp_path


def test_marks_on_untrusted_wcs_have_no_sky_position_and_one_note_per_file(campaign, caplog):
    import pandas as pd

    host = create_plugin_host(autoload=False)
    with Session.open(campaign / "experiment.yaml", user="ana", host=host, export_delay=None) as s:
        for _ in range(2):  # come back: still one note per file
            for entry in list(s.entries):
                s.go_to(entry.position)
                s.add_mark(10.5, 20.25, "galaxy")
                s.add_mark(30.0, 5.0, "galaxy")
        notes = list(s.notes)
    assert len(notes) == len(DEGENERATE)
    for i, (case, (_, reason)) in enumerate(DEGENERATE.items()):
        mine = [n for n in notes if f"bad{i}.fits" in n]
        assert len(mine) == 1 and "WCS unusable, no RA/Dec" in mine[0] and reason in mine[0], (case, mine)
        assert "\n" not in mine[0]
    assert not [n for n in notes if "linear.fits" in n]
    marks = pd.read_csv(campaign / "results" / "ana_marks.csv", keep_default_na=False,
                        na_values={"RA": [""], "DEC": [""]})
    assert len(marks) == 4 * (len(DEGENERATE) + 1)
    assert marks.RA.isna().all() and marks.DEC.isna().all()
    images = pd.read_csv(campaign / "results" / "ana_images.csv", keep_default_na=False, dtype=str)
    assert (images.RA == "").all() and (images.DEC == "").all()
    regions = (campaign / "results" / "ana_regions.reg").read_text(encoding="utf-8")
    assert "icrs" not in regions and "\nimage\n" in regions
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("case", list(DEGENERATE))
def test_info_says_it_once_and_gives_no_numbers(tmp_path, capsys, case):
    path = _write(tmp_path / "bad.fits", case)
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.strip()]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"warning: {path}: frame 0 (PRIMARY): WCS unusable, no RA/Dec: ")
    assert DEGENERATE[case][1] in warnings[0]
    assert "WCS unusable, no RA/Dec" in captured.out and "RA, Dec (ICRS)" not in captured.out
    assert main(["info", str(path), "--pix", "3", "4"]) == 1
    captured = capsys.readouterr()
    assert f"{path}: frame 0: no RA/Dec, its WCS is unusable" in captured.err
    assert "Traceback" not in captured.err


def test_no_celestial_axes_is_no_wcs_and_no_note(tmp_path, capsys):
    path = write_fits(tmp_path / "linear.fits", np.zeros((HEIGHT, WIDTH), np.float32),
                      sky_header(ctype=("LINEAR", "LINEAR")))
    assert main(["info", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "; no WCS" in captured.out


def test_a_plugin_reader_s_degenerate_wcs_is_refused_by_the_kernel():
    """Readers other than the built-in ones hand the kernel WCS objects; the kernel
    checks them the same way."""
    from astropy.wcs import WCS

    def wcs_with(**values):
        w = WCS(naxis=2)
        w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
        w.wcs.crval = values.get("crval", [150.0, 2.0])
        w.wcs.crpix = [32.0, 24.0]
        w.wcs.cdelt = values.get("cdelt", [-1e-4, 1e-4])
        if "pc" in values:
            w.wcs.pc = values["pc"]
        return w

    info = FrameInfo(0, "plane 0", (HEIGHT, WIDTH), "float32")
    good = Frame(info, load=lambda: None, wcs_loader=lambda: wcs_with())
    assert good.wcs is not None and good.wcs_problem is None
    for values, reason in ((dict(crval=[np.nan, 2.0]), "CRVAL is not finite"),
                           (dict(pc=[[1.0, 1.0], [1.0, 1.0]]), "singular"),
                           (dict(cdelt=[np.inf, 1e-4]), "CDELT is not finite")):
        frame = Frame(info, load=lambda: None, wcs_loader=lambda values=values: wcs_with(**values))
        assert frame.wcs is None and reason in frame.wcs_problem
        assert frame.wcs_note("x/img.npy") == f"x/img.npy: frame 0 (plane 0): WCS unusable, no RA/Dec: {frame.wcs_problem}"

    def broken():
        raise RuntimeError("header garbled")

    frame = Frame(info, load=lambda: None, wcs_loader=broken)
    assert frame.wcs is None and frame.wcs_problem == "RuntimeError: header garbled"

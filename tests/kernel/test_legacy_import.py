"""Image Marker 1.2 save folders imported and opened with the real Session: every mark,
label, category, comment, favourite and repeat where the annotator left it."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from astropy.wcs import WCS

from datamakers import tan_header
from legacy_folders import FITS_H, FITS_W, Legacy12, Seen, make_images, one_pixel_arcsec
from imgmarker.kernel.campaign.session import Session
from imgmarker.kernel.catalogs.campaign_catalogs import CatalogSet
from imgmarker.kernel.experiment.loader import load_experiment
from imgmarker.kernel.legacy.importer import ImportConflict, import_save_folder
from imgmarker.kernel.legacy.savefolder import LegacyError
from imgmarker.kernel.legacy.sky import separation_arcsec
from imgmarker.kernel.plugins.host import create_plugin_host

CATALOG = b"label,ra,dec,size(arcsec)\r\nsrc one,150.0,2.0,5\r\nsrc two,150.003,2.001,5\r\n"


@pytest.fixture
def host():
    return create_plugin_host(autoload=False)


def quirky(tmp_path, **kwargs) -> Legacy12:
    """Repeats, DUPLICATE labels, a custom label, a placeholder row, integer and float
    positions, a comment with a comma, a non-ASCII label, favourites, an imported catalog."""
    images = make_images(tmp_path / "images")
    seen = [
        Seen("c.fits", categories=(1, 3), comment="faint, maybe", marks=[(1, None, "40", "20"), (2, "arc é", "12", "33.0")]),
        Seen("a.fits"),
        Seen("e.png", marks=[(3, None, "5", "6")]),
        Seen("c.fits", pass_index=2, categories=(2,), marks=[(1, None, "41", "21"), (2, "arc é", "13", "30")]),
    ]
    options = dict(seen=seen, favorites={"c.fits"}, catalogs={"bcg_candidates.csv": CATALOG})
    options.update(kwargs)
    return Legacy12(tmp_path / "save", images, **options)


def do_import(folder: Legacy12, host, **kwargs):
    folder.write()
    return import_save_folder(folder.folder, folder.folder / "imgmarker", registry=host.registry, **kwargs)


def right_sky(x: float, y: float) -> tuple[float, float]:
    """Display (x, y) -> RA/Dec with FITS y = H - 1 - y, independently of imgmarker."""
    ra, dec = WCS(tan_header(FITS_W, FITS_H)).all_pix2world([[x, FITS_H - 1 - y]], 0)[0]
    return float(ra), float(dec)


def marks_of(session, name, pass_index):
    entry = next(e for e in session.entries if (e.name, e.pass_index) == (name, pass_index))
    return entry, [(m.group, m.label, m.x, m.y) for m in session.marks(entry)]


def test_everything_resumes_in_the_session(tmp_path, host):
    legacy = quirky(tmp_path)
    result = do_import(legacy, host)
    assert result.status == "created"
    with Session.open(result.experiment_path, host=host, export_delay=None) as s:
        keys = [(e.name, e.pass_index) for e in s.entries]
        # 1.2's list order first (the repeat where 1.2 showed it), then the unseen images
        assert keys[:4] == [("c.fits", 1), ("a.fits", 1), ("e.png", 1), ("c.fits", 2)]
        assert sorted(k[0] for k in keys[4:]) == ["b.fits", "d.fits", "f.png"]
        assert s.index == 4 and not s.is_seen(4) and all(s.is_seen(i) for i in range(4))
        assert s.user == "ana" and s.progress.seen == 4

        c1, marks = marks_of(s, "c.fits", 1)
        assert marks == [("BCG", "BCG", 40.0, 20.0), ("Galaxy", "arc é", 12.0, 33.0)]
        c2, marks = marks_of(s, "c.fits", 2)
        assert marks == [("BCG", "BCG", 41.0, 21.0), ("Galaxy", "arc é", 13.0, 30.0)]
        _, marks = marks_of(s, "e.png", 1)
        assert marks == [("Star", "Star", 5.0, 6.0)]
        a1, marks = marks_of(s, "a.fits", 1)
        assert marks == []

        assert s.image_state(c1).categories == ("Cluster", "Bad")
        assert s.image_state(c1).comment == "faint, maybe"
        assert s.image_state(c2).categories == ("No cluster",) and s.image_state(c2).comment == ""
        assert s.image_state(a1).comment == ""  # 1.2's "None"
        assert s.image_state(c1).favorite and s.image_state(c2).favorite and not s.image_state(a1).favorite

        for mark in s.marks(c1) + s.marks(c2):
            assert (mark.ra, mark.dec) == pytest.approx(right_sky(mark.x, mark.y), abs=1e-10)
        assert [m.ra for m in s.marks(marks_of(s, "e.png", 1)[0])] == [None]

        experiment = s.experiment
        assert experiment.group_names == ["BCG", "Galaxy", "Star", "4", "5", "6", "7", "8", "9"]
        assert [g.max for g in experiment.groups[:3]] == [1, None, 3]
        assert experiment.left_click_group.name == "Galaxy"
        assert experiment.categories.names() == ["Cluster", "No cluster", "Bad", "4", "5"]
        assert experiment.order.mode == "shuffled"
        # each imported image is one action: undo takes its import back, redo restores it
        s.go_to(2)
        assert s.undo() == "import from Image Marker 1.2" and s.marks() == []
        assert s.redo() == "import from Image Marker 1.2" and [m.label for m in s.marks()] == ["Star"]
        # a group limit of 1 still replaces, as in 1.2
        s.go_to(0)
        assert s.add_mark(30.0, 30.0, "BCG").replaced is not None


def test_sky_positions_move_one_pixel_and_the_import_says_so(tmp_path, host):
    result = do_import(quirky(tmp_path), host)
    sky = result.sky
    assert (sky.compared, sky.moved, sky.without) == (4, 4, 1)
    assert sky.median_arcsec == pytest.approx(one_pixel_arcsec(), rel=1e-6)
    assert sky.max_arcsec == pytest.approx(one_pixel_arcsec(), rel=1e-6)
    assert "4 moved, median 0.500 arcsec, max 0.500 arcsec" in sky.describe()
    legacy = Legacy12(tmp_path, tmp_path)
    old = [float(v) for v in legacy.sky_1_2("c.fits", 40.0, 20.0)]
    new = right_sky(40.0, 20.0)
    assert separation_arcsec(old[0], old[1], new[0], new[1]) == pytest.approx(0.5, rel=1e-6)


def test_imported_catalogs_are_copied_unchanged_and_load(tmp_path, host):
    legacy = quirky(tmp_path)
    result = do_import(legacy, host)
    copied = result.experiment_path.parent / "catalogs" / "bcg_candidates.csv"
    assert copied.read_bytes() == CATALOG
    experiment = load_experiment(result.experiment_path, host.registry)
    assert [c.name for c in experiment.catalogs] == ["bcg_candidates"]
    catalogs = CatalogSet.for_experiment(experiment, host.registry)
    assert catalogs.errors == [] and len(catalogs.loaded["bcg_candidates"].catalog) == 2


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_importing_twice_changes_nothing(tmp_path, host):
    legacy = quirky(tmp_path)
    first = do_import(legacy, host)
    files = [first.experiment_path, first.database, first.experiment_path.parent / "catalogs" / "bcg_candidates.csv"]
    before = {p: (digest(p), p.stat().st_mtime_ns) for p in files}
    second = do_import(legacy, host)
    assert second.status == "unchanged" and second.written == []
    assert {p: (digest(p), p.stat().st_mtime_ns) for p in files} == before


def test_later_work_is_not_overwritten_without_force(tmp_path, host):
    legacy = quirky(tmp_path)
    first = do_import(legacy, host)
    with Session.open(first.experiment_path, host=host, export_delay=None) as s:
        s.add_mark(3.0, 4.0, "Galaxy")  # on b/d/f: work done after the import
    with pytest.raises(ImportConflict) as caught:
        do_import(legacy, host)
    message = str(caught.value)
    assert message == (f"{first.database}: differs from what this import writes (an earlier import, or work done "
                       "since); nothing changed. Use --force to replace it (the old file is kept beside it)")
    with Session.open(first.experiment_path, host=host, export_delay=None) as s:
        assert s.progress.marked == 4  # c (pass 1 and 2), e, and the new one
    forced = do_import(legacy, host, force=True)
    assert forced.status == "replaced" and len(forced.kept) == 1
    assert forced.kept[0].name.startswith("ana.imgmarker.sqlite.before-import-")
    with Session.open(first.experiment_path, host=host, export_delay=None) as s:
        assert s.progress.marked == 3  # the new mark is gone from the imported store ...
    from imgmarker.kernel.store.sqlite import SqliteStore

    with SqliteStore.open(forced.kept[0], readonly=True) as old:  # ... and kept in the old one
        assert any(r.x == 3.0 and r.y == 4.0 for r in old.mark_rows())


def test_windows_save_folder_cp1252_crlf(tmp_path, host):
    legacy = quirky(tmp_path, windows=True, favorites_style="pipe")
    legacy.seen[1].comment = "très étoilé"
    result = do_import(legacy, host)
    assert result.plan.folder.files["ana_marks.csv"] == "cp1252"
    assert result.plan.folder.files["ana_images.csv"] == "cp1252"
    assert (tmp_path / "save" / "ana_images.csv").read_bytes().count(b"\r\r\n") == 5
    with Session.open(result.experiment_path, host=host, export_delay=None) as s:
        a1 = next(e for e in s.entries if e.name == "a.fits")
        assert s.image_state(a1).comment == "très étoilé"
        assert [m.label for m in s.marks(next(e for e in s.entries if e.name == "c.fits"))] == ["BCG", "arc é"]
        favourites = {(e.name, e.pass_index) for e in s.entries if s.image_state(e).favorite}
        assert favourites == {("c.fits", 1), ("c.fits", 2)}
    assert result.problems == []


def test_explicit_encoding(tmp_path, host):
    legacy = quirky(tmp_path)
    legacy.seen[1].comment = "Ω"
    legacy.write()
    result = import_save_folder(legacy.folder, tmp_path / "out", registry=host.registry, encoding="latin-1")
    with Session.open(result.experiment_path, host=host, export_delay=None) as s:
        a1 = next(e for e in s.entries if e.name == "a.fits")
        assert s.image_state(a1).comment == "Ω".encode("utf-8").decode("latin-1")


def test_bad_rows_are_reported_with_file_and_line_and_the_rest_imports(tmp_path, host):
    legacy = quirky(tmp_path)
    legacy.write()
    marks = legacy.folder / "ana_marks.csv"
    marks.write_bytes(marks.read_bytes() + b"2025-03-04,b.fits,Galaxy,None,abc,5,nan,nan\r\n"
                      b"2025-03-04,b.fits,Comet,None,1,5,nan,nan\r\n")
    images = legacy.folder / "ana_images.csv"
    images.write_bytes(images.read_bytes() + b"2025-03-04,c.fits,150,2,None,None\r\n")
    result = import_save_folder(legacy.folder, tmp_path / "out", registry=host.registry)
    assert result.problems == [
        "ana_marks.csv:8: x 'abc' is not a number; row skipped",
        "ana_marks.csv:9: group 'Comet' is not one of the groups (BCG, Galaxy, Star, 4, 5, 6, 7, 8, 9); row skipped",
        "ana_images.csv:6: a third row for c.fits (Image Marker repeats an image once); row skipped",
    ]
    assert result.counts["marks"] == 5 and result.counts["seen"] == 4


def test_missing_image_folder_says_to_use_images(tmp_path, host):
    legacy = quirky(tmp_path, image_dir_text="C:\\Users\\ana\\Desktop\\clusters\\")
    legacy.write()
    with pytest.raises(LegacyError) as caught:
        import_save_folder(legacy.folder, tmp_path / "out", registry=host.registry)
    assert str(caught.value) == (f"{legacy.folder / 'ana_config.txt'}: image_dir C:\\Users\\ana\\Desktop\\clusters\\ "
                                 "does not exist on this machine; point to the images with --images DIR")
    assert not (tmp_path / "out").exists()
    result = import_save_folder(legacy.folder, tmp_path / "out", registry=host.registry, images=legacy.images)
    assert result.counts["marks"] == 5


def test_sorted_order_when_1_2_did_not_randomise(tmp_path, host):
    legacy = quirky(tmp_path, randomize=False)
    legacy.seen = [Seen("d.fits"), Seen("b.fits", marks=[(9, "x", "1", "2")])]
    result = do_import(legacy, host)
    with Session.open(result.experiment_path, host=host, export_delay=None) as s:
        assert [e.name for e in s.entries] == ["d.fits", "b.fits", "a.fits", "c.fits", "e.png", "f.png"]
        assert s.current.name == "a.fits"
        assert s.experiment.order.mode == "sorted"


def test_old_pipe_text_files_and_no_favourites(tmp_path, host):
    images = make_images(tmp_path / "images")
    save = tmp_path / "save"
    save.mkdir()
    (save / "bob_config.txt").write_text(f"image_dir = {images}/\ngroups = A,B,C,D,E,F,G,H,I\n"
                                         "categories = P,Q,R,S,T\ngroup_max = None,None,None,None,None,None,None,None,None\n"
                                         "randomize_order = False")
    (save / "bob_marks.txt").write_text(
        "    date    |  image  | group |  x  |  y  |      RA      |     DEC     |\n"
        " 2024-01-02 | a.fits  |   B   | 10  | 11  | 150.00000000 | 2.00000000  |\n"
        " 2024-01-02 | e.png   | None  | nan | nan |     nan      |     nan     |\n")
    (save / "bob_images.txt").write_text(
        "    date    |  image  |      RA      |     DEC     | categories | comment |\n"
        " 2024-01-02 | a.fits  | 150.00000000 | 2.00000000  |    P,R     |  None   |\n"
        " 2024-01-02 | e.png   |     nan      |     nan     |    None    | blurry  |\n")
    (save / "bob_favorites.csv").write_bytes(b"")
    result = import_save_folder(save, tmp_path / "out", registry=host.registry)
    assert result.problems == []
    with Session.open(result.experiment_path, host=host, export_delay=None) as s:
        a1, marks = marks_of(s, "a.fits", 1)
        assert marks == [("B", "B", 10.0, 11.0)]
        assert s.image_state(a1).categories == ("P", "R")
        e1, marks = marks_of(s, "e.png", 1)
        assert marks == [] and s.image_state(e1).comment == "blurry" and s.is_seen(1)
        assert not any(s.image_state(e).favorite for e in s.entries)
        assert s.current.name == "b.fits"


def test_fresh_1_2_config_quirk_and_defaults(tmp_path, host):
    """A config 1.2 created and never rewrote lists its internal 'None' slot first."""
    images = make_images(tmp_path / "images")
    save = tmp_path / "save"
    save.mkdir()
    (save / "cy_config.txt").write_text(f"image_dir = {images}/\ngroups = None,1,2,3,4,5,6,7,8,9\n"
                                        "categories = None,1,2,3,4,5\n"
                                        "group_max = None,None,None,None,None,None,None,None,None\n"
                                        "randomize_order = True")
    result = import_save_folder(save, tmp_path / "out", registry=host.registry)
    experiment = load_experiment(result.experiment_path, host.registry)
    assert experiment.group_names == [str(i) for i in range(1, 10)]
    assert experiment.categories.names() == ["1", "2", "3", "4", "5"]
    assert experiment.left_click_group.name == "1"  # no left_click_group line: 1.2's default
    assert result.counts["seen"] == 0


def test_several_annotators_need_a_choice(tmp_path, host):
    legacy = quirky(tmp_path)
    legacy.write()
    Legacy12(legacy.folder, legacy.images, user="ben", seen=[Seen("b.fits")]).write()
    with pytest.raises(LegacyError) as caught:
        import_save_folder(legacy.folder, tmp_path / "out", registry=host.registry)
    assert str(caught.value) == f"{legacy.folder}: save files of several annotators (ana, ben); choose one with --user"
    result = import_save_folder(legacy.folder, tmp_path / "out", registry=host.registry, user="ben")
    with Session.open(result.experiment_path, host=host, export_delay=None) as s:
        assert s.user == "ben" and [e.name for e in s.entries][0] == "b.fits" and s.index == 1


def test_outputs_match_what_a_session_writes(tmp_path, host):
    from imgmarker.kernel.legacy.outputs import write_outputs

    result = do_import(quirky(tmp_path), host)
    assert write_outputs(result, host) == []
    results = result.experiment_path.parent / "results"
    text = (results / "ana_marks.csv").read_text(encoding="utf-8")
    assert "c.fits,Galaxy,arc é,12.0,33.0," in text
    with Session.open(result.experiment_path, host=host, export_delay=None):
        pass  # closing writes the outputs again
    assert (results / "ana_marks.csv").read_text(encoding="utf-8") == text
    assert np.isfinite([float(v) for v in text.splitlines()[1].split(",")[6:8]]).all()

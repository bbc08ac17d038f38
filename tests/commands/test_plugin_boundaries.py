"""Broken third-party plugins as a user meets them on the command line: each problem
is one line naming the plugin and its distribution, and the command still does the
rest of its work. The plugins are real modules found through real entry points."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image as PILImage

from datamakers import gradient, write_fits
from imgmarker.cli import main
from plugin_maker import install_plugin, write_module

READER_RETURNING_AN_ARRAY = """
    import numpy as np
    import imgmarker
    from imgmarker.api import ReaderSpec

    def open_raw(path, max_pixels=None):
        return np.zeros((4, 4), np.float32)

    @imgmarker.hookimpl
    def imgmarker_readers():
        return ReaderSpec(name="raw", suffixes=(".raw",), open=open_raw)
"""


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_reader_returning_an_array_is_one_error_line_naming_plugin_and_distribution(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "rawreader_a", READER_RETURNING_AN_ARRAY,
                   dist="raw-reader", version="2.1")
    image = tmp_path / "a.raw"
    image.write_bytes(b"\0" * 64)
    assert main(["info", str(image)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert lines(captured.err) == [
        f"error: {image}: reader 'raw' of plugin 'rawreader_a' (distribution raw-reader 2.1) "
        "returned ndarray, not an Image"]
    fits = write_fits(tmp_path / "fine.fits", gradient(4, 5))  # the other readers still work
    assert main(["info", str(fits)]) == 0
    assert "fine.fits: FITS, 1 frame" in capsys.readouterr().out


@pytest.mark.parametrize("frames, problem", [
    ("[np.zeros((4, 4))]", "a bad frame 0: ndarray, not a Frame"),
    ("[Frame(FrameInfo(0, 'x', (4, -1), 'float32'), load=lambda: None)]",
     "a bad frame 0: shape must be (height, width) of positive integers, got (4, -1)"),
    ("None", "an Image whose frames are NoneType, not a sequence of Frame"),
])
def test_reader_returning_junk_frames_is_named(tmp_path, monkeypatch, capsys, frames, problem):
    module = f"junkframes_{abs(hash(frames)) % 10**8}"
    install_plugin(monkeypatch, tmp_path / "site", module, f"""
        import numpy as np
        import imgmarker
        from imgmarker.api import Frame, FrameInfo, Image, ReaderSpec

        def open_raw(path, max_pixels=None):
            return Image(path, "raw", {frames})

        @imgmarker.hookimpl
        def imgmarker_readers():
            return ReaderSpec(name="raw", suffixes=(".raw",), open=open_raw)
    """, dist="junk-frames")
    image = tmp_path / "a.raw"
    image.write_bytes(b"")
    assert main(["info", str(image)]) == 1
    assert lines(capsys.readouterr().err) == [
        f"error: {image}: reader 'raw' of plugin '{module}' (distribution junk-frames 1.0) returned {problem}"]


def test_pixels_that_do_not_match_their_frame_info_are_named(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "wrongshape_b", """
        import numpy as np
        import imgmarker
        from imgmarker.api import Frame, FrameInfo, Image, ReaderSpec

        def open_raw(path, max_pixels=None):
            return Image(path, "raw", [Frame(FrameInfo(0, "x", (4, 5), "float32"),
                                             load=lambda: np.zeros((5, 4), np.float32))])

        @imgmarker.hookimpl
        def imgmarker_readers():
            return ReaderSpec(name="raw", suffixes=(".raw",), open=open_raw)
    """, dist="wrong-shape")
    image = tmp_path / "a.raw"
    image.write_bytes(b"")
    out = tmp_path / "a.png"
    assert main(["render", str(image), "-o", str(out)]) == 1
    assert lines(capsys.readouterr().err) == [
        f"error: {image}: reader 'raw' of plugin 'wrongshape_b' (distribution wrong-shape 1.0): frame 0 pixels "
        "have shape (5, 4), but its FrameInfo says (4, 5)"]
    assert not out.exists()


@pytest.mark.parametrize("body, problem", [
    ("return values[:3]", "returned shape (3,), expected (65535,)"),
    ("return values.astype(str)", "returned an array of shape (65535,) and type <U32, "
                                  "expected a numeric array of shape (65535,)"),
    ("return None", "returned NoneType, expected a numeric array of shape (65535,)"),
    ("raise RuntimeError('no\\nluck')", "failed: RuntimeError: no luck"),
])
def test_stretch_returning_the_wrong_thing_is_one_line_and_builtins_still_render(
        tmp_path, monkeypatch, capsys, body, problem):
    module = f"badstretch_{abs(hash(body)) % 10**8}"
    install_plugin(monkeypatch, tmp_path / "site", module, f"""
        import imgmarker
        from imgmarker.api import FilterSpec

        def apply(values):
            {body}

        @imgmarker.hookimpl
        def imgmarker_filters():
            return FilterSpec(name="odd", kind="stretch", apply=apply)
    """, dist="odd-stretch")
    fits = write_fits(tmp_path / "g.fits", gradient(8, 10))
    out = tmp_path / "g.png"
    assert main(["render", str(fits), "-o", str(out), "--stretch", "odd"]) == 1
    assert lines(capsys.readouterr().err) == [
        f"error: {fits}: stretch 'odd' of plugin '{module}' (distribution odd-stretch 1.0) {problem}"]
    assert not out.exists()
    assert main(["render", str(fits), "-o", str(out), "--stretch", "sqrt"]) == 0
    assert PILImage.open(out).size == (10, 8)


@pytest.mark.parametrize("kind, body, problem", [
    ("interval", "return 3.0", "returned float, expected (vmin, vmax)"),
    ("colormap", "return np.zeros((10, 3), np.uint8)",
     "returned an array of shape (10, 3) and type uint8, expected a (256, 3) table of 0..255"),
    ("colormap", "return np.full((256, 3), 300)", "returned values 300..300, expected 0..255"),
])
def test_interval_and_colormap_results_are_checked(tmp_path, monkeypatch, capsys, kind, body, problem):
    module = f"bad{kind}_{abs(hash(body)) % 10**8}"
    args = "sample" if kind == "interval" else ""
    install_plugin(monkeypatch, tmp_path / "site", module, f"""
        import numpy as np
        import imgmarker
        from imgmarker.api import FilterSpec

        def apply({args}):
            {body}

        @imgmarker.hookimpl
        def imgmarker_filters():
            return FilterSpec(name="odd", kind="{kind}", apply=apply)
    """, dist="odd-filters")
    fits = write_fits(tmp_path / "g.fits", gradient(8, 10))
    assert main(["render", str(fits), "-o", str(tmp_path / "g.png"), f"--{kind}", "odd"]) == 1
    assert lines(capsys.readouterr().err) == [
        f"error: {fits}: {kind} 'odd' of plugin '{module}' (distribution odd-filters 1.0) {problem}"]


def test_a_load_error_is_printed_once_and_plugins_exits_non_zero(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "needsdep_c", "import nonexistent_dependency_c\n",
                   dist="needs-dep", version="0.3")
    fits = write_fits(tmp_path / "fine.fits", gradient(4, 5))
    assert main(["info", str(fits)]) == 0
    captured = capsys.readouterr()
    assert lines(captured.err) == [
        "error: plugin 'needsdep_c' (distribution needs-dep 0.3) not loaded: ModuleNotFoundError: "
        "No module named 'nonexistent_dependency_c' (needsdep_c.py:1)"]
    assert "fine.fits: FITS, 1 frame" in captured.out

    assert main(["plugins"]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.count("nonexistent_dependency_c") == 1
    assert "needsdep_c 0.3 [distribution: needs-dep]  NOT LOADED" in captured.out
    assert "fits " in captured.out and "provides: reader:fits" in captured.out  # the rest is listed

    assert main(["plugins", "--json"]) == 1
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)["plugins"]}
    assert "nonexistent_dependency_c" in rows["needsdep_c"]["error"] and rows["fits"]["error"] is None


def test_plugins_exits_zero_when_everything_loaded(capsys):
    assert main(["plugins"]) == 0
    assert "NOT LOADED" not in capsys.readouterr().out


def test_a_registry_hook_that_raises_is_one_line_and_its_other_hooks_still_count(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "halfbroken_d", """
        import imgmarker
        from imgmarker.api import WriterSpec

        @imgmarker.hookimpl
        def imgmarker_filters():
            raise KeyError("colours")

        @imgmarker.hookimpl
        def imgmarker_writers():
            return WriterSpec(name="nothing", write=lambda context: None)
    """, dist="half-broken", version="5")
    assert main(["plugins"]) == 1
    out = capsys.readouterr().out
    assert [line for line in lines(out) if line.startswith("problem:")] == [
        "problem: plugin 'halfbroken_d' (distribution half-broken 5): imgmarker_filters failed: "
        "KeyError: 'colours' (halfbroken_d.py:7)"]
    assert "provides: writer:nothing" in out


INVALID_SCHEMA = """
    import imgmarker
    from imgmarker.api import ConfigSchema

    @imgmarker.hookimpl
    def imgmarker_config_schema():
        return ConfigSchema("tiles", {"type": "objectx", "properties": {"size": {"type": "integer"}}})
"""


def experiment(folder, body=""):
    (folder / "images").mkdir(parents=True, exist_ok=True)
    path = folder / "experiment.yaml"
    path.write_text("schema_version: 1\nname: survey\nimages: {directory: images}\n" + body, encoding="utf-8")
    return path


def test_an_invalid_config_schema_is_named_at_registration_and_validate_goes_on(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "tiles_e", INVALID_SCHEMA, dist="tile-config", version="0.9")
    path = experiment(tmp_path / "camp", "plugins:\n  tiles: {size: 3}\n")
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert lines(captured.err) == [
        "error: plugin 'tiles_e' (distribution tile-config 0.9): configuration section 'tiles' is not a valid "
        "JSON Schema: 'objectx' is not valid under any of the given schemas (at type); skipped"]
    assert f"{path}: valid experiment 'survey'" in captured.out
    assert "warning" not in captured.out  # the section's problem is the plugin's, said once
    assert main(["schema"]) == 0  # the composed schema leaves the broken fragment out
    assert "tiles" not in json.loads(capsys.readouterr().out)["properties"]["plugins"]["properties"]


def test_a_local_plugin_file_is_named_by_its_path(tmp_path, capsys):
    folder = tmp_path / "camp"
    path = experiment(folder, "plugins:\n  modules: [tiles.py]\n")
    module = write_module(folder, "tiles", INVALID_SCHEMA)
    assert main(["validate", "--trust-modules", str(path)]) == 0
    captured = capsys.readouterr()
    assert lines(captured.err) == [
        f"error: plugin 'tiles' (module {module}): configuration section 'tiles' is not a valid JSON Schema: "
        "'objectx' is not valid under any of the given schemas (at type); skipped"]
    assert f"module:     {module} (imported)" in captured.out


def test_a_writer_that_raises_is_one_line_and_the_other_writers_write(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "crashwriter_f", """
        import imgmarker
        from imgmarker.api import WriterSpec

        def write(context):
            raise OSError("disk\\nfull")

        @imgmarker.hookimpl
        def imgmarker_writers():
            return WriterSpec(name="crash", write=write, outputs=("{user}_crash.txt",))
    """, dist="crash-writer")
    from imgmarker.kernel.campaign.session import Session

    path = experiment(tmp_path / "camp", "output: {writers: [crash, csv]}\n")
    write_fits(tmp_path / "camp" / "images" / "a.fits", gradient(8, 10))
    with Session.open(path, user="ann", export_delay=None) as session:
        assert session.add_mark(2.0, 3.0, "1").mark is not None
    capsys.readouterr()
    assert main(["export", str(path), "--user", "ann"]) == 1
    captured = capsys.readouterr()
    assert lines(captured.err) == [
        "error: writer 'crash' of plugin 'crashwriter_f' (distribution crash-writer 1.0) failed: OSError: disk full"]
    results = tmp_path / "camp" / "results"
    assert lines(captured.out) == [str(results / name) for name in ("ann_marks.csv", "ann_images.csv",
                                                                    "ann_favorites.csv")]
    assert "a.fits" in (results / "ann_marks.csv").read_text()


def test_an_overlay_returning_junk_is_named_and_the_others_draw(tmp_path, monkeypatch):
    install_plugin(monkeypatch, tmp_path / "site", "junkoverlay_g", """
        import imgmarker
        from imgmarker.api import Marker, OverlaySpec

        @imgmarker.hookimpl
        def imgmarker_overlays():
            return [OverlaySpec(name="junk", draw=lambda context: 42),
                    OverlaySpec(name="nan", draw=lambda context: [Marker("circle", float("nan"), 1, 3, "red")]),
                    OverlaySpec(name="fine", draw=lambda context: [Marker("circle", 1.0, 2.0, 3, "red")])]
    """, dist="junk-overlay")
    from imgmarker.kernel.display.overlay import OverlayContext, draw_overlays
    from imgmarker.kernel.plugins.host import create_plugin_host

    registry = create_plugin_host().registry
    drawn, problems = draw_overlays(registry, OverlayContext("a.fits", 0, (10, 10)))
    assert problems == [
        "overlay 'junk' of plugin 'junkoverlay_g' (distribution junk-overlay 1.0) returned int, "
        "expected a list of Marker, Line or Text; not drawn",
        "overlay 'nan' of plugin 'junkoverlay_g' (distribution junk-overlay 1.0) returned a Marker with x=nan, "
        "not a finite number; not drawn"]
    assert [(p.x, p.y) for p in drawn if getattr(p, "color", "") == "red"] == [(1.0, 2.0)]


def test_log_level_sets_the_imgmarker_logger_and_shows_details_only_when_asked(tmp_path, monkeypatch, capsys):
    import logging

    install_plugin(monkeypatch, tmp_path / "site", "needsdep_h", "import nonexistent_dependency_h\n",
                   dist="needs-dep-h")
    fits = write_fits(tmp_path / "fine.fits", gradient(4, 5))
    logger = logging.getLogger("imgmarker")
    before = logger.level
    seen = []

    class Spy(logging.Handler):
        def emit(self, record):
            seen.append((logger.level, record.levelname))

    spy = Spy()
    logger.addHandler(spy)
    try:
        assert main(["--log-level", "debug", "info", str(fits)]) == 0
    finally:
        logger.removeHandler(spy)
    err = capsys.readouterr().err
    assert (logging.DEBUG, "DEBUG") in seen  # the logger was at debug during the command
    assert logger.level == before  # and is put back afterwards
    assert "debug: plugin 'needsdep_h' could not be loaded" in err and "Traceback" in err
    assert main(["--log-level", "ERROR", "info", str(fits)]) == 0
    assert lines(capsys.readouterr().err) == [
        "error: plugin 'needsdep_h' (distribution needs-dep-h 1.0) not loaded: ModuleNotFoundError: "
        "No module named 'nonexistent_dependency_h' (needsdep_h.py:1)"]
    with pytest.raises(SystemExit):
        main(["--log-level", "loud", "info", str(fits)])
    assert "invalid choice: 'loud'" in capsys.readouterr().err


def test_colour_frames_are_checked_too(tmp_path, monkeypatch, capsys):
    """A colour frame goes through the same stretch wrapper (per channel brightness)."""
    install_plugin(monkeypatch, tmp_path / "site", "badstretch_rgb", """
        import imgmarker
        from imgmarker.api import FilterSpec

        @imgmarker.hookimpl
        def imgmarker_filters():
            return FilterSpec(name="odd", kind="stretch", apply=lambda values: values[::2])
    """, dist="odd-rgb")
    png = tmp_path / "c.png"
    PILImage.fromarray(np.zeros((6, 7, 3), np.uint8)).save(png)
    assert main(["render", str(png), "-o", str(tmp_path / "c-out.png"), "--stretch", "odd"]) == 1
    assert lines(capsys.readouterr().err) == [
        f"error: {png}: stretch 'odd' of plugin 'badstretch_rgb' (distribution odd-rgb 1.0) "
        "returned shape (32768,), expected (65535,)"]


def test_a_script_session_says_once_that_a_plugin_did_not_load(tmp_path, monkeypatch, caplog):
    import logging

    from imgmarker.kernel.campaign.session import Session

    install_plugin(monkeypatch, tmp_path / "site", "needsdep_s", "import nonexistent_dependency_s\n",
                   dist="needs-dep-s")
    path = experiment(tmp_path / "camp")
    write_fits(tmp_path / "camp" / "images" / "a.fits", gradient(8, 10))
    with caplog.at_level(logging.INFO, logger="imgmarker"):
        with Session.open(path, user="ann", export_delay=None) as session:
            assert session.add_mark(2.0, 3.0, "1").mark is not None
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "plugin 'needsdep_s' (distribution needs-dep-s 1.0) not loaded: ModuleNotFoundError: "
        "No module named 'nonexistent_dependency_s' (needsdep_s.py:1)"]


def test_a_spatial_filter_of_the_wrong_shape_is_named(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "smallblur_i", """
        import imgmarker
        from imgmarker.api import FilterSpec, ParamSpec

        @imgmarker.hookimpl
        def imgmarker_filters():
            return FilterSpec(name="blur", kind="spatial", apply=lambda data, radius: data[1:],
                              parameters=(ParamSpec("radius"),))
    """, dist="small-blur")
    fits = write_fits(tmp_path / "g.fits", gradient(8, 10))
    out = tmp_path / "g.png"
    assert main(["render", str(fits), "-o", str(out), "--blur", "2", "--no-plugin", "spatial"]) == 1
    assert lines(capsys.readouterr().err) == [
        f"error: {fits}: spatial 'blur' of plugin 'smallblur_i' (distribution small-blur 1.0) "
        "returned shape (7, 10), expected (8, 10)"]
    assert main(["render", str(fits), "-o", str(out), "--blur", "2"]) == 0  # the built-in blur is fine


def test_validate_says_a_local_plugin_that_failed_was_not_loaded(tmp_path, capsys):
    folder = tmp_path / "camp"
    path = experiment(folder, "plugins:\n  modules: [gone.py]\n")
    module = write_module(folder, "gone", "raise ImportError('needs the lab server')\n")
    assert main(["validate", "--trust-modules", str(path)]) == 0
    captured = capsys.readouterr()
    assert lines(captured.err) == [
        f"error: plugin 'gone' (module {module}) not loaded: ImportError: needs the lab server (gone.py:1)"]
    assert f"module:     {module} (not loaded: see the error above)" in captured.out


@pytest.mark.parametrize("fragment, problem", [
    ('{"$ref": "https://example.invalid/tiles.json"}', "refers to 'https://example.invalid/tiles.json'"),
    ('{"type": "object", "properties": {"edge": {"$ref": "#/$defs/nothing"}}}', "refers to '#/$defs/nothing'"),
])
def test_a_config_schema_whose_ref_leads_nowhere_is_refused_at_registration(tmp_path, monkeypatch, capsys,
                                                                             fragment, problem):
    module = f"reftiles_{abs(hash(fragment)) % 10**8}"
    install_plugin(monkeypatch, tmp_path / "site", module, f"""
        import imgmarker
        from imgmarker.api import ConfigSchema

        @imgmarker.hookimpl
        def imgmarker_config_schema():
            return ConfigSchema("tiles", {fragment})
    """, dist="ref-tiles")
    path = experiment(tmp_path / "camp", "plugins:\n  tiles: {edge: red}\n")
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert lines(captured.err) == [
        f"error: plugin '{module}' (distribution ref-tiles 1.0): configuration section 'tiles' {problem}, which "
        "the experiment schema does not define (a section may refer only to #/$defs/catalog, #/$defs/category, "
        "#/$defs/color, #/$defs/group, #/$defs/shape, #/$defs/size_unit); skipped"]
    assert f"{path}: valid experiment 'survey'" in captured.out


def test_a_config_schema_may_use_the_experiment_definitions(tmp_path, monkeypatch, capsys):
    install_plugin(monkeypatch, tmp_path / "site", "colourtiles_j", """
        import imgmarker
        from imgmarker.api import ConfigSchema

        @imgmarker.hookimpl
        def imgmarker_config_schema():
            return ConfigSchema("tiles", {"type": "object", "properties": {"edge": {"$ref": "#/$defs/color"}}})
    """, dist="colour-tiles")
    path = experiment(tmp_path / "camp", "plugins:\n  tiles: {edge: '#12'}\n")
    assert main(["validate", str(path)]) == 1
    assert lines(capsys.readouterr().err) == [
        f"{path}:5: plugins.tiles.edge: '#12' is not a colour ('#RRGGBB', '#RRGGBBAA' or a colour name)",
        f"{path}: 1 error"]

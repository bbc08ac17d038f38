"""docs/api.md runs as written: its shell command, then its script, printing exactly the
output the page shows."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

from imgmarker.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def test_the_first_script_prints_what_the_page_says(tmp_path, monkeypatch):
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    [commands] = blocks(page, "sh")
    [script] = blocks(page, "python")
    [expected] = blocks(page, "text")
    monkeypatch.chdir(tmp_path)
    for line in commands.splitlines():
        argv = shlex.split(line)
        assert argv[0] == "imgmarker"
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(argv[1:]) == 0
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(script, "docs/api.md", "exec"), {"__name__": "__main__"})
    assert printed.getvalue() == expected
    assert (tmp_path / "survey" / "results" / "ana.imgmarker.sqlite").is_file()


def test_the_short_public_name_is_the_session():
    import imgmarker
    from imgmarker.api import Session
    from imgmarker.kernel.campaign.session import Session as Inner

    assert imgmarker.Session is Session is Inner
    assert "-0.5 <= x < width - 0.5" in Inner.add_mark.__doc__


def test_the_logging_command_of_the_files_page_runs(tmp_path, monkeypatch, capsys):
    page = (DOCS / "files.md").read_text(encoding="utf-8")
    [command] = blocks(page, "sh")
    monkeypatch.chdir(tmp_path)
    assert main(["init", "."]) == 0
    capsys.readouterr()
    argv = shlex.split(command)
    assert argv[:3] == ["imgmarker", "--log-level", "debug"]
    assert main(argv[1:]) == 0
    assert "experiment.yaml: valid experiment" in capsys.readouterr().out


def _exec_block(text: str, name: str):
    import types

    module = types.ModuleType(name)
    exec(compile(text, f"{name}.py", "exec"), module.__dict__)
    return module


def test_the_writer_examples_of_the_plugin_guide_and_readme_write_their_file(imgmarker_writer_context):
    from imgmarker.api import MarkRow
    from imgmarker.kernel.plugins.host import create_plugin_host

    guide = blocks((DOCS / "plugins.md").read_text(encoding="utf-8"), "python")[0]
    readme = blocks((DOCS.parent / "README.md").read_text(encoding="utf-8"), "python")[0]
    for i, block in enumerate((guide, readme)):
        plugin = _exec_block(block, f"count_example_{i}")
        host = create_plugin_host(autoload=False, extra=[("count", plugin)])
        assert host.load_problems() == []
        marks = [MarkRow(None, "a.fits", "BCG", "BCG", 1.0, 2.0, None, None, 0, "t") for _ in range(3)]
        context = imgmarker_writer_context(marks, user=f"u{i}")
        host.registry.writers["count"].write(context)
        assert (context.output_dir / f"u{i}_count.txt").read_text() == "3\n"


def test_the_fixture_example_of_the_plugin_guide_passes(imgmarker_writer_context, monkeypatch):
    monkeypatch.syspath_prepend(str(DOCS.parent / "examples" / "plugin-demo"))
    block = blocks((DOCS / "plugins.md").read_text(encoding="utf-8"), "python")[1]
    example = _exec_block(block, "guide_fixture_example")
    example.test_one_line_per_mark(imgmarker_writer_context)

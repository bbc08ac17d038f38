"""The command line as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import imgmarker
from imgmarker.cli import build_parser, main
from imgmarker.commands import COMMANDS


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "imgmarker", *args], capture_output=True, text=True, cwd=cwd)


def test_version_and_module_entry():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"imgmarker {imgmarker.__version__}"


def test_help_lists_every_command_and_each_has_accurate_help(capsys):
    parser = build_parser()
    text = parser.format_help()
    for name in COMMANDS:
        assert name in text
        with pytest.raises(SystemExit) as exit_info:
            main([name, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: imgmarker {name}")


def test_init_writes_an_experiment_that_validates(tmp_path, capsys):
    assert main(["init", str(tmp_path / "camp")]) == 0
    target = tmp_path / "camp" / "experiment.yaml"
    assert target.is_file() and (tmp_path / "camp" / "images").is_dir()
    assert "# " in target.read_text()  # commented for the user
    assert main(["validate", str(target)]) == 0
    out = capsys.readouterr().out
    assert "valid experiment 'My campaign'" in out
    assert "groups:     2: BCG [1] max 1, Star [2]" in out
    assert main(["init", str(tmp_path / "camp")]) == 1
    assert "already exists" in capsys.readouterr().err


def test_validate_summary_counts_images(tmp_path, capsys):
    (tmp_path / "images").mkdir()
    for name in ("a.png", "b.PNG", "c.txt", ".hidden.png"):
        (tmp_path / "images" / name).write_bytes(b"")
    (tmp_path / "experiment.yaml").write_text("schema_version: 1\nimages: {directory: images, patterns: ['*.png', '*.PNG']}\n")
    assert main(["validate", str(tmp_path / "experiment.yaml")]) == 0
    assert "images:     2 found in" in capsys.readouterr().out


def test_validate_reports_errors_with_exit_1(tmp_path):
    (tmp_path / "images").mkdir()
    path = tmp_path / "experiment.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        images: {directory: images}
        groups:
          - name: A
            max: 0
        order: {mode: random}
        output: {directory: out, user: "bad name"}
        display: {blur: -1}
        bogus: 1
        """))
    result = run("validate", str(path))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(path) + ":") and "warning" not in line and not line.endswith(" errors")]
    assert [int(line.split(":")[1]) for line in lines] == [5, 6, 7, 8, 9]
    assert "5 errors" in result.stderr


def test_validate_shows_what_would_be_imported(tmp_path, capsys):
    (tmp_path / "images").mkdir()
    (tmp_path / "extra.py").write_text("raise SystemExit('must not be imported')\n")
    path = tmp_path / "experiment.yaml"
    path.write_text("schema_version: 1\nimages: {directory: images}\nplugins: {modules: [extra.py]}\n")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"module:     {tmp_path / 'extra.py'} (would be imported with --trust-modules)" in out


def test_plugins_lists_loaded_plugins_as_json(capsys):
    assert main(["plugins", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data["plugins"], list)
    for row in data["plugins"]:
        assert {"name", "version", "source", "origin", "hooks", "provides", "error"} <= set(row)


def test_schema_is_json_and_composed_with_plugin_fragments(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "groups" in schema["properties"]

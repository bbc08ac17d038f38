"""docs/datasets.md: every command runs exactly as shown and prints what the page shows."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def _steps(text: str) -> list[tuple[str, str]]:
    """(command, expected output) of every ``$`` line of the console blocks."""
    steps = []
    for block in _blocks(text, "console"):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            steps.append((command, output))
    return steps


def test_every_command_of_the_datasets_page_runs_as_shown(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    scripts = _blocks(text, "python")
    assert len(scripts) == 2
    for script in scripts:
        name = re.match(r"# (\w+\.py):", script).group(1)
        (tmp_path / name).write_text(script, encoding="utf-8")
    steps = _steps(text)
    assert [c.split()[0] for c, _ in steps] == ["imgmarker", "python", "imgmarker", "python", "imgmarker", "imgmarker"]
    for command, expected in steps:
        argv = shlex.split(command)
        program = [sys.executable, "-m", "imgmarker"] if argv[0] == "imgmarker" else [sys.executable]
        done = subprocess.run(program + argv[1:], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command}\n{done.stderr}"
        assert done.stdout == expected, command
        assert "Traceback" not in done.stderr
    assert (tmp_path / "bcg-set" / "labels" / "train").is_dir()
    assert sorted(p.name for p in (tmp_path / "classes" / "images").rglob("*.png")) == [
        "cluster_field.png", "colour_field.png", "gray_field.png", "two_bands.png"]


def test_the_page_lists_exactly_the_table_columns():
    from imgmarker.kernel.datasets.table import COLUMNS

    text = DOC.read_text(encoding="utf-8")
    table = text.split("| column | meaning |", 1)[1].split("\n\n", 1)[0]
    named = [name for row in table.splitlines()[2:] for name in re.findall(r"`(\w+)`", row.split("|")[1])]
    assert named == list(COLUMNS)

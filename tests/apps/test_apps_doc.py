"""docs/apps.md, run as written: pipx installs (when pipx is here) and, on request, the
application build (minutes: set IMGMARKER_BUILD_APP=1)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "apps.md"


def sh_blocks() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    return [block.strip().splitlines() for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL)]


def pipx_command() -> list[str] | None:
    found = shutil.which("pipx") or shutil.which("pipx", path=str(Path(sys.executable).parent))
    return [found] if found else None


def test_the_doc_shows_pipx_first_then_the_build():
    blocks = sh_blocks()
    assert blocks == [["pipx install .", "imgmarker --version"],
                      ["pipx inject imgmarker ./examples/plugin-demo", "imgmarker plugins"],
                      ["python packaging/build.py"], ["python packaging/build.py --smoke"]]


def test_pipx_install_and_inject_as_written(tmp_path):
    pipx = pipx_command()
    if pipx is None:
        pytest.skip("pipx is not installed here")
    home, bin_dir = tmp_path / "pipx", tmp_path / "bin"
    env = {**os.environ, "PIPX_HOME": str(home), "PIPX_BIN_DIR": str(bin_dir), "PIPX_MAN_DIR": str(tmp_path / "man"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    outputs = []
    for block in sh_blocks()[:2]:
        for line in block:
            words = shlex.split(line)
            program = pipx if words[0] == "pipx" else [str(bin_dir / words[0])]
            done = subprocess.run(program + words[1:], cwd=REPO, env=env, capture_output=True, text=True,
                                  timeout=900)
            assert done.returncode == 0, f"{line}: {done.stdout}\n{done.stderr}"
            outputs.append(done.stdout)
    from imgmarker import __version__

    assert outputs[1].strip() == f"imgmarker {__version__}"
    assert re.search(r"^jsonl 0\.1\.0 \[distribution: imgmarker-jsonl\]$", outputs[3], re.MULTILINE), outputs[3]


@pytest.mark.skipif(os.environ.get("IMGMARKER_BUILD_APP") != "1", reason="set IMGMARKER_BUILD_APP=1 to build the app")
def test_build_and_smoke_as_written():
    words = shlex.split(sh_blocks()[3][0])
    done = subprocess.run([sys.executable, *words[1:]], cwd=REPO, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.rstrip().endswith("smoke test passed")

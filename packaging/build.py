"""Build the self-contained imgmarker application folder for this platform.

    python packaging/build.py            # dist/imgmarker/ (and dist/imgmarker.app on macOS)
    python packaging/build.py --smoke    # build, then run packaging/smoke.py on it

The project is installed (not in editable mode) into a build environment,
``build/app-venv``, together with PyInstaller, and ``packaging/imgmarker.spec`` is
built there, so the app holds exactly the released package and its metadata (plugins
are found through entry points). The same command builds on Linux, macOS and Windows;
an app runs on the platform (and processor family) it was built on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "imgmarker.spec"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def step(title: str, command: list[str], cwd: Path) -> None:
    print(f"== {title}: {' '.join(command)}", flush=True)
    subprocess.run(command, check=True, cwd=cwd)


def build(venv: Path, dist: Path, work: Path, current: bool) -> Path:
    # Run outside the checkout: from inside it, "import imgmarker" would find the source
    # tree (without the plugins and schemas the installed package maps in) first.
    work.mkdir(parents=True, exist_ok=True)
    if current:
        python = Path(sys.executable)
    else:
        python = venv_python(venv)
        if not python.exists():
            step("build environment", [sys.executable, "-m", "venv", str(venv)], work)
        step("install imgmarker and PyInstaller", [str(python), "-m", "pip", "install", "--quiet",
                                                   "--upgrade", f"{REPO}[apps]"], work)
    step("PyInstaller", [str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(dist),
                         "--workpath", str(work), str(SPEC)], work)
    return dist / "imgmarker"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="run the smoke test on the built app")
    parser.add_argument("--dist", default=str(REPO / "dist"), help="output folder (default: dist/)")
    parser.add_argument("--venv", default=str(REPO / "build" / "app-venv"),
                        help="build environment (default: build/app-venv)")
    parser.add_argument("--current-env", action="store_true",
                        help="build with this Python environment instead (imgmarker installed without -e)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    app = build(Path(args.venv).resolve(), Path(args.dist).resolve(), REPO / "build" / "pyinstaller",
                args.current_env)
    print(f"built {app} in {time.monotonic() - start:.0f} s")
    if args.smoke:
        sys.path.insert(0, str(REPO / "packaging"))
        import smoke

        return smoke.main([str(app)])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Smoke test of a built application folder, run with no Python on PATH.

    python packaging/smoke.py dist/imgmarker

Runs the frozen program directly, with ``PATH`` pointing at an empty folder (so no
``python`` can be found) and the Python variables removed, and checks what a user
would: it prints its version, lists its built-in plugins, writes the demo campaign,
renders an image, opens the window offscreen on the demo and places a mark that
reaches the output files, runs a local plugin file that an experiment names (with
--trust-modules), and imports an Image Marker 1.2 save folder.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300

PLUGIN = '''\
import imgmarker
from imgmarker.api import WriterSpec


def write(context):
    with context.atomic_write(f"{context.user}_count.txt") as out:
        out.write(f"{sum(1 for _ in context.marks())}\\n")


@imgmarker.hookimpl
def imgmarker_writers():
    return WriterSpec(name="count", write=write)
'''


class SmokeFailure(AssertionError):
    pass


def executable(app_dir: Path) -> Path:
    return Path(app_dir).resolve() / ("imgmarker.exe" if os.name == "nt" else "imgmarker")


def expected_version() -> str:
    text = (REPO / "imgmarker" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE).group(1)


def bare_environment(work: Path) -> dict[str, str]:
    """The user's environment without Python: PATH is an empty folder."""
    empty = work / "empty-path"
    empty.mkdir(exist_ok=True)
    keep = {"SYSTEMROOT", "WINDIR", "TEMP", "TMP", "LANG", "LC_ALL", "XDG_RUNTIME_DIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({"PATH": str(empty), "HOME": str(work / "home"), "USERPROFILE": str(work / "home"),
                "QT_QPA_PLATFORM": "offscreen", "IMGMARKER_CONFIG_DIR": str(work / "config")})
    (work / "home").mkdir(exist_ok=True)
    if shutil.which("python", path=env["PATH"]) or shutil.which("python3", path=env["PATH"]):
        raise SmokeFailure("python is still on PATH")
    return env


def run(app: Path, args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(app), *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT_S, encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise SmokeFailure(f"imgmarker {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SmokeFailure(f"{path} is not a PNG")
    return struct.unpack(">II", data[16:24])


def legacy_save_folder(folder: Path, images: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ana_config.txt").write_bytes(
        (f"image_dir = {images}/\r\ngroups = BCG,Star,3,4,5,6,7,8,9\r\ncategories = Cluster,2,3,4,5\r\n"
         "group_max = 1,None,None,None,None,None,None,None,None\r\nrandomize_order = False\r\n"
         "left_click_group = 1").encode("cp1252"))
    (folder / "ana_marks.csv").write_bytes(
        "date,image,group,label,x,y,RA,DEC\r\n"
        "2025-03-04,cluster_field.fits,BCG,None,254,257,nan,nan\r\n"
        "2025-03-04,colour_field.png,Star,é,10,12,nan,nan\r\n".encode("cp1252"))
    (folder / "ana_images.csv").write_bytes(
        "date,image,RA,DEC,categories,comment\r\r\n"
        "2025-03-04,cluster_field.fits,150.1,2.2,Cluster,None\r\r\n"
        "2025-03-04,colour_field.png,nan,nan,None,très flou\r\r\n".encode("cp1252"))
    (folder / "ana_favorites.csv").write_bytes(b"")
    return folder


def smoke(app_dir: Path, work: Path | None = None) -> list[str]:
    """Run every check; the lines saying what passed. Raises SmokeFailure."""
    app = executable(app_dir)
    if not app.is_file():
        raise SmokeFailure(f"{app}: no built application here (build it with: python packaging/build.py)")
    work = Path(work or tempfile.mkdtemp(prefix="imgmarker-smoke-"))
    env = bare_environment(work)
    passed = []

    version = run(app, ["--version"], env, work).stdout.strip()
    if version != f"imgmarker {expected_version()}":
        raise SmokeFailure(f"--version printed {version!r}")
    passed.append(f"version: {version}")

    listing = run(app, ["plugins"], env, work).stdout
    for name in ("fits", "tiff", "pillow", "csv", "catalog-text"):
        if not re.search(rf"^\s*{re.escape(name)}\b", listing, re.MULTILINE) and name not in listing:
            raise SmokeFailure(f"built-in plugin {name!r} not listed:\n{listing}")
    passed.append("plugins: the built-in readers, writers and catalogs load through entry points")

    demo = work / "demo"
    run(app, ["demo", str(demo), "--no-run"], env, work)
    if not (demo / "experiment.yaml").is_file():
        raise SmokeFailure("demo --no-run wrote no experiment.yaml")
    passed.append("demo --no-run: wrote the demo campaign")

    out = work / "render.png"
    run(app, ["render", str(demo / "images" / "cluster_field.fits"), "-o", str(out)], env, work)
    width, height = png_size(out)
    if width < 100 or height < 100:
        raise SmokeFailure(f"render wrote a {width} x {height} PNG")
    passed.append(f"render: {width} x {height} PNG of the FITS image")

    done = run(app, ["run", str(demo / "experiment.yaml"), "--smoke", "--user", "smoke"], env, work)
    marks = demo / "results" / "smoke_marks.csv"
    rows = marks.read_text(encoding="utf-8").splitlines() if marks.is_file() else []
    if "smoke: placed" not in done.stdout or len(rows) != 2 or ",cluster_field.fits," not in "," + rows[1]:
        raise SmokeFailure(f"run --smoke: {done.stdout} {done.stderr}; {marks}: {rows}")
    passed.append(f"window (offscreen): {done.stdout.strip()}")

    (demo / "count_writer.py").write_text(PLUGIN, encoding="utf-8")
    (demo / "with-plugin.yaml").write_text(
        "schema_version: 1\nimages: {directory: images}\n"
        "output: {directory: results, writers: [csv, count], user: smoke}\n"
        "plugins: {modules: [count_writer.py]}\n", encoding="utf-8")
    refused = subprocess.run([str(app), "export", str(demo / "with-plugin.yaml")], env=env, cwd=work,
                             capture_output=True, text=True, timeout=TIMEOUT_S)
    if (demo / "results" / "smoke_count.txt").exists():
        raise SmokeFailure("a local plugin file ran without --trust-modules")
    run(app, ["export", str(demo / "with-plugin.yaml"), "--trust-modules"], env, work)
    count = (demo / "results" / "smoke_count.txt").read_text(encoding="utf-8").strip()
    if count != "1":
        raise SmokeFailure(f"the local plugin counted {count!r} marks")
    passed.append("local plugin file named by an experiment: refused without --trust-modules "
                  f"(exit {refused.returncode}), runs with it")

    save = legacy_save_folder(work / "ana-save", demo / "images")
    done = run(app, ["migrate", str(save)], env, work)
    if "imported: 2 images seen" not in done.stdout or "1 mark(s) gained RA/Dec" not in done.stdout:
        raise SmokeFailure(f"migrate: {done.stdout} {done.stderr}")
    passed.append("migrate: a cp1252 save folder imported, RA/Dec from the FITS WCS")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app_dir", nargs="?", default=str(REPO / "dist" / "imgmarker"),
                        help="the built application folder (default: dist/imgmarker)")
    args = parser.parse_args(argv)
    try:
        for line in smoke(Path(args.app_dir)):
            print(f"ok  {line}")
    except SmokeFailure as exc:
        print(f"FAILED  {exc}", file=sys.stderr)
        return 1
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

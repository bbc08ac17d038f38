"""A stand-in image reader for session tests: ``.npy`` arrays, with a TAN WCS when the
file name contains ``wcs``; ``.bad`` files always fail to read."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import imgmarker
from imgmarker.kernel.imaging.images import Frame, FrameInfo, Image, ImageReadError
from imgmarker.kernel.plugins.records import ReaderSpec

CRVAL = (150.0, 2.0)
CDELT = 1e-4  # degrees per pixel


def make_wcs(height: int, width: int):
    from astropy.wcs import WCS

    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = list(CRVAL)
    wcs.wcs.crpix = [width / 2 + 0.5, height / 2 + 0.5]
    wcs.wcs.cdelt = [-CDELT, CDELT]
    wcs.pixel_shape = (width, height)
    return wcs


def _open(path: Path, max_pixels=None) -> Image:
    path = Path(path)
    if path.suffix == ".bad":
        raise ImageReadError(path, "not a readable image (fake reader)")
    data = np.load(path)
    frames = []
    stack = data if data.ndim == 3 else data[None]
    for i, plane in enumerate(stack):
        h, w = plane.shape
        loader = (lambda h=h, w=w: make_wcs(h, w)) if "wcs" in path.name else None
        frames.append(Frame(FrameInfo(i, f"plane {i}", (h, w), str(plane.dtype)),
                            load=lambda plane=plane: plane, wcs_loader=loader))
    return Image(path, "npy", frames)


class FakeReader:
    @imgmarker.hookimpl
    def imgmarker_readers(self):
        return ReaderSpec("fakenpy", (".npy", ".bad"), _open)


def fake_host():
    from imgmarker.kernel.plugins.host import create_plugin_host

    return create_plugin_host(autoload=False, extra=[("fake", FakeReader())])


def write_image(path: Path, height: int = 40, width: int = 50, frames: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.zeros((frames, height, width) if frames > 1 else (height, width), dtype=np.float32)
    with open(path, "wb") as handle:
        np.save(handle, data)
    return path


def write_experiment(folder: Path, body: str) -> Path:
    """An experiment.yaml in ``folder`` whose images are in ``folder/images``."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    path = folder / "experiment.yaml"
    path.write_text("schema_version: 1\nimages:\n  directory: images\n" + body, encoding="utf-8")
    return path


def make_campaign(folder: Path, body: str = "", n: int = 10, wcs: bool = False,
                  prefix: str = "img") -> Path:
    """An experiment with ``n`` images ``img000.npy``...; names contain ``wcs`` if asked."""
    exp = write_experiment(folder, body)
    for i in range(n):
        write_image(folder / "images" / f"{prefix}{'_wcs' if wcs else ''}{i:03d}.npy")
    return exp


def load(path: Path, host):
    from imgmarker.kernel.experiment.loader import load_experiment

    return load_experiment(path, host.registry)

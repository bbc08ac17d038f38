"""A self-contained demo campaign made of synthetic images.

Every format the program reads is represented (FITS with a WCS and a few blank pixels,
a two-page 16-bit TIFF with a STIFF-style embedded WCS, an RGB PNG and a JPEG) together
with a catalog of the true source positions, so a new user sees marks, overlays and
sky coordinates working within seconds. Generation is seeded: the same files every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SIZE = 512
CENTER = (150.1, 2.2)  # RA, Dec in degrees
PIXEL_SCALE = 0.5 / 3600  # degrees per pixel

EXPERIMENT = """\
schema_version: 1
name: imgmarker demo
instructions: |
  Welcome to the imgmarker demo.
  - Press 1 (or left-click) to mark the brightest cluster galaxy (BCG), 2 for a star,
    3 for an artefact. Shift+click deletes a mark, drag moves it, Ctrl+Z undoes.
  - Ctrl+1..3 put the image in a category; F flags a favourite.
  - Tab / Shift+Tab go to the next / previous image; Space shows the next frame.
  - Alt+1 shows or hides the catalog of candidate positions; A accepts the
    candidate under the cursor as a mark.
  Results are written to the results/ folder as you work.
images:
  directory: images
order:
  mode: sorted
groups:
  - {{name: BCG, color: "#E69F00", shape: circle, size: 24, max: 1}}
  - {{name: Star, color: "#56B4E9", shape: cross, size: 14}}
  - {{name: Artefact, color: "#CC79A7", shape: square, size: 16, max: 5}}
categories:
  exclusive: true
  items:
    - {{name: Cluster}}
    - {{name: No cluster}}
    - {{name: Bad image}}
display:
  interval: zscale
  stretch: asinh
catalogs:
  - {{path: catalogs/candidates.csv, name: candidates, color: "#00FFFF", size: 20}}
output:
  directory: results
  writers: [{writers}]
controls:
  left_click_group: BCG
"""


@dataclass(frozen=True)
class Source:
    label: str
    x: float  # FITS 0-based column
    y: float  # FITS 0-based row (y up)
    flux: float
    sigma: float
    ellipticity: float = 0.0
    angle: float = 0.0


def tan_header(width: int = SIZE, height: int = SIZE):
    from astropy.io import fits

    header = fits.Header()
    header["CTYPE1"], header["CTYPE2"] = "RA---TAN", "DEC--TAN"
    header["CRVAL1"], header["CRVAL2"] = CENTER
    header["CRPIX1"], header["CRPIX2"] = (width + 1) / 2, (height + 1) / 2
    header["CD1_1"], header["CD1_2"] = -PIXEL_SCALE, 0.0
    header["CD2_1"], header["CD2_2"] = 0.0, PIXEL_SCALE
    header["RADESYS"], header["EQUINOX"] = "ICRS", 2000.0
    return header


def _sources(rng: np.random.Generator) -> list[Source]:
    sources = [Source("BCG", 300.3, 280.6, 150000.0, 9.0, 0.35, 0.6)]
    for i in range(60):
        sources.append(Source(f"star {i + 1}", float(rng.uniform(10, SIZE - 10)), float(rng.uniform(10, SIZE - 10)),
                              float(rng.lognormal(6.0, 1.0)), 1.6))
    for i in range(6):
        sources.append(Source(f"member {i + 1}", float(300 + rng.normal(0, 45)), float(280 + rng.normal(0, 45)),
                              float(rng.uniform(1500, 3000)), 4.0, 0.3, float(rng.uniform(0, np.pi))))
    return sources


def render_field(sources: list[Source], rng: np.random.Generator, sky: float = 100.0,
                 noise: float = 5.0) -> np.ndarray:
    """An image in FITS orientation (row 0 at the bottom)."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    image = np.full((SIZE, SIZE), sky, dtype=np.float32)
    for s in sources:
        half = int(6 * s.sigma) + 2
        x0, x1 = max(int(s.x) - half, 0), min(int(s.x) + half, SIZE)
        y0, y1 = max(int(s.y) - half, 0), min(int(s.y) + half, SIZE)
        dx, dy = xx[y0:y1, x0:x1] - s.x, yy[y0:y1, x0:x1] - s.y
        c, si = np.cos(s.angle), np.sin(s.angle)
        u, v = dx * c + dy * si, (-dx * si + dy * c) / (1 - s.ellipticity)
        image[y0:y1, x0:x1] += s.flux / (2 * np.pi * s.sigma ** 2) * np.exp(-(u * u + v * v) / (2 * s.sigma ** 2))
    image += rng.normal(0, noise, image.shape).astype(np.float32)
    return image


def stiff_description(header) -> str:
    """FITS cards as STIFF writes them into ImageDescription: 80 characters each, no newlines."""
    return "".join(card.image for card in header.cards) + "END".ljust(80)


def write_demo(folder: Path | str, writers: str = "csv, ds9") -> Path:
    """Write the demo campaign into ``folder``; return the experiment path."""
    import tifffile
    from astropy.io import fits
    from astropy.wcs import WCS
    from PIL import Image as PILImage

    folder = Path(folder)
    images = folder / "images"
    catalogs = folder / "catalogs"
    images.mkdir(parents=True, exist_ok=True)
    catalogs.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261121)
    sources = _sources(rng)
    header = tan_header()

    field = render_field(sources, rng)
    field[5:9, 400:430] = np.nan  # a strip of blank pixels, shown in the NaN colour
    hdu = fits.PrimaryHDU(field, header=header)
    hdu.header["OBJECT"] = "Synthetic cluster field"
    hdu.writeto(images / "cluster_field.fits", overwrite=True)

    # STIFF stores the top row first and copies the FITS header unchanged, so the WCS
    # still describes FITS pixels (y up) and display (x, y) maps to FITS (x, H - 1 - y).
    red = np.clip(render_field(sources, rng, sky=300, noise=8) * 4, 0, 65535).astype(np.uint16)
    blue = np.clip(render_field(sources[:40], rng, sky=200, noise=8) * 4, 0, 65535).astype(np.uint16)
    description = stiff_description(header)
    with tifffile.TiffWriter(images / "two_bands.tif") as tif:
        for band in (red[::-1], blue[::-1]):
            tif.write(band, description=description, compression="zlib", metadata=None)

    gray = render_field(sources, rng)
    lo, hi = np.percentile(gray, [1, 99.7])
    unit = np.clip((gray - lo) / (hi - lo), 0, 1)[::-1]
    rgb = np.stack([unit ** 0.8, unit, unit ** 1.3], axis=-1)
    PILImage.fromarray((rgb * 255).astype(np.uint8), "RGB").save(images / "colour_field.png")
    PILImage.fromarray((unit * 255).astype(np.uint8), "L").save(images / "gray_field.jpg", quality=92)

    wcs = WCS(header)
    lines = ["label,ra,dec,size(arcsec),kind"]
    for s in sources[:12] + [s for s in sources if s.label.startswith("member")]:
        ra, dec = wcs.all_pix2world(s.x, s.y, 0)
        kind = "galaxy" if s.label == "BCG" or s.label.startswith("member") else "star"
        lines.append(f"{s.label},{float(ra):.8f},{float(dec):.8f},{6 if kind == 'galaxy' else 3},{kind}")
    (catalogs / "candidates.csv").write_text("\n".join(dict.fromkeys(lines)) + "\n", encoding="utf-8")

    experiment = folder / "experiment.yaml"
    experiment.write_text(EXPERIMENT.format(writers=writers), encoding="utf-8")
    return experiment

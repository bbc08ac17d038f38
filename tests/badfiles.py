"""A corpus of bad input, made on the fly: every kind of file, name and experiment that
has stopped a campaign, plus good files beside them that must keep working.

``make_corpus(folder)`` writes an image folder (``images/``) holding good images and
bad entries of every kind, experiment files that are bombs or broken, catalogs that
cannot be read and results folders that cannot be made. Each bad thing is recorded
with its kind, so a test can run every command over all of them and check each one
ends in one clear line.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from datamakers import tan_header, write_fits, write_pillow, write_sparse_fits, write_tiff

#: undecodable in UTF-8: Latin-1 e-acute, a stray continuation byte, an invalid lead byte
NON_UTF8_NAMES = (b"caf\xe9.fits", b"\x80odd.png", b"\xff\xfe.tif")
#: valid UTF-8 but awkward: control characters that would break a message in two
CONTROL_NAMES = ("line\nbreak.fits", "tab\there.png")
#: a float32 frame too large to hold comfortably (1.6 GB), written sparse: no disk used
LARGE_SIDE = 20_000


@dataclass
class Corpus:
    root: Path
    images: Path
    good: list[str] = field(default_factory=list)  # image names (relative) that open
    bad_images: dict[str, str] = field(default_factory=dict)  # path -> kind: in the folder, cannot be opened
    not_listed: dict[str, str] = field(default_factory=dict)  # path -> kind: in the folder, skipped by discovery
    experiments: dict[str, str] = field(default_factory=dict)  # path -> kind: refused by validate
    catalogs: dict[str, str] = field(default_factory=dict)  # path -> kind: unreadable catalogs
    outputs: dict[str, str] = field(default_factory=dict)  # results folder -> kind: cannot be written
    large: Path | None = None  # a good image too large to hold: shown through its overview

    def anything(self) -> dict[str, str]:
        """Every path an ``info`` or ``render`` user might type, with its kind."""
        out = {str(self.images / n): "good" for n in self.good}
        out.update(self.bad_images)
        out.update(self.not_listed)
        out.update(self.catalogs)
        out.update(self.experiments)
        out[str(self.root / "no such file.fits")] = "missing"
        out[str(self.images)] = "folder"
        return out


def written_name(name: str) -> str:
    """How an output file writes an image name: exactly, unless it is not UTF-8
    (then each undecodable byte as ``\\xNN``)."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def _fs(name: bytes | str) -> str:
    return os.fsdecode(name) if isinstance(name, bytes) else name


def _good_picture(height: int = 40, width: int = 60) -> np.ndarray:
    return np.tile(np.linspace(0.0, 1000.0, width, dtype=np.float32), (height, 1))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def huge_png_header(path: Path, width: int = 200_000, height: int = 200_000) -> Path:
    """A tiny PNG that claims a picture of ``width`` x ``height`` (a decompression bomb's shape)."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    body = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body)
                     + _png_chunk(b"IEND", b""))
    return path


def huge_fits_header(path: Path, side: int = 1_000_000) -> Path:
    """A FITS header claiming ``side`` x ``side`` float32 pixels, with almost no data."""
    from astropy.io import fits

    header = fits.Header([("SIMPLE", True), ("BITPIX", -32), ("NAXIS", 2), ("NAXIS1", side), ("NAXIS2", side)])
    path.write_bytes(header.tostring().encode("ascii") + b"\0" * 2880)
    return path


def huge_tiff_header(path: Path, side: int = 60_000) -> Path:
    """A TIFF whose tags claim ``side`` x ``side`` pixels over a few bytes of data."""
    import tifffile

    write_tiff(path, [np.zeros((10, 10), np.uint8)])
    raw = bytearray(path.read_bytes())
    with tifffile.TiffFile(path) as tif:
        tags = [(t.valueoffset, t.dtype) for t in tif.pages[0].tags.values()
                if t.name in ("ImageWidth", "ImageLength")]
    for offset, kind in tags:  # values stored in the tag itself: short (3) or long (4)
        size = 2 if int(kind) == 3 else 4
        raw[offset:offset + size] = min(side, 2 ** (8 * size) - 1).to_bytes(size, "little")
    path.write_bytes(bytes(raw))
    return path


def _bad_images(c: Corpus) -> None:
    img = c.images
    good = write_fits(img / "good.fits", _good_picture(), tan_header(60, 40))
    pillow_good = write_pillow(img / "good.png", (_good_picture() / 4).astype(np.uint8))
    c.good += [good.name, pillow_good.name]
    for raw in NON_UTF8_NAMES + CONTROL_NAMES:  # good images with awkward names
        name = _fs(raw)
        path = img / name
        if name.endswith(".fits"):
            write_fits(path, _good_picture(), tan_header(60, 40))
        elif name.endswith(".png"):
            write_pillow(path, (_good_picture() / 4).astype(np.uint8))
        else:
            write_tiff(path, [(_good_picture() / 4).astype(np.uint8)])
        c.good.append(name)
    bad = {
        "empty.fits": b"",
        "empty.png": b"",
        "empty.tif": b"",
        "text.fits": b"this is not a FITS file at all\n" * 10,
        "text.png": b"not a png\n",
        "text.tiff": b"II*\x00garbage",
        "zeros.jpg": b"\0" * 1000,
    }
    for name, data in bad.items():
        (img / name).write_bytes(data)
        c.bad_images[str(img / name)] = "empty" if not data else "wrong type"
    truncated = write_fits(img / "truncated.fits", _good_picture(400, 300), tan_header(300, 400))
    truncated.write_bytes(truncated.read_bytes()[:5000])
    c.bad_images[str(truncated)] = "truncated"
    png = write_pillow(img / "truncated.png", (np.random.default_rng(1).random((300, 300)) * 255).astype(np.uint8))
    png.write_bytes(png.read_bytes()[:400])
    c.bad_images[str(png)] = "truncated"
    tif = write_tiff(img / "truncated.tif", [(np.random.default_rng(2).random((300, 300)) * 255).astype(np.uint8)])
    tif.write_bytes(tif.read_bytes()[:700])
    c.bad_images[str(tif)] = "truncated"
    (img / "png-named.fits").write_bytes(png.read_bytes())  # a PNG under a FITS name
    c.bad_images[str(img / "png-named.fits")] = "wrong type"
    c.bad_images[str(huge_png_header(img / "huge.png"))] = "huge"
    c.bad_images[str(huge_fits_header(img / "huge.fits"))] = "huge"
    c.bad_images[str(huge_tiff_header(img / "huge.tif"))] = "huge"
    c.large = write_sparse_fits(img / "large-sparse.fits", LARGE_SIDE, LARGE_SIDE, {(100, 200): 5.0})
    c.good.append(c.large.name)
    write_fits(img / "table-only.fits", None, tables=1)
    c.bad_images[str(img / "table-only.fits")] = "no image data"
    # entries that are not regular files at all
    os.mkfifo(img / "pipe.fits")
    c.not_listed[str(img / "pipe.fits")] = "fifo"
    (img / "folder.fits").mkdir()
    write_fits(img / "folder.fits" / "inside.fits", _good_picture(), None)
    c.not_listed[str(img / "folder.fits")] = "folder"
    (img / "dangling.fits").symlink_to(img / "gone.fits")
    c.not_listed[str(img / "dangling.fits")] = "dangling link"
    (img / "loop.png").symlink_to(img / "loop.png")
    c.not_listed[str(img / "loop.png")] = "link loop"
    (img / "a.tif").symlink_to(img / "b.tif")
    (img / "b.tif").symlink_to(img / "a.tif")
    c.not_listed[str(img / "a.tif")] = "link loop"
    c.not_listed[str(img / "b.tif")] = "link loop"
    (img / "sub").mkdir()
    (img / "sub" / "up").symlink_to(img, target_is_directory=True)  # a folder loop, for recursive scans


def _bad_experiments(c: Corpus) -> None:
    root = c.root
    head = "schema_version: 1\nimages: {directory: images}\n"
    laughs = [head + 'plugins:\n  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n']
    laughs += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 12)]
    bombs = {
        "bomb.yaml": "".join(laughs),
        "bomb-in-groups.yaml": head + "x: &x [{name: a}, {name: a}, {name: a}, {name: a}, {name: a}]\n"
                               + "".join(f"y{i}: &y{i} [{', '.join(['*x' if i == 0 else f'*y{i - 1}'] * 8)}]\n"
                                         for i in range(9)) + "groups: *y8\n",
        "recursive.yaml": head + "plugins: &p {self: *p}\n",
        "recursive-list.yaml": head + "groups: &g [*g]\n",
        "deep-flow.yaml": head + "plugins: {x: " + "[" * 50_000 + "]" * 50_000 + "}\n",
        "deep-block.yaml": head + "plugins:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(500)),
        "not-yaml.yaml": head + "groups: [unclosed\n",
        "not-utf8.yaml": None,
        "empty.yaml": "",
        "a-list.yaml": "- 1\n- 2\n",
        "huge.yaml": head + "#" + "x" * (9 * 1024 * 1024) + "\n",
    }
    for name, text in bombs.items():
        path = root / name
        if text is None:
            path.write_bytes(head.encode() + b"name: caf\xe9\n")
        else:
            path.write_text(text, encoding="utf-8")
        c.experiments[str(path)] = name.rsplit(".", 1)[0]
    os.mkfifo(root / "pipe.yaml")
    c.experiments[str(root / "pipe.yaml")] = "fifo"
    (root / "folder.yaml").mkdir()
    c.experiments[str(root / "folder.yaml")] = "folder"


def _bad_catalogs(c: Corpus) -> None:
    root = c.root
    (root / "catalogs").mkdir()
    (root / "catalogs" / "empty.csv").write_bytes(b"")
    # neither UTF-8 nor Windows-1252 (0x81 and 0x8d are unassigned there), which would be read
    (root / "catalogs" / "not-text.csv").write_bytes(b"ra,dec,label\n150.0,2.0,caf\x81\x8d\n")
    (root / "catalogs" / "no-columns.csv").write_text("just one column\n1\n2\n")
    (root / "catalogs" / "binary.fits").write_bytes(b"\x00\x01\x02" * 100)
    os.mkfifo(root / "catalogs" / "pipe.csv")
    (root / "catalogs" / "folder.csv").mkdir()
    (root / "catalogs" / "dangling.csv").symlink_to(root / "catalogs" / "gone.csv")
    for entry in sorted((root / "catalogs").iterdir()):
        c.catalogs[str(entry)] = "unreadable catalog"


def _bad_outputs(c: Corpus) -> None:
    root = c.root
    (root / "a-file").write_text("in the way\n")
    c.outputs["a-file"] = "a file"
    c.outputs["a-file/results"] = "under a file"
    (root / "dangling-results").symlink_to(root / "nowhere" / "results")
    c.outputs["dangling-results"] = "dangling link"
    c.outputs["/proc/imgmarker-results"] = "cannot be created"


def make_corpus(folder: Path) -> Corpus:
    folder.mkdir(parents=True, exist_ok=True)
    c = Corpus(folder, folder / "images")
    c.images.mkdir()
    _bad_images(c)
    _bad_experiments(c)
    _bad_catalogs(c)
    _bad_outputs(c)
    return c


def experiment_over(c: Corpus, name: str, *, recursive: bool = False, catalogs: list[str] = (),
                    output: str = "results", writers: str = "[csv, ds9, votable]") -> Path:
    """A valid experiment over the corpus's image folder (with ``catalogs`` and ``output``)."""
    lines = ["schema_version: 1", f"name: {name}", f"images: {{directory: images, recursive: {str(recursive).lower()}}}",
             "groups: [{name: A}, {name: B}]", f"output: {{directory: {output!r}, writers: {writers}}}"]
    if catalogs:
        lines.append("catalogs:")
        lines += [f"  - {{path: {p!r}}}" for p in catalogs]
    path = c.root / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

"""Image Marker 1.2 save folders made on the fly, byte for byte as 1.2 writes them.

Conventions taken from Image Marker's source (``io.py``, ``config.py``,
``coordinates``): the config is written in text mode (LF on Linux, CRLF on Windows)
without a final newline; ``<user>_marks.csv`` by ``csv.DictWriter`` into a file opened
with ``newline=''`` (CRLF everywhere); ``<user>_images.csv`` by ``csv.DictWriter`` into a
file opened without ``newline=''`` (CRLF on Linux, CR CR LF on Windows); RA/Dec of a mark
from FITS pixel ``(x, H - y)``; a seen image without marks gets a ``None``/``nan`` row;
marks on a repeat are labelled ``DUPLICATE`` or ``<label>, DUPLICATE``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from datamakers import tan_header, write_fits, write_pillow

FITS_W, FITS_H = 80, 60


@dataclass
class Seen:
    image: str
    pass_index: int = 1
    categories: tuple[int, ...] = ()  # 1-based category numbers
    comment: str = "None"
    marks: list[tuple[int, str | None, str, str]] = field(default_factory=list)  # (group 1..9, label, x, y)


@dataclass
class Legacy12:
    folder: Path
    images: Path
    user: str = "ana"
    groups: tuple[str, ...] = ("BCG", "Galaxy", "Star", "4", "5", "6", "7", "8", "9")
    categories: tuple[str, ...] = ("Cluster", "No cluster", "Bad", "4", "5")
    group_max: tuple[str, ...] = ("1", "None", "3", "None", "None", "None", "None", "None", "None")
    randomize: bool = True
    left_click: int = 2
    windows: bool = False  # CRLF config, CR CR LF images file, cp1252 text
    image_dir_text: str | None = None  # what the config says (default: the real folder)
    seen: list[Seen] = field(default_factory=list)
    favorites: set[str] = field(default_factory=set)
    favorites_style: str = "csv"  # "csv", "pipe", "empty" or "absent"
    catalogs: dict[str, bytes] = field(default_factory=dict)
    date: str = "2025-03-04"

    @property
    def encoding(self) -> str:
        return "cp1252" if self.windows else "utf-8"

    def _text_mode(self, text: str) -> bytes:
        """What Python's text mode writes on the annotator's platform."""
        return (text.replace("\n", "\r\n") if self.windows else text).encode(self.encoding)

    def write(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._config()
        self._marks()
        self._images()
        self._favorites()
        if self.catalogs:
            (self.folder / "imports").mkdir(exist_ok=True)
            for name, data in self.catalogs.items():
                (self.folder / "imports" / name).write_bytes(data)
        return self.folder

    def _config(self) -> None:
        image_dir = self.image_dir_text if self.image_dir_text is not None else str(self.images) + "/"
        text = (f"image_dir = {image_dir}\n"
                f"groups = {','.join(self.groups)}\n"
                f"categories = {','.join(self.categories)}\n"
                f"group_max = {','.join(self.group_max)}\n"
                f"randomize_order = {self.randomize}\n"
                f"left_click_group = {self.left_click}")
        (self.folder / f"{self.user}_config.txt").write_bytes(self._text_mode(text))

    def sky_1_2(self, image: str, x: float, y: float) -> tuple[str, str]:
        """RA/Dec as Image Marker 1.2 computes them (FITS y = H - y)."""
        if not image.endswith(".fits"):
            return "nan", "nan"
        from astropy.wcs import WCS

        ra, dec = WCS(tan_header(FITS_W, FITS_H)).all_pix2world([[x, FITS_H - y]], 0)[0]
        return str(ra), str(dec)

    def _marks(self) -> None:
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=["date", "image", "group", "label", "x", "y", "RA", "DEC"])
        writer.writeheader()
        for entry in self.seen:
            if not entry.marks:
                writer.writerow({"date": self.date, "image": entry.image, "group": "None", "label": "None",
                                 "x": "nan", "y": "nan", "RA": "nan", "DEC": "nan"})
            for group, label, x, y in entry.marks:
                if entry.pass_index == 2:
                    label = "DUPLICATE" if label is None else f"{label}, DUPLICATE"
                ra, dec = self.sky_1_2(entry.image, float(x), float(y))
                writer.writerow({"date": self.date, "image": entry.image, "group": self.groups[group - 1],
                                 "label": label or "None", "x": x, "y": y, "RA": ra, "DEC": dec})
        (self.folder / f"{self.user}_marks.csv").write_bytes(out.getvalue().encode(self.encoding))

    def _image_rows(self, entries: list[Seen], joiner: str = "+") -> list[dict[str, str]]:
        rows = []
        for entry in entries:
            cats = joiner.join(self.categories[i - 1] for i in sorted(entry.categories)) or "None"
            rows.append({"date": self.date, "image": entry.image, "RA": "150.0", "DEC": "2.0",
                         "categories": cats, "comment": entry.comment})
        return rows

    def _images(self) -> None:
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=["date", "image", "RA", "DEC", "categories", "comment"])
        writer.writeheader()
        writer.writerows(self._image_rows(self.seen))
        text = out.getvalue()
        if self.windows:  # csv's \r\n through text mode's \n -> \r\n
            text = text.replace("\r\n", "\r\r\n")
        (self.folder / f"{self.user}_images.csv").write_bytes(text.encode(self.encoding))

    def _favorites(self) -> None:
        path = self.folder / f"{self.user}_favorites.csv"
        entries = [e for e in self.seen if e.image in self.favorites]
        if self.favorites_style == "absent":
            return
        if self.favorites_style == "empty" or not entries:
            path.write_bytes(b"")
            return
        if self.favorites_style == "pipe":  # the fixed-width savefav of the 1.x source
            rows = {e.image: e for e in entries}.values()
            lines = ["date".center(12) + "|" + "image".center(30) + "|" + "RA".center(14) + "|"
                     + "DEC".center(14) + "|" + "categories".center(12) + "|" + "comment".center(12) + "|"]
            for e in rows:
                cats = ",".join(self.categories[i - 1] for i in sorted(e.categories)) or "None"
                lines.append(self.date.center(12) + "|" + e.image.center(30) + "|" + f"{150.0:^14.8f}|"
                             + f"{2.0:^14.8f}|" + cats.center(12) + "|" + e.comment.center(12) + "|")
            path.write_bytes(self._text_mode("\n".join(lines) + "\n"))
            return
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=["date", "image", "RA", "DEC", "categories", "comment"])
        writer.writeheader()
        writer.writerows(self._image_rows(entries))
        path.write_bytes(out.getvalue().encode(self.encoding))


def make_images(folder: Path, fits_names=("a.fits", "b.fits", "c.fits", "d.fits"), png_names=("e.png", "f.png")) -> Path:
    """FITS images with a TAN WCS (80 x 60, 0.5 arcsec pixels) and PNGs without one."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(fits_names):
        data = np.full((FITS_H, FITS_W), 10.0 + i, np.float32)
        write_fits(folder / name, data, tan_header(FITS_W, FITS_H))
    for name in png_names:
        write_pillow(folder / name, np.full((40, 50, 3), 90, np.uint8))
    return folder


def one_pixel_arcsec() -> float:
    """How far 1.2's RA/Dec are from the right ones on the test FITS images."""
    return 0.5

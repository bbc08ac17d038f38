"""The dataset's examples through the writer plugins (COCO keypoints, YOLO, ...).

Each split is one writer run whose "annotator" is the split's name, so a writer's
usual ``{user}_...`` files become ``train_coco.json``, ``validation_coco.json``, ...
Its "images" are the cutout files (named relative to the dataset folder), and its
marks are every selected mark that falls inside each cutout, in cutout pixels: the
example's own mark and any neighbour the cutout also shows, so a detector is never
taught that a visible object is background.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, Sequence

from imgmarker.kernel.annotations.marks import FrameGeometry
from imgmarker.kernel.annotations.rows import ImageRow, MarkRow


@dataclass
class DatasetWriterContext:
    """A :class:`imgmarker.kernel.annotations.rows.WriterContext` over one split.

    ``geometry`` gives each cutout's size; ``pixel_scale`` the arcsec per pixel at its
    mark (None without a WCS), for writers that size boxes in arcsec."""

    experiment: Any
    user: str
    output_dir: Path
    config: Mapping[str, Any]
    rows: Sequence[MarkRow]
    image_rows: Sequence[ImageRow]
    sizes: Mapping[str, tuple[int, int]]  # file -> (height, width)
    scales: Mapping[str, float | None]
    written: list[Path] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # relative name -> SHA-256 of what was written
    _folders: set[Path] = field(default_factory=set)

    def marks(self) -> Iterable[MarkRow]:
        return iter(self.rows)

    def images(self) -> Iterable[ImageRow]:
        return iter(self.image_rows)

    def geometry(self, image: str, frame: int) -> FrameGeometry | None:
        size = self.sizes.get(image)
        return FrameGeometry(image, frame, size[0], size[1]) if size is not None else None

    def pixel_scale(self, image: str, frame: int, x: float, y: float) -> float | None:
        return self.scales.get(image)

    @contextlib.contextmanager
    def atomic_write(self, name: str, mode: str = "w") -> Iterator[IO]:
        """Files go straight into the dataset's staging folder, which appears as a
        whole when the build succeeds; each is written at once from memory and its
        checksum kept (no per-file flush, no reading 10,000 label files back)."""
        relative = posixpath.normpath(name.replace("\\", "/"))
        if relative.startswith(("../", "/")) or relative in ("..", "."):
            raise ValueError(f"writer output {name!r} is outside {self.output_dir}")
        binary = "b" in mode
        buffer: IO = io.BytesIO() if binary else io.StringIO(newline="")
        yield buffer
        payload = buffer.getvalue() if binary else buffer.getvalue().encode("utf-8")
        target = Path(self.output_dir) / relative
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        with open(target, "wb") as handle:
            handle.write(payload)
        self.digests[relative] = hashlib.sha256(payload).hexdigest()
        self.written.append(target)

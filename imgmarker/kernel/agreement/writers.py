"""The consensus through the writer plugins (VOTable, DS9 regions, ...).

Each supported consensus cluster becomes one mark row (image, group, majority label,
mean centre, mean sky position) of a pseudo-annotator named ``consensus``, so any
installed writer turns it into its usual file, e.g. ``consensus_marks.xml`` or
``consensus_regions.reg``, which a new campaign can overlay like any catalog.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from imgmarker.kernel.agreement.clustering import Consensus
from imgmarker.kernel.output.atomic import atomic_output
from imgmarker.kernel.annotations.marks import FrameGeometry
from imgmarker.kernel.annotations.rows import ImageRow, MarkRow

USER = "consensus"


def consensus_rows(cons: Consensus, time: str) -> list[MarkRow]:
    """Supported clusters as mark rows (frame 0, first pass), by image and group."""
    res = cons.results
    keep = np.flatnonzero(~cons.disputed)
    images = np.asarray(res.images.names, dtype=object)[cons.image[keep]]
    groups = np.asarray(res.groups.names, dtype=object)[cons.group[keep]]
    labels = np.asarray(res.labels.names, dtype=object)[cons.label[keep]]
    order = np.lexsort((cons.x[keep], groups, images))

    def sky(values: np.ndarray) -> list[float | None]:
        return [None if v != v else v for v in values[keep][order].tolist()]

    return [MarkRow(int(i), image, group, label, x, y, ra, dec, 0, time, 1) for i, image, group, label, x, y, ra, dec
            in zip(keep[order].tolist(), images[order].tolist(), groups[order].tolist(), labels[order].tolist(),
                   cons.x[keep][order].tolist(), cons.y[keep][order].tolist(), sky(cons.ra), sky(cons.dec))]


@dataclass
class ConsensusContext:
    """A :class:`imgmarker.kernel.annotations.rows.WriterContext` over consensus rows.

    ``geometry`` gives the frame height DS9 needs for marks without a sky position;
    images are opened (headers only) the first time a writer asks about them."""

    experiment: Any
    output_dir: Path
    config: Mapping[str, Any]
    rows: Sequence[MarkRow]
    open_geometry: Callable[[str, int], FrameGeometry | None] | None = None
    user: str = USER
    written: list[Path] = field(default_factory=list)
    _geometries: dict[tuple[str, int], FrameGeometry | None] = field(default_factory=dict)

    def marks(self) -> Iterable[MarkRow]:
        return iter(self.rows)

    def images(self) -> Iterable[ImageRow]:
        return iter(())

    def geometry(self, image: str, frame: int) -> FrameGeometry | None:
        key = (image, frame)
        if key not in self._geometries:
            self._geometries[key] = self.open_geometry(image, frame) if self.open_geometry else None
        return self._geometries[key]

    @contextlib.contextmanager
    def atomic_write(self, name: str, mode: str = "w") -> Iterator[IO]:
        with atomic_output(self.output_dir, name, mode) as handle:
            yield handle
        self.written.append(self.output_dir / name)


def image_geometry(root: Path, registry: Any) -> Callable[[str, int], FrameGeometry | None]:
    """Frame sizes read from the image files under ``root`` (None when unreadable)."""
    from imgmarker.kernel.imaging.images import ImageReadError, open_image

    def read(image: str, frame: int) -> FrameGeometry | None:
        try:
            with open_image(root / image, registry) as opened:
                if frame >= len(opened.frames):
                    return None
                height, width = opened.frames[frame].info.shape
        except ImageReadError:
            return None
        return FrameGeometry(image, frame, int(height), int(width))
    return read


def run_consensus_writers(names: Iterable[str], registry: Any, experiment: Any, output_dir: Path,
                          rows: Sequence[MarkRow], open_geometry=None) -> tuple[list[Path], list[str]]:
    """Run the named writers on the consensus rows; (files written, problems)."""
    written: list[Path] = []
    problems: list[str] = []
    sections = experiment.plugins.sections if experiment is not None else {}
    for name in names:
        spec = registry.writers.get(name)
        if spec is None:
            problems.append(f"unknown writer {name!r} (installed: {', '.join(registry.writers.names()) or 'none'})")
            continue
        context = ConsensusContext(experiment, output_dir, sections.get(name, {}), rows, open_geometry)
        try:
            spec.write(context)
        except Exception as exc:  # one broken writer must not cost the others
            problems.append(f"writer {name!r} failed: {type(exc).__name__}: {exc}")
        written.extend(context.written)
    return written, problems

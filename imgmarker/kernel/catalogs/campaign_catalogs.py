"""The catalogs of a campaign, loaded once and matched to images on demand.

One object, shared by the GUI (overlay layers for the shown frame) and the command
line (``imgmarker info --catalog``), so both list the same sources at the same pixels.
A catalog that cannot be loaded is reported and left out; the others still work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from imgmarker.kernel.catalogs.matching import CatalogIndex, SourcesOnImage, source_rows
from imgmarker.kernel.catalogs.model import Catalog, CatalogError, load_catalog
from imgmarker.kernel.display.overlay import CatalogLayer


@dataclass(frozen=True)
class LoadedCatalog:
    catalog: Catalog
    index: CatalogIndex

    @property
    def name(self) -> str:
        return self.catalog.name


class CatalogSet:
    """Catalogs by name, each with its matching index (and its per-image cache)."""

    def __init__(self, catalogs: Iterable[Catalog] = (), errors: Iterable[str] = (),
                 cache_size: int | None = None):
        self.loaded: dict[str, LoadedCatalog] = {}
        self.errors: list[str] = list(errors)
        for catalog in catalogs:
            if catalog.name in self.loaded:
                self.errors.append(f"{catalog.path}: another catalog is already named {catalog.name!r}; "
                                   "give this one a different name")
                continue
            index = CatalogIndex(catalog) if cache_size is None else CatalogIndex(catalog, cache_size)
            self.loaded[catalog.name] = LoadedCatalog(catalog, index)

    @classmethod
    def load(cls, configs_or_paths: Iterable[Any], registry: Any) -> "CatalogSet":
        """Load every catalog (experiment entries or paths); failures go to ``errors``."""
        catalogs, errors = [], []
        for item in configs_or_paths:
            try:
                catalogs.append(load_catalog(item, registry))
            except CatalogError as exc:
                errors.append(str(exc))
        return cls(catalogs, errors)

    @classmethod
    def for_experiment(cls, experiment: Any, registry: Any) -> "CatalogSet":
        return cls.load(experiment.catalogs, registry)

    def __len__(self) -> int:
        return len(self.loaded)

    def names(self) -> list[str]:
        return list(self.loaded)

    @property
    def problems(self) -> list[str]:
        """Rows skipped while reading, over all catalogs (``file:line: reason``)."""
        return [p for item in self.loaded.values() for p in item.catalog.problems]

    def sources(self, name: str, image_name: str, wcs: Any, shape: tuple[int, ...], frame: int = 0) -> SourcesOnImage:
        return self.loaded[name].index.sources_for(image_name, wcs, shape, frame)

    def layers(self, image_name: str, wcs: Any, shape: tuple[int, ...], frame: int = 0,
               visible: Mapping[str, bool] | None = None) -> list[CatalogLayer]:
        """Overlay layers for one frame; ``visible`` overrides each catalog's default."""
        out = []
        for name, item in self.loaded.items():
            style = item.catalog.style
            shown = style.visible if visible is None else bool(visible.get(name, style.visible))
            out.append(CatalogLayer(name=name, sources=item.index.sources_for(image_name, wcs, shape, frame),
                                    color=style.color, shape=style.shape, visible=shown))
        return out

    def rows_for_image(self, image_name: str, wcs: Any, shape: tuple[int, ...], frame: int = 0) -> list[dict[str, Any]]:
        """Every catalog's sources on one frame as plain rows (what ``info --catalog`` prints)."""
        rows = []
        for item in self.loaded.values():
            rows.extend(source_rows(item.index.sources_for(image_name, wcs, shape, frame), wcs, int(shape[0])))
        return rows


def catalog_rows_for_image(catalog_paths: Iterable[Path | str], registry: Any, image: Any, image_name: str,
                           frame: int = 0) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of the sources of the given catalog files that land on an opened image
    (an :class:`~imgmarker.kernel.imaging.images.Image`), plus load errors and skipped-row
    messages. The body of ``imgmarker info IMAGE --catalog CAT``."""
    catalogs = CatalogSet.load(catalog_paths, registry)
    f = image.frames[frame]
    rows = catalogs.rows_for_image(image_name, f.wcs, f.info.shape, frame)
    return rows, [*catalogs.errors, *catalogs.problems]

"""Which catalog sources land on an image, and where.

Rules:

- A row naming an image (``image`` column) belongs to that image only: it matches by
  file name, or by relative path when the value has folders (``a/img.fits`` does not
  match ``b/img.fits``). Its x/y are used as given; a row with only RA/Dec is placed
  through the image's WCS.
- A row naming no image appears on every image it falls inside: through the WCS when
  it has RA/Dec and the image has a WCS, else by its x/y.

RA/Dec rows sit in a k-d tree of unit vectors on the sphere, built once per catalog
(no trouble at RA = 0/360 or the poles). For an image, the tree is asked for the rows
within the circle circumscribing its footprint; only those go through the exact
(vectorised) sky -> pixel transform and the in-image test. Results are kept per image
in a bounded cache owned by the index.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

import numpy as np

from imgmarker.kernel.catalogs.model import ANY_FRAME, Catalog
from imgmarker.kernel.imaging.pixel_scale import sizes_in_pixels, unit_vectors
from imgmarker.kernel.imaging.wcs import pixel_to_world, world_to_pixel

DEFAULT_CACHE_SIZE = 256
#: Footprints wider than this (degrees of radius) skip the tree and test every row.
_MAX_TREE_RADIUS = 60.0
_RADIUS_MARGIN = 1.01


@dataclass(frozen=True)
class Source:
    """One catalog source as placed on one image (display pixels)."""

    catalog: str
    row: int
    line: int
    x: float
    y: float
    size_px: float
    label: str
    group: str
    color: str
    shape: str
    frame: int
    ra: float | None
    dec: float | None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def tooltip(self) -> str:
        return _tooltip(self.catalog, self.label, self.ra, self.dec, self.x, self.y, self.attributes.items())


def _tooltip(catalog: str, label: str, ra: float | None, dec: float | None, x: float, y: float,
             attributes: Iterable[tuple[str, Any]]) -> str:
    parts = [f"{catalog}: {label}" if label else catalog]
    if ra is not None and dec is not None and ra == ra and dec == dec:  # NaN != NaN
        parts.append(f"RA {ra:.6f}  Dec {dec:+.6f}")
    parts.append(f"x {x:.2f}  y {y:.2f}")
    parts.extend(f"{key}: {value}" for key, value in attributes if value is not None and value != "")
    return "\n".join(parts)


@dataclass(frozen=True, eq=False)
class SourcesOnImage:
    """The sources of one catalog on one image frame, as parallel arrays."""

    catalog: Catalog
    image: str
    frame: int
    rows: np.ndarray  # indices into the catalog's columns
    x: np.ndarray
    y: np.ndarray
    size_px: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Source]:
        return (self.source(i) for i in range(len(self.rows)))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.catalog.label[r] for r in self.rows)

    @property
    def colors(self) -> tuple[str, ...]:
        return tuple(self.catalog.color[r] for r in self.rows)

    def tooltips(self) -> list[str]:
        """Hover texts of all sources, built column-wise (fast for thousands of sources)."""
        c = self.catalog
        rows = self.rows.tolist()
        names = list(c.attributes)
        columns = [c.attributes[n] for n in names]
        ra, dec = c.ra[self.rows].tolist(), c.dec[self.rows].tolist()
        return [
            _tooltip(c.name, c.label[r], ra[i], dec[i], x, y, zip(names, (col[r] for col in columns)))
            for i, (r, x, y) in enumerate(zip(rows, self.x.tolist(), self.y.tolist()))
        ]

    def source(self, i: int) -> Source:
        c, r = self.catalog, int(self.rows[i])
        ra, dec = c.ra[r], c.dec[r]
        return Source(
            catalog=c.name, row=r, line=int(c.lines[r]), x=float(self.x[i]), y=float(self.y[i]),
            size_px=float(self.size_px[i]), label=c.label[r], group=c.group[r], color=c.color[r],
            shape=c.style.shape, frame=self.frame,
            ra=float(ra) if np.isfinite(ra) else None, dec=float(dec) if np.isfinite(dec) else None,
            attributes=c.row_attributes(r),
        )

    def nearest(self, x: float, y: float, max_distance: float) -> Source | None:
        """The source closest to a display position, if within ``max_distance`` pixels."""
        if not len(self.rows):
            return None
        d2 = (self.x - x) ** 2 + (self.y - y) ** 2
        i = int(np.argmin(d2))
        return self.source(i) if d2[i] <= max_distance ** 2 else None


def _path_suffixes(name: str) -> list[str]:
    parts = [p for p in name.replace("\\", "/").split("/") if p and p != "."]
    return ["/".join(parts[i:]) for i in range(len(parts))]


def _wcs_key(wcs: Any) -> Any:
    """A cheap fingerprint of a WCS, so a re-opened image hits the cache and a changed
    WCS does not."""
    if wcs is None:
        return None
    w = wcs.wcs
    sip = wcs.sip
    return (
        tuple(w.ctype), tuple(w.crval), tuple(w.crpix),
        tuple(w.cd.ravel()) if w.has_cd() else (tuple(w.cdelt), tuple(w.get_pc().ravel())),
        None if sip is None else (sip.a.tobytes(), sip.b.tobytes()),
    )


class CatalogIndex:
    """Everything about a catalog that does not depend on the image, computed once,
    plus a bounded per-image cache of results."""

    def __init__(self, catalog: Catalog, cache_size: int = DEFAULT_CACHE_SIZE):
        self.catalog = catalog
        self.cache_size = cache_size
        self._cache: OrderedDict[Any, SourcesOnImage] = OrderedDict()
        named = np.array([bool(v) for v in catalog.image], dtype=bool)
        has_radec = np.isfinite(catalog.ra)
        has_xy = np.isfinite(catalog.x)
        self._by_image: dict[str, list[int]] = {}
        self._by_image_suffix: dict[str, list[int]] = {}
        for i in np.flatnonzero(named):
            value = catalog.image[i]
            self._by_image.setdefault("/".join(_path_suffixes(value)[:1]) or value, []).append(int(i))
            for suffix in _path_suffixes(value)[1:]:
                self._by_image_suffix.setdefault(suffix, []).append(int(i))
        free = ~named
        self._sky_rows = np.flatnonzero(free & has_radec)
        self._xy_rows_with_wcs = np.flatnonzero(free & has_xy & ~has_radec)
        self._xy_rows_without_wcs = np.flatnonzero(free & has_xy)
        from scipy.spatial import cKDTree  # here: a campaign without catalogs never pays for scipy

        self._tree = cKDTree(unit_vectors(catalog.ra[self._sky_rows], catalog.dec[self._sky_rows])) \
            if len(self._sky_rows) else None
        self._is_arcsec = np.array([u == "arcsec" for u in catalog.size_unit], dtype=bool)

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        self._cache.clear()

    def rows_naming(self, image_name: str) -> np.ndarray:
        """Rows whose ``image`` value is this image's name or relative path (or a longer
        path ending in it)."""
        rows: set[int] = set()
        suffixes = _path_suffixes(image_name)
        for suffix in suffixes:
            rows.update(self._by_image.get(suffix, ()))
        if suffixes:
            rows.update(self._by_image_suffix.get(suffixes[0], ()))
        return np.array(sorted(rows), dtype=np.int64)

    def sources_for(self, image_name: str, wcs: Any, shape: tuple[int, ...], frame: int = 0) -> SourcesOnImage:
        """The sources on frame ``frame`` of the image ``image_name`` (its id: the path
        relative to the image root), whose displayed frame has ``shape`` (height, width)
        and WCS ``wcs`` (or None)."""
        height, width = int(shape[0]), int(shape[1])
        key = (image_name, frame, height, width, _wcs_key(wcs))
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        result = self._compute(image_name, wcs, height, width, frame)
        self._cache[key] = result
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def _compute(self, image_name: str, wcs: Any, height: int, width: int, frame: int) -> SourcesOnImage:
        c = self.catalog
        parts_rows, parts_x, parts_y = [], [], []

        def add(rows: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
            parts_rows.append(rows), parts_x.append(x), parts_y.append(y)

        named = self.rows_naming(image_name)
        if len(named):
            with_xy = named[np.isfinite(c.x[named])]
            add(with_xy, c.x[with_xy], c.y[with_xy])
            sky_only = named[~np.isfinite(c.x[named])]
            if wcs is not None and len(sky_only):
                x, y = world_to_pixel(wcs, height, c.ra[sky_only], c.dec[sky_only])
                ok = np.isfinite(x) & np.isfinite(y)
                add(sky_only[ok], x[ok], y[ok])
        xy_rows = self._xy_rows_with_wcs if wcs is not None else self._xy_rows_without_wcs
        if len(xy_rows):
            inside = _inside(c.x[xy_rows], c.y[xy_rows], width, height)
            add(xy_rows[inside], c.x[xy_rows][inside], c.y[xy_rows][inside])
        if wcs is not None and self._tree is not None:
            candidates = self._candidates(wcs, height, width)
            if len(candidates):
                x, y = world_to_pixel(wcs, height, c.ra[candidates], c.dec[candidates])
                inside = _inside(x, y, width, height)
                add(candidates[inside], x[inside], y[inside])
        if parts_rows:
            rows = np.concatenate(parts_rows).astype(np.int64)
            x = np.concatenate(parts_x).astype(float)
            y = np.concatenate(parts_y).astype(float)
        else:
            rows, x, y = np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
        if len(rows):
            frames = c.frame[rows]
            keep = (frames == ANY_FRAME) | (frames == frame)
            rows, x, y = rows[keep], x[keep], y[keep]
            order = np.argsort(rows, kind="stable")
            rows, x, y = rows[order], x[order], y[order]
        size = sizes_in_pixels(c.size[rows], self._is_arcsec[rows], wcs, height, x, y)
        return SourcesOnImage(catalog=c, image=image_name, frame=frame, rows=rows, x=x, y=y, size_px=size)

    def _candidates(self, wcs: Any, height: int, width: int) -> np.ndarray:
        """Sky rows within the circle circumscribing the image footprint."""
        cx, cy = (width - 1) / 2, (height - 1) / 2
        left, right, top, bottom = -0.5, width - 0.5, -0.5, height - 0.5
        bx = np.array([cx, left, right, right, left, cx, right, cx, left])
        by = np.array([cy, top, top, bottom, bottom, top, cy, bottom, cy])
        ra, dec = pixel_to_world(wcs, height, bx, by)
        if not (np.all(np.isfinite(ra)) and np.all(np.isfinite(dec))):
            return self._sky_rows
        v = unit_vectors(ra, dec)
        centre, edge = v[0], v[1:]
        cos_angle = np.clip(edge @ centre, -1.0, 1.0)
        radius = float(np.degrees(np.arccos(cos_angle.min()))) * _RADIUS_MARGIN
        radius += 2 * float(np.degrees(np.arccos(np.clip(v[1] @ v[5], -1, 1)))) / max(width, 1)
        if radius > _MAX_TREE_RADIUS:
            return self._sky_rows
        chord = 2 * np.sin(np.radians(radius) / 2)
        found = self._tree.query_ball_point(centre, chord)
        return self._sky_rows[np.sort(np.asarray(found, dtype=np.int64))]


def _inside(x: np.ndarray, y: np.ndarray, width: int, height: int) -> np.ndarray:
    """Within the displayed pixels: from the outer edge of the first pixel (-0.5) to
    the outer edge of the last."""
    return (x >= -0.5) & (x < width - 0.5) & (y >= -0.5) & (y < height - 0.5)


def source_rows(sources: SourcesOnImage, wcs: Any = None, height: int | None = None) -> list[dict[str, Any]]:
    """Plain rows describing the sources on an image, e.g. for ``imgmarker info``.

    RA/Dec come from the catalog, or through ``wcs`` for rows given in pixels.
    """
    out = []
    for source in sources:
        ra, dec = source.ra, source.dec
        if (ra is None or dec is None) and wcs is not None and height is not None:
            r, d = pixel_to_world(wcs, height, source.x, source.y)
            ra, dec = float(r), float(d)
        out.append({
            "catalog": source.catalog, "line": source.line, "label": source.label,
            "x": source.x, "y": source.y, "ra": ra, "dec": dec, "size_px": source.size_px,
            "group": source.group, "color": source.color, "frame": source.frame,
            "attributes": dict(source.attributes),
        })
    return out


def sources_on_frame(index: CatalogIndex, image_name: str, image: Any, frame: int = 0) -> SourcesOnImage:
    """Sources on frame ``frame`` of an opened :class:`~imgmarker.kernel.imaging.images.Image`."""
    f = image.frames[frame]
    return index.sources_for(image_name, f.wcs, f.info.shape, frame=frame)

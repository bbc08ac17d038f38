"""From raw columns to a :class:`~imgmarker.kernel.catalogs.model.Catalog`.

Every catalog reader hands its columns (header name -> values) to :func:`build_catalog`,
so all formats recognise the same column names, parse coordinates the same way and
report bad rows in one format (``file:line: reason``). Conversions are vectorised;
only values that fail the fast path are looked at one by one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from imgmarker.kernel.catalogs.model import ANY_FRAME, Catalog, CatalogError, CatalogStyle

_ROLE_NAMES = {
    "image": ("image", "imagename", "file", "filename"),
    "group": ("group",),
    "x": ("x", "xpix", "xpx", "ximage"),
    "y": ("y", "ypix", "ypx", "yimage"),
    "ra": ("ra", "raj2000", "radeg", "raicrs", "alpha", "alphaj2000", "ra2000"),
    "dec": ("dec", "decj2000", "dej2000", "de", "decdeg", "dedeg", "deicrs", "decicrs",
            "delta", "deltaj2000", "dec2000", "de2000"),
    "size_px": ("sizepx", "sizepix", "sizepixel", "sizepixels"),
    "size_arcsec": ("sizearcsec", "sizearcsecond", "sizearcseconds", "sizeas"),
    "size": ("size",),
    "color": ("color", "colour"),
    "frame": ("frame",),
}
_LABEL_FALLBACKS = ("label", "name", "id")
_HOUR_UNITS = {"h", "hour", "hourangle", "hr"}
_RAD_UNITS = {"rad", "radian"}
_SEXAGESIMAL = re.compile(
    r"^\s*([+-]?)\s*(\d+(?:\.\d*)?)\s*[:\s]\s*(\d+(?:\.\d*)?)\s*(?:[:\s]\s*(\d+(?:\.\d*)?))?\s*$")


def normalise_name(name: str) -> str:
    """Header names compare without case, spaces, '_', '-' or brackets:
    ``Size (arcsec)``, ``size_arcsec`` and ``SIZE[ARCSEC]`` are one name."""
    return re.sub(r"[\s_\-()\[\]{}]", "", str(name)).lower()


def assign_roles(names: Sequence[str], label_column: str) -> dict[str, str]:
    """Role ('x', 'ra', 'label', ...) -> header name; the first matching header wins."""
    by_norm: dict[str, str] = {}
    for name in names:
        by_norm.setdefault(normalise_name(name), name)
    roles: dict[str, str] = {}
    for role, aliases in _ROLE_NAMES.items():
        for alias in aliases:
            if alias in by_norm:
                roles[role] = by_norm[alias]
                break
    wanted = normalise_name(label_column)
    for candidate in (wanted, *_LABEL_FALLBACKS):
        if candidate in by_norm and by_norm[candidate] not in roles.values():
            roles["label"] = by_norm[candidate]
            break
    return roles


def _is_blank(value: Any) -> bool:
    if value is None or value is np.ma.masked:
        return True
    if isinstance(value, (str, bytes)):
        return not value.strip()
    return isinstance(value, float) and np.isnan(value)


def _text(value: Any) -> str:
    if value is None or value is np.ma.masked:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fast_floats(values: Any) -> np.ndarray | None:
    if isinstance(values, np.ma.MaskedArray):
        if values.dtype.kind in "fiu":
            return values.astype(float).filled(np.nan)
        return None
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        return values.astype(float)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None


def _parse_angle(text: str, hours: bool) -> float:
    """Degrees from a decimal or sexagesimal string; sexagesimal RA is in hours
    unless it says otherwise (``12d30m``)."""
    try:
        return float(text)
    except ValueError:
        pass
    match = _SEXAGESIMAL.match(text)
    if match:
        sign, a, b, c = match.groups()
        value = float(a) + float(b) / 60 + (float(c) / 3600 if c else 0.0)
        value = -value if sign == "-" else value
        return value * 15 if hours else value
    from astropy import units as u
    from astropy.coordinates import Angle

    lowered = text.lower()
    unit = u.hourangle if hours and not any(c in lowered for c in "d°") else u.deg
    return float(Angle(text, unit=unit).to_value(u.deg))


class _Problems:
    def __init__(self, path: Path, lines: np.ndarray, noun: str):
        self.path, self.lines, self.noun = path, lines, noun
        self.messages: dict[int, list[str]] = {}

    def add(self, i: int, reason: str) -> None:
        self.messages.setdefault(i, []).append(reason)

    def formatted(self) -> list[str]:
        where = (lambda n: f"{self.path.name}:{n}") if self.noun == "line" else (
            lambda n: f"{self.path.name}: row {n}")
        return [f"{where(int(self.lines[i]))}: {'; '.join(reasons)}"
                for i, reasons in sorted(self.messages.items())]


def _coordinates(values: Any, column: str, n: int, problems: _Problems, skip: np.ndarray,
                 angle: str | None = None, unit: str = "") -> np.ndarray:
    """Floats (NaN for blanks); unparseable values are reported and their rows skipped."""
    fast = _fast_floats(values)
    if fast is None:
        out = np.full(n, np.nan)
        for i, value in enumerate(values):
            if _is_blank(value):
                continue
            text = _text(value)
            try:
                out[i] = _parse_angle(text, hours=angle == "ra") if angle else float(text)
            except (ValueError, TypeError, ArithmeticError):
                problems.add(i, f"{column}: {text!r} is not a number"
                             + (" or a sexagesimal angle" if angle else ""))
                skip[i] = True
    else:
        out = fast
    unit = unit.strip().lower()
    if angle and unit in _HOUR_UNITS:
        out = out * 15.0
    elif angle and unit in _RAD_UNITS:
        out = np.degrees(out)
    return out


def _text_column(values: Any, n: int) -> list[str]:
    if values is None:
        return [""] * n
    if isinstance(values, np.ndarray) and values.dtype.kind == "U" and not isinstance(values, np.ma.MaskedArray):
        values = values.tolist()
    if isinstance(values, list):
        try:
            return [v.strip() for v in values]
        except AttributeError:
            pass
    return [_text(v) for v in values]


def _python(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is np.ma.masked:
        return None
    return value


def _attribute_values(values: Any, pick: list[int]) -> tuple[Any, ...]:
    if isinstance(values, list) and all(isinstance(v, str) for v in values):
        return tuple(values[i].strip() for i in pick)
    return tuple(_python(values[i]) for i in pick)


def build_catalog(
    path: Path | str,
    columns: Mapping[str, Any],
    lines: Sequence[int] | np.ndarray,
    style: CatalogStyle,
    *,
    units: Mapping[str, str] | None = None,
    line_noun: str = "line",
    problems_before: Sequence[str] = (),
    frame: str | None = None,
) -> Catalog:
    """Recognise columns, parse every row, skip (and report) bad ones.

    ``columns`` maps header names to equally long value sequences (strings, numbers,
    None or masked for blanks); ``lines`` gives each row's line (or row) number.
    ``frame`` is the sky frame the file names for its RA/Dec (``"fk4 B1950"``,
    ``"galactic"``, ...; see :func:`imgmarker.kernel.imaging.sky.frame_from_name`);
    the experiment's ``style.sky_frame`` wins over it, and without either they are ICRS.
    RA/Dec are converted to ICRS here, so everything downstream is ICRS.
    Raises :class:`CatalogError` when no x/y or ra/dec columns exist, no row is usable,
    or the frame is not one imgmarker knows.
    """
    path = Path(path)
    units = dict(units or {})
    lines = np.asarray(lines, dtype=np.int64)
    n = len(lines)
    names = list(columns)
    roles = assign_roles(names, style.label_column)
    has_xy = "x" in roles and "y" in roles
    has_radec = "ra" in roles and "dec" in roles
    if not (has_xy or has_radec):
        listed = ", ".join(repr(c) for c in names) or "none"
        raise CatalogError(path, "no usable coordinate columns: need 'x' and 'y' (pixels) or "
                                 f"'ra' and 'dec' (degrees or sexagesimal); columns found: {listed}")
    problems = _Problems(path, lines, line_noun)
    skip = np.zeros(n, dtype=bool)
    nan = np.full(n, np.nan)

    def coord(role: str, angle: str | None = None) -> np.ndarray:
        if role not in roles:
            return nan.copy()
        name = roles[role]
        return _coordinates(columns[name], name, n, problems, skip, angle, units.get(name, ""))

    x, y = coord("x"), coord("y")
    ra, dec = coord("ra", "ra"), coord("dec", "dec")
    xy_ok = np.isfinite(x) & np.isfinite(y)
    radec_ok = np.isfinite(ra) & np.isfinite(dec)
    bad_dec = radec_ok & (np.abs(dec) > 90)
    for i in np.flatnonzero(bad_dec & ~skip):
        problems.add(int(i), f"{roles['dec']}: {dec[i]:g} is outside -90..90")
    skip |= bad_dec
    radec_ok &= ~bad_dec
    ra = np.where(radec_ok, np.mod(ra, 360.0), np.nan)
    sky = _sky_frame(path, style.sky_frame or frame)
    if not sky.is_icrs and radec_ok.any():
        ra[radec_ok], dec[radec_ok] = sky.to_icrs(ra[radec_ok], dec[radec_ok])
    no_position = ~(xy_ok | radec_ok) & ~skip
    wanted = " or ".join(w for w, ok in (("x/y", has_xy), ("ra/dec", has_radec)) if ok)
    for i in np.flatnonzero(no_position):
        problems.add(int(i), f"no position (needs {wanted})")
    skip |= no_position
    x = np.where(xy_ok, x, np.nan)
    y = np.where(xy_ok, y, np.nan)

    size, size_unit = _sizes(columns, roles, units, style, n, problems)
    frame = _frames(columns, roles, n, problems, skip)
    image = [v.replace("\\", "/") for v in _text_column(columns.get(roles.get("image", "")), n)]
    label = _text_column(columns.get(roles.get("label", "")), n)
    group = _text_column(columns.get(roles.get("group", "")), n)
    color = [c or style.color for c in _text_column(columns.get(roles.get("color", "")), n)]
    known = set(roles.values())
    attribute_names = [name for name in names if name not in known]

    keep = np.flatnonzero(~skip)
    messages = [*problems_before, *problems.formatted()]
    if n and not len(keep):
        shown = "; ".join(messages[:3]) + (f"; and {len(messages) - 3} more" if len(messages) > 3 else "")
        raise CatalogError(path, f"no usable rows ({shown})")
    pick = keep.tolist()
    return Catalog(
        path=path, style=style,
        label=tuple(label[i] for i in pick), group=tuple(group[i] for i in pick),
        image=tuple(image[i] for i in pick),
        x=x[keep], y=y[keep], ra=ra[keep], dec=dec[keep],
        size=size[keep], size_unit=tuple(size_unit[i] for i in pick), color=tuple(color[i] for i in pick),
        frame=frame[keep], lines=lines[keep],
        attributes={name: _attribute_values(columns[name], pick) for name in attribute_names},
        problems=tuple(messages), line_noun=line_noun, sky_frame=sky.name,
    )


def _sky_frame(path: Path, name: str | None) -> Any:
    from imgmarker.kernel.imaging.sky import frame_from_name

    try:
        return frame_from_name(name or "icrs")
    except ValueError as exc:
        raise CatalogError(path, f"sky frame: {exc}") from None


def _sizes(columns: Mapping[str, Any], roles: dict[str, str], units: Mapping[str, str],
           style: CatalogStyle, n: int, problems: _Problems) -> tuple[np.ndarray, list[str]]:
    """Per-row size and unit: size(px), then size(arcsec), then size, then the default."""
    size = np.full(n, np.nan)
    unit = [""] * n
    for role, role_unit in (("size_px", "px"), ("size_arcsec", "arcsec"), ("size", None)):
        if role not in roles:
            continue
        name = roles[role]
        if role_unit is None:
            declared = units.get(name, "").strip().lower()
            role_unit = {"arcsec": "arcsec", "pix": "px", "px": "px", "pixel": "px"}.get(declared, style.size_unit)
        values = columns[name]
        parsed = _fast_floats(values)
        if parsed is None:
            parsed = np.full(n, np.nan)
            for i, value in enumerate(values):
                if _is_blank(value):
                    continue
                try:
                    parsed[i] = float(_text(value))
                except ValueError:
                    problems.add(i, f"{name}: {_text(value)!r} is not a number; default size used")
        bad = np.isfinite(parsed) & (parsed <= 0)
        for i in np.flatnonzero(bad):
            problems.add(int(i), f"{name}: {parsed[i]:g} is not positive; default size used")
        parsed[bad] = np.nan
        fill = ~np.isfinite(size) & np.isfinite(parsed)
        size[fill] = parsed[fill]
        for i in np.flatnonzero(fill):
            unit[i] = role_unit
    missing = ~np.isfinite(size)
    size[missing] = style.size
    for i in np.flatnonzero(missing):
        unit[i] = style.size_unit
    return size, unit


def _frames(columns: Mapping[str, Any], roles: dict[str, str], n: int, problems: _Problems,
            skip: np.ndarray) -> np.ndarray:
    frame = np.full(n, ANY_FRAME, dtype=np.int64)
    if "frame" not in roles:
        return frame
    name = roles["frame"]
    for i, value in enumerate(columns[name]):
        if _is_blank(value):
            continue
        text = _text(value)
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if number < 0 or not number.is_integer():
            problems.add(i, f"{name}: {text!r} is not a frame number (0, 1, ...)")
            skip[i] = True
            continue
        frame[i] = int(number)
    return frame

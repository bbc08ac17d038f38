"""Which celestial frame a WCS is in, and its longitudes and latitudes as ICRS.

Every RA/Dec imgmarker shows or writes is ICRS, whatever frame the header uses, so
two images of the same field in different frames give the same numbers. The frame
follows the FITS WCS standard (Calabretta & Greisen 2002, paper II, section 3.1): with
no RADESYS, EQUINOX < 1984 means FK4 and EQUINOX >= 1984 FK5; with neither, ICRS;
FK4 defaults to B1950 and FK5 to J2000. wcslib applies these defaults when it parses
the header, and :func:`astropy.wcs.utils.wcs_to_celestial_frame` turns equatorial and
galactic WCS into astropy frames; ecliptic, helioecliptic and supergalactic axes are
added here (astropy maps ecliptic axes to ICRS, which is wrong by up to 23 degrees).

Conversions are vectorised. Most frames differ from ICRS by a fixed rotation (FK5 of
any equinox, galactic, supergalactic, ecliptic): the rotation is found once per frame
from astropy itself, checked against astropy on scattered points, and then applied as
a 3x3 matrix, so the cursor readout and catalog matching stay as fast as for ICRS.
Frames that are not a rotation (FK4 with its E-terms) go through ``SkyCoord``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: How closely the rotation must reproduce astropy before it replaces it (degrees).
_ROTATION_CHECK_DEG = 1e-11
#: The attribute under which a WCS object carries its frame, so it is worked out once.
_CACHE_ATTRIBUTE = "_imgmarker_sky_frame"
_POLISH_STEPS = 2


class UnusableWcs(ValueError):
    """A WCS that exists but cannot give trustworthy sky positions; the message says why."""


@dataclass(frozen=True, eq=False)
class SkyFrame:
    """The celestial frame of a WCS and the way from it to ICRS and back.

    ``name`` is what people call it ("ICRS", "FK5 J2000.0", "FK4 B1950.0", "galactic"),
    ``lon_name``/``lat_name`` its coordinate names ("RA"/"Dec", "l"/"b", ...).
    ``swapped`` is True when the WCS has latitude on its first axis.

    With ``matrix`` set, native -> ICRS is: remove the E-terms of aberration ``eterms``
    (FK4 only), then rotate by ``matrix``; both were checked against astropy when the
    frame was built. Without it, astropy's ``SkyCoord`` does the work.
    """

    name: str
    lon_name: str
    lat_name: str
    astropy_frame: Any
    matrix: np.ndarray | None  # native unit vector -> ICRS unit vector (after the E-terms)
    identity: bool = False
    swapped: bool = False
    eterms: np.ndarray | None = None  # FK4's E-terms vector, removed before the rotation
    approximate: np.ndarray | None = None  # the nearest rotation, to polish an inverse with

    @property
    def is_icrs(self) -> bool:
        return self.identity

    def to_icrs(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        if self.identity:
            return lon, lat
        if self.matrix is not None:
            if self.eterms is None:
                return _rotate(self.matrix, lon, lat)
            if lon.ndim == 0 and lat.ndim == 0:
                return _rotate_one(self.matrix, float(lon), float(lat), self.eterms)
            return _angles(np.tensordot(self.matrix, _without_eterms(_unit(lon, lat), self.eterms), axes=1))
        return _through_astropy(self.astropy_frame, "icrs", lon, lat)

    def from_icrs(self, ra: Any, dec: Any) -> tuple[np.ndarray, np.ndarray]:
        ra = np.asarray(ra, dtype=float)
        dec = np.asarray(dec, dtype=float)
        if self.identity:
            return ra, dec
        if self.matrix is not None and self.eterms is None:
            return _rotate(self.matrix.T, ra, dec)
        target = _unit(ra, dec)
        if self.matrix is not None:
            v = np.tensordot(self.matrix.T, target, axes=1)
            return _angles(_with_eterms(v, self.eterms))
        lon, lat = _through_astropy("icrs", self.astropy_frame, ra, dec)
        if self.approximate is None:
            return lon, lat
        # astropy inverts FK4's E-terms by a few fixed iterations (1e-9 deg off at some
        # equinoxes); steps with the nearby rotation make the inverse exact
        for _ in range(_POLISH_STEPS):
            there = _unit(*self.to_icrs(lon, lat))
            lon, lat = _angles(_unit(lon, lat) + np.tensordot(self.approximate.T, target - there, axes=1))
        return lon, lat

    def with_axes(self, swapped: bool) -> "SkyFrame":
        if swapped == self.swapped:
            return self
        return dataclasses.replace(self, swapped=swapped)


def _unit(lon: Any, lat: Any) -> np.ndarray:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.stack(np.broadcast_arrays(cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)))


def _angles(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude (0..360) and latitude in degrees of (3, ...) vectors of any length."""
    x, y, z = v
    return np.degrees(np.arctan2(y, x)) % 360.0, np.degrees(np.arctan2(z, np.hypot(x, y)))


def _rotate(matrix: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if lon.ndim == 0 and lat.ndim == 0:  # one point (the cursor readout): plain floats are faster
        return _rotate_one(matrix, float(lon), float(lat))
    return _angles(np.tensordot(matrix, _unit(lon, lat), axes=1))


def _rotate_one(m: np.ndarray, lon: float, lat: float,
                eterms: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return np.array(math.nan), np.array(math.nan)
    lon_r, lat_r = math.radians(lon), math.radians(lat)
    c = math.cos(lat_r)
    v = (c * math.cos(lon_r), c * math.sin(lon_r), math.sin(lat_r))
    if eterms is not None:  # as _without_eterms, on one vector
        a = eterms.tolist()
        dot = a[0] * v[0] + a[1] * v[1] + a[2] * v[2]
        w = [v[k] - a[k] + dot * v[k] for k in range(3)]
        norm = math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2])
        v = (w[0] / norm, w[1] / norm, w[2] / norm)
    (a, b, d), (e, f, g), (h, i, j) = m.tolist()
    x = a * v[0] + b * v[1] + d * v[2]
    y = e * v[0] + f * v[1] + g * v[2]
    z = h * v[0] + i * v[1] + j * v[2]
    return (np.array(math.degrees(math.atan2(y, x)) % 360.0),
            np.array(math.degrees(math.atan2(z, math.hypot(x, y)))))


def _without_eterms(v: np.ndarray, a: np.ndarray) -> np.ndarray:
    """FK4 -> FK4 without E-terms on unit vectors: r - A + (A . r) r, renormalised
    (the formula astropy uses)."""
    dot = np.tensordot(a, v, axes=1)
    out = v - a.reshape((3,) + (1,) * (v.ndim - 1)) + dot * v
    return out / np.linalg.norm(out, axis=0)


def _with_eterms(target: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The inverse of :func:`_without_eterms`, to machine precision (the E-terms are
    1e-6 of a radian, so each step gains about six digits)."""
    r = target
    for _ in range(_POLISH_STEPS + 2):
        r = r + (target - _without_eterms(r, a))
        r = r / np.linalg.norm(r, axis=0)
    return r


def _through_astropy(source: Any, target: Any, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from astropy import units as u
    from astropy.coordinates import SkyCoord

    shape = np.broadcast(lon, lat).shape
    lon = np.broadcast_to(lon, shape)
    lat = np.broadcast_to(lat, shape)
    ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0)
    out_lon = np.full(shape, np.nan)
    out_lat = np.full(shape, np.nan)
    if ok.any():
        coord = SkyCoord(lon[ok] * u.deg, lat[ok] * u.deg, frame=source).transform_to(target)
        spherical = coord.represent_as("unitspherical")
        out_lon[ok] = spherical.lon.to_value(u.deg) % 360.0
        out_lat[ok] = spherical.lat.to_value(u.deg)
    return out_lon, out_lat


# -- which frame ------------------------------------------------------------------------

def _time(value: float | str, scale: str) -> str:
    """A hashable description of an equinox or epoch for the frame cache."""
    return f"{scale}:{value}"


def _frame_spec(wcs: Any) -> tuple:
    """A hashable description of the WCS's celestial frame (raises UnusableWcs)."""
    w = wcs.wcs
    if w.lng < 0 or w.lat < 0:
        raise UnusableWcs("it has no celestial axes")
    ctype = str(w.ctype[w.lng]).upper()
    prefix = ctype[:4]
    radesys = str(w.radesys).strip().upper()
    equinox = float(w.equinox)
    observed = float(w.mjdobs) if math.isfinite(float(w.mjdobs)) else None
    if observed is None and str(w.dateobs).strip():
        observed = str(w.dateobs).strip()
    if prefix == "RA--":
        if not radesys:  # wcslib fills it in; the standard's rule, in case a WCS was built by hand
            radesys = "ICRS" if not math.isfinite(equinox) else "FK4" if equinox < 1984.0 else "FK5"
        if radesys == "ICRS":
            return ("icrs",)
        if radesys == "FK5":
            return ("fk5", 2000.0 if not math.isfinite(equinox) else equinox)
        if radesys in ("FK4", "FK4-NO-E"):
            return (radesys.lower(), 1950.0 if not math.isfinite(equinox) else equinox, observed)
        if radesys == "GAPPT":
            if observed is None:
                raise UnusableWcs("RADESYS GAPPT (apparent place) needs DATE-OBS or MJD-OBS")
            return ("gappt", observed)
        raise UnusableWcs(f"RADESYS {radesys!r} is not a celestial reference system imgmarker knows")
    if prefix == "GLON":
        return ("galactic",)
    if prefix == "SLON":
        return ("supergalactic",)
    if prefix == "ELON":
        scale = "byear" if radesys in ("FK4", "FK4-NO-E") else "jyear"
        default = 1950.0 if scale == "byear" else 2000.0
        return ("ecliptic", _time(equinox if math.isfinite(equinox) else default, scale), None)
    if prefix == "HLON":
        raise UnusableWcs("helioecliptic axes (HLON/HLAT) depend on distances an image does not give")
    raise UnusableWcs(f"celestial axes {ctype.split('-')[0]!r}/{str(w.ctype[w.lat]).split('-')[0]!r} "
                      "are not a sky frame imgmarker can convert to ICRS")


def _astropy_time(value: Any):
    """A Time from a spec entry: ``"jyear:2000.0"``/``"byear:1950.0"``, an MJD, or ISO text."""
    from astropy.time import Time

    if isinstance(value, str) and ":" in value and value.split(":", 1)[0] in ("jyear", "byear"):
        scale, number = value.split(":", 1)
        return Time(float(number), format=scale)
    if isinstance(value, float):
        return Time(value, format="mjd")
    return Time(value)


def _equinox_name(kind: str, equinox: float) -> str:
    return f"{'B' if kind.startswith('fk4') else 'J'}{equinox:.1f}"


def _build(spec: tuple) -> tuple[str, str, str, Any]:
    """(name, lon name, lat name, astropy frame) for a frame spec."""
    from astropy import coordinates as c
    from astropy.time import Time

    kind = spec[0]
    if kind == "icrs":
        return "ICRS", "RA", "Dec", c.ICRS()
    if kind == "fk5":
        return f"FK5 {_equinox_name(kind, spec[1])}", "RA", "Dec", c.FK5(equinox=Time(spec[1], format="jyear"))
    if kind in ("fk4", "fk4-no-e"):
        equinox = Time(spec[1], format="byear")
        obstime = _astropy_time(spec[2]) if spec[2] is not None else equinox
        cls = c.FK4 if kind == "fk4" else c.FK4NoETerms
        label = "FK4" if kind == "fk4" else "FK4 (no E-terms)"
        return f"{label} {_equinox_name(kind, spec[1])}", "RA", "Dec", cls(equinox=equinox, obstime=obstime)
    if kind == "gappt":
        return "apparent (GAPPT)", "RA", "Dec", c.TETE(obstime=_astropy_time(spec[1]))
    if kind == "galactic":
        return "galactic", "l", "b", c.Galactic()
    if kind == "supergalactic":
        return "supergalactic", "SGL", "SGB", c.Supergalactic()
    equinox = _astropy_time(spec[1])
    prefix = "B" if spec[1].startswith("byear") else "J"
    number = float(spec[1].split(":", 1)[1])
    return f"ecliptic {prefix}{number:.1f}", "lon", "lat", c.BarycentricMeanEcliptic(equinox=equinox)


def _nearest_rotation(frame: Any) -> np.ndarray:
    """The matrix whose columns are the ICRS images of the native x, y and z axes."""
    ra, dec = _through_astropy(frame, "icrs", np.array([0.0, 90.0, 0.0]), np.array([0.0, 0.0, 90.0]))
    u, _, vt = np.linalg.svd(_unit(ra, dec))
    return u @ vt


def _rotation_for(frame: Any, matrix: np.ndarray) -> np.ndarray | None:
    """``matrix`` if it reproduces astropy's transform of ``frame`` to ICRS everywhere."""
    return matrix if _agrees(frame, SkyFrame("", "", "", frame, matrix)) else None


@functools.lru_cache(maxsize=64)
def _frame_for_spec(spec: tuple) -> SkyFrame:
    """One SkyFrame per distinct frame (a pure function of ``spec``, memoised)."""
    name, lon_name, lat_name, frame = _build(spec)
    if spec[0] == "icrs":
        return SkyFrame(name, lon_name, lat_name, frame, None, identity=True)
    nearest = _nearest_rotation(frame)
    if spec[0] == "fk4":
        fast = _fk4_fast(name, lon_name, lat_name, frame)
        if fast is not None:
            return fast
    exact = _rotation_for(frame, nearest)
    return SkyFrame(name, lon_name, lat_name, frame, exact, approximate=None if exact is not None else nearest)


def _fk4_fast(name: str, lon_name: str, lat_name: str, frame: Any) -> SkyFrame | None:
    """FK4 as E-terms plus the rotation of FK4 without E-terms, if that reproduces
    astropy (it is how astropy defines it); None otherwise."""
    from astropy.coordinates import FK4NoETerms

    try:
        from astropy.coordinates.builtin_frames.fk4 import fk4_e_terms
    except ImportError:  # astropy moved it: SkyCoord then does the work
        return None
    rotation = _nearest_rotation(FK4NoETerms(equinox=frame.equinox, obstime=frame.obstime))
    candidate = SkyFrame(name, lon_name, lat_name, frame, rotation,
                         eterms=np.asarray(fk4_e_terms(frame.equinox), dtype=float))
    return candidate if _agrees(frame, candidate) else None


def _sample_points() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20240611)
    lon = rng.uniform(0.0, 360.0, 24)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 24)))
    lat[:2] = (89.9999, -89.9999)
    return lon, lat


def _agrees(frame: Any, candidate: SkyFrame) -> bool:
    """Whether ``candidate`` takes scattered points to ICRS as astropy does."""
    lon, lat = _sample_points()
    want = _unit(*_through_astropy(frame, "icrs", lon, lat))
    got = _unit(*candidate.to_icrs(lon, lat))
    # the chord between unit vectors is the angle (radians) for angles this small
    return float(np.degrees(np.linalg.norm(want - got, axis=0)).max()) < _ROTATION_CHECK_DEG


def sky_frame(wcs: Any) -> SkyFrame:
    """The frame of a celestial WCS (worked out once per WCS object).

    Raises :class:`UnusableWcs` when the WCS has no celestial axes or names a system
    that cannot be converted to ICRS.
    """
    known = getattr(wcs, _CACHE_ATTRIBUTE, None)
    if known is not None:
        return known
    frame = _frame_for_spec(_frame_spec(wcs)).with_axes(int(wcs.wcs.lng) != 0)
    try:
        setattr(wcs, _CACHE_ATTRIBUTE, frame)
    except AttributeError:  # an object that takes no attributes: work it out each time
        pass
    return frame


def galactic_of_icrs(ra: Any, dec: Any) -> tuple[np.ndarray, np.ndarray]:
    """Galactic l, b (degrees) of ICRS positions, for the optional readout."""
    return _frame_for_spec(("galactic",)).from_icrs(ra, dec)


def frame_from_name(text: str) -> SkyFrame:
    """A frame named in a catalog or experiment: ``icrs``, ``fk5``, ``fk5 J1975``,
    ``fk4``, ``fk4 B1950``, ``fk4-no-e``, ``galactic``, ``supergalactic``, ``ecliptic``,
    ``ecliptic J2000``. Raises ValueError for anything else."""
    words = str(text).strip().lower().replace("_", "-").split()
    if not words or len(words) > 2:
        raise ValueError(f"{text!r} is not a sky frame (icrs, fk5, fk4, galactic, supergalactic, ecliptic)")
    kind, equinox = words[0], words[1] if len(words) == 2 else None
    aliases = {"j2000": ("fk5", "j2000"), "b1950": ("fk4", "b1950"), "fk4noeterms": ("fk4-no-e", None),
               "gal": ("galactic", None), "ecl": ("ecliptic", None)}
    if kind in aliases and equinox is None:
        kind, equinox = aliases[kind]
    number = None
    if equinox is not None:
        try:
            number = float(equinox.lstrip("jb"))
        except ValueError:
            raise ValueError(f"{text!r}: {equinox!r} is not an equinox such as J2000 or B1950") from None
    if kind == "icrs" and number is None:
        return _frame_for_spec(("icrs",))
    if kind == "fk5":
        return _frame_for_spec(("fk5", 2000.0 if number is None else number))
    if kind in ("fk4", "fk4-no-e"):
        return _frame_for_spec((kind, 1950.0 if number is None else number, None))
    if kind in ("galactic", "supergalactic") and number is None:
        return _frame_for_spec((kind,))
    if kind == "ecliptic":
        scale = "byear" if equinox is not None and equinox.startswith("b") else "jyear"
        return _frame_for_spec(("ecliptic", _time(2000.0 if number is None else number, scale), None))
    raise ValueError(f"{text!r} is not a sky frame (icrs, fk5, fk4, galactic, supergalactic, ecliptic)")

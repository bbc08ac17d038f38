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
    """

    name: str
    lon_name: str
    lat_name: str
    astropy_frame: Any
    matrix: np.ndarray | None  # native unit vector -> ICRS unit vector; None: ICRS itself or not a rotation
    identity: bool = False
    swapped: bool = False
    approximate: np.ndarray | None = None  # the nearest rotation, to polish astropy's inverse with

    @property
    def is_icrs(self) -> bool:
        return self.identity

    def to_icrs(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        if self.identity:
            return lon, lat
        if self.matrix is not None:
            return _rotate(self.matrix, lon, lat)
        return _through_astropy(self.astropy_frame, "icrs", lon, lat)

    def from_icrs(self, ra: Any, dec: Any) -> tuple[np.ndarray, np.ndarray]:
        ra = np.asarray(ra, dtype=float)
        dec = np.asarray(dec, dtype=float)
        if self.identity:
            return ra, dec
        if self.matrix is not None:
            return _rotate(self.matrix.T, ra, dec)
        lon, lat = _through_astropy("icrs", self.astropy_frame, ra, dec)
        if self.approximate is None:
            return lon, lat
        # astropy inverts FK4's E-terms by a few fixed iterations (1e-9 deg off at some
        # equinoxes); Newton steps with the nearby rotation make the inverse exact
        target = _unit(*np.broadcast_arrays(ra, dec))
        for _ in range(_POLISH_STEPS):
            there = _unit(*self.to_icrs(lon, lat))
            step = np.tensordot(self.approximate.T, target - there, axes=1)
            v = _unit(lon, lat) + step
            lon = np.degrees(np.arctan2(v[1], v[0])) % 360.0
            lat = np.degrees(np.arctan2(v[2], np.hypot(v[0], v[1])))
        return lon, lat

    def with_axes(self, swapped: bool) -> "SkyFrame":
        if swapped == self.swapped:
            return self
        return SkyFrame(self.name, self.lon_name, self.lat_name, self.astropy_frame, self.matrix,
                        self.identity, swapped, self.approximate)


def _unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def _rotate(matrix: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    shape = np.broadcast(lon, lat).shape
    v = _unit(np.ravel(np.broadcast_to(lon, shape)), np.ravel(np.broadcast_to(lat, shape)))
    x, y, z = matrix @ v
    out_lon = np.degrees(np.arctan2(y, x)) % 360.0
    out_lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return out_lon.reshape(shape), out_lat.reshape(shape)


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


def _astropy_time(value: Any, default_format: str = "jyear"):
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
    rng = np.random.default_rng(20240611)
    lon = rng.uniform(0.0, 360.0, 24)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, 24)))
    lat[:2] = (89.9999, -89.9999)
    want_ra, want_dec = _through_astropy(frame, "icrs", lon, lat)
    got_ra, got_dec = _rotate(matrix, lon, lat)
    # the chord between unit vectors is the angle (radians) for angles this small
    chord = np.degrees(np.linalg.norm(_unit(want_ra, want_dec) - _unit(got_ra, got_dec), axis=0))
    return matrix if float(chord.max()) < _ROTATION_CHECK_DEG else None


@functools.lru_cache(maxsize=64)
def _frame_for_spec(spec: tuple) -> SkyFrame:
    """One SkyFrame per distinct frame (a pure function of ``spec``, memoised)."""
    name, lon_name, lat_name, frame = _build(spec)
    if spec[0] == "icrs":
        return SkyFrame(name, lon_name, lat_name, frame, None, identity=True)
    nearest = _nearest_rotation(frame)
    exact = _rotation_for(frame, nearest)
    return SkyFrame(name, lon_name, lat_name, frame, exact, approximate=None if exact is not None else nearest)


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

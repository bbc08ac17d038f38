"""``imgmarker info``: what an image holds (frames, depth, WCS) and where a point is.

Sky positions are ICRS; a WCS in another frame is named, with its own coordinates
under their own names (galactic l, b are never called RA, Dec). A WCS that cannot be
trusted gives one warning line naming the file and no positions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from imgmarker.commands.common import add_plugin_options, plugin_host, report_plugin_problems


def _frame_summary(frame: Any) -> dict[str, Any]:
    from imgmarker.kernel.imaging.wcs import describe

    info = frame.info
    entry: dict[str, Any] = {
        "index": info.index, "name": info.name, "width": info.width, "height": info.height,
        "dtype": info.dtype, "bands": info.bands, "wcs": None,
    }
    wcs = frame.wcs
    if wcs is not None:
        entry["wcs"] = describe(wcs, info.height, info.width)
    problem = getattr(frame, "wcs_problem", None)
    if problem:
        entry["wcs_problem"] = problem
    return entry


def _point(kind: str, x: float, y: float, ra: float, dec: float, wcs: Any, height: int) -> dict[str, Any]:
    from imgmarker.kernel.imaging.sky import sky_frame
    from imgmarker.kernel.imaging.wcs import format_world, pixel_to_native

    point = {"given": kind, "x": x, "y": y, "ra": ra, "dec": dec,
             "degrees": format_world(ra, dec, "degrees"), "sexagesimal": format_world(ra, dec)}
    frame = sky_frame(wcs)
    if not frame.is_icrs:
        lon, lat = pixel_to_native(wcs, height, x, y)
        point["native"] = {"frame": frame.name, "names": [frame.lon_name, frame.lat_name],
                           "values": [float(lon), float(lat)]}
    return point


def _native(frame: str, names: list[str], values: list[float]) -> str:
    return f"{frame} {names[0]}, {names[1]} {values[0] % 360.0:.6f} {values[1]:+.6f} deg"


def _text(report: dict[str, Any]) -> str:
    lines = [f"{report['path']}: {report['format']}, {len(report['frames'])} frame"
             + ("s" if len(report["frames"]) != 1 else "")]
    for f in report["frames"]:
        bands = {1: "gray", 2: "gray+alpha", 3: "RGB", 4: "RGBA"}.get(f["bands"], f"{f['bands']} bands")
        line = f"  [{f['index']}] {f['name']}: {f['width']} x {f['height']} {f['dtype']} {bands}"
        w = f["wcs"]
        if w:
            native = "" if w["frame"] == "ICRS" else (
                f", {_native(w['frame'], w['native_names'], w['native_centre'])} at the centre")
            line += (f"; WCS {'/'.join(w['ctype'])}{' (SIP)' if w['sip'] else ''} in {w['frame']}{native}, "
                     f"centre RA, Dec (ICRS) {w['centre']}, "
                     f"{w['pixel_scale_arcsec']:.4g}\"/px, north {w['north_angle_deg']:.1f} deg, "
                     f"east {w['east_angle_deg']:.1f} deg")
        elif f.get("wcs_problem"):
            line += "; WCS unusable, no RA/Dec"
        else:
            line += "; no WCS"
        lines.append(line)
    for p in report.get("points", []):
        native = p.get("native")
        extra = f" = {_native(native['frame'], native['names'], native['values'])}" if native else ""
        lines.append(f"  pixel ({p['x']:.6f}, {p['y']:.6f}) = RA, Dec (ICRS) {p['degrees']} deg = "
                     f"{p['sexagesimal']}{extra}")
    if "sources" in report:
        lines.append(f"  {len(report['sources'])} catalog source{'s' * (len(report['sources']) != 1)} "
                     f"on frame {report['sources_frame']}:")
        for row in report["sources"]:
            sky = f"  RA {row['ra']:.7f}  Dec {row['dec']:+.7f}" if row["ra"] is not None else ""
            lines.append(f"    {row['catalog']}:{row['line']} {row['label'] or '-'}: "
                         f"x {row['x']:.3f}  y {row['y']:.3f}{sky}  size {row['size_px']:.2f} px")
    return "\n".join(lines)


def cmd_info(args: argparse.Namespace) -> int:
    """Any file at all: a report, or one line saying what is wrong with it."""
    from imgmarker.kernel.annotations.names import readable_name

    try:
        return _info(args)
    except MemoryError:
        print(f"error: {readable_name(args.image)}: not enough memory to describe it", file=sys.stderr)
    except Exception as exc:  # a header a reader or astropy chokes on after opening
        print(f"error: {readable_name(args.image)}: cannot be described: {type(exc).__name__}: {exc}",
              file=sys.stderr)
    return 1


def _info(args: argparse.Namespace) -> int:
    from imgmarker.kernel.annotations.names import readable_name
    from imgmarker.kernel.imaging.images import ImageReadError, open_image
    from imgmarker.kernel.imaging.wcs import pixel_to_world, world_to_pixel

    host = plugin_host(args)
    report_plugin_problems(host)
    path = Path(args.image)
    try:
        image = open_image(path, host.registry)
    except ImageReadError as exc:
        print(f"error: {readable_name(str(path))}: {exc.reason}", file=sys.stderr)
        return 1
    with image:
        if not 0 <= args.frame < len(image.frames):
            print(f"error: {path}: no frame {args.frame} (frames 0..{len(image.frames) - 1})", file=sys.stderr)
            return 1
        report: dict[str, Any] = {"path": readable_name(str(path)), "format": image.format,
                                  "frames": [_frame_summary(f) for f in image.frames], "points": []}
        for f in image.frames:
            note = f.wcs_note(path) if hasattr(f, "wcs_note") else None
            if note:
                print(f"warning: {note}", file=sys.stderr)
        frame = image.frames[args.frame]
        if args.pix or args.world:
            if frame.wcs is None:
                why = "its WCS is unusable" if getattr(frame, "wcs_problem", None) else "it has no WCS"
                print(f"error: {path}: frame {args.frame}: no RA/Dec, {why}", file=sys.stderr)
                return 1
            height = frame.info.height
            for x, y in args.pix or []:
                ra, dec = pixel_to_world(frame.wcs, height, x, y)
                report["points"].append(_point("pixel", x, y, float(ra), float(dec), frame.wcs, height))
            for ra, dec in args.world or []:
                x, y = world_to_pixel(frame.wcs, height, ra, dec)
                report["points"].append(_point("world", float(x), float(y), ra, dec, frame.wcs, height))
        if args.catalog:
            from imgmarker.kernel.catalogs.campaign_catalogs import catalog_rows_for_image

            rows, problems = catalog_rows_for_image(args.catalog, host.registry, image, path.name, args.frame)
            for problem in problems:
                print(f"warning: {problem}", file=sys.stderr)
            report["sources"] = rows
            report["sources_frame"] = args.frame
    print(json.dumps(report, indent=2, default=str) if args.json else _text(report))
    return 0


def register(sub) -> None:
    p = sub.add_parser("info", help="describe an image: frames, depth, WCS; convert a point",
                       description="Open IMAGE with the installed readers and list its frames. "
                                   "Pixels are 0-based display pixels (origin at the centre of the "
                                   "top-left pixel, y down); sky positions are ICRS degrees, "
                                   "whatever frame the WCS uses (its own coordinates are shown too).")
    p.add_argument("image", help="image file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--pix", nargs=2, type=float, action="append", metavar=("X", "Y"),
                   help="display pixel to convert to RA, Dec (repeatable)")
    p.add_argument("--world", nargs=2, type=float, action="append", metavar=("RA", "DEC"),
                   help="ICRS RA, Dec in degrees to convert to a display pixel (repeatable)")
    p.add_argument("--frame", type=int, default=0, help="frame used for --pix/--world/--catalog (default 0)")
    p.add_argument("--catalog", action="append", metavar="CAT",
                   help="list the sources of catalog CAT that land on the image, with pixel positions "
                        "(the same matching the marking window uses; repeatable)")
    add_plugin_options(p)
    p.set_defaults(func=cmd_info)

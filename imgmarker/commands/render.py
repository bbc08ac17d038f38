"""``imgmarker render``: a quick-look PNG through the display pipeline the GUI uses."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from imgmarker.commands.common import add_plugin_options, plugin_host, report_plugin_problems


def _param(text: str) -> tuple[str, Any]:
    import yaml

    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    return name.strip(), yaml.safe_load(value)


def _picture(frame: Any, settings: Any, renderer: Any) -> tuple[Any, Any, str]:
    """(RGBA array, (vmin, vmax), note): a frame too large to hold goes through the
    bounded overview the window shows it with, never whole into memory."""
    from imgmarker.kernel.display.large import is_large, render_overview

    if is_large(frame.info.shape):
        picture = render_overview(frame.data(), settings, renderer)
        note = (f" (overview of {frame.info.width} x {frame.info.height}, one pixel in {picture.factor} "
                "each way)")
        return picture.rgba, picture.limits, note
    rendered = renderer.render(frame.data(), settings)
    return rendered.rgba(), (rendered.vmin, rendered.vmax), ""


def _render(args: argparse.Namespace, host: Any, settings: Any, renderer: Any) -> int:
    from PIL import Image as PILImage

    from imgmarker.kernel.annotations.names import readable_name
    from imgmarker.kernel.imaging.images import ImageReadError, open_image
    from imgmarker.kernel.display.filter_checks import FilterError

    path = Path(args.image)
    shown = readable_name(str(path))
    try:
        with open_image(path, host.registry) as image:
            if not 0 <= args.frame < len(image.frames):
                print(f"error: {shown}: no frame {args.frame} (frames 0..{len(image.frames) - 1})", file=sys.stderr)
                return 1
            try:
                rgba, (vmin, vmax), note = _picture(image.frames[args.frame], settings, renderer)
            except MemoryError:
                print(f"error: {shown}: not enough memory to render frame {args.frame}", file=sys.stderr)
                return 1
            except FilterError as exc:
                print(f"error: {shown}: {exc}", file=sys.stderr)
                return 1
            except ImageReadError as exc:  # the reader found the pixels bad and said so
                print(f"error: {shown}: {exc.reason}", file=sys.stderr)
                return 1
            except Exception as exc:  # pixels a reader could not deliver: truncated, corrupt, ...
                print(f"error: {shown}: cannot read the pixels: {type(exc).__name__}: {exc}", file=sys.stderr)
                return 1
    except ImageReadError as exc:
        print(f"error: {shown}: {exc.reason}", file=sys.stderr)
        return 1
    out = Path(args.output)
    picture = PILImage.fromarray(rgba, "RGBA") if (rgba[..., 3] != 255).any() else \
        PILImage.fromarray(rgba[..., :3].copy(), "RGB")
    try:
        picture.save(out, format="PNG")
    except (OSError, ValueError) as exc:
        print(f"error: {readable_name(str(out))}: cannot write the PNG: {getattr(exc, 'strerror', None) or exc}",
              file=sys.stderr)
        return 1
    print(f"{readable_name(str(out))}: {rgba.shape[1]} x {rgba.shape[0]}{note}, {settings.interval} [{vmin:.6g}, "
          f"{vmax:.6g}], {settings.stretch}, {settings.colormap}"
          + (f", blur {settings.blur:g} px" if settings.blur else ""))
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from imgmarker.kernel.display.pipeline import DisplaySettings, PipelineError, Renderer

    host = plugin_host(args)
    report_plugin_problems(host)
    settings = DisplaySettings.make(args.interval, dict(args.interval_param), args.stretch,
                                    dict(args.stretch_param), args.colormap, args.blur)
    renderer = Renderer(host.registry)
    try:
        renderer.check(settings)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return _render(args, host, settings, renderer)


def register(sub) -> None:
    p = sub.add_parser("render", help="render an image to PNG with a chosen interval and stretch",
                       description="Render one frame of IMAGE to an 8-bit PNG through the display pipeline. "
                                   "A frame too large to hold is rendered as the reduced overview the "
                                   "window shows it with.")
    p.add_argument("image", help="image file")
    p.add_argument("-o", "--output", required=True, help="PNG file to write")
    p.add_argument("--frame", type=int, default=0, help="frame index (default 0)")
    p.add_argument("--interval", default="zscale", help="interval filter (default zscale)")
    p.add_argument("--interval-param", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="interval parameter, e.g. percent=99 or vmin=0 (repeatable)")
    p.add_argument("--stretch", default="linear", help="stretch filter (default linear)")
    p.add_argument("--stretch-param", type=_param, action="append", default=[], metavar="NAME=VALUE",
                   help="stretch parameter, e.g. a=100 or exponent=0.5 (repeatable)")
    p.add_argument("--colormap", default="gray", help="colormap for single-band frames (default gray)")
    p.add_argument("--blur", type=float, default=0.0, help="Gaussian blur sigma in pixels (default 0: off)")
    add_plugin_options(p)
    p.set_defaults(func=cmd_render)

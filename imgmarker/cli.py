"""The ``imgmarker`` command line: a thin dispatcher over ``imgmarker.commands``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Sequence

from imgmarker import __version__
from imgmarker.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imgmarker",
        description="Mark and classify scientific images (FITS, TIFF, PNG, JPEG), fast and from the keyboard.",
    )
    parser.add_argument("--version", action="version", version=f"imgmarker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"imgmarker.commands.{name}").register(sub)
    return parser


def _quiet_libraries() -> None:
    """On a terminal of its own, show imgmarker's warnings but not the libraries' chatter
    (tifffile's log lines, astropy's warnings about a bad file the command reports
    itself in one line)."""
    root = logging.getLogger()
    if root.handlers:  # someone (a host program, a test runner) configured logging already
        return
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    handler.addFilter(logging.Filter("imgmarker"))
    root.addHandler(handler)
    logging.captureWarnings(True)


def main(argv: Sequence[str] | None = None) -> int:
    # file names may hold bytes that are not UTF-8: print them as \xNN, never fail on them
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

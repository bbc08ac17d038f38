"""The ``imgmarker`` command line: a thin dispatcher over ``imgmarker.commands``."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
from typing import Iterator, Sequence

from imgmarker import __version__
from imgmarker.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imgmarker",
        description="Mark and classify scientific images (FITS, TIFF, PNG, JPEG), fast and from the keyboard.",
    )
    parser.add_argument("--version", action="version", version=f"imgmarker {__version__}")
    parser.add_argument("--log-level", choices=LOG_LEVELS, type=str.lower, metavar="LEVEL",
                        help="level of the 'imgmarker' logger: debug, info, warning, error or critical. "
                             "Records at this level or above go to stderr (tracebacks only with debug) "
                             "and, in the window, to results/imgmarker.log. Default: warnings on stderr, "
                             "info in the log file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"imgmarker.commands.{name}").register(sub)
    return parser


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


class _TerminalFormat(logging.Formatter):
    """``level: message`` on one line, like the commands' own error lines; the
    traceback of a logged exception only when debugging."""

    def __init__(self, tracebacks: bool):
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        if self.tracebacks and record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


@contextlib.contextmanager
def _logging(level_name: str | None) -> Iterator[None]:
    """The 'imgmarker' logger to stderr for one command, put back as it was afterwards
    (``main`` may run many times in one process, as the tests do)."""
    logger = logging.getLogger("imgmarker")
    level = getattr(logging, level_name.upper()) if level_name else None
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level if level is not None else logging.WARNING)
    handler.setFormatter(_TerminalFormat(tracebacks=level == logging.DEBUG))
    before = logger.level
    if level is not None:
        logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)


def _quiet_libraries() -> None:
    """On a terminal of its own, show imgmarker's own lines but not the libraries'
    chatter (tifffile's log lines, astropy's warnings about a bad file the command
    reports itself in one line): without a handler, Python's last resort would print them."""
    root = logging.getLogger()
    if root.handlers:  # someone (a host program, a test runner) configured logging already
        return
    root.addHandler(logging.NullHandler())
    logging.captureWarnings(True)


def main(argv: Sequence[str] | None = None) -> int:
    # file names may hold bytes that are not UTF-8: print them as \xNN, never fail on them
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    with _logging(args.log_level):
        try:
            return int(args.func(args) or 0)
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())

"""Image names as the file system gives them, and as people read them.

A name is a ``str`` as ``os.listdir`` returns it: bytes that are not UTF-8 (a file
made on an old Latin-1 system, say) are kept as lone surrogates, so the file can be
opened again by that name. Such a string cannot be written as UTF-8, so wherever a
person or another program reads a name (window titles, messages, CSV, VOTable, DS9
files) it is shown with each undecodable byte as ``\\xNN``; the store keeps the exact
bytes. Control characters (a newline in a name) are shown the same way, so a message
about a file stays on one line.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _escape(match: re.Match) -> str:
    return f"\\x{ord(match.group()):02x}"


def readable_name(name: str | bytes) -> str:
    """``name`` as printable Unicode text: undecodable bytes and control characters become ``\\xNN``."""
    if isinstance(name, bytes):
        text = name.decode("utf-8", "backslashreplace")
    else:
        try:
            name.encode("utf-8")
            text = name
        except UnicodeEncodeError:
            try:
                text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            except UnicodeEncodeError:  # a surrogate no file system byte gives: show its code
                text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def output_name(name: str) -> str:
    """``name`` as output files write it: exactly when it is UTF-8, else readable."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return readable_name(name)

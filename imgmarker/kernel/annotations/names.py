"""Image names as the file system gives them, and as people read them.

A name is a ``str`` as ``os.listdir`` returns it: bytes that are not UTF-8 (a file
made on an old Latin-1 system, say) are kept as lone surrogates, so the file can be
opened again by that name. Such a string cannot be written as UTF-8, so wherever a
person or another program reads a name (window titles, CSV, VOTable, DS9 files) it is
shown with each undecodable byte as ``\\xNN``; the store keeps the exact bytes.
"""

from __future__ import annotations


def readable_name(name: str | bytes) -> str:
    """``name`` as valid Unicode text: undecodable bytes become ``\\xNN``."""
    if isinstance(name, bytes):
        return name.decode("utf-8", "backslashreplace")
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system byte gives: show its code
        return name.encode("utf-8", "backslashreplace").decode("utf-8")

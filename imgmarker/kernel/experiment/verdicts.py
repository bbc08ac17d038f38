"""Experiments that passed the JSON Schema before, remembered by a hash of their content
and of the schema (plugins' sections included), so opening an unchanged campaign does not
pay for importing and running the validator (most of a start-up's import time).

Only a clean result is remembered: a document with any schema problem is checked every
time, and any change to the document, the installed plugins' sections or the program's
version gives another hash. The semantic checks (files, keys, groups) always run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

KEPT = 64  # hashes remembered (a few campaigns, each with a few versions of its file)
FILE_NAME = "schema-verdicts.json"

log = logging.getLogger("imgmarker.experiment")


def verdict_key(*parts: Any) -> str:
    """The hash of ``parts`` (JSON-like values: a document, a schema) and the program's version."""
    from imgmarker import __version__

    text = json.dumps([__version__, *parts], sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class SchemaVerdicts:
    """The hashes of what validated cleanly, in a small JSON file read once."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._items: list[str] | None = None

    @classmethod
    def default(cls) -> "SchemaVerdicts":
        """In ``IMGMARKER_CACHE_DIR``, else the user's cache folder (``platformdirs``)."""
        folder = os.environ.get("IMGMARKER_CACHE_DIR")
        if not folder:
            import platformdirs

            folder = platformdirs.user_cache_dir("imgmarker")
        return cls(Path(folder) / FILE_NAME)

    def _read(self) -> list[str]:
        if self._items is None:
            try:
                items = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                items = []  # none yet, or unreadable: everything is checked
            self._items = [i for i in items if isinstance(i, str)] if isinstance(items, list) else []
        return self._items

    def known(self, *parts: Any) -> bool:
        """Whether ``parts`` (see :func:`verdict_key`) passed before."""
        return verdict_key(*parts) in self._read()

    def remember(self, *parts: Any) -> None:
        key = verdict_key(*parts)
        self._items = ([key] + [i for i in self._read() if i != key])[:KEPT]
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:  # renamed into place (never half a file), not synced: a lost verdict only means a check
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(self._items), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:  # a read-only home: the next start checks again, nothing else changes
            log.debug("could not remember a schema verdict in %s: %s", self.path, exc)

"""Finding a campaign's image files.

Listing only: no file is opened, so a folder of 100,000 images is ready at once.
Images are identified by their path relative to the image root (POSIX separators),
which stays valid when the campaign folder is zipped and moved.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Sequence

from imgmarker.kernel.config import ImageSource


@dataclass(frozen=True)
class Discovered:
    root: Path
    names: tuple[str, ...]  # relative POSIX paths, sorted
    missing: tuple[str, ...] = ()  # listed in a list file but not on disk

    def path(self, name: str) -> Path:
        return self.root / name


def _has_suffix(name: str, suffixes: Sequence[str]) -> bool:
    lower = name.lower()
    return any(lower.endswith(s) for s in suffixes)


def _scan(directory: Path, recursive: bool) -> Iterable[str]:
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(directory / rel if rel else directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=True):
                    if recursive:
                        stack.append(child)
                elif entry.is_file(follow_symlinks=True):
                    yield child
            except OSError:
                continue


def _match(name: str, patterns: Sequence[str], recursive: bool) -> bool:
    base = name.rsplit("/", 1)[-1]
    for pattern in patterns:
        if "/" not in pattern:
            # PurePosixPath.match of a one-part pattern is fnmatchcase of the last part
            if (recursive or "/" not in name) and fnmatch.fnmatchcase(base, pattern):
                return True
        elif PurePosixPath(name).match(pattern):
            return True
    return False


def discover(source: ImageSource, suffixes: Sequence[str]) -> Discovered:
    """List the image files of ``source``; ``suffixes`` are those the readers support."""
    if source.list_file is not None:
        root = source.list_file.parent
        names, missing = [], []
        seen = set()
        for line in source.list_file.read_text(encoding="utf-8-sig").splitlines():
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            name = Path(entry).as_posix()
            if name in seen:
                continue
            seen.add(name)
            (names if (root / name).is_file() else missing).append(name)
        return Discovered(root, tuple(names), tuple(missing))
    assert source.directory is not None
    root = source.directory
    if source.patterns:
        deep = source.recursive or any("/" in p for p in source.patterns)
        names = [n for n in _scan(root, deep) if _match(n, source.patterns, source.recursive)]
    else:
        names = [n for n in _scan(root, source.recursive) if _has_suffix(n, suffixes)]
    return Discovered(root, tuple(sorted(names)))

"""The list of recently opened campaigns, kept in a small JSON file in the user's
configuration folder (``IMGMARKER_CONFIG_DIR`` overrides the folder)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from imgmarker.kernel.output.atomic import atomic_write

MAX_RECENT = 10


def default_file() -> Path:
    folder = os.environ.get("IMGMARKER_CONFIG_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_config_dir("imgmarker")
    return Path(folder) / "recent.json"


def read(path: Path) -> list[Path]:
    try:
        items = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(p) for p in items if isinstance(p, str) and Path(p).exists()]


def remember(path: Path, experiment: Path) -> list[Path]:
    """Put ``experiment`` first in the list stored at ``path``; the new list."""
    experiment = Path(experiment).resolve()
    items = [experiment] + [p for p in read(path) if p.resolve() != experiment]
    items = items[:MAX_RECENT]
    with atomic_write(Path(path)) as handle:
        json.dump([str(p) for p in items], handle, indent=1)
    return items

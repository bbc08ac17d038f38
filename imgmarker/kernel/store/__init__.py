"""Where a campaign's state lives: the store interface the session and writers talk to,
and its SQLite implementation (one crash-safe database per annotator).

May import: annotations.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "base": ["Action", "Change", "Store", "StoreError"],
    "sqlite": ["SqliteStore"],
})

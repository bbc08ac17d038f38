"""Where a campaign's state lives: an abstract interface and its SQLite implementation."""

from imgmarker.kernel.store.base import Action, Change, Store, StoreError

__all__ = ["Action", "Change", "Store", "StoreError"]

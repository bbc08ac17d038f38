"""imgmarker: fast, keyboard-driven marking and classification of scientific images.

``imgmarker.hookimpl`` marks plugin hook implementations; ``imgmarker.Session`` drives a
campaign from Python; everything else public is in :mod:`imgmarker.api`.
"""

from typing import Any

import pluggy

__version__ = "0.1.0"

#: Decorator for plugin hook implementations (``@imgmarker.hookimpl``).
hookimpl = pluggy.HookimplMarker("imgmarker")

__all__ = ["Session", "__version__", "hookimpl"]


def __getattr__(name: str) -> Any:
    # Session pulls in the store and the experiment loader; only scripts that use it pay.
    if name == "Session":
        from imgmarker.kernel.campaign.session import Session

        return Session
    raise AttributeError(f"module 'imgmarker' has no attribute {name!r}")

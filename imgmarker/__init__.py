"""imgmarker: fast, keyboard-driven marking and classification of scientific images."""

import pluggy

__version__ = "0.1.0"

#: Decorator for plugin hook implementations (``@imgmarker.hookimpl``).
hookimpl = pluggy.HookimplMarker("imgmarker")

__all__ = ["__version__", "hookimpl"]

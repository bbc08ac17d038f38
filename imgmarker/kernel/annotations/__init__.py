"""What an annotation is: marks, image states, the invertible changes the undo log keeps,
and the rows writers read. The data model every other room shares.

May import: nothing else from the kernel.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "marks": ["FrameGeometry", "ImageEntry", "ImageState", "Mark", "MarkResult", "Progress"],
    "changes": ["Change"],
    "rows": ["ImageRow", "MarkRow", "WriterContext"],
})

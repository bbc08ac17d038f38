"""Files users read: running writer plugins against a store (now or in the background),
writing through a temporary file renamed into place, whether a results folder
can be written, and CSV text a column at a time.

May import: annotations, store.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "atomic": ["atomic_output", "atomic_write"],
    "export": ["BackgroundExporter", "run_writers"],
    "folders": ["folder_problem"],
})

"""One annotator marking one campaign: the Session API, the image sequence and its
order and repeats, finding image files, the one-session-per-annotator lock, applying the
annotator's settings, and the sky positions of marks.

May import: annotations, experiment, plugins, imaging, store, output.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "session": ["Session"],
    "lock": ["SessionBusy"],
    "discovery": ["discover"],
    "sequence": ["database_path", "resolve_user", "utc_now"],
})

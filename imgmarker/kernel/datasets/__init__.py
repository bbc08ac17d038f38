"""Training sets for machine learning from a campaign's results: which examples to
take (one annotator's marks or the consensus of several, with their support), cutouts
around marks and whole images by category, seeded splits that keep each source image
in one split, the label table, and the manifest that lets a dataset be rebuilt and
cited. The ``dataset`` command is a thin layer over it.

May import: annotations, plugins, imaging, display, output, agreement.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "options": ["DatasetOptions", "Size"],
    "geometry": ["cutout_origin", "cutout_size"],
    "splits": ["SPLITS", "assign_splits"],
    "build": ["DatasetReport", "build_dataset"],
    "selection": ["DatasetError"],
})

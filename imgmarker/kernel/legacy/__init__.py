"""Image Marker 1.2 save folders: reading their files (config, marks, images,
favourites, imported catalogs) as 1.2 writes them, turning them into an experiment
and a store that resume where the annotator was, with RA/Dec recomputed.

May import: annotations, experiment, campaign, catalogs, store, output.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "textfiles": ["decode_text", "read_table"],
    "savefolder": ["SaveFolder", "LegacyError", "find_users", "read_save_folder"],
    "plan": ["ImportPlan", "plan_import"],
    "importer": ["ImportConflict", "ImportResult", "import_save_folder"],
    "sky": ["SkyShift", "sky_shift"],
    "outputs": ["write_outputs"],
})

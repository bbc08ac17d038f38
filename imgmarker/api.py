"""The public API: what plugins (built-in and third-party) and scripts import.

Everything here keeps its name across releases; the kernel's rooms behind it may move.
Names are imported on first use, so a plugin importing this module stays cheap.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "imgmarker": ["hookimpl", "__version__"],
    # records that registry hooks return
    "imgmarker.kernel.plugins.records": ["CatalogReaderSpec", "ConfigSchema", "FilterSpec", "OverlaySpec",
                                         "ParamSpec", "ReaderSpec", "RecordError", "WriterSpec"],
    # readers
    "imgmarker.kernel.imaging.images": ["Frame", "FrameInfo", "Image", "ImageReadError", "open_image"],
    "imgmarker.kernel.imaging.wcs": ["display_to_fits", "fits_to_display", "format_world", "pixel_to_world",
                                     "world_to_pixel"],
    "imgmarker.kernel.imaging.pixel_scale": ["arcsec_per_pixel", "centre_arcsec_per_pixel", "sizes_in_pixels"],
    "imgmarker.kernel.imaging.sky": ["SkyFrame", "UnusableWcs", "frame_from_name", "sky_frame"],
    "imgmarker.kernel.imaging.wcs_checks": ["check_wcs_header=check_header"],
    # catalog readers
    "imgmarker.kernel.catalogs.model": ["Catalog", "CatalogError", "CatalogStyle"],
    "imgmarker.kernel.catalogs.columns": ["build_catalog"],
    # overlays
    "imgmarker.kernel.display.overlay": ["Line", "Marker", "OverlayContext", "Text"],
    "imgmarker.kernel.display.filter_checks": ["FilterError"],
    # filters
    "imgmarker.kernel.display.strips": ["finite_extremes"],
    # writers
    "imgmarker.kernel.annotations.rows": ["ImageRow", "MarkRow", "WriterContext"],
    "imgmarker.kernel.output.atomic": ["atomic_write"],
    "imgmarker.kernel.output.csvtext": ["CSV_BLOCK=BLOCK", "csv_field=field", "csv_texts=texts", "category_fields",
                                        "join_categories", "split_categories"],
    # scripts
    "imgmarker.kernel.campaign.session": ["Session"],
    "imgmarker.kernel.campaign.lock": ["SessionBusy"],
    "imgmarker.kernel.annotations.marks": ["FrameGeometry", "ImageState", "Mark", "MarkResult", "Progress"],
    "imgmarker.kernel.experiment.loader": ["load_experiment"],
    "imgmarker.kernel.experiment.problems": ["ExperimentError"],
    "imgmarker.kernel.plugins.host": ["create_plugin_host"],
})

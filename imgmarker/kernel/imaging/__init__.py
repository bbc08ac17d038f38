"""Pixels and where they are on the sky: the image and frame records readers return,
opening a file through the reader plugins (after asking the file system what it is),
the celestial frame of a WCS and ICRS, whether a WCS can be trusted, and pixel <-> sky
conversion and pixel scale.

May import: nothing else from the kernel.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "files": ["not_a_regular_file", "why_not_a_file"],
    "images": ["Frame", "FrameInfo", "Image", "ImageReadError", "open_image"],
    "wcs": ["format_world", "pixel_to_world", "world_to_pixel"],
    "pixel_scale": ["arcsec_per_pixel", "centre_arcsec_per_pixel", "sizes_in_pixels"],
    "sky": ["SkyFrame", "UnusableWcs", "frame_from_name", "galactic_of_icrs", "sky_frame"],
    "wcs_checks": ["check_header", "check_wcs", "usable_wcs"],
})

"""External catalogs: the catalog model, turning raw columns into one, matching sources
to images through their WCS, a campaign's loaded catalogs, and promoting a source to a mark.

May import: imaging, display (overlay primitives).
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "model": ["Catalog", "CatalogError", "CatalogStyle", "load_catalog"],
    "columns": ["build_catalog"],
    "matching": ["CatalogIndex"],
    "campaign_catalogs": ["CatalogSet", "catalog_rows_for_image"],
    "promote": ["promote_source"],
})

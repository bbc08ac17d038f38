"""JSON Schemas shipped with imgmarker (resource package ``imgmarker.schemas``)."""

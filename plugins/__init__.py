"""Built-in plugins, registered through the same ``imgmarker`` entry-point group as
third-party plugins."""

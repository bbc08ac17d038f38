"""Built-in overlays: the annotator's marks, catalogs, a compass and a scale bar."""

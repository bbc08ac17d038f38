"""Built-in image readers (FITS, TIFF, PNG/JPEG)."""

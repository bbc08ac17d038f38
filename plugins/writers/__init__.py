"""Built-in output writers: CSV tables, a VOTable of marks, DS9 region files."""

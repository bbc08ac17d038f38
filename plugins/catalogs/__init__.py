"""Built-in catalog readers: delimited text and the tables astropy reads."""

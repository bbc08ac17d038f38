"""Several annotators of one experiment: consensus marks, category votes and agreement
statistics. Qt-free; the ``aggregate`` and ``agreement`` commands are thin layers over it."""

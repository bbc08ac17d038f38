"""Several annotators of one experiment: consensus marks, category votes and agreement
statistics. The ``aggregate`` and ``agreement`` commands are thin layers over it.

May import: annotations, imaging, store, output.
"""

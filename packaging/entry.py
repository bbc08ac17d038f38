"""Entry point of the frozen application: the same command line as ``imgmarker``."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # worker processes of a frozen app re-enter here
    from imgmarker.cli import main

    sys.exit(main())

"""Allow ``python -m imgmarker``."""

import sys

from imgmarker.cli import main

if __name__ == "__main__":
    sys.exit(main())

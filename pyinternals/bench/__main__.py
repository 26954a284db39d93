"""`python -m pyinternals.bench [NAME ...]`."""

import sys

from pyinternals.bench import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Thin wrapper so the benchmark also runs from a source checkout: ``python scripts/benchmark.py --help``."""

import sys

import basicsr_lfdn  # noqa: F401  (installs the torchvision alias before basicsr is imported)
from basicsr_lfdn.benchmark import main

if __name__ == '__main__':
    sys.exit(main())

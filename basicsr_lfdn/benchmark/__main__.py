"""``python -m basicsr_lfdn.benchmark``: the same command as ``lfdn-benchmark`` (also the worker processes)."""

import sys

from basicsr_lfdn.benchmark.cli import main

sys.exit(main())

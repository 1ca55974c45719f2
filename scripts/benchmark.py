"""``lfdn-benchmark`` from a source checkout: ``python scripts/benchmark.py --help`` (``basicsr_lfdn.benchmark``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())

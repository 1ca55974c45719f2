"""Compare synthetic rain with real rainy validation pairs by the statistics of the rain residual.

    python scripts/degradation_stats.py --real ../shared/datasets/Rain13K-sample \\
        --options options/real/_base_/derain_bsds.yml

The code lives in ``basicsr_lfdn.research.degradation_stats``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.degradation_stats import main  # noqa: E402

if __name__ == '__main__':
    main()

"""A small input | output(s) | target figure of one image crop (for docs/).

    python scripts/comparison_figure.py --task derain --input ../shared/datasets/Rain100/Rain100L/001.png \\
        --target ../shared/datasets/Rain100/target/001.png --crop 80 40 320 240 -o docs/figures/derain_rain100l.jpg

The code lives in ``basicsr_lfdn.research.comparison_figure``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.comparison_figure import main  # noqa: E402

if __name__ == '__main__':
    main()

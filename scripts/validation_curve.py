"""Validation PSNR of a training run's saved checkpoints against the time they were saved.

    python scripts/validation_curve.py -opt options/real/deblur_screen/lfdn_recipe.yml --minutes 10 20
    python scripts/validation_curve.py -opt options/real/lfdn_deblur.yml --every 500 --json curve.json

The code lives in ``basicsr_lfdn.research.validation_curve``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.validation_curve import main  # noqa: E402

if __name__ == '__main__':
    raise SystemExit(main())

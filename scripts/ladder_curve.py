"""Training ladders: add a stage's validation rounds to the record, or plot every stage.

The code lives in ``basicsr_lfdn.research.ladder_curve``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.ladder_curve import main  # noqa: E402

if __name__ == '__main__':
    raise SystemExit(main())

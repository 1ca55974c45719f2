"""A learning-speed screen: collect its rows, print them at one CPU time, or plot them.

The code lives in ``basicsr_lfdn.research.screen_curves``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.screen_curves import main  # noqa: E402

if __name__ == '__main__':
    raise SystemExit(main())

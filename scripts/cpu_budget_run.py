"""Train several option files, each stopped at the same CPU time (a learning-speed screen).

The code lives in ``basicsr_lfdn.research.cpu_budget``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.cpu_budget import main  # noqa: E402

if __name__ == '__main__':
    raise SystemExit(main())

"""Leaderboard: measured results beside the published numbers of both papers (``basicsr_lfdn.research.leaderboard``).

The committed docs/leaderboard.md and docs/figures/leaderboard.png are drawn from the measured JSONs
of docs/measured/ and the model cards of the shipped weights (basicsr_lfdn/pretrained/*.json), so a
fresh clone redraws them; without --no-logs the test logs in results/ add rows of your own runs::

    python scripts/leaderboard.py --scores docs/measured/budget-derain --no-logs \\
        --ablations docs/measured/sensors-table6-cpu-3h.json docs/measured/sensors-table9-cpu-3h.json \\
        --output-md docs/leaderboard.md --output-png docs/figures/leaderboard.png
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.leaderboard import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())

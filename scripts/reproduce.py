"""Reproduce tables of the papers: train and test every row, then tabulate measured vs published.

    python scripts/reproduce.py --list
    python scripts/reproduce.py --table sensors-table6 sensors-table9 --budget cpu-3h --jobs 2 --force

``--help`` explains the rest; the code lives in ``basicsr_lfdn.research`` (``reproduce`` parses the
options, ``paper_tables`` and ``budgets`` plan the runs, ``runner`` trains and tests them,
``ablation_report`` writes the reports).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.reproduce import main  # noqa: E402

if __name__ == '__main__':
    main()

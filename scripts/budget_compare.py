"""Equal-budget comparison: LFDN, LMFN and BasicSR's own networks trained for the same CPU time.

    python scripts/budget_compare.py --table budget-derain --budget-min 20

``--help`` explains the steps; the code lives in ``basicsr_lfdn.research`` (``budget_compare`` parses
the options, ``equal_budget`` runs one network, ``budget_table`` writes the table).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # also runs from a checkout without pip install

from basicsr_lfdn.research.budget_compare import main  # noqa: E402

if __name__ == '__main__':
    main()

"""Ship a trained checkpoint as ``lfdn-restore --task <task>``'s default weights, with its model card.

    python scripts/ship_weights.py --task derain --recipe options/real/lfdn_derain.yml \\
        --hardware "2-core CPU (this project's dev machine), bf16 autocast"
    python scripts/ship_weights.py --measure-int8 basicsr_lfdn/pretrained/lfdn_derain.json   # int8 block only
    python scripts/ship_weights.py --task derain --remeasure-regression LFDN                 # CI pairs only

The logic lives in :mod:`basicsr_lfdn.pretrained.shipping` (its docstring lists the steps).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr_lfdn.pretrained.shipping import main  # noqa: E402

if __name__ == '__main__':
    main()

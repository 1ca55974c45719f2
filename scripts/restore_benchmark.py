"""Whole-process benchmark of ``lfdn-restore`` (start-up, model cache, first image, peak RSS).

    python scripts/restore_benchmark.py --task derain --threads 2 --workloads 10x1280x720 1x3840x2160 \\
        --configs torch:fp32 openvino:int8 --repeats 3 --frame 5 --output-json whole_process.json

The logic lives in :mod:`basicsr_lfdn.inference.process_benchmark`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr_lfdn.inference.process_benchmark import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main())

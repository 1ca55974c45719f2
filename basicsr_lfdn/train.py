"""Train a restoration network with BasicSR's pipeline: ``python basicsr_lfdn/train.py -opt <file>.yml``.

Also installed as ``lfdn-train``. Options: ``--launcher none|pytorch|slurm``, ``--auto_resume``,
``--debug``, ``--force_yml key:sub=value``. Experiments go to ``./experiments/<name>``, TensorBoard
logs to ``./tb_logger/<name>``. See docs/training.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ''):  # run as a script: import the package, not this folder's modules, by name
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin and patches torchvision before basicsr)
from basicsr_lfdn.utils.entry import run_pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``lfdn-train``; ``argv`` defaults to ``sys.argv[1:]``."""
    from basicsr.train import train_pipeline

    run_pipeline(train_pipeline, is_train=True, argv=argv)


if __name__ == '__main__':
    main()

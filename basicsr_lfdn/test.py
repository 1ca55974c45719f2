"""Evaluate a trained network with BasicSR's test pipeline: ``python basicsr_lfdn/test.py -opt <file>.yml``.

Also installed as ``lfdn-test``. A table-row option file is evaluated on its ``datasets.test*``
sets with ``experiments/<name>/models/net_g_latest.pth`` unless ``path.pretrain_network_g`` says
otherwise; images, the log and ``metrics.json`` go to ``./results/<name>_<test sets>``.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ''):  # run as a script: import the package, not this folder's modules, by name
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin and patches torchvision before basicsr)
from basicsr_lfdn.utils.entry import run_pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``lfdn-test``; ``argv`` defaults to ``sys.argv[1:]``."""
    from basicsr.test import test_pipeline

    run_pipeline(test_pipeline, is_train=False, argv=argv)


if __name__ == '__main__':
    main()

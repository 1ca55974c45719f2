"""Run ``basicsr_lfdn.train.main`` under torchrun, also dumping each rank's weights at every save.

Only rank 0 writes checkpoints; to check that DDP keeps the replicas identical the test needs
every rank's weights, so this driver wraps ``RestorationModel.save`` (test-only) before training.
Usage: ``torchrun --nproc_per_node 2 ddp_driver.py <dump dir> -opt <file> --launcher pytorch``.
"""

import sys
from pathlib import Path

import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)
from basicsr_lfdn.models.restoration_model import RestorationModel
from basicsr_lfdn.train import main

DUMP_DIR = Path(sys.argv.pop(1))
_save = RestorationModel.save


def save_and_dump(self, epoch, current_iter):
    _save(self, epoch, current_iter)
    weights = self.get_bare_model(self.net_g).state_dict()
    torch.save(weights, DUMP_DIR / f'rank{self.opt["rank"]}_iter{current_iter}.pth')


RestorationModel.save = save_and_dump

if __name__ == '__main__':
    main()

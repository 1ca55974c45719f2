"""A RestorationModel option dict for a tiny LFDN, built without BasicSR's option parser."""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

TINY_NETWORK = {'type': 'LFDN', 'num_feat': 8, 'encoder_feat': 8, 'num_blocks': 1}


def make_model_opt(root: Path, **train_overrides) -> dict:
    """Options as BasicSR's parse_options would leave them for a CPU, single-process run."""
    experiments = root / 'experiments' / 'tiny'
    train = {
        'optim_g': {'type': 'Adam', 'lr': 1e-3, 'weight_decay': 1e-4, 'betas': [0.9, 0.999]},
        'scheduler': {'type': 'MultiStepLR', 'milestones': [1000], 'gamma': 0.1},
        'total_iter': 10,
        'pixel_opt': {'type': 'MSELoss', 'loss_weight': 1.0, 'reduction': 'mean'},
    }
    train.update(train_overrides)
    return {
        'name': 'tiny',
        'model_type': 'RestorationModel',
        'num_gpu': 0,
        'dist': False,
        'rank': 0,
        'world_size': 1,
        'is_train': True,
        'network_g': copy.deepcopy(TINY_NETWORK),
        'path': {
            'pretrain_network_g': None,
            'experiments_root': str(experiments),
            'models': str(experiments / 'models'),
            'training_states': str(experiments / 'training_states'),
            'visualization': str(experiments / 'visualization'),
            'results_root': str(root / 'results' / 'tiny'),
        },
        'train': train,
        'val': {
            'save_img': False,
            'num_strips': 2,
            'metrics': {'psnr': {'type': 'calculate_psnr', 'crop_border': 0, 'test_y_channel': False}},
        },
    }


@pytest.fixture
def model_opt(tmp_path: Path) -> dict:
    return make_model_opt(tmp_path)


@pytest.fixture
def opt_factory(tmp_path: Path) -> Callable[..., dict]:
    """``opt_factory(amp='bf16', ...)``: options with ``train`` keys overridden."""
    return functools.partial(make_model_opt, tmp_path)


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def basicsr_log() -> Iterator[list[str]]:
    """Messages of BasicSR's 'basicsr' logger (it does not propagate, so caplog cannot see them)."""
    handler = _ListHandler()
    logger = logging.getLogger('basicsr')
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)

"""The validation curve (``scripts/validation_curve.py``): checkpoints timed from the run's start, picked at equal
elapsed time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch

from basicsr_lfdn.research.runs import checkpoints
from basicsr_lfdn.research.validation_curve import pick


def make_run(root: Path, saved_after_minutes: dict[int, float]) -> Path:
    """A run folder started at 12:00:00 (its first log's name) with checkpoints saved at the given times."""
    run = root / 'run'
    (run / 'models').mkdir(parents=True)
    (run / 'train_run_20261130_120000.log').write_text('started\n')
    (run / 'train_run_20261130_130000.log').write_text('resumed\n')  # a later log must not move the start
    start = time.mktime(time.strptime('20261130_120000', '%Y%m%d_%H%M%S'))
    for iteration, minutes in saved_after_minutes.items():
        path = run / 'models' / f'net_g_{iteration}.pth'
        torch.save({'params': {}}, path)
        os.utime(path, (start + 60 * minutes, start + 60 * minutes))
    (run / 'models' / 'net_g_latest.pth').write_bytes(b'')  # not an iteration: ignored
    return run


def test_checkpoints_are_timed_from_the_first_log(tmp_path):
    run = make_run(tmp_path, {300: 25.5, 100: 8.0, 200: 16.25})
    found = checkpoints(run)
    timed = [(iteration, round(minutes, 2)) for iteration, minutes, _ in found]
    assert timed == [(100, 8.0), (200, 16.25), (300, 25.5)]


def test_pick_takes_the_last_checkpoint_saved_by_each_time(tmp_path):
    found = checkpoints(make_run(tmp_path, {100: 8.0, 200: 16.0, 300: 25.5, 400: 33.0}))
    assert [item[0] for item in pick(found, [10, 25.5, 60], 0)] == [100, 300, 400]
    assert [item[0] for item in pick(found, [], 200)] == [200, 400]
    with pytest.raises(ValueError, match='within 5'):
        pick(found, [5], 0)


def test_a_folder_without_logs_or_checkpoints_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='no train_'):
        checkpoints(tmp_path)
    (tmp_path / 'train_x_20261130_120000.log').write_text('')
    with pytest.raises(FileNotFoundError, match='no net_g_'):
        checkpoints(tmp_path)


def test_weights_option_scores_one_file_in_tiles(tmp_path, capsys):
    """Weights that return their input score exactly the input's PSNR, in tiles too."""
    import json

    import cv2
    import numpy as np
    import yaml
    from basicsr.archs import build_network

    from basicsr_lfdn.research.validation_curve import main

    rng = np.random.default_rng(0)
    for folder in ('gt', 'lq'):
        (tmp_path / folder).mkdir()
    for index in range(2):
        target = rng.integers(0, 256, (40, 56, 3), dtype=np.uint8)
        noisy = np.clip(target.astype(int) + rng.integers(-20, 21, target.shape), 0, 255).astype(np.uint8)
        cv2.imwrite(str(tmp_path / 'gt' / f'{index}.png'), target)
        cv2.imwrite(str(tmp_path / 'lq' / f'{index}.png'), noisy)
    weights = tmp_path / 'identity.pth'
    torch.save({'params': build_network({'type': 'LMFN', 'identity_init': True}).state_dict()}, weights)
    pairs = {
        'type': 'PairedRestorationDataset',
        'dataroot_gt': str(tmp_path / 'gt'),
        'dataroot_lq': str(tmp_path / 'lq'),
        'io_backend': {'type': 'disk'},
    }
    option = tmp_path / 'opt.yml'
    option.write_text(
        yaml.safe_dump(
            {
                'name': 'weights_cli',
                'model_type': 'RestorationModel',
                'scale': 1,
                'network_g': {'type': 'LMFN'},  # randomly initialised: only the loaded weights return the input
                'datasets': {'val': {**pairs, 'name': 'pairs'}},
                'val': {
                    'tile': {'size': 32, 'overlap': 8},
                    'metrics': {'psnr': {'type': 'calculate_psnr', 'crop_border': 0, 'test_y_channel': True}},
                },
            }
        )
    )
    assert main(['-opt', str(option), '--weights', str(weights), '--json', str(tmp_path / 'row.json')]) == 0
    row = json.loads((tmp_path / 'row.json').read_text())[0]
    assert row['weights'] == str(weights)
    assert 20 < row['pairs'] < 40
    assert row['pairs'] == pytest.approx(row['pairs input'], abs=1e-6)
    with pytest.raises(SystemExit, match='no such file'):
        main(['-opt', str(option), '--weights', str(tmp_path / 'missing.pth')])

"""Training through BasicSR's pipeline on the CPU: loss goes down, resume after a kill, DDP, test.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.data import build_dataset
from basicsr.models import build_model
from torch.utils.data import DataLoader

from basicsr_lfdn.train import main as train_main
from basicsr_lfdn.utils.checkpoint import load_checkpoint
from basicsr_lfdn.utils.options import prepare_for_phase, resolve_option_file

REPO = Path(__file__).resolve().parents[2]
TRAIN = str(REPO / 'basicsr_lfdn' / 'train.py')
TEST = str(REPO / 'basicsr_lfdn' / 'test.py')


def _model_opt(opt: dict, root: Path) -> dict:
    """What BasicSR's parse_options adds for a single CPU process."""
    experiments = root / 'experiments' / opt['name']
    opt.update(dist=False, rank=0, world_size=1, is_train=True)
    opt['path'].update(
        models=str(experiments / 'models'),
        training_states=str(experiments / 'training_states'),
        visualization=str(experiments / 'visualization'),
    )
    for phase, dataset in opt['datasets'].items():
        dataset.update(phase=phase.split('_')[0], scale=1)
    return opt


def _mean_loss(model, loader) -> float:
    """Mean MSE of the network on full training images (no crops, no augmentation)."""
    net = model.get_bare_model(model.net_g)
    with torch.no_grad():
        losses = [torch.mean((net(batch['lq']) - batch['gt']) ** 2).item() for batch in loader]
    return sum(losses) / len(losses)


def test_twenty_cpu_iterations_lower_the_training_loss(tiny_option_file, tmp_path):
    torch.manual_seed(0)
    opt = _model_opt(prepare_for_phase(resolve_option_file(tiny_option_file('loss')), is_train=True), tmp_path)
    train_set = build_dataset(opt['datasets']['train'])
    full_images = build_dataset({**opt['datasets']['train'], 'phase': 'val'})
    model = build_model(opt)
    eval_loader = DataLoader(full_images, batch_size=6)
    before = _mean_loss(model, eval_loader)
    loader = DataLoader(train_set, batch_size=2, shuffle=True, drop_last=True)
    iteration = 0
    while iteration < 20:
        for batch in loader:
            iteration += 1
            model.feed_data(batch)
            model.optimize_parameters(iteration)
            if iteration == 20:
                break
    after = _mean_loss(model, eval_loader)
    assert after < 0.8 * before, (before, after)


def _train(run_dir: Path, option: Path, *args: str) -> Path:
    """``train.py -opt <option> <args>`` in this process with ``run_dir`` as the working directory."""
    run_dir.mkdir(exist_ok=True)
    cwd = Path.cwd()
    os.chdir(run_dir)
    try:
        train_main(['-opt', str(option), *args])
    finally:
        os.chdir(cwd)
    return run_dir / 'experiments' / 'resume'


@pytest.mark.slow
def test_a_resumed_run_ends_bit_for_bit_where_an_unbroken_run_does(tiny_option_file, pair_data, tmp_path):
    """4 iterations in one go vs 2, stop, ``--auto_resume`` to 4: same weights, EMA and Adam state.

    One 48×48 training pair (a meta-info file lists only it), batch 1, no flips and a full-image
    crop, so every iteration sees the same batch whichever epoch it falls in; both runs share the seed.
    """
    meta_info = tmp_path / 'one_pair.txt'
    meta_info.write_text('000.png (48,48,3)\n')
    train_set = {
        'dataroot_gt': str(pair_data / 'train' / 'target'),
        'dataroot_lq': str(pair_data / 'train' / 'input'),
        'meta_info_file': str(meta_info),
        'gt_size': 48,
        'use_hflip': False,
        'use_rot': False,
        'batch_size_per_gpu': 1,
        'num_worker_per_gpu': 0,
    }
    option_file = tiny_option_file('resume', train={'total_iter': 4, 'ema_decay': 0.9}, datasets={'train': train_set})

    unbroken = _train(tmp_path / 'unbroken', option_file)
    _train(tmp_path / 'resumed', option_file, '--force_yml', 'train:total_iter=2')
    resumed = _train(tmp_path / 'resumed', option_file, '--auto_resume')

    network, expected_network = (load_checkpoint(run / 'models' / 'net_g_4.pth') for run in (resumed, unbroken))
    state, expected_state = (load_checkpoint(run / 'training_states' / '4.state') for run in (resumed, unbroken))
    for key in ('params', 'params_ema'):
        torch.testing.assert_close(network[key], expected_network[key], rtol=0, atol=0)
    adam, expected_adam = state['optimizers'][0], expected_state['optimizers'][0]
    torch.testing.assert_close(adam['state'], expected_adam['state'], rtol=0, atol=0)
    # (not the epoch: BasicSR re-enters the epoch a state was saved in, so the resumed count is one behind)
    assert state['schedulers'] == expected_state['schedulers']
    halfway = load_checkpoint(unbroken / 'models' / 'net_g_2.pth')['params']
    assert any(not torch.equal(halfway[key], value) for key, value in expected_network['params'].items())


def _psnr(image: Path, target: Path) -> float:
    """RGB PSNR of two 8-bit image files, no border crop."""
    difference = cv2.imread(str(image)).astype(np.float64) - cv2.imread(str(target)).astype(np.float64)
    return float(10 * np.log10(255**2 / np.mean(difference**2)))


@pytest.mark.slow
def test_test_py_writes_images_and_a_metrics_line(tiny_option_file, tmp_path, entry):
    option = tiny_option_file('evaluate', train={'total_iter': 2})
    trained = entry([TRAIN, '-opt', str(option)], cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr[-3000:]
    tested = entry([TEST, '-opt', str(option)], cwd=tmp_path)
    assert tested.returncode == 0, tested.stderr[-3000:]
    results = tmp_path / 'results' / 'evaluate_tinytest'
    assert sorted(p.name for p in (results / 'visualization' / 'tinytest').glob('*.png')) == [
        '000_evaluate_tinytest.png',
        '001_evaluate_tinytest.png',
    ]
    # The scores are those of the written images and of the input files against the target files.
    val = tmp_path / 'data' / 'val'
    restored = [results / 'visualization' / 'tinytest' / f'{stem}_evaluate_tinytest.png' for stem in ('000', '001')]
    inputs = [val / 'input' / f'{stem}.png' for stem in ('000', '001')]
    targets = [val / 'target' / f'{stem}.png' for stem in ('000', '001')]
    scores = json.loads((results / 'metrics.json').read_text())['tinytest']
    assert scores['metrics']['psnr'] == pytest.approx(np.mean([_psnr(*pair) for pair in zip(restored, targets)]))
    assert scores['input_baseline']['psnr'] == pytest.approx(np.mean([_psnr(*pair) for pair in zip(inputs, targets)]))
    log = tested.stdout + tested.stderr
    assert f'Metrics tinytest: {{"psnr": {scores["metrics"]["psnr"]}}}' in log, log[-3000:]


@pytest.mark.slow
def test_two_gloo_processes_train_and_end_with_identical_weights(tiny_option_file, tmp_path, entry, master_port):
    option = tiny_option_file('ddp', train={'total_iter': 4})
    dump = tmp_path / 'dump'
    dump.mkdir()
    driver = str(Path(__file__).with_name('ddp_driver.py'))
    launch = ['-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(master_port)]
    run = entry([*launch, driver, str(dump), '-opt', str(option), '--launcher', 'pytorch'], cwd=tmp_path, timeout=300)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    rank0 = torch.load(dump / 'rank0_iter-1.pth', weights_only=True)
    rank1 = torch.load(dump / 'rank1_iter-1.pth', weights_only=True)
    early = torch.load(dump / 'rank0_iter2.pth', weights_only=True)
    assert all(torch.equal(rank0[key], rank1[key]) for key in rank0)
    assert any(not torch.equal(rank0[key], early[key]) for key in rank0), 'weights did not change after iter 2'
    assert 'World size (gpu number): 2' in run.stdout + run.stderr

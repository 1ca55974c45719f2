"""Training through BasicSR's pipeline on the CPU: loss goes down, resume after a kill, DDP, test.py."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.data import build_dataset
from basicsr.models import build_model
from torch.utils.data import DataLoader

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


def _wait_for(path: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f'training ended before writing {path}: {process.stdout.read()}')
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f'{path} not written within {timeout} s')
        time.sleep(0.2)


@pytest.mark.slow
def test_a_run_killed_after_its_first_checkpoint_resumes_there_on_cpu(tiny_option_file, tmp_path, entry):
    option = tiny_option_file('resume', train={'total_iter': 100000})
    command = [sys.executable, TRAIN, '-opt', str(option)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    states = tmp_path / 'experiments' / 'resume' / 'training_states'
    _wait_for(states / '2.state', process, timeout=180)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    saved = max(int(path.stem) for path in states.glob('*.state'))

    resumed = entry(
        [TRAIN, '-opt', str(option), '--auto_resume', '--force_yml', f'train:total_iter={saved + 2}'], cwd=tmp_path
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    log = resumed.stdout + resumed.stderr
    assert 'Resuming training from epoch: ' in log
    assert re.search(rf'Start training from epoch: \d+, iter: {saved}\b', log), log[-3000:]
    assert re.search(rf'iter:\s+{saved + 1},', log)
    assert (tmp_path / 'experiments' / 'resume' / 'models' / 'net_g_latest.pth').is_file()


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
    log = tested.stdout + tested.stderr
    assert re.search(r'Metrics tinytest: \{"psnr": \d+\.\d+\}', log), log[-3000:]
    assert re.search(r'Input baseline tinytest \(degraded input vs target\): psnr: \d+\.\d+', log)
    assert (results / 'metrics.json').is_file()


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

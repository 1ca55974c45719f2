"""Fixtures of the training tests: tiny blurred/sharp folder trees, option files inheriting the real base,
and a runner for the entry points."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TINY_NETWORK = {'type': 'LFDN', 'num_feat': 8, 'encoder_feat': 8, 'num_blocks': 1}


def write_pair_tree(root: Path, count: int, height: int, width: int, seed: int) -> Path:
    """``root/{input,target}/NNN.png``: smooth random colour images and their 5×5 box blur."""
    rng = np.random.default_rng(seed)
    for side in ('input', 'target'):
        (root / side).mkdir(parents=True, exist_ok=True)
    for index in range(count):
        coarse = rng.random((height // 6 + 1, width // 6 + 1, 3)).astype(np.float32)
        sharp = (np.clip(cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC), 0, 1) * 255).astype(
            np.uint8
        )
        cv2.imwrite(str(root / 'target' / f'{index:03d}.png'), sharp)
        cv2.imwrite(str(root / 'input' / f'{index:03d}.png'), cv2.blur(sharp, (5, 5)))
    return root


def make_pair_data(root: Path) -> Path:
    """6 training pairs of 48×48 and 2 validation pairs of 40×56 (not a multiple of 16) under root/data."""
    write_pair_tree(root / 'data' / 'train', 6, 48, 48, seed=0)
    write_pair_tree(root / 'data' / 'val', 2, 40, 56, seed=1)
    return root / 'data'


def tiny_option(data: Path, name: str, **overrides) -> dict:
    """A child option of options/_base_/lfdn_gopro.yml: tiny LFDN, 32×32 crops, CPU, fixture data."""
    option = {
        '_base_': str(REPO / 'options' / '_base_' / 'lfdn_gopro.yml'),
        'name': name,
        'num_gpu': 0,
        'network_g': dict(TINY_NETWORK),
        'datasets': {
            'train': {
                'dataroot_gt': str(data / 'train' / 'target'),
                'dataroot_lq': str(data / 'train' / 'input'),
                'meta_info_file': None,
                'gt_size': 32,
                'batch_size_per_gpu': 2,
                'num_worker_per_gpu': 0,
            },
            'val': {
                'name': 'tinyval',
                'dataroot_gt': str(data / 'val' / 'target'),
                'dataroot_lq': str(data / 'val' / 'input'),
            },
            'test': {
                'name': 'tinytest',
                'dataroot_gt': str(data / 'val' / 'target'),
                'dataroot_lq': str(data / 'val' / 'input'),
            },
        },
        'train': {'total_iter': 4, 'optim_g': {'lr': 1e-3}},
        'val': {
            'val_freq': 1000,
            'metrics': {
                '_delete_': True,
                'psnr': {'type': 'calculate_psnr', 'crop_border': 0, 'test_y_channel': False},
            },
        },
        'logger': {'print_freq': 1, 'save_checkpoint_freq': 2, 'use_tb_logger': False},
    }
    for key, value in overrides.items():
        option[key] = {**option.get(key, {}), **value} if isinstance(value, dict) else value
    return option


def write_option(path: Path, option: dict) -> Path:
    path.write_text(yaml.safe_dump(option, sort_keys=False), encoding='utf-8')
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_entry(args: list[str], cwd: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in ``cwd`` with two threads, the way a user would from a shell."""
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONPATH': str(REPO)}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def pair_data(tmp_path: Path) -> Path:
    return make_pair_data(tmp_path)


@pytest.fixture
def tiny_option_file(tmp_path: Path, pair_data: Path):
    """``tiny_option_file(name, **overrides) -> Path``: a tiny training option file in tmp_path."""

    def make(name: str, **overrides) -> Path:
        return write_option(tmp_path / f'{name}.yml', tiny_option(pair_data, name, **overrides))

    return make


@pytest.fixture
def entry():
    """``entry(args, cwd)``: run ``python <args>`` as a user would (see run_entry)."""
    return run_entry


@pytest.fixture
def master_port() -> int:
    """A free TCP port for torchrun's rendezvous."""
    return free_port()

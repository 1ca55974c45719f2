"""Every option file resolves through its _base_ chain and builds its network, datasets and model.

Data roots are pointed at tiny fixture trees; one file per paper table row is checked for its
published numbers and its evaluation protocol (RGB for deblurring, Y channel for deraining).
"""

from __future__ import annotations

import collections
import copy
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.data import build_dataset
from basicsr.models import build_model
from basicsr.utils.registry import ARCH_REGISTRY

from basicsr_lfdn.utils.options import demo_roots, prepare_for_phase, resolve_option_file

REPO = Path(__file__).resolve().parents[2]
OPTIONS = REPO / 'options'
OPTION_FILES = sorted(path for path in OPTIONS.rglob('*.yml') if '_base_' not in path.parts)
ROW_FILES = [path for path in OPTION_FILES if path.parts[-3] in ('sensors', 'icip')]
EXPECTED_ROWS = {
    'Sensors Table 2': 4,
    'Sensors Table 3': 1,
    'Sensors Table 4': 1,
    'Sensors Table 5': 1,
    'Sensors Table 6': 12,
    'Sensors Table 7': 14,
    'Sensors Table 8': 12,
    'Sensors Table 9': 12,
    'ICIP Table 1': 1,
    'ICIP Table 2': 1,
    'ICIP Table 3': 4,
    'ICIP Table 4': 6,
}


def _label(path: Path) -> str:
    return str(path.relative_to(OPTIONS))


def _fixture_tree(root: Path, size: int) -> Path:
    """Two size×size input/target pairs."""
    rng = np.random.default_rng(0)
    for side in ('input', 'target'):
        (root / side).mkdir(parents=True, exist_ok=True)
        for index in range(2):
            cv2.imwrite(str(root / side / f'{index}.png'), rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
    return root


def _point_at_fixtures(opt: dict, tmp_path: Path) -> dict:
    """Replace every dataset's roots by a fixture tree (48×48, training: one crop), finish them as BasicSR would."""
    opt = copy.deepcopy(opt)
    for phase, dataset in opt['datasets'].items():
        tree = _fixture_tree(tmp_path / dataset['name'] / phase, dataset.get('gt_size', 48) if phase == 'train' else 48)
        dataset.update(
            dataroot_gt=str(tree / 'target'),
            dataroot_lq=str(tree / 'input'),
            meta_info_file=None,
            phase=phase.split('_')[0],
            scale=1,
            build_demo=False,
        )
        dataset.pop('holdout', None)  # the fixture tree holds two photos, too few to split
    return opt


def test_every_table_row_has_its_option_file():
    tables = collections.Counter(resolve_option_file(path)['paper']['table'] for path in ROW_FILES)
    assert dict(tables) == EXPECTED_ROWS


@pytest.mark.parametrize('path', OPTION_FILES, ids=_label)
def test_option_file_resolves_and_builds_its_datasets(path, tmp_path):
    opt = resolve_option_file(path)
    assert opt['model_type'] == 'RestorationModel'
    if path.parts[-3] == 'budget':  # the equal-budget comparison also trains BasicSR's own networks
        assert opt['network_g']['type'] in ARCH_REGISTRY
    else:
        assert opt['network_g']['type'] in ('LFDN', 'LMFN')
    train_opt = _point_at_fixtures(prepare_for_phase(opt, is_train=True), tmp_path)
    test_opt = _point_at_fixtures(prepare_for_phase(opt, is_train=False), tmp_path)
    assert set(train_opt['datasets']) == {'train', 'val'}
    assert test_opt['datasets'] and all(key.startswith('test') for key in test_opt['datasets'])
    crop = train_opt['datasets']['train']['gt_size']
    item = build_dataset(train_opt['datasets']['train'])[0]
    assert item['lq'].shape == item['gt'].shape == (3, crop, crop)
    for dataset_opt in (train_opt['datasets']['val'], *test_opt['datasets'].values()):
        item = build_dataset(dataset_opt)[0]
        assert item['lq'].shape == (3, 48, 48)


@pytest.mark.parametrize('path', ROW_FILES, ids=_label)
def test_row_follows_its_literature_protocol(path):
    opt = resolve_option_file(path)
    paper = opt['paper']
    assert 20.0 < paper['psnr'] < 35.0
    deraining = opt['datasets']['train']['name'] == 'Rain14000'
    for metric in opt['val']['metrics'].values():
        assert metric['test_y_channel'] is deraining
        assert metric['crop_border'] == 0
    train = opt['train']
    assert train['optim_g'] == {'type': 'Adam', 'lr': 1e-4, 'weight_decay': 1e-4, 'betas': [0.9, 0.999]}
    assert train['scheduler'] == {'type': 'MultiStepLR', 'milestones': [500000], 'gamma': 0.1}
    assert train['pixel_opt']['type'] == 'MSELoss'


def _unique_networks() -> list[tuple[str, dict]]:
    """One option file per distinct network structure (fixed θ / α values differ only in a number)."""
    seen: dict[str, tuple[str, dict]] = {}
    for path in OPTION_FILES:
        network = resolve_option_file(path)['network_g']
        structure = {key: ('fixed' if key in ('theta', 'alpha') else value) for key, value in network.items()}
        seen.setdefault(repr(sorted(structure.items())), (_label(path), network))
    return list(seen.values())


UNIQUE_NETWORKS = _unique_networks()


@pytest.mark.parametrize('label, network', UNIQUE_NETWORKS, ids=[label for label, _ in UNIQUE_NETWORKS])
def test_each_distinct_network_builds_a_training_model(label, network):
    opt = prepare_for_phase(resolve_option_file(OPTIONS / label), is_train=True)
    assert opt['network_g'] == network
    opt.update(num_gpu=0, dist=False, rank=0, world_size=1, is_train=True)
    model = build_model(opt)
    model.feed_data({'lq': torch.rand(1, 3, 32, 32)})
    model.test()
    assert model.output.shape == (1, 3, 32, 32)


@pytest.mark.parametrize('name', ['lfdn_demo_derain.yml', 'lfdn_demo_deblur.yml'])
def test_demo_options_build_their_demo_data_and_run_on_cpu(name):
    opt = resolve_option_file(OPTIONS / 'demo' / name)
    assert opt['num_gpu'] == 0
    assert demo_roots(opt) == [Path('datasets/Demo')]
    task = 'derain' if 'derain' in name else 'deblur'
    assert all(f'Demo/{task}/' in dataset['dataroot_gt'] for dataset in opt['datasets'].values())
    assert all(metric['test_y_channel'] is (task == 'derain') for metric in opt['val']['metrics'].values())

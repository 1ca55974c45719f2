"""_base_ inheritance and the phase split that turns one row file into a training and a test run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)
from basicsr_lfdn.utils.entry import _replace_option_path
from basicsr_lfdn.utils.options import demo_roots, prepare_for_phase, resolve_option_file, write_option_yaml
from basicsr_lfdn.utils.resume import latest_state_file


def _row(tmp_path: Path) -> Path:
    base = {
        'name': 'base',
        'train': {'total_iter': 100, 'optim_g': {'type': 'Adam', 'lr': 1e-4}},
        'datasets': {'train': {'name': 'A', 'gt_size': 64}, 'val': {'name': 'B'}, 'test': {'name': 'B'}},
    }
    (tmp_path / '_base_').mkdir()
    (tmp_path / '_base_' / 'base.yml').write_text(yaml.safe_dump(base))
    child = {'_base_': '_base_/base.yml', 'name': 'row', 'train': {'total_iter': 5}}
    child['datasets'] = {'test': {'name': 'C'}}
    path = tmp_path / 'row.yml'
    path.write_text(yaml.safe_dump(child))
    return path


def test_child_states_only_what_changes_and_nested_dicts_merge(tmp_path):
    opt = resolve_option_file(_row(tmp_path))
    assert opt['name'] == 'row'
    assert opt['train'] == {'total_iter': 5, 'optim_g': {'type': 'Adam', 'lr': 1e-4}}
    assert opt['datasets']['test'] == {'name': 'C'}


def test_training_drops_test_sets_and_testing_keeps_only_them(tmp_path):
    opt = resolve_option_file(_row(tmp_path))
    train = prepare_for_phase(opt, is_train=True)
    test = prepare_for_phase(opt, is_train=False)
    assert list(train['datasets']) == ['train', 'val'] and train['name'] == 'row'
    assert list(test['datasets']) == ['test']
    assert test['name'] == 'row_C'
    assert test['path']['pretrain_network_g'] == str(Path('experiments', 'row', 'models', 'net_g_latest.pth'))
    assert test['val']['save_img'] is True


def test_merged_yaml_reads_back_unchanged(tmp_path):
    opt = prepare_for_phase(resolve_option_file(_row(tmp_path)), is_train=True)
    written = write_option_yaml(opt, tmp_path / 'out' / 'row.yml')
    assert yaml.safe_load(written.read_text()) == opt


def test_missing_option_file_and_missing_train_set_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.yml'):
        resolve_option_file(tmp_path / 'nope.yml')
    with pytest.raises(KeyError, match='datasets.train'):
        prepare_for_phase({'name': 'x', 'datasets': {'test': {}}}, is_train=True)


def test_demo_data_is_requested_by_an_option_key_not_by_path():
    assert demo_roots({'datasets': {'train': {'build_demo': True}, 'val': {'build_demo': 'elsewhere/Demo'}}}) == [
        Path('datasets/Demo'),
        Path('elsewhere/Demo'),
    ]
    assert demo_roots({'datasets': {'train': {'dataroot_gt': 'datasets/Demo/deblur/train/target'}}}) == []
    with pytest.raises(ValueError, match='build_demo'):
        demo_roots({'datasets': {'train': {'build_demo': 3}}})


def test_only_complete_states_are_resumed(tmp_path):
    for name in ('2.state', '10.state', '.12.state.abc.tmp', '4.state'):
        (tmp_path / name).write_bytes(b'')
    assert latest_state_file(tmp_path).name == '10.state'
    assert latest_state_file(tmp_path / 'absent') is None


def test_option_path_is_swapped_for_the_merged_copy():
    swapped = _replace_option_path(['-opt', 'a.yml', '--auto_resume'], '/tmp/a.yml')
    assert swapped == ['-opt', '/tmp/a.yml', '--auto_resume']

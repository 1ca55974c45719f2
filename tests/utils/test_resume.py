"""Resume states are found (``--auto_resume``) or taken from ``path.resume_state``, and loaded on the CPU."""

from pathlib import Path

import torch

import basicsr_lfdn  # noqa: F401
from basicsr_lfdn.utils.resume import latest_state_file, load_resume_state


def _opt(tmp_path: Path, auto_resume: bool, resume_state: str | None = None) -> dict:
    models = tmp_path / 'models'
    return {
        'name': 'run',
        'auto_resume': auto_resume,
        'is_train': True,
        'network_g': {'type': 'LFDN'},
        'path': {'resume_state': resume_state, 'models': str(models), 'pretrain_network_g': None},
    }


def test_an_explicit_resume_state_is_loaded_and_points_at_its_network(tmp_path):
    state_file = tmp_path / '7.state'
    torch.save({'iter': 7, 'epoch': 1, 'optimizers': [], 'schedulers': []}, state_file)
    opt = _opt(tmp_path, auto_resume=False, resume_state=str(state_file))
    state = load_resume_state(opt)
    assert state['iter'] == 7 and state['epoch'] == 1
    assert Path(opt['path']['pretrain_network_g']) == tmp_path / 'models' / 'net_g_7.pth'


def test_without_a_state_training_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_resume_state(_opt(tmp_path, auto_resume=False)) is None
    opt = _opt(tmp_path, auto_resume=True)
    assert load_resume_state(opt) is None and opt['path']['resume_state'] is None
    (tmp_path / 'states').mkdir()
    assert latest_state_file(tmp_path / 'states') is None


def test_auto_resume_records_the_state_it_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    states = tmp_path / 'experiments' / 'run' / 'training_states'
    states.mkdir(parents=True)
    torch.save({'iter': 4, 'epoch': 0, 'optimizers': [], 'schedulers': []}, states / '4.state')
    opt = _opt(tmp_path, auto_resume=True)
    assert load_resume_state(opt)['iter'] == 4
    assert Path(opt['path']['resume_state']) == Path('experiments/run/training_states/4.state')

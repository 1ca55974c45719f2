"""Option files with ``_base_`` inheritance, resolved before BasicSR reads them.

BasicSR's ``parse_options`` opens the YAML named by ``-opt`` itself and knows nothing about
inheritance. The entry points therefore resolve the user's file with mmengine ``Config`` (a child
states only what it changes; nested dicts merge; ``_delete_: true`` replaces a dict), adapt it to
the phase (train or test), and hand BasicSR a temporary, fully merged YAML with the same file name.
Everything else (``--force_yml``, ``--debug``, ``--auto_resume``, ``--launcher``) stays BasicSR's.

One option file describes one table row: its training run (``datasets.train`` + ``val*``) and its
evaluation (``datasets.test*``). For training the ``test*`` sets are dropped; for testing the
``train``/``val*`` sets are dropped, results go to ``results/<name>_<test set names>`` and the
network defaults to the row's last training checkpoint, ``experiments/<name>/models/net_g_latest.pth``.
"""

from __future__ import annotations

import copy
import fcntl
import os
from pathlib import Path
from typing import Any

import yaml
from mmengine import Config

DEMO_DATA_KEY = 'build_demo'
DEFAULT_DEMO_ROOT = 'datasets/Demo'


def resolve_option_file(path: str | os.PathLike) -> dict[str, Any]:
    """Read an option YAML and merge its ``_base_`` chain into one plain dict."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'option file not found: {path}')
    try:
        config = Config.fromfile(str(path))
    except Exception as error:
        raise ValueError(f'cannot resolve option file {path} (check its _base_ chain): {error}') from error
    return config.to_dict()


def _split_phases(datasets: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ``datasets`` into (train + val*, test*) dicts, keeping the file's order."""
    training = {key: value for key, value in datasets.items() if not key.startswith('test')}
    testing = {key: value for key, value in datasets.items() if key.startswith('test')}
    return training, testing


def prepare_for_phase(opt: dict[str, Any], is_train: bool) -> dict[str, Any]:
    """Return a copy of a resolved option dict that BasicSR's train or test pipeline accepts.

    Training keeps ``train`` and ``val*`` datasets. Testing keeps ``test*`` datasets (or, when a
    file has none, its ``val*`` sets), renames the run so that each row's results get their own
    folder, saves every restored image, and points ``path.pretrain_network_g`` at the training
    run's latest network when the file names none.
    """
    opt = copy.deepcopy(opt)
    if 'name' not in opt:
        raise KeyError('option file has no "name"')
    datasets = opt.get('datasets') or {}
    training, testing = _split_phases(datasets)
    if is_train:
        if 'train' not in training:
            raise KeyError(f'option "{opt["name"]}" has no datasets.train to train on')
        opt['datasets'] = training
        return opt

    if not testing:
        testing = {key: value for key, value in training.items() if key.startswith('val')}
    if not testing:
        raise KeyError(f'option "{opt["name"]}" has no datasets.test* (or val*) to evaluate on')
    opt['datasets'] = testing
    path_opt = opt.setdefault('path', {})
    if not path_opt.get('pretrain_network_g'):
        path_opt['pretrain_network_g'] = os.path.join('experiments', opt['name'], 'models', 'net_g_latest.pth')
    if 'train' in training:
        test_names = '+'.join(str(dataset.get('name', key)) for key, dataset in testing.items())
        opt['name'] = f'{opt["name"]}_{test_names}'
    opt.setdefault('val', {})['save_img'] = True  # testing writes every restored image
    opt['val'].setdefault('suffix', None)
    return opt


def demo_roots(opt: dict[str, Any]) -> list[Path]:
    """Demo data roots requested by ``datasets.<phase>.build_demo`` (``true`` = datasets/Demo)."""
    roots = []
    for dataset in (opt.get('datasets') or {}).values():
        request = dataset.get(DEMO_DATA_KEY)
        if request is True:
            roots.append(Path(DEFAULT_DEMO_ROOT))
        elif isinstance(request, str) and request:
            roots.append(Path(request))
        elif request not in (None, False):
            raise ValueError(f'datasets.*.{DEMO_DATA_KEY} must be true, false or a folder, got {request!r}')
    return sorted(set(roots))


def ensure_requested_demo_data(opt: dict[str, Any]) -> list[Path]:
    """Build the demo data sets an option file asks for, once, even with several processes.

    A lock file beside each root serialises ``ensure_demo_data`` between the processes of one
    torchrun job (they all start before any process group exists).
    """
    built = []
    roots = demo_roots(opt)
    if not roots:
        return built
    from basicsr_lfdn.data.demo_data import ensure_demo_data

    for root in roots:
        root.parent.mkdir(parents=True, exist_ok=True)
        lock_path = root.parent / f'.{root.name}.lock'
        with open(lock_path, 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                built.append(Path(ensure_demo_data(root=str(root))))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    return built


def write_option_yaml(opt: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write a resolved option dict as YAML that BasicSR's ordered loader reads back unchanged."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(opt, sort_keys=False, default_flow_style=False), encoding='utf-8')
    return path

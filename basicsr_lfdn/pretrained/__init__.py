"""Weights shipped with the package: networks trained on real photos for deraining and deblurring.

Each (task, network) has three files here, written by ``scripts/ship_weights.py``
(:mod:`basicsr_lfdn.pretrained.shipping`):

* ``<name>.pth``: ``{'params': bf16 state dict, 'network_g': network options}``, loaded with
  ``weights_only=True`` and computed in fp32 (or the precision asked for);
* ``<name>.json``: the model card as data (training, degradations, measured metrics, sha256),
  read by the regression test that checks the weights on the real benchmarks; its ``int8``
  block (int8 against fp32 on the card's test sets, :mod:`basicsr_lfdn.inference.int8_card`)
  is what ``lfdn-restore --precision auto`` reads to decide whether int8 is allowed;
* ``<name>.md``: the same model card for people.

No OpenVINO model is shipped: ``lfdn-restore`` builds them on first use and caches them
(:mod:`basicsr_lfdn.inference.cache`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

PRETRAINED_DIR = Path(__file__).resolve().parent
# task -> network -> file stem; the first network of a task is its default.
SHIPPED = {'derain': {'LFDN': 'lfdn_derain', 'LMFN': 'lmfn_derain'}, 'deblur': {'LFDN': 'lfdn_deblur'}}
DEFAULT_NETWORK = 'LFDN'


def shipped_name(task: str, network: str = DEFAULT_NETWORK) -> str:
    """File stem of the weights shipped for ``task`` and ``network``, e.g. ``lmfn_derain``."""
    if task not in SHIPPED:
        raise ValueError(f'no shipped weights for task {task!r}; tasks: {", ".join(sorted(SHIPPED))}')
    if network not in SHIPPED[task]:
        raise ValueError(f'no shipped {task} weights for {network}; networks: {", ".join(SHIPPED[task])}')
    return SHIPPED[task][network]


def shipped_variants() -> list[tuple[str, str]]:
    """Every shipped ``(task, network)``."""
    return [(task, network) for task, networks in SHIPPED.items() for network in networks]


def shipped_weights(task: str, network: str = DEFAULT_NETWORK) -> Path:
    """Path of the shipped ``.pth`` of ``task`` ('derain' or 'deblur') and ``network``; raises if not installed."""
    path = PRETRAINED_DIR / f'{shipped_name(task, network)}.pth'
    if not path.is_file():
        raise FileNotFoundError(f'shipped {task} weights missing: {path} (reinstall the package)')
    return path


def model_card(task: str, network: str = DEFAULT_NETWORK) -> dict:
    """The model card (``<name>.json``) of the shipped ``task`` weights of ``network``."""
    path = PRETRAINED_DIR / f'{shipped_name(task, network)}.json'
    if not path.is_file():
        raise FileNotFoundError(f'model card missing: {path} (reinstall the package)')
    return json.loads(path.read_text(encoding='utf-8'))


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


# What CI re-measures with the shipped weights: every RAIN100_STRIDE-th pair of Rain100L and Rain100H
# (25 of 100 each, a quarter of the test's cost; the full sets are the model card's metrics); all 32
# Levin pairs and 8 of Lai's 100 blurred images (every 13th of the sorted pairs: each of the 5 scene
# kinds and all 4 kernels appear). Deblurring weights are also checked on sharp photos (the recipe's
# BSDS-sharp validation set): they may lose at most SHARP_INPUT_MAX_LOSS dB against the unprocessed input.
REGRESSION = {
    'derain': {'datasets': ('Rain100L', 'Rain100H'), 'y_channel': True},
    'deblur': {'datasets': ('Levin', 'Lai'), 'y_channel': False},
}
SHARP_INPUT_MAX_LOSS = 0.5
RAIN100_STRIDE = 4
LAI_SUBSET = (
    ('manmade_01', 1),
    ('manmade_04', 2),
    ('natural_02', 3),
    ('natural_05', 4),
    ('people_04', 1),
    ('saturated_02', 2),
    ('saturated_05', 3),
    ('text_03', 4),
)


def regression_pairs(task: str, dataset: str, data_root: str | Path) -> list[tuple[Path, Path]]:
    """The ``(input, target)`` pairs of ``dataset`` CI scores for ``task``'s weights, under ``../shared/datasets``."""
    if dataset not in REGRESSION[task]['datasets']:
        raise ValueError(f'{task} weights are re-measured on {REGRESSION[task]["datasets"]}, not {dataset!r}')
    root = Path(data_root)
    if task == 'derain':
        rain = root / 'Rain100'
        rainy = sorted((rain / dataset).glob('*.png'))[::RAIN100_STRIDE]
        return [(path, rain / 'target' / path.name) for path in rainy]
    if dataset == 'Levin':
        levin = root / 'Levin'
        return [
            (path, levin / 'sharp' / f'{path.stem.split("_ker_")[0]}.png')
            for path in sorted((levin / 'blurred').glob('*.png'))
        ]
    lai = root / 'Lai'
    return [
        (lai / 'blurred' / f'{scene}_kernel_0{kernel}.png', lai / 'sharp' / f'{scene}.png')
        for scene, kernel in LAI_SUBSET
    ]

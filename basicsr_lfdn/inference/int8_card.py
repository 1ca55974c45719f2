"""The ``int8`` block of a model card: int8 against fp32 PSNR of shipped weights on the card's test sets.

The int8 model measured is the one ``lfdn-restore --precision int8`` builds for these weights
(:func:`basicsr_lfdn.inference.cache.cached_openvino_model` with
:func:`basicsr_lfdn.inference.quantize.card_calibration`; it stays in the cache afterwards). The
reference is the fp32 OpenVINO model of the same graph, which is within 1e-6 of PyTorch fp32. Both
restore each whole test image; PSNR/SSIM as ``lfdn-test`` (``evaluate_pairs``). The block's
``auto`` says whether ``--precision auto`` may pick int8 (every change ≥ −0.1 dB), and
:func:`basicsr_lfdn.inference.choice.int8_verdict` re-checks the sha256 and the calibration.

Run through ``python scripts/ship_weights.py --measure-int8 basicsr_lfdn/pretrained/<name>.json``
(a few minutes per card on two cores).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from basicsr_lfdn.inference.backends import OpenVINOPredictor
from basicsr_lfdn.inference.cache import cached_openvino_model, note
from basicsr_lfdn.inference.choice import MAX_INT8_LOSS_DB, cpu_description
from basicsr_lfdn.inference.deps import package_version
from basicsr_lfdn.inference.evaluate import evaluate_pairs, real_test_pairs
from basicsr_lfdn.inference.quantize import card_calibration, describe
from basicsr_lfdn.pretrained import sha256_of
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint

if TYPE_CHECKING:
    from torch import nn

MEASURE_COMMAND = 'python scripts/ship_weights.py --measure-int8 basicsr_lfdn/pretrained/{name}.json'


def measure_int8(card: dict, weights: Path, data_root: Path, threads: int | None = None) -> dict:
    """The ``int8`` block for ``card`` (its ``weights`` file): fp32 and int8 scores on each test set of its metrics.

    Raises:
        ValueError: the weights file does not match the card's sha256 (ship the weights again).
    """
    digest = sha256_of(weights)
    if digest != card['sha256']:
        raise ValueError(f'{weights} (sha256 {digest[:12]}…) is not the file of the {card["name"]} card')
    calibration = card_calibration(card)

    def load_network() -> nn.Module:
        return build_network_from_checkpoint(weights)

    predictors = {}
    for precision in ('fp32', 'int8'):
        model = cached_openvino_model(weights, precision, load_network, calibration)
        predictors[precision] = OpenVINOPredictor(model, precision, threads)
    datasets = {}
    for dataset in card['metrics']:
        pairs, y_channel = real_test_pairs(dataset.lower(), data_root)
        scores = {}
        for precision, predict in predictors.items():
            note(f'{card["name"]}: {precision} on {dataset} ({len(pairs)} images)')
            scores[precision] = evaluate_pairs(predict, pairs, y_channel)
        datasets[dataset] = {
            'images': len(pairs),
            'fp32_psnr': scores['fp32']['psnr'],
            'int8_psnr': scores['int8']['psnr'],
            'delta_db': scores['int8']['psnr'] - scores['fp32']['psnr'],
            'fp32_ssim': scores['fp32']['ssim'],
            'int8_ssim': scores['int8']['ssim'],
        }
        card_psnr = card['metrics'][dataset]['psnr']
        note(
            f'{card["name"]} {dataset}: fp32 {scores["fp32"]["psnr"]:.3f} dB (card, PyTorch: {card_psnr:.3f}), '
            f'int8 {scores["int8"]["psnr"]:.3f} dB, change {datasets[dataset]["delta_db"]:+.3f} dB'
        )
    return {
        'sha256': digest,
        'calibration': describe(calibration),
        'reference': 'OpenVINO fp32 of the same graph (within 1e-6 of PyTorch fp32), whole images',
        'datasets': datasets,
        'max_loss_db': MAX_INT8_LOSS_DB,
        'auto': min(result['delta_db'] for result in datasets.values()) >= -MAX_INT8_LOSS_DB,
        'measured': datetime.date.today().isoformat(),
        'cpu': cpu_description(),
        'versions': {'openvino': package_version('openvino'), 'nncf': package_version('nncf')},
        'command': MEASURE_COMMAND.format(name=card['name']),
    }


def render_int8(block: dict) -> list[str]:
    """Markdown lines of a card's ``int8`` block (for the ``.md`` model card)."""
    calibration = block['calibration']
    real_layers = (calibration['degradation_opt'] or {}).get('real_layer_probability')
    synthetic_only = ' (synthetic streaks in place of the real rain layers)' if real_layers else ''
    lines = [
        '',
        f'int8 (OpenVINO + NNCF; `lfdn-restore --precision int8` builds it on first use and caches it): calibrated '
        f'on {calibration["count"]} crops of {calibration["crop"]}² of the {calibration["photos"]} '
        f'({", ".join(calibration["names"]) or "all"}) with the training {calibration["degradation"]} degradation'
        f'{synthetic_only}, seed {calibration["seed"]}. Measured {block["measured"]} '
        f'on {block["cpu"]}, OpenVINO {block["versions"]["openvino"]}, NNCF {block["versions"]["nncf"]}; '
        f'reference: {block["reference"]}.',
        '',
        '| test set | images | fp32 PSNR / SSIM | int8 PSNR / SSIM | change |',
        '|---|---:|---:|---:|---:|',
    ]
    for dataset, result in block['datasets'].items():
        lines.append(
            f'| {dataset} | {result["images"]} | {result["fp32_psnr"]:.2f} / {result["fp32_ssim"]:.4f} '
            f'| {result["int8_psnr"]:.2f} / {result["int8_ssim"]:.4f} | {result["delta_db"]:+.3f} dB |'
        )
    verdict = 'int8' if block['auto'] else 'not int8 (it loses more than that somewhere)'
    lines += [
        '',
        f'`--precision auto` allows int8 only within {block["max_loss_db"]} dB of fp32 on every test set: {verdict}. '
        f'Re-measure after any change of the weights: `{block["command"]}`.',
    ]
    return lines

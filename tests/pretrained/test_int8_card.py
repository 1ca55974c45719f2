"""Model cards carry int8 against fp32 figures of their own weights, written by ``ship_weights.py --measure-int8``."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import basicsr_lfdn  # noqa: F401  (must precede basicsr imports)
from basicsr_lfdn.inference import int8_card
from basicsr_lfdn.inference.choice import MAX_INT8_LOSS_DB, int8_verdict
from basicsr_lfdn.inference.quantize import Calibration, builtin_photo_folder, card_calibration, describe
from basicsr_lfdn.pretrained import PRETRAINED_DIR, model_card, sha256_of, shipped_name, shipped_variants
from basicsr_lfdn.pretrained.shipping import remeasure_int8, render_card

# isort: split
from basicsr.archs import build_network

TINY_LFDN = {'type': 'LFDN', 'num_feat': 8, 'encoder_feat': 8, 'num_blocks': 1}


@pytest.mark.parametrize(('task', 'network'), shipped_variants())
def test_card_carries_int8_figures_of_its_weights_and_default_calibration(task: str, network: str) -> None:
    card = model_card(task, network)
    block = card.get('int8')
    assert block, f'{shipped_name(task, network)}: run {int8_card.MEASURE_COMMAND.format(name=card["name"])}'
    assert block['sha256'] == card['sha256'], 'int8 figures of other weights: re-measure them'
    assert block['calibration'] == describe(card_calibration(card))
    assert list(block['datasets']) == list(card['metrics'])
    for dataset, result in block['datasets'].items():
        assert result['images'] == card['metrics'][dataset]['images']
        assert result['delta_db'] == pytest.approx(result['int8_psnr'] - result['fp32_psnr'])
        assert result['fp32_psnr'] == pytest.approx(card['metrics'][dataset]['psnr'], abs=0.05), dataset
    assert block['auto'] == (min(r['delta_db'] for r in block['datasets'].values()) >= -MAX_INT8_LOSS_DB)


@pytest.mark.parametrize(('task', 'network'), shipped_variants())
def test_markdown_card_is_the_rendering_of_its_json(task: str, network: str) -> None:
    name = shipped_name(task, network)
    assert (PRETRAINED_DIR / f'{name}.md').read_text(encoding='utf-8') == render_card(model_card(task, network))


def _tiny_card(folder: Path) -> Path:
    """A shipped-like tiny LFDN with its card in ``folder``, scored on Levin."""
    torch.manual_seed(0)
    weights = folder / 'tiny_deblur.pth'
    torch.save({'params': build_network(dict(TINY_LFDN)).state_dict(), 'network_g': TINY_LFDN}, weights)
    levin = {'psnr': 20.0, 'ssim': 0.5, 'images': 2, 'input_baseline': {'psnr': 19.0, 'ssim': 0.4}}
    card = {
        'task': 'deblur',
        'name': 'tiny_deblur',
        'file': str(weights),
        'size_bytes': weights.stat().st_size,
        'sha256': sha256_of(weights),
        'network_g': TINY_LFDN,
        'params': 1,
        'recipe': 'none.yml',
        'hardware': 'test',
        'source_checkpoint': 'none',
        'selection': 'none',
        'training': {'degradation_opt': {'length_range': [3, 9]}},
        'protocol': 'RGB',
        'metrics': {'Levin': levin},
        'regression': {'y_channel': False, 'datasets': {}},
    }
    path = folder / 'tiny_deblur.json'
    path.write_text(json.dumps(card), encoding='utf-8')
    return path


def _levin(root: Path) -> None:
    rng = np.random.default_rng(0)
    for folder in ('blurred', 'sharp'):
        (root / 'Levin' / folder).mkdir(parents=True)
    for image in (1, 2):
        coarse = rng.integers(0, 256, (6, 8), dtype=np.uint8)
        sharp = cv2.resize(coarse, (56, 40), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(root / 'Levin' / 'sharp' / f'im_{image}.png'), sharp)
        cv2.imwrite(str(root / 'Levin' / 'blurred' / f'im_{image}_ker_1.png'), cv2.blur(sharp, (5, 5)))


@pytest.mark.slow
def test_measure_int8_writes_the_block_that_auto_precision_reads(tmp_path, monkeypatch):
    monkeypatch.setenv('LFDN_CACHE_DIR', str(tmp_path / 'cache'))
    few_crops = Calibration(builtin_photo_folder(), 'blur', {'length_range': [3, 9]}, count=2, crop=32)
    monkeypatch.setattr(int8_card, 'card_calibration', lambda card: few_crops)
    card_path = _tiny_card(tmp_path)
    _levin(tmp_path / 'data')

    block = remeasure_int8(card_path, tmp_path / 'data', threads=1)
    card = json.loads(card_path.read_text(encoding='utf-8'))
    assert card['int8'] == block and block['sha256'] == card['sha256']
    levin = block['datasets']['Levin']
    assert levin['images'] == 2 and levin['delta_db'] == pytest.approx(levin['int8_psnr'] - levin['fp32_psnr'])
    assert block['calibration'] == describe(few_crops) and 'logical CPUs' in block['cpu']
    verdict = int8_verdict(card, card['sha256'], describe(few_crops))
    assert (verdict.value == 'yes') == block['auto'] == (levin['delta_db'] >= -MAX_INT8_LOSS_DB)
    markdown = (tmp_path / 'tiny_deblur.md').read_text(encoding='utf-8')
    assert f'| Levin | 2 | {levin["fp32_psnr"]:.2f} / {levin["fp32_ssim"]:.4f} |' in markdown

    (tmp_path / 'tiny_deblur.pth').write_bytes(b'other weights')
    with pytest.raises(SystemExit, match='is not the file of the tiny_deblur card'):
        remeasure_int8(card_path, tmp_path / 'data')

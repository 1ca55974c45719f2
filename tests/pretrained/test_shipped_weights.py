"""The shipped weights: small bf16 files matching their model cards, and their figures on real data.

The figures are checked against ``../shared/datasets`` (the real benchmarks beside the checkout);
without that folder those tests are skipped, with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

import basicsr_lfdn  # noqa: F401  (must precede basicsr imports)
from basicsr_lfdn.archs.complexity import count_params
from basicsr_lfdn.inference.evaluate import evaluate_dataset, evaluate_pairs
from basicsr_lfdn.pretrained import (
    REGRESSION,
    SHARP_INPUT_MAX_LOSS,
    model_card,
    regression_pairs,
    sha256_of,
    shipped_name,
    shipped_variants,
    shipped_weights,
)
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint
from basicsr_lfdn.utils.options import resolve_option_file

# isort: split
from basicsr.data import build_dataset

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / 'shared' / 'datasets'
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f'real benchmark folder {DATA} is absent (it sits beside the checkout in CI)'
)


@pytest.mark.parametrize(('task', 'network'), shipped_variants())
def test_shipped_file_is_small_bf16_and_matches_its_card(task: str, network: str) -> None:
    path = shipped_weights(task, network)
    card = model_card(task, network)
    assert path.stat().st_size <= 4 * 2**20 and path.stat().st_size == card['size_bytes']
    assert sha256_of(path) == card['sha256']
    content = torch.load(path, map_location='cpu', weights_only=True)
    assert {tensor.dtype for tensor in content['params'].values() if tensor.is_floating_point()} == {torch.bfloat16}
    assert content['network_g']['type'] == network == card['network_g']['type']
    assert count_params(build_network_from_checkpoint(path)) == card['params']


@pytest.mark.parametrize(('task', 'network'), shipped_variants())
def test_readme_results_table_shows_the_cards_figures(task: str, network: str) -> None:
    readme = (REPO / 'README.md').read_text(encoding='utf-8')
    section = readme[readme.index('## Results') :]
    name = shipped_name(task, network)
    for dataset, result in model_card(task, network)['metrics'].items():
        row = re.search(rf'^\| {re.escape(name)} \| {re.escape(dataset)} \|.*$', section, re.MULTILINE)
        assert row, f'README results table has no row for {name} on {dataset}'
        assert f'{result["psnr"]:.2f} / {result["ssim"]:.4f}' in row[0]


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize(('task', 'network'), shipped_variants())
def test_shipped_weights_reach_their_figures_on_real_data(task: str, network: str) -> None:
    card = model_card(task, network)
    regression = REGRESSION[task]
    network_module = build_network_from_checkpoint(shipped_weights(task, network))
    assert set(card['regression']['datasets']) == set(regression['datasets'])
    for dataset, pinned in card['regression']['datasets'].items():
        pairs = regression_pairs(task, dataset, DATA)
        assert [f'{lq.name} {gt.name}' for lq, gt in pairs] == pinned['pairs']
        measured = evaluate_pairs(network_module, pairs, regression['y_channel'])
        assert measured['psnr'] == pytest.approx(pinned['psnr'], abs=0.05), dataset
        assert measured['ssim'] == pytest.approx(pinned['ssim'], abs=0.001), dataset
        tested = card['metrics'][dataset]
        if len(pairs) == tested['images']:
            assert measured['psnr'] == pytest.approx(tested['psnr'], abs=0.05), dataset
    # The weights improve on the input of at least one test set and lose no more than 0.1 dB on any
    # (the deblur weights gain on Levin's 13-27 px kernels and leave Lai's 31-75 px ones as they are).
    gains = {name: result['psnr'] - result['input_baseline']['psnr'] for name, result in card['metrics'].items()}
    assert max(gains.values()) > 0.05 and min(gains.values()) > -0.1, gains


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize(('task', 'network'), [variant for variant in shipped_variants() if variant[0] == 'deblur'])
def test_deblurring_does_not_damage_sharp_photos(task: str, network: str, monkeypatch: pytest.MonkeyPatch) -> None:
    card = model_card(task, network)
    pinned = card['regression']['sharp_input']
    monkeypatch.chdir(REPO)  # the recipe names the data relative to the repository root
    dataset_opt = resolve_option_file(REPO / card['recipe'])['datasets'][pinned['val_key']]
    assert dataset_opt['degradation_opt']['length_range'] == [0, 0]  # no blur: sensor noise only
    dataset = build_dataset({**dataset_opt, 'phase': 'val', 'scale': 1})
    measured = evaluate_dataset(build_network_from_checkpoint(shipped_weights(task, network)), dataset, False)
    assert measured['psnr'] == pytest.approx(pinned['psnr'], abs=0.05)
    assert measured['psnr'] >= measured['input_psnr'] - SHARP_INPUT_MAX_LOSS

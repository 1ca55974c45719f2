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
from basicsr_lfdn.inference.evaluate import evaluate_pairs
from basicsr_lfdn.pretrained import REGRESSION, SHIPPED, model_card, regression_pairs, sha256_of, shipped_weights
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / 'shared' / 'datasets'
needs_data = pytest.mark.skipif(
    not DATA.is_dir(), reason=f'real benchmark folder {DATA} is absent (it sits beside the checkout in CI)'
)


@pytest.mark.parametrize('task', sorted(SHIPPED))
def test_shipped_file_is_small_bf16_and_matches_its_card(task: str) -> None:
    path = shipped_weights(task)
    card = model_card(task)
    assert path.stat().st_size <= 4 * 2**20 and path.stat().st_size == card['size_bytes']
    assert sha256_of(path) == card['sha256']
    content = torch.load(path, map_location='cpu', weights_only=True)
    assert {tensor.dtype for tensor in content['params'].values() if tensor.is_floating_point()} == {torch.bfloat16}
    assert count_params(build_network_from_checkpoint(path)) == card['params']


@pytest.mark.parametrize('task', sorted(SHIPPED))
def test_readme_results_table_shows_the_cards_figures(task: str) -> None:
    readme = (REPO / 'README.md').read_text(encoding='utf-8')
    section = readme[readme.index('## Results') :]
    for dataset, result in model_card(task)['metrics'].items():
        row = re.search(rf'^\| {re.escape(SHIPPED[task])} \| {re.escape(dataset)} \|.*$', section, re.MULTILINE)
        assert row, f'README results table has no row for {SHIPPED[task]} on {dataset}'
        assert f'{result["psnr"]:.2f} / {result["ssim"]:.4f}' in row[0]


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize('task', sorted(SHIPPED))
def test_shipped_weights_reach_their_figures_on_real_data(task: str) -> None:
    card = model_card(task)
    regression = REGRESSION[task]
    pairs = regression_pairs(task, DATA)
    assert [f'{lq.name} {gt.name}' for lq, gt in pairs] == card['regression']['pairs']
    measured = evaluate_pairs(build_network_from_checkpoint(shipped_weights(task)), pairs, regression['y_channel'])
    assert measured['psnr'] == pytest.approx(card['regression']['psnr'], abs=0.05)
    assert measured['ssim'] == pytest.approx(card['regression']['ssim'], abs=0.001)
    if regression['dataset'] in card['metrics'] and len(pairs) == card['metrics'][regression['dataset']]['images']:
        assert measured['psnr'] == pytest.approx(card['metrics'][regression['dataset']]['psnr'], abs=0.05)
    baseline = card['metrics'][regression['dataset']]['input_baseline']['psnr']
    assert card['metrics'][regression['dataset']]['psnr'] > baseline  # the weights improve on the input

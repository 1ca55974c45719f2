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
from basicsr_lfdn.pretrained import (
    REGRESSION,
    model_card,
    regression_pairs,
    sha256_of,
    shipped_name,
    shipped_variants,
    shipped_weights,
)
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint

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
        assert tested['psnr'] > tested['input_baseline']['psnr'], dataset  # the weights improve on the input

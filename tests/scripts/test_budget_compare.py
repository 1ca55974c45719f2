"""The equal-budget comparison (``scripts/budget_compare.py``): one recipe for every network, a table of the
measured rows."""

from __future__ import annotations

from pathlib import Path

import torch

import basicsr_lfdn  # noqa: F401  (must precede basicsr imports)

# isort: split
from basicsr.archs import build_network

from basicsr_lfdn.research.budget_table import render_table
from basicsr_lfdn.utils.options import resolve_option_file

REPO = Path(__file__).resolve().parents[2]
BUDGET_OPTIONS = sorted((REPO / 'options' / 'budget' / 'derain').glob('*.yml'))


def test_networks_differ_only_in_the_network() -> None:
    resolved = [resolve_option_file(path) for path in BUDGET_OPTIONS]
    assert {opt['network_g']['type'] for opt in resolved} >= {'LFDN', 'LMFN', 'RIDNet', 'EDSR', 'RCAN'}
    shared = [{key: value for key, value in opt.items() if key not in ('name', 'network_g')} for opt in resolved]
    assert all(item == shared[0] for item in shared)
    for opt in resolved:
        network = build_network(dict(opt['network_g'])).eval()
        with torch.no_grad():
            assert network(torch.rand(1, 3, 24, 40)).shape == (1, 3, 24, 40)  # scale 1, any size


def test_table_lists_each_network_once_with_every_test_set() -> None:
    def row(network, dataset, psnr, latency):
        return {'network': network, 'dataset': dataset, 'psnr': psnr, 'ssim': 0.9, 'params': 1_500_000}

    rows = [
        {**row('LFDN', 'Rain100L', 30.0, 1.0), 'macs_g': 105.0, 'latency_s': 1.9, 'iterations': 450},
        {**row('LFDN', 'Rain100H', 20.0, 1.0), 'macs_g': 105.0, 'latency_s': 1.9, 'iterations': 450},
        {**row('EDSR', 'Rain100L', 28.5, None), 'macs_g': None, 'latency_s': None, 'iterations': 40},
    ]
    table = render_table('budget-derain', rows)
    lines = [line for line in table.splitlines() if line.startswith('| ')]
    assert lines[0].endswith('| Rain100H PSNR / SSIM | Rain100L PSNR / SSIM |')
    assert lines[1] == '| LFDN | 1.50 | 105.0 | 1.90 | 450 | 20.00 / 0.9000 | 30.00 / 0.9000 |'
    assert lines[2] == '| EDSR | 1.50 | - | - | 40 | - | 28.50 / 0.9000 |'

"""scripts/leaderboard.py merges fixture BasicSR test logs with the papers' published rows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / 'scripts' / 'leaderboard.py'

LOG_TEMPLATE = """2025-01-01 12:00:00,000 INFO: {header}
  name: {name}
  network_g:[
    type: {network}
  ]
2025-01-01 12:00:01,000 INFO: Network: {network}, with parameters: {params}
2025-01-01 12:00:02,000 INFO: Validation GoPro_test
\t # psnr: {psnr}
\t # ssim: 0.9012

2025-01-01 12:00:03,000 INFO: Validation Rain100H
\t # psnr: 27.5000\tBest: 27.5000 @ {name} iter
\t # ssim: 0.8800\tBest: 0.8800 @ {name} iter

"""


@pytest.fixture(scope='module')
def leaderboard():
    spec = importlib.util.spec_from_file_location('leaderboard', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules['leaderboard'] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def write_log(root: Path, name: str, stamp: str, network: str, params: str, psnr: str) -> None:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    text = LOG_TEMPLATE.format(header='', name=name, network=network, params=params, psnr=psnr)
    (folder / f'test_{name}_{stamp}.log').write_text(text, encoding='utf-8')


def test_leaderboard_renders_measured_beside_published(leaderboard, tmp_path):
    results = tmp_path / 'results'
    write_log(results, 'LFDN_GoPro', '20250101_120000', 'LFDN', '1,541,009', '29.0000')
    write_log(results, 'LFDN_GoPro', '20250102_120000', 'LFDN', '1,541,009', '30.1234')  # newer run wins
    write_log(results, 'EDSR_GoPro', '20250101_120000', 'EDSR', '1,370,000', '28.5000')
    md, png = tmp_path / 'board.md', tmp_path / 'board.png'

    assert leaderboard.main(['--results', str(results), '--output-md', str(md), '--output-png', str(png)]) == 0

    table = md.read_text(encoding='utf-8')
    gopro = table.split('## GoPro')[1].split('## ')[0]
    assert '| LFDN_GoPro (LFDN) | **measured** | 30.12 | 0.9012 | 1.54 |' in gopro
    assert '29.00' not in gopro
    assert '| EDSR_GoPro (EDSR) | **measured** | 28.50 |' in gopro
    assert '| LFDN (ours, Sensors) | *published* | 31.60 | 0.9320 | 1.55 | 0.029 |' in gopro
    assert 'ICIP 2021 (LMFN) Table 1' in gopro and 'Sensors 2021 (LFDN) Table 3' in gopro
    assert '| LFDN_GoPro (LFDN) | **measured** | 27.50 |' in table.split('## Rain100H')[1]
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_published_file_holds_every_table_row(leaderboard):
    entries, datasets = leaderboard.load_published(leaderboard.DEFAULT_PUBLISHED)
    per_table = {}
    for entry in entries:
        per_table[entry.provenance] = per_table.get(entry.provenance, 0) + 1
    assert per_table == {
        'ICIP 2021 (LMFN) Table 1': 10,
        'ICIP 2021 (LMFN) Table 2': 8,
        'Sensors 2021 (LFDN) Table 2': 8 * 4,
        'Sensors 2021 (LFDN) Table 3': 12,
        'Sensors 2021 (LFDN) Table 4': 8,
        'Sensors 2021 (LFDN) Table 5': 7,
    }
    assert set(datasets) == {e.dataset for e in entries}


def test_dataset_names_from_logs_map_to_paper_datasets(leaderboard):
    known = ['GoPro', 'Kohler', 'HIDE', 'Rain100H', 'Rain100L', 'Rain14000', 'Test100']
    assert leaderboard.canonical_dataset('GoPro_test', known) == 'GoPro'
    assert leaderboard.canonical_dataset('Köhler', known) == 'Kohler'
    assert leaderboard.canonical_dataset('rain100L-val', known) == 'Rain100L'
    assert leaderboard.canonical_dataset('RainTest100', known) == 'Test100'
    assert leaderboard.canonical_dataset('MyPhotos', known) == 'MyPhotos'

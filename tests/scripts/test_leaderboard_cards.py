"""Leaderboard rows of the shipped weights come from their model cards (``basicsr_lfdn.research.cards``)."""

from __future__ import annotations

import json
from pathlib import Path

from basicsr_lfdn.pretrained import PRETRAINED_DIR
from basicsr_lfdn.research import leaderboard
from basicsr_lfdn.research.cards import parse_protocol

COMMITTED_BOARD = Path(__file__).resolve().parents[2] / 'docs' / 'leaderboard.md'


def card(**changes: object) -> dict:
    data = {
        'task': 'derain',
        'network_g': {'type': 'LFDN'},
        'params': 1540863,
        'recipe': 'options/real/lfdn_derain_ladder.yml',
        'hardware': '2-core CPU, fp32',
        'protocol': 'BasicSR calculate_psnr/ssim on uint8, no border crop, Y channel (BT.601)',
        'training': {
            'crops': '8 x 128^2',
            'iterations': 1200,
            'loss': 'PSNRLoss',
            'optimiser': 'Adam lr 0.0001',
            'wall_time': '0:44:36',
        },
        'ladder': [{'label': 'stage 1', 'hours': 1.25}, {'label': 'stage 2', 'hours': 0.5}],
        'metrics': {'Rain100H': {'psnr': 24.458, 'ssim': 0.66533}, 'Rain100L': {'psnr': 31.3984, 'ssim': 0.9099}},
    }
    data.update(changes)
    return data


def ship(folder: Path, name: str, data: dict | str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f'{name}.pth').write_bytes(b'weights')
    (folder / f'{name}.json').write_text(data if isinstance(data, str) else json.dumps(data), encoding='utf-8')


def board(tmp_path: Path, cards: Path) -> tuple[int, str]:
    md = tmp_path / 'board.md'
    argv = ['--cards', str(cards), '--no-logs', '--no-published', '--output-md', str(md)]
    code = leaderboard.main([*argv, '--output-png', str(tmp_path / 'board.png')])
    return code, md.read_text(encoding='utf-8') if md.exists() else ''


def test_a_card_becomes_one_measured_row_per_test_set_with_its_training(tmp_path):
    cards = tmp_path / 'pretrained'
    ship(cards, 'lfdn_derain', card())
    (cards / 'notes.json').write_text('{"not": "a card"}', encoding='utf-8')  # no weights beside it: not read

    code, table = board(tmp_path, cards)

    assert code == 0
    heavy = table.split('## Rain100H\n')[1].split('\n## ')[0]
    assert '| LFDN (shipped derain weights) | **measured** | 24.46 | 0.6653 | 1.54 |' in heavy
    assert 'last of 2 ladder stages (1.75 CPU-hours in all): 1,200 it. of 8 x 128^2' in heavy
    assert '| model card lfdn_derain.json |' in heavy
    assert '| LFDN (shipped derain weights) | **measured** | 31.40 | 0.9099 |' in table.split('## Rain100L\n')[1]
    assert '†' not in heavy  # Y channel on a deraining set is the convention


def test_a_broken_card_is_an_error_naming_the_file(tmp_path, capsys):
    cards = tmp_path / 'pretrained'
    ship(cards, 'lmfn_derain', {key: value for key, value in card().items() if key != 'metrics'})
    assert board(tmp_path, cards)[0] == 2
    assert 'lmfn_derain.json: model card lacks metrics' in capsys.readouterr().err

    ship(cards, 'lmfn_derain', '{"task": ')
    assert board(tmp_path, cards)[0] == 2
    assert 'lmfn_derain.json: not a readable model card' in capsys.readouterr().err


def test_card_protocols_read_as_the_metric_settings():
    assert parse_protocol('BasicSR calculate_psnr/ssim on uint8, no border crop, RGB') == {
        'y_channel': False,
        'crop_border': 0,
        'rounding': 'uint8',
    }
    assert parse_protocol('float images, crop border 4, Y channel (BT.601)')['crop_border'] == 4


def test_the_committed_leaderboard_shows_every_shipped_card_figure():
    """Shipping new weights without redrawing docs/leaderboard.md fails here."""
    table = COMMITTED_BOARD.read_text(encoding='utf-8')
    shipped = sorted(path for path in PRETRAINED_DIR.glob('*.json') if path.with_suffix('.pth').is_file())
    assert shipped
    for path in shipped:
        data = json.loads(path.read_text(encoding='utf-8'))
        method = f'{data["network_g"]["type"]} (shipped {data["task"]} weights)'
        for dataset, scores in data['metrics'].items():
            rows = table.split(f'## {dataset}\n')[1].split('\n## ')[0]
            assert f'| {method} | **measured** | {scores["psnr"]:.2f} |' in rows, (path.name, dataset)

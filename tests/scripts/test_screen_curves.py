"""Screen record: rows read from run curves, compared at one CPU time as gains over their start."""

from __future__ import annotations

import json
from pathlib import Path

from basicsr_lfdn.research.screen_curves import at_minutes, read_rounds, start_point, table


def _curve(path: Path, rounds: list[tuple[int, float, float]]) -> Path:
    path.write_text(
        '\n'.join(
            json.dumps({'iter': it, 'cpu_hours': h, 'mild': {'psnr': p, 'psnr_input': 24.0}, 'score': None})
            for it, h, p in rounds
        )
        + '\n'
    )
    return path


def test_rounds_are_in_cpu_minutes_and_a_repeated_iteration_keeps_its_last_line(tmp_path: Path) -> None:
    points, inputs = read_rounds(_curve(tmp_path / 'c.jsonl', [(100, 0.1, 24.5), (200, 0.2, 24.9), (100, 0.12, 24.6)]))
    assert points == [{'iter': 100, 'cpu_minutes': 7.2, 'mild': 24.6}, {'iter': 200, 'cpu_minutes': 12.0, 'mild': 24.9}]
    assert inputs == {'mild': 24.0}
    assert at_minutes(points, 11.9)['iter'] == 100
    assert at_minutes(points, 5.0) is None


def test_table_gives_starts_and_rows_at_one_cpu_time_as_gains_over_the_input(tmp_path: Path) -> None:
    (tmp_path / 'warm.json').write_text(json.dumps([{'weights': 'w.pth', 'mild': 24.3, 'mild input': 24.0}]))
    record = {
        'inputs': {'mild': 24.0},
        'rows': [
            {
                'name': 'scratch',
                'start_from': 'input',
                'start': start_point('input', {'mild': 24.0}),
                'points': [{'iter': 100, 'cpu_minutes': 6.0, 'mild': 24.5}],
            },
            {
                'name': 'warm',
                'start_from': str(tmp_path / 'warm.json'),
                'start': start_point(str(tmp_path / 'warm.json'), {'mild': 24.0}),
                'points': [
                    {'iter': 100, 'cpu_minutes': 6.5, 'mild': 24.4},
                    {'iter': 200, 'cpu_minutes': 16.0, 'mild': 25.0},
                ],
            },
        ],
    }
    text = table(record, minutes=15)
    assert '| start: `warm.json` | 0 | 0 | 24.30 (+0.30) |' in text
    assert '| scratch | 100 | 6.0 | 24.50 (+0.50) |' in text
    assert '| warm | 100 | 6.5 | 24.40 (+0.40) |' in text
    assert 'start: `input' not in text

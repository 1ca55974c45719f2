"""Ladder record: rounds read from a run's curve file, stages put end to end, a figure drawn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from basicsr_lfdn.research.ladder_curve import add_stage, main, rounds_from_curve, stage_offsets


def _write_curve(path: Path, rows: list[tuple[int, float, float]]) -> Path:
    lines = [
        json.dumps({'iter': it, 'cpu_hours': h, 'heavy': {'psnr': p, 'psnr_input': 14.0}, 'score': p})
        for it, h, p in rows
    ]
    path.write_text('\n'.join(lines) + '\n')
    return path


def test_a_round_repeated_after_a_resume_counts_once_with_its_last_figures(tmp_path: Path) -> None:
    curve = _write_curve(tmp_path / 'c.jsonl', [(250, 0.2, 25.0), (500, 0.4, 25.5), (500, 0.45, 25.7)])
    assert rounds_from_curve(curve) == [
        {'iter': 250, 'cpu_hours': 0.2, 'heavy': 25.0},
        {'iter': 500, 'cpu_hours': 0.45, 'heavy': 25.7},
    ]


def test_stages_start_where_the_earlier_ones_ended_and_a_relabelled_stage_is_replaced() -> None:
    record = add_stage({}, 'LFDN', {'label': 'stage 1', 'hours': 1.5, 'points': []})
    record = add_stage(record, 'LFDN', {'label': 'stage 2', 'hours': 0.5, 'points': []})
    record = add_stage(record, 'LFDN', {'label': 'stage 2', 'hours': 0.75, 'points': []})
    stages = record['LFDN']['stages']
    assert [stage['label'] for stage in stages] == ['stage 1', 'stage 2']
    assert stage_offsets(stages + [{'hours': 0}]) == [0.0, 1.5, 2.25]


def test_the_command_line_adds_a_stage_and_draws_the_figure(tmp_path: Path) -> None:
    pytest.importorskip('matplotlib')
    curve = _write_curve(tmp_path / 'c.jsonl', [(250, 0.2, 25.0), (500, 0.4, 25.5)])
    record = tmp_path / 'ladder.json'
    common = ['--record', str(record), '--network', 'LFDN', '--curve', str(curve), '--recipe', 'r.yml']
    assert main(['add', *common, '--label', 's', '--clock', 'process CPU time']) == 0
    assert json.loads(record.read_text())['LFDN']['stages'][0]['hours'] == 0.4
    assert main(['plot', '--record', str(record), '--sets', 'heavy', '-o', str(tmp_path / 'f.png')]) == 0
    assert (tmp_path / 'f.png').stat().st_size > 1000

"""Training ladders on record: validation PSNR against CPU-hours over every stage of a network.

A ladder is a chain of training stages, each warm-started from the weights shipped before it. The
record (``docs/measured/ladder_<task>.json``) holds, per network, its stages in order, each with
its validation rounds ``{"iter", "cpu_hours", "<set>": psnr}`` (hours counted from the stage's
start). A stage is added from a run's ``validation_curve.jsonl`` (written by RestorationModel);
the figure puts the stages end to end, so the reader sees whether the ladder still climbs.

    python scripts/ladder_curve.py add --record docs/measured/ladder_derain.json --network LFDN \\
        --curve experiments/LFDN_derain_ladder/validation_curve.jsonl --label "stage 3 (2026-12-07)" \\
        --recipe options/real/lfdn_derain_ladder.yml --clock "process CPU time"
    python scripts/ladder_curve.py plot --record docs/measured/ladder_derain.json -o docs/figures/derain_ladder.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from basicsr_lfdn.research.figure_style import pyplot
from basicsr_lfdn.research.json_files import read_json, write_json


def rounds_from_curve(path: Path, metric: str = 'psnr') -> list[dict[str, Any]]:
    """The validation rounds of a ``validation_curve.jsonl``, one per iteration (the last line wins)."""
    by_iter: dict[int, dict[str, Any]] = {}
    for line in path.read_text(encoding='utf-8').splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        point = {'iter': entry['iter'], 'cpu_hours': entry['cpu_hours']}
        point.update({name: value[metric] for name, value in entry.items() if isinstance(value, dict)})
        by_iter[entry['iter']] = point
    if not by_iter:
        raise ValueError(f'{path}: no validation rounds')
    return [by_iter[key] for key in sorted(by_iter)]


def add_stage(record: dict[str, Any], network: str, stage: dict[str, Any]) -> dict[str, Any]:
    """The record with ``stage`` appended to ``network``'s ladder (a stage of the same label is replaced)."""
    stages = [old for old in record.get(network, {}).get('stages', []) if old['label'] != stage['label']]
    return {**record, network: {'stages': [*stages, stage]}}


def stage_offsets(stages: list[dict[str, Any]]) -> list[float]:
    """Hours at which each stage starts: the sum of the earlier stages' lengths (their ``hours``)."""
    offsets, total = [], 0.0
    for stage in stages:
        offsets.append(total)
        total += float(stage['hours'])
    return offsets


def plot(record: dict[str, Any], sets: list[str], output: Path) -> None:
    """One panel per validation set: each network's stages end to end against cumulative hours."""
    plt = pyplot()
    figure, axes = plt.subplots(1, len(sets), figsize=(4.2 * len(sets), 3.4), squeeze=False)
    colours = {'LFDN': 'tab:red', 'LMFN': 'tab:blue'}
    for axis, name in zip(axes[0], sets):
        for network, ladder in sorted(record.items()):
            stages = ladder['stages']
            xs, ys = [], []
            for offset, stage in zip(stage_offsets(stages), stages):
                for point in stage['points']:
                    if name in point:
                        xs.append(offset + point['cpu_hours'])
                        ys.append(point[name])
                axis.axvline(offset, color=colours.get(network, 'k'), alpha=0.15, linewidth=0.8)
            axis.plot(xs, ys, marker='o', markersize=3, color=colours.get(network, 'k'), label=network)
        axis.set_title(name, fontsize=9)
        axis.set_xlabel('hours of one CPU thread (stages end to end)', fontsize=8)
        axis.set_ylabel('validation PSNR (dB, Y)', fontsize=8)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description='Training ladders: add a stage, or plot every stage.')
    commands = parser.add_subparsers(dest='command', required=True)
    add = commands.add_parser('add', help="append a run's validation rounds as a stage")
    add.add_argument('--record', type=Path, required=True)
    add.add_argument('--network', required=True)
    add.add_argument('--curve', type=Path, required=True, help="the run's validation_curve.jsonl")
    add.add_argument('--label', required=True)
    add.add_argument('--recipe', required=True)
    add.add_argument('--clock', required=True, help='what the hours count, e.g. "process CPU time"')
    add.add_argument('--hours', type=float, help="the stage's length (default: its last round's hours)")
    draw = commands.add_parser('plot', help='draw the figure')
    draw.add_argument('--record', type=Path, required=True)
    draw.add_argument('--sets', nargs='+', default=['RainTrainH-val', 'Rain13K-val'])
    draw.add_argument('-o', '--output', type=Path, required=True)
    args = parser.parse_args(argv)

    record = read_json(args.record) or {}
    if args.command == 'add':
        points = rounds_from_curve(args.curve)
        stage = {
            'label': args.label,
            'recipe': args.recipe,
            'clock': args.clock,
            'hours': args.hours if args.hours is not None else points[-1]['cpu_hours'],
            'points': points,
        }
        write_json(args.record, add_stage(record, args.network, stage))
        print(f'{args.network}: {len(points)} rounds added as {args.label!r}')
        return 0
    if not record:
        raise SystemExit(f'{args.record}: no ladder record')
    plot(record, args.sets, args.output)
    print(f'wrote {args.output}')
    return 0

"""A learning-speed screen on record: each row's validation PSNR against the CPU minutes it used.

Rows are training runs stopped at equal CPU time (``scripts/cpu_budget_run.py``). The record
(``docs/measured/<screen>.json``) holds, per row, its option file, its start (the validation of the
weights it started from, at 0 minutes) and its rounds ``{"iter", "cpu_minutes", "<set>": psnr}``,
plus each set's input PSNR. ``table`` prints every row at a given CPU time with its gain over
the input (what deblurring or deraining adds), after the starts; ``plot`` draws one panel per set.

    python scripts/screen_curves.py collect -o docs/measured/deblur_speed_screen.json \\
        --row options/real/deblur_speed/lfdn_warm_deblur.yml=start/lfdn_deblur.json \\
        --row options/real/deblur_speed/lfdn_scratch.yml=input
    python scripts/screen_curves.py table --record docs/measured/deblur_speed_screen.json --minutes 15
    python scripts/screen_curves.py plot --record docs/measured/deblur_speed_screen.json -o screen.png
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from basicsr_lfdn.research.figure_style import pyplot
from basicsr_lfdn.research.json_files import read_json, write_json
from basicsr_lfdn.research.ladder_curve import rounds_from_curve
from basicsr_lfdn.research.runs import REPO_ROOT
from basicsr_lfdn.utils.options import resolve_option_file


def read_rounds(curve: Path) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Rounds of a ``validation_curve.jsonl`` (last line per iteration wins) and each set's input PSNR."""
    clock = ('iter', 'cpu_hours')
    points = [
        {'iter': point['iter'], 'cpu_minutes': round(60 * point['cpu_hours'], 2)}
        | {name: value for name, value in point.items() if name not in clock}
        for point in rounds_from_curve(curve)
    ]
    last_inputs = rounds_from_curve(curve, metric='psnr_input')[-1]
    return points, {name: value for name, value in last_inputs.items() if name not in clock}


def start_point(spec: str, inputs: dict[str, float]) -> dict[str, float]:
    """The validation of a row's start: ``input`` (an identity-initialised network) or a JSON written by
    ``scripts/validation_curve.py --weights``."""
    if spec == 'input':
        return dict(inputs)
    rows = read_json(Path(spec))
    if not rows:
        raise ValueError(f'{spec}: no validation row (write one with scripts/validation_curve.py --weights)')
    return {name: rows[0][name] for name in inputs if name in rows[0]}


def collect(rows: list[str]) -> dict[str, Any]:
    """The record of ``option.yml=start`` rows, read from each run's ``experiments/<name>/validation_curve.jsonl``."""
    record: dict[str, Any] = {'inputs': {}, 'rows': []}
    for row in rows:
        option, _, start = row.partition('=')
        if not start:
            raise ValueError(f'--row {row}: expected OPTION.yml=START (START: input or a --weights JSON)')
        name = resolve_option_file(option)['name']
        curve = REPO_ROOT / 'experiments' / name / 'validation_curve.jsonl'
        if not curve.is_file():
            raise FileNotFoundError(f'{curve}: run {option} first (scripts/cpu_budget_run.py)')
        points, inputs = read_rounds(curve)
        record['inputs'].update(inputs)
        record['rows'].append(
            {'name': name, 'option': option, 'start_from': start, 'start': start_point(start, inputs), 'points': points}
        )
    return record


def at_minutes(points: list[dict[str, Any]], minutes: float) -> dict[str, Any] | None:
    """The last round within ``minutes`` of CPU time, or None."""
    within = [point for point in points if point['cpu_minutes'] <= minutes]
    return within[-1] if within else None


def table(record: dict[str, Any], minutes: float) -> str:
    """A markdown table: each start, then each row's round at ``minutes``, as PSNR (gain over the input)."""
    sets = list(record['inputs'])

    def cells(values: dict[str, float]) -> str:
        return ' | '.join(
            f'{values[name]:.2f} ({values[name] - record["inputs"][name]:+.2f})' if name in values else '–'
            for name in sets
        )

    lines = [
        '| row | iter. | CPU-min | ' + ' | '.join(sets) + ' |',
        '|---|---:|---:|' + '---:|' * len(sets),
        '| input | | | ' + ' | '.join(f'{record["inputs"][name]:.2f}' for name in sets) + ' |',
    ]
    starts = {row['start_from']: row['start'] for row in record['rows'] if row['start_from'] != 'input'}
    lines += [f'| start: `{Path(spec).name}` | 0 | 0 | {cells(values)} |' for spec, values in starts.items()]
    for row in record['rows']:
        point = at_minutes(row['points'], minutes)
        if point is None:
            lines.append(f'| {row["name"]} | – | – | ' + ' | '.join('–' for _ in sets) + ' |')
            continue
        lines.append(f'| {row["name"]} | {point["iter"]} | {point["cpu_minutes"]:.1f} | {cells(point)} |')
    return '\n'.join(lines)


def plot(record: dict[str, Any], sets: list[str], output: Path, window_db: float = 2.0) -> None:
    """One panel per set: every row from its start (0 minutes) through its rounds.

    The y axis spans the values within ``window_db`` of the input, so that one diverged or damaging
    row does not flatten the others; rows with points outside it are marked "(off scale)".
    """
    plt = pyplot()
    figure, axes = plt.subplots(1, len(sets), figsize=(4.2 * len(sets), 3.6), squeeze=False)
    for axis, name in zip(axes[0], sets):
        reference = record['inputs'][name]
        shown = [reference]
        for row in record['rows']:
            xs = [0.0] if name in row['start'] else []
            ys = [row['start'][name]] if name in row['start'] else []
            xs += [point['cpu_minutes'] for point in row['points']]
            ys += [point[name] for point in row['points']]
            inside = [value for value in ys if abs(value - reference) <= window_db]
            shown += inside
            label = row['name'] + (' (off scale)' if len(inside) < len(ys) else '')
            axis.plot(xs, ys, marker='o', markersize=2.5, linewidth=1, label=label)
        margin = 0.05 * (max(shown) - min(shown)) + 0.02
        axis.set_ylim(min(shown) - margin, max(shown) + margin)
        axis.axhline(reference, color='k', linestyle=':', linewidth=0.8, label='input')
        axis.set_title(name, fontsize=9)
        axis.set_xlabel('CPU minutes of one thread', fontsize=8)
        axis.set_ylabel('validation PSNR (dB)', fontsize=8)
        axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=6)
    figure.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(output, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    gather = commands.add_parser('collect', help="read the rows' validation curves into a record")
    gather.add_argument('--row', action='append', required=True, help='OPTION.yml=START (START: input or JSON)')
    gather.add_argument('-o', '--output', type=Path, required=True)
    show = commands.add_parser('table', help='print the rows at one CPU time')
    show.add_argument('--record', type=Path, required=True)
    show.add_argument('--minutes', type=float, required=True)
    draw = commands.add_parser('plot', help='draw the curves')
    draw.add_argument('--record', type=Path, required=True)
    draw.add_argument('--sets', nargs='+', help='validation sets to draw (default: all)')
    draw.add_argument('-o', '--output', type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == 'collect':
        write_json(args.output, collect(args.row))
        print(f'wrote {args.output}')
        return 0
    record = read_json(args.record)
    if not record:
        raise SystemExit(f'{args.record}: no screen record')
    if args.command == 'table':
        print(table(record, args.minutes))
        return 0
    plot(record, args.sets or list(record['inputs']), args.output)
    print(f'wrote {args.output}')
    return 0

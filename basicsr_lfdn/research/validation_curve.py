"""Validation PSNR of a training run's saved checkpoints against the time they were saved.

    python scripts/validation_curve.py -opt options/real/deblur_screen/lfdn_recipe.yml --minutes 10 20
    python scripts/validation_curve.py -opt options/real/lfdn_deblur.yml --every 500 --json curve.json

Runs compared "at equal CPU time" need their validation at equal elapsed time, not at equal
iterations (a step of 4 x 192² costs more than one of 8 x 128²). Each checkpoint's time is its file's
modification time minus the start time in the run's first log name, in minutes; with ``--minutes`` the last
checkpoint saved by each of those times is scored. The validation sets are the option file's
``val*`` datasets, built as training builds them (seeded degradations give the same inputs), and
scored with BasicSR's metric on the channel the option's ``val.metrics.psnr`` names.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from basicsr.archs import build_network
from basicsr.data import build_dataset

from basicsr_lfdn.inference.evaluate import evaluate_dataset
from basicsr_lfdn.research.runs import REPO_ROOT, checkpoints
from basicsr_lfdn.utils.checkpoint import load_checkpoint
from basicsr_lfdn.utils.options import resolve_option_file


def pick(found: list[tuple[int, float, Path]], minutes: list[float], every: int) -> list[tuple[int, float, Path]]:
    """The last checkpoint saved by each of ``minutes``, or every ``every``-th iteration (all if 0)."""
    if minutes:
        chosen = []
        for limit in minutes:
            before = [item for item in found if item[1] <= limit]
            if not before:
                raise ValueError(f'no checkpoint was saved within {limit} minutes')
            chosen.append(before[-1])
        return chosen
    return [item for item in found if every <= 0 or item[0] % every == 0]


def validation_sets(opt: dict) -> dict:
    """The option file's ``val*`` datasets by name, built as training builds them."""
    return {
        dataset_opt['name']: build_dataset({**dataset_opt, 'phase': 'val', 'scale': 1})
        for key, dataset_opt in sorted((opt.get('datasets') or {}).items())
        if key.startswith('val')
    }


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-opt', required=True, help='the training option file of the run')
    parser.add_argument('--experiment', help='run folder (default experiments/<name>)')
    parser.add_argument('--minutes', type=float, nargs='*', default=[], help='elapsed times to score at')
    parser.add_argument('--every', type=int, default=0, help='score every N-th iteration (default: all)')
    parser.add_argument('--json', help='also write the rows to this JSON file')
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print one line per chosen checkpoint (its validation PSNR on every set, and the inputs'); 0 when done."""
    args = build_parser().parse_args(argv)
    opt = resolve_option_file(args.opt)
    experiment = Path(args.experiment or REPO_ROOT / 'experiments' / opt['name'])
    chosen = pick(checkpoints(experiment), args.minutes, args.every)
    y_channel = bool(((opt.get('val') or {}).get('metrics') or {}).get('psnr', {}).get('test_y_channel', False))
    sets = validation_sets(opt)
    if not sets:
        raise SystemExit(f'{args.opt}: no val datasets to score on')

    network = build_network(dict(opt['network_g'])).eval()
    rows = []
    for iteration, minutes, path in chosen:
        network.load_state_dict(load_checkpoint(path)['params'])
        row = {'iter': iteration, 'minutes': round(minutes, 1)}
        for name, dataset in sets.items():
            measured = evaluate_dataset(network, dataset, y_channel)
            row[name], row[f'{name} input'] = measured['psnr'], measured['input_psnr']
        rows.append(row)
        print(
            '  '.join(
                f'{key} {value:.2f}' if isinstance(value, float) else f'{key} {value}' for key, value in row.items()
            )
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + '\n')
    return 0

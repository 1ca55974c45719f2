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
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.archs import build_network  # noqa: E402
from basicsr.data import build_dataset  # noqa: E402

from basicsr_lfdn.inference.evaluate import evaluate_dataset  # noqa: E402
from basicsr_lfdn.utils.checkpoint import load_checkpoint  # noqa: E402
from basicsr_lfdn.utils.options import resolve_option_file  # noqa: E402


def checkpoints(experiment: Path) -> list[tuple[int, float, Path]]:
    """``(iteration, minutes since the run started, file)`` of every ``net_g_<iter>.pth``, by iteration.

    The start is the time stamp BasicSR puts in the first log's name (``train_<name>_<YYYYmmdd_HHMMSS>.log``,
    local time); a run resumed after a pause counts the pause too.
    """
    stamps = sorted(
        match.group(1)
        for path in experiment.glob('train_*.log')
        if (match := re.search(r'_(\d{8}_\d{6})\.log$', path.name))
    )
    if not stamps:
        raise FileNotFoundError(f'{experiment}: no train_*_<time>.log, is this a training run folder?')
    start = time.mktime(time.strptime(stamps[0], '%Y%m%d_%H%M%S'))
    found = []
    for path in (experiment / 'models').glob('net_g_*.pth'):
        match = re.fullmatch(r'net_g_(\d+)\.pth', path.name)
        if match:
            found.append((int(match.group(1)), (path.stat().st_mtime - start) / 60, path))
    if not found:
        raise FileNotFoundError(f'{experiment / "models"}: no net_g_<iter>.pth checkpoints')
    return sorted(found)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-opt', required=True, help='the training option file of the run')
    parser.add_argument('--experiment', help='run folder (default experiments/<name>)')
    parser.add_argument('--minutes', type=float, nargs='*', default=[], help='elapsed times to score at')
    parser.add_argument('--every', type=int, default=0, help='score every N-th iteration (default: all)')
    parser.add_argument('--json', help='also write the rows to this JSON file')
    args = parser.parse_args(argv)

    opt = resolve_option_file(args.opt)
    experiment = Path(args.experiment or REPO / 'experiments' / opt['name'])
    chosen = pick(checkpoints(experiment), args.minutes, args.every)
    y_channel = bool(((opt.get('val') or {}).get('metrics') or {}).get('psnr', {}).get('test_y_channel', False))
    sets = {}
    for key, dataset_opt in sorted((opt.get('datasets') or {}).items()):
        if key.startswith('val'):
            sets[dataset_opt['name']] = build_dataset({**dataset_opt, 'phase': 'val', 'scale': 1})
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


if __name__ == '__main__':
    raise SystemExit(main())

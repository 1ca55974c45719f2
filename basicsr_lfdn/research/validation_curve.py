"""Validation PSNR of a training run's saved checkpoints against the time they were saved.

    python scripts/validation_curve.py -opt options/real/deblur_screen/lfdn_recipe.yml --minutes 10 20
    python scripts/validation_curve.py -opt options/real/lfdn_deblur.yml --every 500 --json curve.json
    python scripts/validation_curve.py -opt options/real/lfdn_derain_ladder.yml \
        --weights basicsr_lfdn/pretrained/lfdn_derain.pth --json shipped.json   # one file, no run

Runs compared "at equal CPU time" need their validation at equal elapsed time, not at equal
iterations (a step of 4 x 192² costs more than one of 8 x 128²). Each checkpoint's time is its file's
modification time minus the start time in the run's first log name, in minutes; with ``--minutes`` the last
checkpoint saved by each of those times is scored. The validation sets are the option file's
``val*`` datasets, built as training builds them (seeded degradations give the same inputs), and
scored with BasicSR's metric on the channel the option's ``val.metrics.psnr`` names, in the tiles
of ``val.tile`` where the option sets them, as training validates. ``--weights`` scores one weights
file instead (a start point of a screen, or the shipped weights a ladder stage has to beat).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from basicsr.archs import build_network
from basicsr.data import build_dataset

from basicsr_lfdn.inference.evaluate import evaluate_dataset
from basicsr_lfdn.research.runs import REPO_ROOT, checkpoints
from basicsr_lfdn.utils.checkpoint import load_checkpoint
from basicsr_lfdn.utils.options import resolve_option_file
from basicsr_lfdn.utils.tiling import tiled_forward


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


class TiledNetwork(torch.nn.Module):
    """``network`` run in overlapping tiles of ``size`` px (whole images when ``size`` is 0)."""

    def __init__(self, network: torch.nn.Module, size: int, overlap: int) -> None:
        super().__init__()
        self.network, self.size, self.overlap = network, size, overlap

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return tiled_forward(self.network, image, self.size, self.overlap)


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-opt', required=True, help='the training option file of the run')
    parser.add_argument('--experiment', help='run folder (default experiments/<name>)')
    parser.add_argument('--minutes', type=float, nargs='*', default=[], help='elapsed times to score at')
    parser.add_argument('--every', type=int, default=0, help='score every N-th iteration (default: all)')
    parser.add_argument('--weights', type=Path, help="score this weights file instead of the run's checkpoints")
    parser.add_argument('--json', help='also write the rows to this JSON file')
    return parser


def main(argv: list[str] | None = None) -> int:
    """Print one line per chosen checkpoint (its validation PSNR on every set, and the inputs'); 0 when done."""
    args = build_parser().parse_args(argv)
    opt = resolve_option_file(args.opt)
    if args.weights:
        if not args.weights.is_file():
            raise SystemExit(f'--weights {args.weights}: no such file')
        chosen = [(0, 0.0, args.weights)]
    else:
        experiment = Path(args.experiment or REPO_ROOT / 'experiments' / opt['name'])
        chosen = pick(checkpoints(experiment), args.minutes, args.every)
    y_channel = bool(((opt.get('val') or {}).get('metrics') or {}).get('psnr', {}).get('test_y_channel', False))
    sets = validation_sets(opt)
    if not sets:
        raise SystemExit(f'{args.opt}: no val datasets to score on')

    network = build_network(dict(opt['network_g'])).eval()
    tile = (opt.get('val') or {}).get('tile') or {}
    tiled = TiledNetwork(network, int(tile.get('size', 0)), int(tile.get('overlap', 0)))
    rows = []
    for iteration, minutes, path in chosen:
        network.load_state_dict({key: value.float() for key, value in load_checkpoint(path)['params'].items()})
        row = {'weights': str(path)} if args.weights else {'iter': iteration, 'minutes': round(minutes, 1)}
        for name, dataset in sets.items():
            measured = evaluate_dataset(tiled, dataset, y_channel)
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

"""Rain100L / Rain100H (Yang et al. 2017): ``rain-XXX.png`` beside ``norain-XXX.png``.

Also accepted: ``rainy/`` + ``norain/`` folders (any names ending in the image number), and the
repackaged ``input/`` + ``target/`` form. Pairs are matched by the trailing image number.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from datasets_prep import paired
from datasets_prep.common import Pair, PrepError, is_image

_TRAILING_NUMBER = re.compile(r'(\d+)$')
_TARGET_FOLDERS = {'norain', 'clean', 'gt'}
_INPUT_FOLDERS = {'rain', 'rainy'}


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('rain100', help='Rain100L/H: rain-XXX.png + norain-XXX.png (or rainy/ + norain/)')
    parser.add_argument('--src', required=True, type=Path, help='the Rain100L or Rain100H folder')
    parser.add_argument('--variant', required=True, choices=('L', 'H'), help='L or H (names the default --out)')
    parser.add_argument('--split', default='test', help='output split name (default: test)')
    parser.set_defaults(collect=collect, default_out='datasets/Rain100{variant}')
    return parser


def side_of(path: Path) -> str | None:
    """'input' for rain images, 'target' for clean ones, None for files that are neither."""
    stem, folder = path.stem.lower(), path.parent.name.lower()
    if stem.startswith('norain') or folder in _TARGET_FOLDERS:
        return 'target'
    if stem.startswith('rain') or folder in _INPUT_FOLDERS:
        return 'input'
    return None


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    src = Path(args.src)
    if not src.is_dir():
        raise PrepError(f'Rain100{args.variant} folder not found: {src}')
    if paired.is_paired_layout(src):
        return paired.collect(argparse.Namespace(src=src, split=args.split, input_dir='input', target_dir='target'))
    sides: dict[str, dict[str, Path]] = {'input': {}, 'target': {}}
    for path in sorted(path for path in src.rglob('*') if is_image(path)):
        side, number = side_of(path), _TRAILING_NUMBER.search(path.stem)
        if side is None or number is None:
            continue
        if number[1] in sides[side]:
            raise PrepError(f'two {side} images with number {number[1]}: {sides[side][number[1]]} and {path}')
        sides[side][number[1]] = path
    inputs, targets = sides['input'], sides['target']
    pairs = []
    for number in sorted(set(inputs) | set(targets), key=int):
        input_path = inputs.get(number, src / f'rain-{number}.png')
        target_path = targets.get(number, src / f'norain-{number}.png')
        pairs.append(Pair(number, input_path, target_path))
    if not pairs:
        raise PrepError(f'no rain-XXX / norain-XXX images under {src}')
    return {args.split: pairs}

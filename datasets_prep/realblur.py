"""RealBlur-J / RealBlur-R (Rim et al. 2020), beyond the papers.

The archive holds ``RealBlur-{J,R}_ECC_IMCORR_centroid_itensity_ref/sceneNNN/{gt,blur}/`` and the
authors' lists ``RealBlur_{J,R}_{train,test}_list.txt``, one pair per line as
``<gt path> <blur path>`` relative to the archive root. Output names are ``sceneNNN_<index>``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from datasets_prep.common import Pair, PrepError, sanitize_key

_INDEX = re.compile(r'(\d+)$')


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('realblur', help='RealBlur-J/R from the authors pair lists')
    parser.add_argument('--src', required=True, type=Path, help='RealBlur archive root (holds the list files)')
    parser.add_argument('--variant', required=True, choices=('J', 'R'))
    parser.add_argument('--splits', nargs='+', default=['train', 'test'], choices=('train', 'test'))
    parser.add_argument('--list', nargs=2, action='append', metavar=('SPLIT', 'FILE'), help='override a pair list')
    parser.set_defaults(collect=collect, default_out='datasets/RealBlur_{variant}')
    return parser


def read_pair_list(list_file: Path, root: Path) -> list[Pair]:
    """Parse ``<gt> <blur>`` lines; extra columns are ignored, blank lines skipped."""
    if not list_file.is_file():
        raise PrepError(f'RealBlur pair list not found: {list_file}')
    pairs = []
    for number, line in enumerate(list_file.read_text(encoding='utf-8').splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 2:
            raise PrepError(f'{list_file}:{number}: expected "<gt path> <blur path>", got {line!r}')
        gt_path, blur_path = root / fields[0], root / fields[1]
        index = _INDEX.search(gt_path.stem)
        scene = gt_path.parent.parent.name
        key = f'{scene}_{index[1]}' if index and scene else fields[0].rsplit('.', 1)[0]
        pairs.append(Pair(sanitize_key(key), blur_path, gt_path))
    return pairs


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    src = Path(args.src)
    overrides = {split: Path(file) for split, file in (args.list or [])}
    unknown = set(overrides) - {'train', 'test'}
    if unknown:
        raise PrepError(f'--list takes train or test as SPLIT, got {sorted(unknown)}')
    return {
        split: read_pair_list(overrides.get(split, src / f'RealBlur_{args.variant}_{split}_list.txt'), src)
        for split in args.splits
    }

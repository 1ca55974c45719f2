"""GoPro (Nah et al. 2017): ``GOPRO_Large/{train,test}/<sequence>/{blur,blur_gamma,sharp}/NNNNNN.png``.

Frame names restart in every sequence, so each output name is ``<sequence>_<frame>``
(e.g. ``GOPR0372_07_00_000047.png``). Official counts: 2,103 train and 1,111 test pairs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from datasets_prep.common import Pair, PrepError, index_by_stem, list_images, sanitize_key

SPLITS = ('train', 'test')


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('gopro', help='GoPro: GOPRO_Large/{train,test}/<sequence>/{blur,sharp}')
    parser.add_argument('--src', required=True, type=Path, help='the GOPRO_Large folder')
    parser.add_argument('--gamma', action='store_true', help='use blur_gamma/ instead of blur/ as input')
    parser.add_argument('--splits', nargs='+', default=list(SPLITS), choices=SPLITS)
    parser.set_defaults(collect=collect, default_out='datasets/GoPro')
    return parser


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    blur_folder = 'blur_gamma' if args.gamma else 'blur'
    splits = {}
    for split in args.splits:
        split_dir = Path(args.src) / split
        if not split_dir.is_dir():
            raise PrepError(f'GoPro split folder not found: {split_dir} (expected GOPRO_Large/{split}/<sequence>/)')
        pairs = []
        for sequence in sorted(path for path in split_dir.iterdir() if path.is_dir()):
            blurred = index_by_stem(list_images(sequence / blur_folder), f'{blur_folder} ({sequence})')
            sharp = index_by_stem(list_images(sequence / 'sharp'), f'sharp ({sequence})')
            for frame in sorted(set(blurred) | set(sharp)):
                pairs.append(
                    Pair(
                        sanitize_key(f'{sequence.name}_{frame}'),
                        blurred.get(frame, sequence / blur_folder / f'{frame}.png'),
                        sharp.get(frame, sequence / 'sharp' / f'{frame}.png'),
                    )
                )
        splits[split] = pairs
    return splits

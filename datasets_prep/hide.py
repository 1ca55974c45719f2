"""HIDE (Shen et al. 2019): blurred images in ``train/`` and ``test/test-{close-ups,long-shot}/``,
their sharp counterparts in ``GT/`` under the same file names. 2,025 test pairs.

The test split holds both subsets; ``meta_info_close-ups.txt`` and ``meta_info_long-shot.txt``
list each subset for separate evaluation.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from datasets_prep.common import Pair, index_by_stem, list_images, sanitize_key

TEST_SUBSETS = ('test-close-ups', 'test-long-shot')


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('hide', help='HIDE: HIDE_dataset/{train,test/test-*}/ with GT/')
    parser.add_argument('--src', required=True, type=Path, help='the HIDE_dataset folder')
    parser.add_argument('--splits', nargs='+', default=['test'], choices=('train', 'test'))
    parser.set_defaults(collect=collect, default_out='datasets/HIDE')
    return parser


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    src = Path(args.src)
    sharp = index_by_stem(list_images(src / 'GT'), f'GT ({src / "GT"})')
    folders = {'train': [(src / 'train', None)], 'test': [(src / 'test' / name, name[5:]) for name in TEST_SUBSETS]}
    splits = {}
    for split in args.splits:
        pairs = []
        for folder, subset in folders[split]:
            for blurred in list_images(folder):
                target = sharp.get(blurred.stem, src / 'GT' / blurred.name)
                pairs.append(Pair(sanitize_key(blurred.stem), blurred, target, subset))
        splits[split] = pairs
    return splits

"""Rain14000 of Fu et al. 2017: ``rainy_image/N_M.jpg`` (M = 1..14) are rain variants of ``ground_truth/N.jpg``.

The paper trains on 11,200 images and tests on the remaining 2,800. The published split is not
available, so it is remade reproducibly: the clean-image ids are shuffled with ``--seed`` and the
first ``--train-fraction`` of them (800 of 1,000) go to train with all their variants, so no clean
image appears on both sides. The assignment is written to ``<out>/rain14000_split.txt``.

Already split repackagings (Rain13K, Test2800: ``input/`` + ``target/``) are accepted too, with
``--split`` naming the output split.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from datasets_prep import paired
from datasets_prep.common import Pair, PrepError, list_images

SPLIT_LIST_NAME = 'rain14000_split.txt'
_RAINY_STEM = re.compile(r'^(\d+)_(\d+)$')
_CLEAN_STEM = re.compile(r'^(\d+)$')


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        'rain14000', help='Rain14000: rainy_image/N_M.jpg + ground_truth/N.jpg (or input/+target/)'
    )
    parser.add_argument('--src', required=True, type=Path, help='folder with rainy_image/ and ground_truth/')
    parser.add_argument('--seed', type=int, default=0, help='seed of the clean-image split (default: 0)')
    parser.add_argument('--train-fraction', type=float, default=0.8, help='share of clean images for training')
    parser.add_argument('--splits', nargs='+', default=['train', 'test'], choices=('train', 'test'))
    parser.add_argument('--split', default=None, help='output split for an input/ + target/ layout')
    parser.set_defaults(collect=collect, default_out='datasets/Rain14000')
    return parser


def split_ids(ids: list[int], seed: int, train_fraction: float) -> tuple[list[int], list[int]]:
    """Seeded shuffle of the clean-image ids; the first ``round(n * train_fraction)`` are train."""
    if not 0.0 < train_fraction < 1.0:
        raise PrepError(f'--train-fraction must lie strictly between 0 and 1, got {train_fraction}')
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    n_train = round(len(shuffled) * train_fraction)
    return sorted(shuffled[:n_train]), sorted(shuffled[n_train:])


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    src = Path(args.src)
    if paired.is_paired_layout(src):
        return paired.collect(argparse.Namespace(src=src, split=args.split, input_dir='input', target_dir='target'))
    rainy_dir, clean_dir = src / 'rainy_image', src / 'ground_truth'
    clean: dict[int, Path] = {}
    for path in list_images(clean_dir):
        match = _CLEAN_STEM.match(path.stem)
        if match is None:
            raise PrepError(f'unexpected clean image name (expected N.jpg): {path}')
        clean[int(match[1])] = path
    variants: dict[int, list[tuple[int, Path]]] = {}
    for path in list_images(rainy_dir):
        match = _RAINY_STEM.match(path.stem)
        if match is None:
            raise PrepError(f'unexpected rainy image name (expected N_M.jpg): {path}')
        variants.setdefault(int(match[1]), []).append((int(match[2]), path))
    ids = sorted(set(clean) | set(variants))
    if not ids:
        raise PrepError(f'no images in {rainy_dir} / {clean_dir}')
    train_ids, test_ids = split_ids(ids, args.seed, args.train_fraction)
    args.extra_files = {Path(args.out) / SPLIT_LIST_NAME: split_list_text(train_ids, test_ids, args)}

    def pairs_for(image_ids: list[int]) -> list[Pair]:
        pairs = []
        for image_id in image_ids:
            target = clean.get(image_id, clean_dir / f'{image_id}.jpg')
            found = sorted(variants.get(image_id, [])) or [(1, rainy_dir / f'{image_id}_1.jpg')]
            pairs.extend(Pair(f'{image_id}_{variant}', path, target) for variant, path in found)
        return pairs

    chosen = {'train': train_ids, 'test': test_ids}
    return {split: pairs_for(chosen[split]) for split in args.splits}


def split_list_text(train_ids: list[int], test_ids: list[int], args: argparse.Namespace) -> str:
    header = (
        f'# Rain14000 split by clean image: seed={args.seed} train_fraction={args.train_fraction} '
        f'train_images={len(train_ids)} test_images={len(test_ids)}\n'
    )
    side = {image_id: 'train' for image_id in train_ids} | {image_id: 'test' for image_id in test_ids}
    return header + ''.join(f'{image_id} {side[image_id]}\n' for image_id in sorted(side))

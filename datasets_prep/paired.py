"""Generic ``input/`` + ``target/`` folders (Test100, Rain13K, Test2800, repackaged Rain100L/H, ...).

Pairs are matched by file stem; the extension may differ between the two sides.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from datasets_prep.common import Pair, PrepError, pairs_by_stem


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('paired', help='any <src>/input + <src>/target folders, matched by name')
    add_paired_args(parser, split_default='test')
    parser.add_argument('--name', default='Paired', help='dataset name for the default --out datasets/<name>')
    parser.set_defaults(collect=collect, default_out='datasets/{name}')
    return parser


def register_test100(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('test100', help='Test100: Test100/{input,target}')
    add_paired_args(parser, split_default='test')
    parser.set_defaults(collect=collect, default_out='datasets/Test100')
    return parser


def add_paired_args(parser: argparse.ArgumentParser, split_default: str | None) -> None:
    parser.add_argument('--src', required=True, type=Path, help='folder holding the input and target folders')
    parser.add_argument('--split', default=split_default, help=f'output split name (default: {split_default})')
    parser.add_argument('--input-dir', default='input', help='input folder name inside --src (default: input)')
    parser.add_argument('--target-dir', default='target', help='target folder name inside --src (default: target)')


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    if not args.split:
        raise PrepError(f'{args.src} is already split (input/ + target/); pass --split train or --split test')
    src = Path(args.src)
    return {args.split: pairs_by_stem(src / args.input_dir, src / args.target_dir)}


def is_paired_layout(src: Path) -> bool:
    return (src / 'input').is_dir() and (src / 'target').is_dir()

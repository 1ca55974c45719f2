"""The options every ``lfdn-prep`` benchmark subcommand shares: output, LMDB, cropping, workers, PNG level."""

from __future__ import annotations

import argparse
import os

from datasets_prep.common import PrepError

DEFAULT_PNG_COMPRESSION = 1


def add_common_args(parser: argparse.ArgumentParser, default_out: str) -> None:
    """Options every benchmark subcommand shares."""
    parser.add_argument('--out', default=default_out, help=f'output dataset folder (default: {default_out})')
    parser.add_argument('--lmdb', action='store_true', help='also build input.lmdb / target.lmdb per split')
    parser.add_argument('--force', action='store_true', help='replace an existing output split')
    parser.add_argument('--skip-bad', action='store_true', help='leave out bad pairs (listed) instead of stopping')
    parser.add_argument('--crop', type=int, default=0, help='cut train pairs into SIZE×SIZE sub-images')
    parser.add_argument('--step', type=int, default=0, help='stride between sub-images (default: --crop)')
    parser.add_argument('--workers', type=int, default=min(4, os.cpu_count() or 1), help='processes')
    parser.add_argument(
        '--png-compression',
        type=int,
        default=DEFAULT_PNG_COMPRESSION,
        choices=range(10),
        metavar='0-9',
        help=f'PNG compression level, also used for LMDB values (default: {DEFAULT_PNG_COMPRESSION})',
    )


def check_common_args(args: argparse.Namespace) -> None:
    """Raise :class:`PrepError` for option values no subcommand accepts."""
    if args.crop < 0 or args.step < 0:
        raise PrepError('--crop and --step must be positive')
    if args.step and not args.crop:
        raise PrepError('--step needs --crop')
    if args.workers < 1:
        raise PrepError('--workers must be at least 1')

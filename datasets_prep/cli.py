"""``lfdn-prep``: one subcommand per benchmark, each turning a downloaded layout into BasicSR folders.

Examples::

    lfdn-prep gopro --src GOPRO_Large --lmdb --crop 512 --step 256
    lfdn-prep rain14000 --src Rain14000 --seed 0
    lfdn-prep demo
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from datasets_prep import gopro, hide, kohler, paired, rain100, rain14000, realblur
from datasets_prep.arguments import add_common_args, check_common_args
from datasets_prep.common import PrepError, SplitResult, prepare_splits


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='lfdn-prep',
        description='Prepare deblurring/deraining benchmarks as datasets/<Name>/<split>/{input,target} (+ LMDB).',
    )
    subparsers = parser.add_subparsers(dest='command', required=True, metavar='BENCHMARK')
    for register in (
        gopro.register,
        hide.register,
        kohler.register,
        rain14000.register,
        rain100.register,
        paired.register_test100,
        realblur.register,
        paired.register,
    ):
        subparser = register(subparsers)
        add_common_args(subparser, subparser.get_default('default_out'))
    demo = subparsers.add_parser('demo', help='build the small offline demo sets from scikit-image photos')
    demo.add_argument('--root', default='datasets/Demo', help='output folder (default: datasets/Demo)')
    demo.add_argument('--force', action='store_true', help='rebuild even if the demo data exists')
    return parser


def run(argv: Sequence[str] | None = None) -> list[SplitResult] | Path:
    """Parse ``argv`` and prepare the chosen benchmark; raises :class:`PrepError` on bad input."""
    args = build_parser().parse_args(argv)
    if args.command == 'demo':
        from basicsr_lfdn.data.demo_data import ensure_demo_data

        root = ensure_demo_data(args.root, force=args.force)
        print(f'demo data ready in {root}')
        return root
    check_common_args(args)
    if args.out == args.default_out:
        args.out = args.default_out.format(**vars(args))
    splits = args.collect(args)
    extra_files: dict[Path, str] = getattr(args, 'extra_files', {})
    for path, text in extra_files.items():
        if path.exists() and path.read_text(encoding='utf-8') != text and not args.force:
            raise PrepError(f'{path} exists with different content (pass --force to replace it)')
    results = prepare_splits(splits, args, args.command)
    for path, text in extra_files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding='utf-8')
        print(f'wrote {path}')
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``lfdn-prep``; exits with status 2 and a one-line reason on bad input."""
    try:
        run(argv)
    except PrepError as error:
        print(f'lfdn-prep: error: {error}', file=sys.stderr)
        sys.exit(2)

"""Köhler et al. 2012: 4 images × 12 recorded camera-shake trajectories = 48 blurred images.

Assumed layout (the one deblurring repositories evaluate on): blurred ``Blurry<img>_<kernel>.png``
and sharp ``GroundTruth<img>_<kernel>.png`` anywhere under ``--src``. The original benchmark ships
about 200 sharp frames per blurred image (``GroundTruth<img>_<kernel>_<frame>.png``) or one sharp
image per scene (``GroundTruth<img>.png``); both are tried in that order, taking frame 1. Override
with ``--blurry-pattern`` (a regular expression with the groups ``img`` and ``kernel``, matched
against the file stem) and ``--target-template`` (stems formatted with those groups, first found wins).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from datasets_prep.common import Pair, PrepError, index_by_stem, is_image, sanitize_key

DEFAULT_BLURRY_PATTERN = r'^Blurry(?P<img>\d+)_(?P<kernel>\d+)$'
DEFAULT_TARGET_TEMPLATES = ('GroundTruth{img}_{kernel}', 'GroundTruth{img}_{kernel}_1', 'GroundTruth{img}')


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser('kohler', help='Köhler: Blurry<img>_<kernel>.png with GroundTruth<img>_<kernel>.png')
    parser.add_argument(
        '--src', required=True, type=Path, help='folder holding the Köhler images (searched recursively)'
    )
    parser.add_argument('--blurry-pattern', default=DEFAULT_BLURRY_PATTERN, help='regex for blurred file stems')
    parser.add_argument(
        '--target-template',
        nargs='+',
        default=list(DEFAULT_TARGET_TEMPLATES),
        help='sharp file stems to try, formatted with {img} and {kernel}',
    )
    parser.set_defaults(collect=collect, default_out='datasets/Kohler')
    return parser


def collect(args: argparse.Namespace) -> dict[str, list[Pair]]:
    src = Path(args.src)
    if not src.is_dir():
        raise PrepError(f'Köhler folder not found: {src}')
    try:
        pattern = re.compile(args.blurry_pattern)
    except re.error as error:
        raise PrepError(f'--blurry-pattern is not a valid regular expression: {error}') from error
    if not {'img', 'kernel'} <= set(pattern.groupindex):
        raise PrepError('--blurry-pattern needs the named groups (?P<img>...) and (?P<kernel>...)')
    images = index_by_stem((path for path in src.rglob('*') if is_image(path)), f'Köhler ({src})')
    pairs = []
    for stem, blurred in sorted(images.items()):
        match = pattern.match(stem)
        if match is None:
            continue
        groups = {'img': match['img'], 'kernel': match['kernel']}
        try:
            candidates = [template.format(**groups) for template in args.target_template]
        except (KeyError, IndexError) as error:
            raise PrepError(f'--target-template may only use {{img}} and {{kernel}}: {error}') from error
        found = [images[name] for name in candidates if name in images]
        target = found[0] if found else blurred.parent / f'{candidates[0]}{blurred.suffix}'
        pairs.append(Pair(sanitize_key(stem), blurred, target))
    if not pairs:
        raise PrepError(f'no blurred image matching {args.blurry_pattern!r} under {src}')
    return {'test': pairs}

"""``lfdn-score``: PSNR/SSIM of a folder of restored images against a folder of targets.

Usage::

    lfdn-score --restored results/LFDN/visualization/Rain100L --target datasets/Rain100L/test/target \\
        --y-channel --dataset Rain100L --json scores/LFDN_Rain100L.json

Protocol (the one BasicSR's validation uses, so scores here and in ``lfdn-test`` logs agree):

- pairs are matched by file stem (``001.png`` restored ↔ ``001.jpg`` target is a pair); images are
  ``.png .jpg .jpeg .bmp .tif .tiff`` (any case), other files are ignored, sub-folders are not read;
- images are read as stored (BGR order, alpha dropped); 8-bit images are used as they are, 16-bit
  ones are scaled to the 8-bit range and rounded (``round(v / 257)``), anything else is refused;
- each pair is scored with ``basicsr.metrics.calculate_psnr`` / ``calculate_ssim`` on those uint8
  arrays: RGB, or the BT.601 Y channel with ``--y-channel``, after cropping ``--crop-border``
  pixels on every edge; the reported figures are the means over images.

A restored image identical to its target has an infinite PSNR (BasicSR returns ``inf``), and so
has the mean: it is printed as ``inf``, and the JSON row stores ``"psnr": null`` (JSON has no
infinity) while ``num_images`` and ``ssim`` stay as measured.

Every problem is found before anything is reported and printed as one line naming the file: a
target without a restored image or a restored image without a target, a size mismatch, an
unreadable file. Any of them means exit status 2 and no score; ``--allow-missing`` scores the
pairs that exist instead (missing counterparts are skipped and counted; size mismatches and
unreadable files are still errors).

``--json OUT`` writes a "measured row" (the format ``scripts/leaderboard.py --scores`` and
``scripts/budget_compare.py`` share, see ``basicsr_lfdn.research.rows``), atomically and never over
an existing file unless ``--force``.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from basicsr.metrics import calculate_psnr, calculate_ssim

from basicsr_lfdn.data.data_util import IMAGE_EXTENSIONS
from basicsr_lfdn.research.rows import ROW_KEYS, write_row_json


class ScoringError(Exception):
    """The folders cannot be scored as asked; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__('\n'.join(problems))
        self.problems = problems


@dataclass
class ImageScore:
    """PSNR (dB, may be ``inf``) and SSIM of one restored image against its target."""

    name: str
    psnr: float
    ssim: float


@dataclass
class ScoreResult:
    """Per-image scores of one folder pair and what was skipped (only with ``allow_missing``)."""

    restored: Path
    target: Path
    y_channel: bool
    crop_border: int
    images: list[ImageScore] = field(default_factory=list)
    num_targets: int = 0
    missing: list[str] = field(default_factory=list)  # targets without a restored image
    extra: list[str] = field(default_factory=list)  # restored images without a target

    @property
    def num_images(self) -> int:
        """Number of scored pairs."""
        return len(self.images)

    @property
    def num_missing(self) -> int:
        """Number of targets that were not scored because no restored image matches them."""
        return len(self.missing)

    @property
    def psnr(self) -> float:
        """Mean PSNR in dB over the scored images (``inf`` if any image equals its target)."""
        return float(np.mean([score.psnr for score in self.images]))

    @property
    def ssim(self) -> float:
        """Mean SSIM over the scored images."""
        return float(np.mean([score.ssim for score in self.images]))

    @property
    def num_identical(self) -> int:
        """Images identical to their targets (infinite PSNR)."""
        return sum(math.isinf(score.psnr) for score in self.images)

    def protocol(self) -> dict:
        """The ``protocol`` object of a measured row."""
        return {'y_channel': self.y_channel, 'crop_border': self.crop_border, 'rounding': 'uint8'}

    def describe(self, dataset: str) -> str:
        """One summary line, e.g. ``Rain100L: 100 images, PSNR 33.12 dB, SSIM 0.9512 (Y channel, crop border 0)``."""
        if self.missing:
            count = f'{self.num_images} of {self.num_targets} targets scored ({self.num_missing} missing)'
        else:
            count = f'{self.num_images} image{"s" if self.num_images != 1 else ""}'
        psnr = 'inf' if math.isinf(self.psnr) else f'{self.psnr:.2f}'
        identical = f', {self.num_identical} identical to their targets' if self.num_identical else ''
        channel = 'Y channel' if self.y_channel else 'RGB'
        return (
            f'{dataset}: {count}, PSNR {psnr} dB, SSIM {self.ssim:.4f} '
            f'({channel}, crop border {self.crop_border}{identical})'
        )

    def to_row(
        self,
        name: str,
        dataset: str,
        provenance: str,
        network: str | None = None,
        recipe: str | None = None,
    ) -> dict:
        """A measured row (keys ``ROW_KEYS``); an infinite mean PSNR is stored as ``None``."""
        row = dict.fromkeys(ROW_KEYS)
        row.update(
            source='measured',
            name=name,
            network=network,
            recipe=recipe,
            dataset=dataset,
            protocol=self.protocol(),
            num_images=self.num_images,
            num_missing=self.num_missing,
            psnr=None if math.isinf(self.psnr) else self.psnr,
            ssim=self.ssim,
            provenance=provenance,
        )
        return row


class _ImageError(Exception):
    """A file that cannot be used as an image (message says why)."""


def list_images(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """Images directly in ``folder`` by file stem, and one problem line per ambiguous stem."""
    by_stem: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith('.') and path.suffix.lower() in IMAGE_EXTENSIONS:
            by_stem.setdefault(path.stem, []).append(path)
    problems = [
        f'ambiguous: {len(paths)} images named {stem}.* in {folder} ({", ".join(p.name for p in paths)})'
        for stem, paths in by_stem.items()
        if len(paths) > 1
    ]
    return {stem: paths[0] for stem, paths in by_stem.items()}, problems


def read_uint8(path: Path) -> np.ndarray:
    """An image as uint8 HxW or HxWxC (BGR, alpha dropped); 16-bit scaled by ``round(v / 257)``."""
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    except (OSError, cv2.error) as error:
        raise _ImageError(f'unreadable: {path} ({error})') from error
    if image is None:
        raise _ImageError(f'unreadable: {path} (not a decodable image)')
    if image.dtype == np.uint16:
        image = np.round(image.astype(np.float64) / 257.0).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise _ImageError(f'unreadable: {path} (unsupported pixel type {image.dtype}; expected 8 or 16 bit)')
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    return image


def _shape_text(image: np.ndarray) -> str:
    channels = 1 if image.ndim == 2 else image.shape[2]
    return f'{image.shape[1]}x{image.shape[0]} ({channels} channel{"s" if channels != 1 else ""})'


def _check_folder(folder: Path, role: str) -> None:
    if not folder.exists():
        raise ScoringError([f'{role} folder not found: {folder}'])
    if not folder.is_dir():
        raise ScoringError([f'{role} folder is not a folder: {folder}'])


def score_folders(
    restored: Path,
    target: Path,
    y_channel: bool = False,
    crop_border: int = 0,
    allow_missing: bool = False,
) -> ScoreResult:
    """Score every restored image against the target with the same stem (protocol: module docstring).

    Raises ``ScoringError`` listing every problem (one line each) when the folders are missing or
    empty, when a counterpart is missing (unless ``allow_missing``), when sizes differ or a file is
    unreadable; nothing is scored then. With ``allow_missing`` missing counterparts are skipped and
    recorded in ``missing`` / ``extra``.
    """
    restored, target = Path(restored), Path(target)
    if crop_border < 0:
        raise ScoringError([f'crop border must be >= 0, got {crop_border}'])
    _check_folder(restored, 'restored')
    _check_folder(target, 'target')
    restored_images, problems = list_images(restored)
    target_images, target_problems = list_images(target)
    problems += target_problems
    for folder, images in ((restored, restored_images), (target, target_images)):
        if not images:
            problems.append(f'no images ({" ".join(IMAGE_EXTENSIONS)}) in {folder}')
    if problems:
        raise ScoringError(problems)

    result = ScoreResult(restored, target, y_channel, crop_border, num_targets=len(target_images))
    result.missing = [target_images[s].name for s in target_images if s not in restored_images]
    result.extra = [restored_images[s].name for s in restored_images if s not in target_images]
    if not allow_missing:
        problems += [
            f'missing: no restored image for target {target_images[Path(name).stem]} '
            f'(nothing named {Path(name).stem}.* in {restored})'
            for name in result.missing
        ]
        problems += [
            f'missing: no target for restored image {restored_images[Path(name).stem]} '
            f'(nothing named {Path(name).stem}.* in {target})'
            for name in result.extra
        ]

    for stem in sorted(set(restored_images) & set(target_images)):
        try:
            output = read_uint8(restored_images[stem])
            reference = read_uint8(target_images[stem])
        except _ImageError as error:
            problems.append(str(error))
            continue
        if output.shape != reference.shape:
            problems.append(
                f'size mismatch: {restored_images[stem]} is {_shape_text(output)}, '
                f'its target {target_images[stem]} is {_shape_text(reference)}'
            )
            continue
        if 2 * crop_border >= min(output.shape[:2]):
            problems.append(f'too small: {restored_images[stem]} is {_shape_text(output)}, crop border {crop_border}')
            continue
        if problems:  # the set will not be scored: only keep checking
            continue
        psnr = float(calculate_psnr(output, reference, crop_border, test_y_channel=y_channel))
        ssim = float(calculate_ssim(output, reference, crop_border, test_y_channel=y_channel))
        result.images.append(ImageScore(restored_images[stem].name, psnr, ssim))
    if problems:
        raise ScoringError(problems)
    if not result.images:
        raise ScoringError([f'nothing to score: no restored image in {restored} has a target in {target}'])
    return result


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of ``lfdn-score``."""
    parser = argparse.ArgumentParser(prog='lfdn-score', description=__doc__.split('\n\n')[0])
    parser.add_argument('--restored', type=Path, required=True, help='folder of restored images')
    parser.add_argument('--target', type=Path, required=True, help='folder of target (ground-truth) images')
    parser.add_argument('--y-channel', action='store_true', help='score the BT.601 Y channel (default RGB)')
    parser.add_argument('--crop-border', type=int, default=0, help='pixels cropped on every edge (default 0)')
    parser.add_argument('--name', help='method name of the JSON row (default: the restored folder name)')
    parser.add_argument('--dataset', help='dataset name (default: the target folder name)')
    parser.add_argument('--network', help='network class for the JSON row, e.g. LFDN (default null)')
    parser.add_argument('--recipe', help='training recipe / option name for the JSON row (default null)')
    parser.add_argument('--json', type=Path, help='write the measured-row JSON here')
    parser.add_argument('--force', action='store_true', help='replace an existing --json file')
    parser.add_argument('--allow-missing', action='store_true', help='skip images without a counterpart')
    parser.add_argument(
        '--worst', type=int, default=0, metavar='N', help='also print the N images of lowest PSNR (default 0)'
    )
    return parser


def _provenance(args: argparse.Namespace) -> str:
    parts = ['lfdn-score', '--restored', str(args.restored), '--target', str(args.target)]
    if args.y_channel:
        parts.append('--y-channel')
    parts += ['--crop-border', str(args.crop_border)]
    if args.allow_missing:
        parts.append('--allow-missing')
    return ' '.join(parts)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-score``: 0 when scored, 2 on any problem (each printed on stderr)."""
    args = build_parser().parse_args(argv)
    if args.json is not None and args.json.exists() and not args.force:
        print(f'error: {args.json} exists; pass --force to replace it', file=sys.stderr)
        return 2
    try:
        result = score_folders(args.restored, args.target, args.y_channel, args.crop_border, args.allow_missing)
    except ScoringError as error:
        for problem in error.problems:
            print(f'error: {problem}', file=sys.stderr)
        print(f'error: nothing scored ({len(error.problems)} problem(s))', file=sys.stderr)
        return 2
    for name in result.missing:
        print(f'warning: skipped target {args.target / name}: no restored image', file=sys.stderr)
    for name in result.extra:
        print(f'warning: skipped restored image {args.restored / name}: no target', file=sys.stderr)
    dataset = args.dataset or args.target.resolve().name
    print(result.describe(dataset))
    for score in sorted(result.images, key=lambda image: image.psnr)[: max(args.worst, 0)]:
        print(f'  {score.name}: PSNR {score.psnr:.2f} dB, SSIM {score.ssim:.4f}')
    if args.json is not None:
        name = args.name or args.restored.resolve().name
        row = result.to_row(name, dataset, _provenance(args), network=args.network, recipe=args.recipe)
        try:
            write_row_json(row, args.json, args.force)
        except (OSError, ValueError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
        note = ' (PSNR infinite: stored as null)' if row['psnr'] is None else ''
        print(f'wrote {args.json}{note}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

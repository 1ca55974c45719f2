"""Compare synthetic rain with real rainy validation pairs by the statistics of the rain residual.

For each option file (or the real pairs), prints the mean over images of: the residual
``input − target`` averaged over pixels (how much light rain adds), the share of pixels brightened
by more than 0.05 and 0.2 (streak coverage; dense streaks and veils), and the Y-channel PSNR of the
input. Synthetic pairs are the option file's training degradation applied, with a fixed seed, to
the held-back validation split of the clean photos, so no test image is ever read.

    python scripts/degradation_stats.py --real ../shared/datasets/Rain13K-sample \\
        --options options/real/_base_/derain_bsds.yml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from basicsr.metrics import calculate_psnr

from basicsr_lfdn.data.data_util import image_files
from basicsr_lfdn.data.degradations import config_from_dict, degrade, rng_for
from basicsr_lfdn.data.synthetic_degradation_dataset import holdout_split
from basicsr_lfdn.utils.markdown import LEFT, RIGHT, table
from basicsr_lfdn.utils.options import resolve_option_file


def residual_stats(rainy: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """``[mean residual, share > 0.05, share > 0.2, Y-PSNR]`` of one H×W×3 BGR float [0, 1] pair."""
    residual = (rainy - clean).mean(axis=2)
    psnr = calculate_psnr(rainy * 255, clean * 255, crop_border=0, test_y_channel=True)
    return np.array([residual.mean(), (residual > 0.05).mean(), (residual > 0.2).mean(), psnr])


def read_float(path: Path) -> np.ndarray:
    """An image file as H×W×3 float32 BGR in [0, 1]; exits naming the file when it cannot be read."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f'cannot read image {path}')
    return image.astype(np.float32) / 255


def real_stats(root: Path) -> np.ndarray:
    """Statistics of ``root/input/<name>`` against ``root/target/<name>``, one row per pair."""
    names = image_files(str(root / 'target'))
    return np.stack([residual_stats(read_float(root / 'input' / n), read_float(root / 'target' / n)) for n in names])


def synthetic_stats(option_file: str, seed: int, repeats: int) -> np.ndarray:
    """Statistics of the option file's training degradation on its held-back validation photos.

    Each photo is degraded ``repeats`` times (seeds ``seed`` … ``seed + repeats − 1``): one draw per
    photo leaves the means at the mercy of a few heavy-rain draws.
    """
    train_opt = resolve_option_file(option_file)['datasets']['train']
    if 'holdout' not in train_opt:
        raise SystemExit(f'{option_file}: datasets.train has no holdout split to draw validation photos from')
    root = train_opt['dataroot_gt']
    paths = holdout_split(image_files(root), **{**train_opt['holdout'], 'part': 'val'})
    config = config_from_dict(train_opt['degradation'], train_opt.get('degradation_opt'))
    rows = []
    for index, name in enumerate(paths):
        clean = read_float(Path(root) / name)
        for draw_seed in range(seed, seed + repeats):
            rainy = degrade(clean, train_opt['degradation'], rng_for(draw_seed, index), config)
            rows.append(residual_stats(rainy, clean))
    return np.stack(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the table of residual statistics, one line per source."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--real', help='folder with input/ and target/ rainy validation pairs')
    parser.add_argument('--options', nargs='*', default=[], help='option files whose train degradation to measure')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--repeats', type=int, default=8, help='degradations drawn per held-back photo')
    args = parser.parse_args(argv)
    rows = []
    if args.real:
        if not Path(args.real, 'input').is_dir():
            sys.exit(f'--real {args.real}: no input/ folder there (expected input/ and target/ pairs)')
        rows.append((args.real, real_stats(Path(args.real))))
    rows += [(option_file, synthetic_stats(option_file, args.seed, args.repeats)) for option_file in args.options]
    header = ['source', 'pairs', 'mean residual', 'share > 0.05', 'share > 0.2', 'input Y-PSNR (dB)']
    cells = []
    for name, stats in rows:
        mean = stats.mean(axis=0)
        cells.append([name, str(len(stats)), f'{mean[0]:.3f}', f'{mean[1]:.3f}', f'{mean[2]:.3f}', f'{mean[3]:.2f}'])
    print('\n'.join(table(header, [LEFT] + [RIGHT] * 5, cells)))

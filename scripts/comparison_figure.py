"""A small input | output | target figure of one image restored with the shipped weights (for docs/).

    python scripts/comparison_figure.py --task derain --input ../shared/datasets/Rain100/Rain100L/001.png \\
        --target ../shared/datasets/Rain100/target/001.png --crop 80 40 320 240 -o docs/figures/derain_rain100l.jpg

Each panel is labelled with its PSNR against the target (Y channel for deraining, RGB for
deblurring) computed on the crop shown.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
import torch
from basicsr.metrics import calculate_psnr
from basicsr.utils import img2tensor, tensor2img

from basicsr_lfdn.pretrained import shipped_weights
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint


def read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f'cannot read image {path}')
    return image


def label(panel: np.ndarray, text: str) -> np.ndarray:
    bar = np.full((22, panel.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([panel, bar])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--task', choices=['derain', 'deblur'], required=True)
    parser.add_argument('--input', type=Path, required=True)
    parser.add_argument('--target', type=Path, required=True)
    parser.add_argument('--crop', type=int, nargs=4, metavar=('X', 'Y', 'W', 'H'), required=True)
    parser.add_argument('-o', '--output', type=Path, required=True)
    parser.add_argument('--force', action='store_true')
    args = parser.parse_args(argv)
    if args.output.exists() and not args.force:
        raise SystemExit(f'{args.output} exists; pass --force to replace it')
    degraded, target = read(args.input), read(args.target)
    network = build_network_from_checkpoint(shipped_weights(args.task))
    with torch.no_grad():
        restored = tensor2img([network(img2tensor(degraded / 255.0, bgr2rgb=True, float32=True)[None])])
    x, y, w, h = args.crop
    y_channel = args.task == 'derain'
    panels = []
    for name, image in (('input', degraded), ('LFDN (shipped)', restored), ('target', target)):
        crop = image[y : y + h, x : x + w]
        text = (
            name
            if name == 'target'
            else f'{name} {calculate_psnr(crop, target[y : y + h, x : x + w], 0, test_y_channel=y_channel):.2f} dB'
        )
        panels.append(label(crop, text))
    gap = np.full((panels[0].shape[0], 4, 3), 255, np.uint8)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.output), np.hstack([panels[0], gap, panels[1], gap, panels[2]]))
    print(f'wrote {args.output}')


if __name__ == '__main__':
    main()

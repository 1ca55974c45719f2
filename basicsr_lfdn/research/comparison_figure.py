"""A small input | output(s) | target figure of one image crop (for docs/).

    python scripts/comparison_figure.py --task derain --input ../shared/datasets/Rain100/Rain100L/001.png \\
        --target ../shared/datasets/Rain100/target/001.png --crop 80 40 320 240 -o docs/figures/derain_rain100l.jpg \\
        --model "previous=old_lfdn_derain.pth" --model "LFDN=basicsr_lfdn/pretrained/lfdn_derain.pth"

Without ``--model`` the one output is the task's shipped weights. Each panel is labelled with its
PSNR against the target (Y channel for deraining, RGB for deblurring) computed on the crop shown;
without ``--target`` (real photos) there is no target panel and no PSNR.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import torch
from basicsr.metrics import calculate_psnr
from basicsr.utils import img2tensor, tensor2img

from basicsr_lfdn.pretrained import shipped_weights
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint


def read(path: Path) -> np.ndarray:
    """An image file as H×W×3 uint8 BGR; exits naming the file when it cannot be read."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f'cannot read image {path}')
    return image


def label(panel: np.ndarray, text: str) -> np.ndarray:
    """``panel`` with ``text`` on a white bar below it."""
    bar = np.full((22, panel.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.vstack([panel, bar])


def parse_model(text: str) -> tuple[str, Path]:
    """``LABEL=WEIGHTS`` of ``--model``."""
    label_text, separator, weights = text.partition('=')
    if not separator or not label_text or not weights:
        raise argparse.ArgumentTypeError(f'--model wants LABEL=WEIGHTS, got {text!r}')
    return label_text, Path(weights)


def restore(weights: Path, degraded: np.ndarray) -> np.ndarray:
    """The whole image through the network of a checkpoint (uint8 BGR in and out)."""
    network = build_network_from_checkpoint(weights)
    with torch.no_grad():
        return tensor2img([network(img2tensor(degraded / 255.0, bgr2rgb=True, float32=True)[None])])


def main(argv: list[str] | None = None) -> None:
    """Write the figure; exits when the output exists (without ``--force``) or an image is unreadable."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--task', choices=['derain', 'deblur'], required=True)
    parser.add_argument('--input', type=Path, required=True)
    parser.add_argument('--target', type=Path, help='clean image; omit for real photos without ground truth')
    parser.add_argument('--crop', type=int, nargs=4, metavar=('X', 'Y', 'W', 'H'), required=True)
    parser.add_argument('--model', type=parse_model, action='append', help='LABEL=WEIGHTS, repeatable')
    parser.add_argument('-o', '--output', type=Path, required=True)
    parser.add_argument('--force', action='store_true')
    args = parser.parse_args(argv)
    if args.output.exists() and not args.force:
        raise SystemExit(f'{args.output} exists; pass --force to replace it')
    models = args.model or [('LFDN (shipped)', shipped_weights(args.task))]
    degraded = read(args.input)
    target = read(args.target) if args.target else None
    x, y, w, h = args.crop
    y_channel = args.task == 'derain'
    images = [('input', degraded)] + [(name, restore(weights, degraded)) for name, weights in models]
    panels = []
    for name, image in images:
        crop = image[y : y + h, x : x + w]
        if target is not None:
            psnr = calculate_psnr(crop, target[y : y + h, x : x + w], 0, test_y_channel=y_channel)
            name = f'{name} {psnr:.2f} dB'
        panels.append(label(crop, name))
    if target is not None:
        panels.append(label(target[y : y + h, x : x + w], 'target'))
    gap = np.full((panels[0].shape[0], 4, 3), 255, np.uint8)
    row = [panels[0]]
    for panel in panels[1:]:
        row += [gap, panel]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.output), np.hstack(row), [cv2.IMWRITE_JPEG_QUALITY, 85])
    print(f'wrote {args.output}')

"""PSNR/SSIM of a network on image pairs, computed exactly as BasicSR's test pipeline does.

The network restores each whole input in fp32; its output and the target become uint8 BGR images
(``tensor2img``) and BasicSR's ``calculate_psnr`` / ``calculate_ssim`` score them (Y channel of
BT.601 for deraining, RGB for deblurring, no border crop), so figures agree with ``lfdn-test``.
Used by the regression tests of the shipped weights and by ``scripts/ship_weights.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from basicsr.metrics import calculate_psnr, calculate_ssim
from basicsr.utils import img2tensor, tensor2img
from torch import nn


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise OSError(f'cannot read image {path}')
    return image.astype(np.float32) / 255


@torch.no_grad()
def evaluate_pairs(network: nn.Module, pairs: Sequence[tuple[Path, Path]], y_channel: bool) -> dict[str, float]:
    """Mean PSNR/SSIM of ``network`` over ``(input, target)`` image files: ``{'psnr', 'ssim', 'images'}``."""
    if not pairs:
        raise ValueError('no image pairs to evaluate')
    network.eval()
    psnrs, ssims = [], []
    for input_path, target_path in pairs:
        lq = img2tensor(_read(input_path), bgr2rgb=True, float32=True)[None]
        output = tensor2img([network(lq).float()])
        target = tensor2img([img2tensor(_read(target_path), bgr2rgb=True, float32=True)])
        if output.shape != target.shape:
            raise ValueError(f'{input_path} restores to {output.shape}, its target {target_path} is {target.shape}')
        psnrs.append(calculate_psnr(output, target, crop_border=0, test_y_channel=y_channel))
        ssims.append(calculate_ssim(output, target, crop_border=0, test_y_channel=y_channel))
    return {'psnr': float(np.mean(psnrs)), 'ssim': float(np.mean(ssims)), 'images': len(pairs)}

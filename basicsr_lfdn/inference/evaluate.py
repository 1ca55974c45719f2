"""PSNR/SSIM of a network on image pairs, computed exactly as BasicSR's test pipeline does.

The network restores each whole input in fp32; its output and the target become uint8 BGR images
(``tensor2img``) and BasicSR's ``calculate_psnr`` / ``calculate_ssim`` score them (Y channel of
BT.601 for deraining, RGB for deblurring, no border crop), so figures agree with ``lfdn-test``.
Used by the regression tests of the shipped weights, by ``scripts/ship_weights.py`` and by
``lfdn-benchmark --eval-set`` (which scores any backend's predictor: ``network`` is any callable
from a 1×3×h×w tensor to its restoration).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from basicsr.metrics import calculate_psnr, calculate_ssim
from basicsr.utils import img2tensor, tensor2img
from torch import Tensor, nn

# The real test sets of ../shared/datasets (see its README): (pairs of the folder, Y-channel PSNR).
TEST_SETS = ('rain100l', 'rain100h', 'levin', 'lai')


def _read(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise OSError(f'cannot read image {path}')
    return image.astype(np.float32) / 255


@torch.no_grad()
def evaluate_pairs(
    network: nn.Module | Callable[[Tensor], Tensor], pairs: Sequence[tuple[Path, Path]], y_channel: bool
) -> dict[str, float]:
    """Mean PSNR/SSIM of ``network`` over ``(input, target)`` image files: ``{'psnr', 'ssim', 'images'}``."""
    if not pairs:
        raise ValueError('no image pairs to evaluate')
    if isinstance(network, nn.Module):
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


@torch.no_grad()
def evaluate_dataset(network: nn.Module, dataset: Sequence[dict], y_channel: bool) -> dict[str, float]:
    """Mean PSNR of ``network`` and of the input itself over a BasicSR dataset's ``lq``/``gt`` items.

    For synthetic sets (e.g. seeded blur of held-back photos): ``{'psnr', 'input_psnr', 'images'}``.
    """
    if not len(dataset):
        raise ValueError('no images to evaluate')
    network.eval()
    restored, inputs = [], []
    for index in range(len(dataset)):
        item = dataset[index]
        target = tensor2img([item['gt']])
        output = tensor2img([network(item['lq'][None]).float()])
        restored.append(calculate_psnr(output, target, crop_border=0, test_y_channel=y_channel))
        inputs.append(calculate_psnr(tensor2img([item['lq']]), target, crop_border=0, test_y_channel=y_channel))
    return {'psnr': float(np.mean(restored)), 'input_psnr': float(np.mean(inputs)), 'images': len(dataset)}


def real_test_pairs(name: str, data_root: str | Path) -> tuple[list[tuple[Path, Path]], bool]:
    """``(input, target)`` files of a test set under ``data_root`` and whether it is scored on Y.

    ``rain100l`` / ``rain100h``: Y channel; ``levin`` (grey, read as three equal channels) and
    ``lai`` (all 100 blurred images): RGB, as in ``../shared/datasets/README.md``.
    """
    root = Path(data_root)
    if name in ('rain100l', 'rain100h'):
        folder = root / 'Rain100' / ('Rain100L' if name == 'rain100l' else 'Rain100H')
        pairs = [(path, root / 'Rain100' / 'target' / path.name) for path in sorted(folder.glob('*.png'))]
    elif name == 'levin':
        folder = root / 'Levin' / 'blurred'
        pairs = [
            (path, root / 'Levin' / 'sharp' / f'{path.stem.split("_ker_")[0]}.png')
            for path in sorted(folder.glob('*.png'))
        ]
    elif name == 'lai':
        folder = root / 'Lai' / 'blurred'
        pairs = [
            (path, root / 'Lai' / 'sharp' / f'{path.stem.rsplit("_kernel_", 1)[0]}.png')
            for path in sorted(folder.glob('*.png'))
        ]
    else:
        raise ValueError(f'unknown test set {name!r}; expected one of {", ".join(TEST_SETS)}')
    if not pairs:
        raise FileNotFoundError(f'test set {name}: no images in {folder} (is {root} the shared datasets folder?)')
    return pairs, name.startswith('rain')

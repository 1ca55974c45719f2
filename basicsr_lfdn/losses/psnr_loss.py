"""PSNR loss, as used by HINet and NAFNet: minimising 10·log10(MSE) maximises the PSNR."""

from __future__ import annotations

import math

import torch
from basicsr.utils.registry import LOSS_REGISTRY
from torch import Tensor, nn

_REDUCTIONS = ('none', 'mean', 'sum')
# RGB -> Y weights of ITU-R BT.601 on [0, 1] images (the Y channel the deraining papers measure).
_Y_WEIGHTS = (65.481 / 255.0, 128.553 / 255.0, 24.966 / 255.0)
_Y_OFFSET = 16.0 / 255.0


@LOSS_REGISTRY.register()
class PSNRLoss(nn.Module):
    """Negative PSNR of each image, ``10·log10(MSE + eps)`` for images in [0, 1].

    Unlike MSE its gradient is scaled by 1/MSE, so well-restored images keep contributing as the
    error shrinks.

    Args:
        loss_weight: multiplier of the loss. Default: 1.0.
        reduction: 'none' (one value per image) | 'mean' | 'sum' over the batch.
        to_y: compare the BT.601 luma (Y) channel of RGB inputs instead of all channels.
        eps: added to the MSE so that a perfect prediction gives a finite loss.
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean', to_y: bool = False, eps: float = 1e-8):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'Unsupported reduction mode: {reduction}. Supported ones are: {_REDUCTIONS}')
        self.loss_weight = loss_weight
        self.reduction = reduction
        self.to_y = to_y
        self.eps = eps
        self.scale = 10.0 / math.log(10.0)

    @staticmethod
    def _luma(image: Tensor) -> Tensor:
        """N×3×H×W RGB in [0, 1] → N×1×H×W BT.601 Y in [16/255, 235/255]."""
        weights = image.new_tensor(_Y_WEIGHTS).view(1, 3, 1, 1)
        return (image * weights).sum(dim=1, keepdim=True) + _Y_OFFSET

    def forward(self, pred: Tensor, target: Tensor, weight: Tensor | None = None, **kwargs) -> Tensor:
        """
        Args:
            pred: N×C×H×W prediction in [0, 1].
            target: N×C×H×W ground truth in [0, 1].
            weight: unsupported (a per-image PSNR has no per-pixel weight); must be None.

        Returns:
            A scalar, or a length-N vector with reduction 'none'.
        """
        if weight is not None:
            raise ValueError('PSNRLoss does not take per-pixel weights')
        pred, target = pred.float(), target.float()
        if self.to_y:
            if pred.shape[1] != 3:
                raise ValueError(f'PSNRLoss(to_y=True) needs 3-channel RGB input, got {pred.shape[1]} channels')
            pred, target = self._luma(pred), self._luma(target)
        mse = (pred - target).pow(2).mean(dim=(1, 2, 3))
        loss = self.scale * torch.log(mse + self.eps)
        if self.reduction == 'mean':
            loss = loss.mean()
        elif self.reduction == 'sum':
            loss = loss.sum()
        return self.loss_weight * loss

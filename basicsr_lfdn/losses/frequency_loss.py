"""Frequency-domain L1 loss, as used by recent deblurring work (e.g. MIMO-UNet's auxiliary FFT loss)."""

from __future__ import annotations

import torch
from basicsr.losses.loss_util import weight_reduce_loss
from basicsr.utils.registry import LOSS_REGISTRY
from torch import Tensor, nn

_REDUCTIONS = ('none', 'mean', 'sum')


@LOSS_REGISTRY.register()
class FFTLoss(nn.Module):
    """L1 distance between the 2-D real FFTs of prediction and target.

    Blur removes high frequencies; a pixel loss weighs them by their (small) energy, an L1 on
    the spectrum weighs every frequency alike. The real and imaginary parts are compared, so
    phase errors count too.

    Args:
        loss_weight: multiplier of the loss. Default: 1.0 (MIMO-UNet uses 0.1 beside a pixel L1).
        reduction: 'none' | 'mean' | 'sum'.
        norm: ``torch.fft.rfft2`` normalisation; 'backward' (unnormalised forward transform, as in
            MIMO-UNet) or 'ortho' (energy-preserving, comparable in scale to a pixel loss).
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean', norm: str = 'backward') -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f'Unsupported reduction mode: {reduction}. Supported ones are: {_REDUCTIONS}')
        if norm not in ('backward', 'ortho', 'forward'):
            raise ValueError(f'Unsupported FFT norm: {norm}. Use backward, ortho or forward.')
        self.loss_weight = loss_weight
        self.reduction = reduction
        self.norm = norm

    def forward(self, pred: Tensor, target: Tensor, weight: Tensor | None = None, **kwargs) -> Tensor:
        """
        Args:
            pred: N×C×H×W prediction.
            target: N×C×H×W ground truth.
            weight: optional N×C×H×(W//2+1)×2 weights on the spectrum (real, imaginary).

        Returns:
            A scalar, or N×C×H×(W//2+1)×2 with reduction 'none'.
        """
        # FFTs run in float32: half-precision FFTs are unsupported on CPU and lossy on GPU.
        pred_spectrum = torch.view_as_real(torch.fft.rfft2(pred.float(), norm=self.norm))
        target_spectrum = torch.view_as_real(torch.fft.rfft2(target.float(), norm=self.norm))
        loss = (pred_spectrum - target_spectrum).abs()
        return self.loss_weight * weight_reduce_loss(loss, weight, self.reduction)

"""Attention fusion of the MFFD decoder: ALFM (across blocks) and ACFM (within the last block)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def scale_parameter(value: float | None) -> nn.Parameter:
    """A scalar scale: learnable from 0 when ``value`` is None, else fixed to ``value`` and frozen.

    Fixed scales are the θ / α rows of Sensors Tables 7 and 8. They stay parameters (with
    ``requires_grad=False``) so that checkpoints of learned and fixed variants share keys. They
    are 0-dimensional so that multiplying a bf16/fp16 activation keeps its dtype.
    """
    initial = 0.0 if value is None else float(value)
    return nn.Parameter(torch.tensor(initial), requires_grad=value is None)


class ALFM(nn.Module):
    """Attention layer fusion module (ICIP Eq. 1–2, Sensors Eq. 9–10, Fig. 5).

    Shapes: B×N×C×h×w → B×N×C×h×w, N = number of distillation blocks.

      F = reshape(f_g) ∈ R^{NC×hw};  M = softmax(F Fᵀ) ∈ R^{NC×NC}   (Eq. 9)
      f_l = θ · reshape⁻¹(M F) + f_g                                  (Eq. 10)

    Every channel of every block is its own token, so correlations between channels of the
    same and of different blocks are both modelled (channel level, NC×NC) — as the papers
    describe, unlike the layer-level N×N attention of the authors' public code. The Gram
    matrix sums h·w products (≈57,600 at 720p), which overflows fp16; the attention is
    therefore computed in float32 even under autocast.

    Args:
        theta: None for a learnable θ initialised to 0, or a fixed value (Table 7).
    """

    def __init__(self, theta: float | None = None) -> None:
        super().__init__()
        self.theta = scale_parameter(theta)

    def forward(self, layers: Tensor) -> Tensor:
        batch, blocks, channels, height, width = layers.shape
        with torch.autocast(device_type=layers.device.type, enabled=False):
            tokens = layers.reshape(batch, blocks * channels, height * width).float()
            attention = torch.softmax(tokens @ tokens.transpose(1, 2), dim=-1)
            attended = (attention @ tokens).view(batch, blocks, channels, height, width)
        return layers + (self.theta * attended).to(layers.dtype)


class ACFM(nn.Module):
    """Attention channel fusion module (ICIP Eq. 3, Sensors Eq. 11, Fig. 6).

    Shapes: B×C×h×w → B×C×h×w. The feature is viewed as a one-channel volume B×1×C×h×w and
    passed through a pseudo-3D pair: conv1 (1×3×3, spatial) then conv2 (3×1×1, across
    adjacent channels):

      f_c = f_out_n + α · σ(conv2(conv1(f_out_n))) ⊙ f_out_n        (Eq. 11)

    The weights keep their Conv3d shapes (1×1×1×3×3 and 1×1×3×1×1); ``forward`` applies them
    as 2-D convolutions over reshaped views, which is the same arithmetic and much faster
    than Conv3d with one channel on CPUs.

    Args:
        alpha: None for a learnable α initialised to 0, or a fixed value (Table 8).
    """

    def __init__(self, alpha: float | None = None) -> None:
        super().__init__()
        self.spatial = nn.Conv3d(1, 1, kernel_size=(1, 3, 3), padding=(0, 1, 1))
        self.channel = nn.Conv3d(1, 1, kernel_size=(3, 1, 1), padding=(1, 0, 0))
        self.alpha = scale_parameter(alpha)

    def attention(self, x: Tensor) -> Tensor:
        """σ(conv2(conv1(x))) as a B×C×h×w map."""
        batch, channels, height, width = x.shape
        spatial = F.conv2d(
            x.reshape(batch * channels, 1, height, width), self.spatial.weight[:, :, 0], self.spatial.bias, padding=1
        )
        across = F.conv2d(
            spatial.reshape(batch, 1, channels, height * width),
            self.channel.weight[..., 0],
            self.channel.bias,
            padding=(1, 0),
        )
        return torch.sigmoid(across).view(batch, channels, height, width)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.alpha * self.attention(x) * x

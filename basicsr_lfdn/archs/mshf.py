"""Encoders: the multi-scale hierarchical fusion module (MSHF) and the strided ablation encoder."""

from __future__ import annotations

from typing import Literal

import torch.nn.functional as F
from basicsr.archs.arch_util import ResidualBlockNoBN, Upsample, make_layer
from torch import Tensor, nn

DownblockKind = Literal['stride', 'stride_conv']
UpsampleKind = Literal['bilinear', 'pixelshuffle']


def _lrelu() -> nn.LeakyReLU:
    return nn.LeakyReLU(0.1, inplace=True)


class DownBlock(nn.Sequential):
    """Halves H and W: C×H×W → C×H/2×W/2.

    ``stride_conv`` is the Sensors downblock (Sec. 3.2): a 3×3 stride-2 convolution that
    down-samples, then a 3×3 stride-1 convolution that "resamples" (refines) the result.
    ``stride`` is the ICIP downblock: the stride-2 convolution alone.
    """

    def __init__(self, channels: int, kind: DownblockKind) -> None:
        layers: list[nn.Module] = [nn.Conv2d(channels, channels, 3, 2, 1), _lrelu()]
        if kind == 'stride_conv':
            layers += [nn.Conv2d(channels, channels, 3, 1, 1), _lrelu()]
        elif kind != 'stride':
            raise ValueError(f"downblock must be 'stride' or 'stride_conv', got {kind!r}")
        super().__init__(*layers)


class BilinearUp(nn.Module):
    """Parameter-free ×2 bilinear up-sampling: C×h×w → C×2h×2w (the ICIP MSHF)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)


class MSHF(nn.Module):
    """Multi-scale hierarchical fusion encoder (ICIP Sec. 3.2; Sensors Sec. 3.2, Algorithm 1).

    Shapes: B×in×H×W → B×channels×H/4×W/4 (H and W multiples of 16).

    Algorithm 1, with its index typos read as the text describes:
      f0 = conv3x3(I)                                 (full size)
      f_i = resblock(downblock(f_{i-1})), i = 1..4    (1/2, 1/4, 1/8, 1/16)
      f3 = resblock(f3 + up(f4)); f2 = resblock(f2 + up(f3))   (coarse-to-fine fusion)
      out = resblock(f2)                              (fine-grained feature at 1/4)
    The literal listing also refines f1 and fuses f2 twice; the text says the small-scale
    features are fused into their adjacent finer level and the output lives at 1/4, which is
    what this does. ``up`` is pixel-shuffle (Sensors) or bilinear (ICIP).

    Args:
        in_channels: image channels.
        channels: encoder width (64 in both papers).
        downblock: 'stride_conv' (Sensors) or 'stride' (ICIP).
        upsample: 'pixelshuffle' (Sensors) or 'bilinear' (ICIP).
        num_out_blocks: residual blocks after the fusion at 1/4 scale.
    """

    num_levels = 4

    def __init__(
        self,
        in_channels: int = 3,
        channels: int = 64,
        downblock: DownblockKind = 'stride_conv',
        upsample: UpsampleKind = 'pixelshuffle',
        num_out_blocks: int = 1,
    ) -> None:
        super().__init__()
        self.conv_first = nn.Sequential(nn.Conv2d(in_channels, channels, 3, 1, 1), _lrelu())
        self.down = nn.ModuleList(DownBlock(channels, downblock) for _ in range(self.num_levels))
        self.level_res = nn.ModuleList(ResidualBlockNoBN(channels) for _ in range(self.num_levels))
        if upsample == 'pixelshuffle':
            self.up = nn.ModuleList(Upsample(2, channels) for _ in range(2))
        elif upsample == 'bilinear':
            self.up = nn.ModuleList(BilinearUp() for _ in range(2))
        else:
            raise ValueError(f"upsample must be 'pixelshuffle' or 'bilinear', got {upsample!r}")
        self.fuse_res = nn.ModuleList(ResidualBlockNoBN(channels) for _ in range(2))
        self.out_res = make_layer(ResidualBlockNoBN, num_out_blocks, num_feat=channels)

    def forward(self, x: Tensor) -> Tensor:
        feat = self.conv_first(x)
        levels = []
        for down, res in zip(self.down, self.level_res):
            feat = res(down(feat))
            levels.append(feat)
        _, f2, f3, f4 = levels
        f3 = self.fuse_res[0](f3 + self.up[0](f4))
        f2 = self.fuse_res[1](f2 + self.up[1](f3))
        return self.out_res(f2)


class StridedEncoder(nn.Module):
    """The "without MSHF" ablation encoder (ICIP Sec. 4.3, Sensors Sec. 4.4).

    "The stride of convolution in each layer is set as 2, and two residual models are utilized
    to resampling the feature": conv3x3 → two 3×3 stride-2 convs → two residual blocks.
    Shapes: B×in×H×W → B×channels×H/4×W/4.
    """

    def __init__(self, in_channels: int = 3, channels: int = 64) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, channels, 3, 1, 1),
            _lrelu(),
            nn.Conv2d(channels, channels, 3, 2, 1),
            _lrelu(),
            nn.Conv2d(channels, channels, 3, 2, 1),
            _lrelu(),
            make_layer(ResidualBlockNoBN, 2, num_feat=channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.body(x)

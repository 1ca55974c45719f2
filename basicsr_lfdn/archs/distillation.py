"""Distillation blocks of the MFFD decoder: FDNB (Sensors), RFDB (ICIP) and the plain-conv ablation.

Every block maps B×C×h×w → B×C×h×w and exposes ``min_size``: the smallest h or w it accepts.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from basicsr.archs.arch_util import ResidualBlockNoBN
from torch import Tensor, nn

NormKind = Literal['instance', 'batch', 'layer', 'none']


def _lrelu() -> nn.LeakyReLU:
    return nn.LeakyReLU(0.05, inplace=True)


def build_norm(kind: NormKind, channels: int) -> nn.Module:
    """The FDNB normalization layer; 'instance' follows the paper's references (AdaIN, StyleGAN).

    Instance normalization is built as ``GroupNorm`` with one group per channel: the same
    per-sample, per-channel statistics and affine parameters as ``InstanceNorm2d(affine=True)``,
    but PyTorch's CPU kernel keeps channels_last tensors in that layout and runs twice as fast.
    """
    if kind == 'instance':
        return nn.GroupNorm(channels, channels)
    if kind == 'batch':
        return nn.BatchNorm2d(channels)
    if kind == 'layer':
        return nn.GroupNorm(1, channels)
    if kind == 'none':
        return nn.Identity()
    raise ValueError(f"norm must be one of 'instance', 'batch', 'layer', 'none', got {kind!r}")


class CCALayer(nn.Module):
    """Contrast-aware channel attention (IMDN), used at the end of the FDNB.

    The per-channel statistic is contrast = std + mean over h×w; a bottleneck MLP
    (C → C/r → C, ReLU, sigmoid) turns it into channel weights. B×C×h×w → B×C×h×w.
    """

    def __init__(self, channels: int, reduction: int = 16) -> None:
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.excite = nn.Sequential(
            nn.Conv2d(channels, hidden, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1),
            nn.Sigmoid(),
        )

    def forward(self, x: Tensor) -> Tensor:
        mean = x.mean(dim=(2, 3), keepdim=True)
        std = (x - mean).pow(2).mean(dim=(2, 3), keepdim=True).sqrt()
        return x * self.excite(std + mean)


class FDNB(nn.Module):
    """Feature distillation normalization block (Sensors Sec. 3.3.1, Eq. 1–8, Fig. 4).

    Shapes: B×C×h×w → B×C×h×w. With d = C/2 and r = C − d:
      Eq. 1–2  p, q = split(f_in, [d, r]);  f_nc1_1 = Norm(Conv1x1(p));  s1 = act(Conv3x3(q) + q)
      Eq. 3–6  f_nc1_j = Norm(Conv1x1(s_{j-1}));  s_j = act(Conv3x3(s_{j-1}) + s_{j-1}),  j = 2, 3
      Eq. 7    f_c3 = act(Conv3x3(s3))                       (r → d channels)
      Eq. 8    f_out = f_in + CCA(Conv1x1([f_nc1_1, f_nc1_2, f_nc1_3, f_c3]))
    Interpretation (the text is terse): the channel split happens once at the block entry —
    one half is distilled, the other half is the coarse stream "x" whose residual refinements
    feed every later split; distillation is a 1×1 conv followed by the normalization the
    paper adds, with no activation. This gives ≈0.03M parameters per block at C = 50, as
    Table 9's series (1.46 … 1.61M) implies.

    Args:
        channels: C (50 in the paper).
        norm: normalization after each distillation conv.
    """

    min_size = 1

    def __init__(self, channels: int = 50, norm: NormKind = 'instance') -> None:
        super().__init__()
        self.split = (channels // 2, channels - channels // 2)
        distilled, coarse = self.split
        self.distill = nn.ModuleList(
            [nn.Conv2d(distilled, distilled, 1)] + [nn.Conv2d(coarse, distilled, 1) for _ in range(2)]
        )
        self.norms = nn.ModuleList(build_norm(norm, distilled) for _ in range(3))
        self.refine = nn.ModuleList(nn.Conv2d(coarse, coarse, 3, 1, 1) for _ in range(3))
        self.coarse_out = nn.Conv2d(coarse, distilled, 3, 1, 1)
        self.fuse = nn.Conv2d(4 * distilled, channels, 1)
        self.cca = CCALayer(channels)
        self.act = _lrelu()

    def forward(self, x: Tensor) -> Tensor:
        part, stream = torch.split(x, self.split, dim=1)
        distilled = []
        for distill, norm, refine in zip(self.distill, self.norms, self.refine):
            distilled.append(norm(distill(part)))
            stream = self.act(refine(stream) + stream)
            part = stream
        distilled.append(self.act(self.coarse_out(stream)))
        return x + self.cca(self.fuse(torch.cat(distilled, dim=1)))


class ESA(nn.Module):
    """Enhanced spatial attention (RFDN, Liu et al. 2020), the tail of the RFDB.

    B×C×h×w → B×C×h×w, with h, w ≥ 15 (a stride-2 conv then a 7×7 stride-3 max-pool).
    """

    min_size = 15

    def __init__(self, channels: int) -> None:
        super().__init__()
        hidden = channels // 4
        self.reduce = nn.Conv2d(channels, hidden, 1)
        self.shortcut = nn.Conv2d(hidden, hidden, 1)
        self.down = nn.Conv2d(hidden, hidden, 3, 2, 0)
        self.pooled_conv = nn.Conv2d(hidden, hidden, 3, 1, 1)
        self.body = nn.Sequential(
            nn.Conv2d(hidden, hidden, 3, 1, 1), nn.ReLU(inplace=True), nn.Conv2d(hidden, hidden, 3, 1, 1)
        )
        self.expand = nn.Conv2d(hidden, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        reduced = self.reduce(x)
        pooled = F.max_pool2d(self.down(reduced), kernel_size=7, stride=3)
        context = self.body(F.relu(self.pooled_conv(pooled)))
        context = F.interpolate(context, size=x.shape[2:], mode='bilinear', align_corners=False)
        return x * torch.sigmoid(self.expand(context + self.shortcut(reduced)))


class RFDB(nn.Module):
    """Residual feature distillation block (RFDN, Liu et al. 2020) — the ICIP decoder block.

    Shapes: B×C×h×w → B×C×h×w. Three stages of (1×1 distillation to C/2, 3×3 refinement with
    identity), a last 3×3 to C/2, concatenation, 1×1 fusion back to C, then ESA.
    """

    min_size = ESA.min_size

    def __init__(self, channels: int = 50) -> None:
        super().__init__()
        distilled = channels // 2
        self.distill = nn.ModuleList(nn.Conv2d(channels, distilled, 1) for _ in range(3))
        self.refine = nn.ModuleList(nn.Conv2d(channels, channels, 3, 1, 1) for _ in range(3))
        self.coarse_out = nn.Conv2d(channels, distilled, 3, 1, 1)
        self.fuse = nn.Conv2d(4 * distilled, channels, 1)
        self.esa = ESA(channels)
        self.act = _lrelu()

    def forward(self, x: Tensor) -> Tensor:
        stream = x
        distilled = []
        for distill, refine in zip(self.distill, self.refine):
            distilled.append(self.act(distill(stream)))
            stream = self.act(refine(stream) + stream)
        distilled.append(self.act(self.coarse_out(stream)))
        return self.esa(self.fuse(torch.cat(distilled, dim=1)))


class ConvBlock(ResidualBlockNoBN):
    """The "traditional CNN / residual block" ablation (ICIP Table 3, Sensors Table 6): conv-ReLU-conv + x."""

    min_size = 1

    def __init__(self, channels: int = 50) -> None:
        super().__init__(num_feat=channels)


BlockKind = Literal['fdnb', 'rfdb', 'conv']


def build_block(kind: BlockKind, channels: int, norm: NormKind) -> nn.Module:
    """One decoder block of the given kind (the ``block`` ablation argument)."""
    if kind == 'fdnb':
        return FDNB(channels, norm)
    if kind == 'rfdb':
        return RFDB(channels)
    if kind == 'conv':
        return ConvBlock(channels)
    raise ValueError(f"block must be one of 'fdnb', 'rfdb', 'conv', got {kind!r}")

"""The encoder–decoder shared by LMFN and LFDN; each ablation of both papers is an argument here."""

from __future__ import annotations

from typing import Literal, TypedDict

import torch
import torch.nn.functional as F
from basicsr.archs.arch_util import ResidualBlockNoBN, Upsample
from torch import Tensor, nn

from basicsr_lfdn.archs.distillation import BlockKind, NormKind, build_block
from basicsr_lfdn.archs.fusion import ACFM, ALFM
from basicsr_lfdn.archs.mshf import MSHF, DownblockKind, StridedEncoder, UpsampleKind

EncoderKind = Literal['mshf', 'strided']
FusionKind = Literal['attention', 'concat']
DecoderKind = Literal['shuffle', 'progressive']


class MSHFStyle(TypedDict):
    """What differs between the ICIP and the Sensors MSHF (see ``MSHF``)."""

    downblock: DownblockKind
    upsample: UpsampleKind
    num_out_blocks: int


def pad_to_multiple(x: Tensor, multiple: int, min_size: int) -> Tensor:
    """Pad B×C×H×W at the bottom/right to multiples of ``multiple`` and at least ``min_size``.

    Reflection keeps image statistics at the border. The common case (both sides at least
    ``max(multiple, min_size)``) keeps the pad amounts as tensor-size arithmetic, so traced
    and exported graphs (ONNX, TorchScript) stay valid for other sizes; smaller inputs take a
    Python branch that may need edge replication.
    """
    height, width = x.shape[-2:]
    if height >= max(multiple, min_size) and width >= max(multiple, min_size):
        return F.pad(x, (0, (-width) % multiple, 0, (-height) % multiple), mode='reflect')
    target_h = -(-max(height, min_size) // multiple) * multiple
    target_w = -(-max(width, min_size) // multiple) * multiple
    pad_h, pad_w = target_h - height, target_w - width
    mode = 'reflect' if pad_h < height and pad_w < width else 'replicate'
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)


class FusionDistillationNet(nn.Module):
    """Encoder (MSHF) → N distillation blocks → ALFM + ACFM fusion → up-sampling decoder.

    Shapes: B×in×H×W → B×out×H×W for any H, W ≥ 1 (padded to a multiple of 16 inside and
    cropped back). The encoder works at 1/4 scale from 1/16 up; blocks, fusion and the start
    of the decoder run at 1/4 scale.

    Fusion (both papers, Fig. 1/2): ALFM over the stacked block outputs, a 1×1 conv NC→C;
    ACFM over the last block output; concatenated, a 3×3 conv 2C→C, plus the feature that
    entered the first block (long skip). ``fusion='concat'`` is the "without ALFM/ACFM"
    ablation: both modules become identities, leaving plain concatenation.

    Args:
        in_channels, out_channels: image channels.
        num_feat: C of the distillation blocks (50 in both papers).
        encoder_feat: encoder width (64 in both papers).
        num_blocks: N, the number of distillation blocks (4 in both papers; Tables 4 / 9: 1–6).
        block: 'fdnb' (Sensors), 'rfdb' (ICIP) or 'conv' (residual conv block ablation);
            None takes the paper's block (``default_block``).
        encoder: 'mshf' or 'strided' (the "without MSHF" ablation).
        fusion: 'attention' (ALFM + ACFM) or 'concat'.
        theta: None (learned, init 0) or a fixed ALFM θ (Sensors Table 7).
        alpha: None (learned, init 0) or a fixed ACFM α (Sensors Table 8).
        norm: normalization inside FDNB.
        global_residual: add the input image to the output. The papers do not say; predicting
            the residual is what restoration networks of the same family do and it makes
            short trainings converge much faster.
        identity_init: zero the decoder's last convolution, so that with the global residual the
            untrained network returns its input (as ReZero / Fixup start residual branches at 0).
            Not in the papers; a short training then starts at the input's PSNR instead of
            spending its first steps on learning the identity.

    Class attributes (what each paper fixes): ``default_block``; ``mshf_style``, the ICIP or
    Sensors flavour of the MSHF encoder; ``decoder_kind``, 'shuffle' (ICIP: 3×3 conv to
    16·out + pixel-shuffle ×4) or 'progressive' (Sensors: residual conv block, two
    pixel-shuffle ×2 stages, 3×3 conv to out).
    """

    size_multiple = 16
    # What a paper fixes; set by each registered subclass.
    default_block: BlockKind
    mshf_style: MSHFStyle
    decoder_kind: DecoderKind

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        num_feat: int = 50,
        encoder_feat: int = 64,
        num_blocks: int = 4,
        block: BlockKind | None = None,
        encoder: EncoderKind = 'mshf',
        fusion: FusionKind = 'attention',
        theta: float | None = None,
        alpha: float | None = None,
        norm: NormKind = 'instance',
        global_residual: bool = True,
        identity_init: bool = False,
    ) -> None:
        super().__init__()
        if num_blocks < 1:
            raise ValueError(f'num_blocks must be >= 1, got {num_blocks}')
        if global_residual and in_channels != out_channels:
            raise ValueError(f'global_residual needs in_channels == out_channels, got {in_channels} and {out_channels}')
        if identity_init and not global_residual:
            raise ValueError('identity_init needs global_residual (without it a zero output is not the input)')
        self.global_residual = global_residual

        if encoder == 'mshf':
            self.encoder = MSHF(in_channels, encoder_feat, **self.mshf_style)
        elif encoder == 'strided':
            self.encoder = StridedEncoder(in_channels, encoder_feat)
        else:
            raise ValueError(f"encoder must be 'mshf' or 'strided', got {encoder!r}")
        self.head = nn.Conv2d(encoder_feat, num_feat, 3, 1, 1)

        block = block or self.default_block
        self.blocks = nn.ModuleList(build_block(block, num_feat, norm) for _ in range(num_blocks))
        self.min_input_size = 4 * self.blocks[0].min_size

        if fusion == 'attention':
            self.alfm: nn.Module = ALFM(theta)
            self.acfm: nn.Module = ACFM(alpha)
        elif fusion == 'concat':
            self.alfm = nn.Identity()
            self.acfm = nn.Identity()
        else:
            raise ValueError(f"fusion must be 'attention' or 'concat', got {fusion!r}")
        self.layer_fuse = nn.Conv2d(num_blocks * num_feat, num_feat, 1)
        self.fuse = nn.Conv2d(2 * num_feat, num_feat, 3, 1, 1)

        if self.decoder_kind == 'shuffle':
            self.decoder = nn.Sequential(nn.Conv2d(num_feat, 16 * out_channels, 3, 1, 1), nn.PixelShuffle(4))
        elif self.decoder_kind == 'progressive':
            self.decoder = nn.Sequential(
                ResidualBlockNoBN(num_feat), Upsample(4, num_feat), nn.Conv2d(num_feat, out_channels, 3, 1, 1)
            )
        else:
            raise ValueError(f"decoder_kind must be 'shuffle' or 'progressive', got {self.decoder_kind!r}")
        if identity_init:
            last = [module for module in self.decoder.modules() if isinstance(module, nn.Conv2d)][-1]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, x: Tensor) -> Tensor:
        height, width = x.shape[-2:]
        padded = pad_to_multiple(x, self.size_multiple, self.min_input_size)
        feat = self.head(self.encoder(padded))
        outputs = []
        hidden = feat
        for block in self.blocks:
            hidden = block(hidden)
            outputs.append(hidden)
        layers = self.alfm(torch.stack(outputs, dim=1)).flatten(1, 2)
        fused = self.fuse(torch.cat([self.layer_fuse(layers), self.acfm(outputs[-1])], dim=1)) + feat
        restored = self.decoder(fused)
        if self.global_residual:
            restored = restored + padded
        return restored[..., :height, :width]

    def fusion_scalars(self) -> dict[str, float]:
        """Current ALFM θ and ACFM α (empty for the concatenation ablation), for logging."""
        if not isinstance(self.alfm, ALFM):
            return {}
        return {'theta': self.alfm.theta.item(), 'alpha': self.acfm.alpha.item()}

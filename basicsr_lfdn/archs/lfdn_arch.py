"""LFDN — lightweight fusion distillation network (Zhang et al., Sensors 2021, 21(16):5312)."""

from __future__ import annotations

from basicsr.utils.registry import ARCH_REGISTRY

from basicsr_lfdn.archs.backbone import EncoderKind, FusionDistillationNet, FusionKind
from basicsr_lfdn.archs.distillation import BlockKind, NormKind


@ARCH_REGISTRY.register()
class LFDN(FusionDistillationNet):
    """LFDN for deblurring and deraining: B×3×H×W → B×3×H×W, ≈1.55M parameters.

    Sensors MSHF (downblocks of a stride-2 and a stride-1 3×3 conv, pixel-shuffle fusion),
    4 FDNBs (C = 50), ALFM + ACFM, and a decoder of a residual conv block and pixel-shuffle
    up-sampling (Sec. 3.1). Every Sensors ablation (Tables 6–9) is an argument; see
    ``FusionDistillationNet`` for their meaning.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        num_feat: int = 50,
        encoder_feat: int = 64,
        num_blocks: int = 4,
        block: BlockKind = 'fdnb',
        encoder: EncoderKind = 'mshf',
        fusion: FusionKind = 'attention',
        theta: float | None = None,
        alpha: float | None = None,
        norm: NormKind = 'instance',
        global_residual: bool = True,
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            num_feat=num_feat,
            encoder_feat=encoder_feat,
            num_blocks=num_blocks,
            block=block,
            encoder=encoder,
            fusion=fusion,
            theta=theta,
            alpha=alpha,
            norm=norm,
            global_residual=global_residual,
            mshf_style={'downblock': 'stride_conv', 'upsample': 'pixelshuffle', 'num_out_blocks': 1},
            decoder='progressive',
        )

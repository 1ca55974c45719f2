"""LFDN — lightweight fusion distillation network (Zhang et al., Sensors 2021, 21(16):5312)."""

from __future__ import annotations

from basicsr.utils.registry import ARCH_REGISTRY

from basicsr_lfdn.archs.backbone import FusionDistillationNet, MSHFStyle


@ARCH_REGISTRY.register()
class LFDN(FusionDistillationNet):
    """LFDN for deblurring and deraining: B×3×H×W → B×3×H×W, ≈1.55M parameters.

    Sensors MSHF (downblocks of a stride-2 and a stride-1 3×3 conv, pixel-shuffle fusion),
    4 FDNBs (C = 50), ALFM + ACFM, and a decoder of a residual conv block and pixel-shuffle
    up-sampling (Sec. 3.1). Every Sensors ablation (Tables 6–9) is an argument; see
    ``FusionDistillationNet`` for their meaning.
    """

    default_block = 'fdnb'
    mshf_style: MSHFStyle = {'downblock': 'stride_conv', 'upsample': 'pixelshuffle', 'num_out_blocks': 1}
    decoder_kind = 'progressive'

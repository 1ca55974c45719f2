"""LMFN — lightweight multi-information fusion network (Zhang et al., ICIP 2021, arXiv:2101.05403)."""

from __future__ import annotations

from basicsr.utils.registry import ARCH_REGISTRY

from basicsr_lfdn.archs.backbone import EncoderKind, FusionDistillationNet, FusionKind
from basicsr_lfdn.archs.distillation import BlockKind, NormKind


@ARCH_REGISTRY.register()
class LMFN(FusionDistillationNet):
    """LMFN for deblurring: B×3×H×W → B×3×H×W, ≈1.25M parameters.

    ICIP MSHF (stride-2 downblocks, bilinear fusion, two residual blocks at 1/4 scale),
    4 RFDBs (C = 50), ALFM + ACFM, and a pixel-shuffle ×4 reconstruction (Sec. 3, Fig. 1).
    The ICIP ablations (Tables 3–4) are arguments; see ``FusionDistillationNet``.
    """

    def __init__(
        self,
        in_channels: int = 3,
        out_channels: int = 3,
        num_feat: int = 50,
        encoder_feat: int = 64,
        num_blocks: int = 4,
        block: BlockKind = 'rfdb',
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
            mshf_style={'downblock': 'stride', 'upsample': 'bilinear', 'num_out_blocks': 2},
            decoder='shuffle',
        )

"""LMFN — lightweight multi-information fusion network (Zhang et al., ICIP 2021, arXiv:2101.05403)."""

from __future__ import annotations

from basicsr.utils.registry import ARCH_REGISTRY

from basicsr_lfdn.archs.backbone import FusionDistillationNet, MSHFStyle


@ARCH_REGISTRY.register()
class LMFN(FusionDistillationNet):
    """LMFN for deblurring: B×3×H×W → B×3×H×W, ≈1.25M parameters.

    ICIP MSHF (stride-2 downblocks, bilinear fusion, two residual blocks at 1/4 scale),
    4 RFDBs (C = 50), ALFM + ACFM, and a pixel-shuffle ×4 reconstruction (Sec. 3, Fig. 1).
    The ICIP ablations (Tables 3–4) are arguments; see ``FusionDistillationNet``.
    """

    default_block = 'rfdb'
    mshf_style: MSHFStyle = {'downblock': 'stride', 'upsample': 'bilinear', 'num_out_blocks': 2}
    decoder_kind = 'shuffle'

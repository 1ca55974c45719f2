"""Distillation blocks keep the feature shape and have the sizes the papers imply."""

import pytest
import torch

from basicsr_lfdn.archs.complexity import count_params
from basicsr_lfdn.archs.distillation import FDNB, RFDB, CCALayer, ConvBlock, build_block, build_norm


@pytest.mark.parametrize(
    'block, channels',
    [(FDNB(16), 16), (FDNB(15, norm='none'), 15), (RFDB(16), 16), (ConvBlock(16), 16)],
)
def test_block_keeps_shape(block, channels):
    x = torch.randn(2, channels, 20, 24)
    assert block(x).shape == x.shape


def test_fdnb_is_about_0_03m_parameters_at_c50():
    """Sensors Table 9 grows by ≈0.03M per FDNB."""
    assert 25_000 <= count_params(FDNB(50)) <= 32_000


def test_rfdb_matches_the_published_rfdb_size():
    """RFDN's block at C = 50 (the authors' LMFN code: 94,450 parameters per RFDB)."""
    assert count_params(RFDB(50)) == 94_450


def test_cca_weights_channels_by_contrast():
    """IMDN's contrast = per-channel std + mean; equal means with different stds get different weights."""
    torch.manual_seed(0)
    cca = CCALayer(8, reduction=4)
    x = torch.randn(1, 8, 6, 6)
    contrast = x.std(dim=(2, 3), unbiased=False, keepdim=True) + x.mean(dim=(2, 3), keepdim=True)
    torch.testing.assert_close(cca(x), x * cca.excite(contrast))
    wider = (x - x.mean(dim=(2, 3), keepdim=True)) * 3 + x.mean(dim=(2, 3), keepdim=True)
    assert not torch.allclose(cca(wider) / wider, cca(x) / x)


def test_unknown_block_is_a_clear_error():
    with pytest.raises(ValueError, match="block must be one of 'fdnb', 'rfdb', 'conv'"):
        build_block('transformer', 8, 'instance')


def test_instance_norm_is_per_sample_per_channel_normalization():
    torch.manual_seed(0)
    norm = build_norm('instance', 6)
    reference = torch.nn.InstanceNorm2d(6, affine=True)
    with torch.no_grad():
        for module in (norm, reference):
            module.weight.copy_(torch.linspace(0.5, 2.0, 6))
            module.bias.copy_(torch.linspace(-1.0, 1.0, 6))
    x = torch.randn(3, 6, 9, 11) * 4 + 2
    torch.testing.assert_close(norm(x), reference(x), rtol=1e-4, atol=1e-5)

"""ALFM and ACFM do what ICIP Eq. 1–3 / Sensors Eq. 9–11 say."""

import pytest
import torch
import torch.nn.functional as F

from basicsr_lfdn.archs.fusion import ACFM, ALFM


def alfm_by_the_equations(layers: torch.Tensor, theta: float) -> torch.Tensor:
    """Eq. 9–10 written out element by element for one sample at a time."""
    batch, blocks, channels, height, width = layers.shape
    out = torch.empty_like(layers)
    for b in range(batch):
        tokens = [layers[b, n, c].flatten() for n in range(blocks) for c in range(channels)]
        count = len(tokens)
        energy = torch.tensor([[float(tokens[i] @ tokens[j]) for j in range(count)] for i in range(count)])
        for j in range(count):
            weights = torch.exp(energy[j] - energy[j].max())
            weights = weights / weights.sum()
            mixed = sum(weights[i] * tokens[i] for i in range(count))
            n, c = divmod(j, channels)
            out[b, n, c] = (theta * mixed + tokens[j]).view(height, width)
    return out


def test_alfm_matches_equations_9_and_10():
    torch.manual_seed(0)
    layers = torch.randn(2, 3, 4, 5, 6) * 0.3
    alfm = ALFM(theta=0.7)
    expected = alfm_by_the_equations(layers, 0.7)
    torch.testing.assert_close(alfm(layers), expected, rtol=1e-4, atol=1e-5)


def test_alfm_attends_across_channels_of_all_blocks():
    """Channel-level (NC×NC), not layer-level (N×N): changing one channel of block 0 moves block 1."""
    torch.manual_seed(0)
    layers = torch.randn(1, 2, 3, 4, 4) * 0.3
    alfm = ALFM(theta=1.0)
    changed = layers.clone()
    changed[0, 0, 1] += 1.0
    difference = (alfm(changed) - alfm(layers))[0, 1]
    assert difference.abs().max() > 1e-3


def test_alfm_starts_as_identity():
    layers = torch.randn(1, 4, 3, 8, 8)
    torch.testing.assert_close(ALFM()(layers), layers)


def test_acfm_matches_pseudo_3d_convolution_of_equation_11():
    torch.manual_seed(0)
    acfm = ACFM(alpha=0.4)
    with torch.no_grad():
        for conv in (acfm.spatial, acfm.channel):
            conv.weight.normal_()
            conv.bias.normal_()
    x = torch.randn(2, 6, 7, 9)
    volume = x.unsqueeze(1)
    spatial = F.conv3d(volume, acfm.spatial.weight, acfm.spatial.bias, padding=(0, 1, 1))
    attention = torch.sigmoid(F.conv3d(spatial, acfm.channel.weight, acfm.channel.bias, padding=(1, 0, 0)))
    expected = x + 0.4 * attention.squeeze(1) * x
    torch.testing.assert_close(acfm(x), expected, rtol=1e-5, atol=1e-6)


def test_acfm_parameters_are_pseudo_3d():
    acfm = ACFM()
    assert acfm.spatial.weight.shape == (1, 1, 1, 3, 3)
    assert acfm.channel.weight.shape == (1, 1, 3, 1, 1)


@pytest.mark.parametrize('module_cls, name', [(ALFM, 'theta'), (ACFM, 'alpha')])
def test_learnable_scale_starts_at_zero_and_receives_gradient(module_cls, name):
    module = module_cls()
    scale = getattr(module, name)
    assert scale.requires_grad and scale.item() == 0.0
    shape = (1, 2, 3, 4, 4) if module_cls is ALFM else (1, 3, 4, 4)
    module(torch.randn(shape)).square().sum().backward()
    assert scale.grad is not None and scale.grad.abs().item() > 0


@pytest.mark.parametrize('module_cls, name', [(ALFM, 'theta'), (ACFM, 'alpha')])
def test_fixed_scale_is_frozen(module_cls, name):
    module = module_cls(0.25)
    scale = getattr(module, name)
    assert not scale.requires_grad and scale.item() == pytest.approx(0.25)

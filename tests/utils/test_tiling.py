"""Tiled inference equals a full pass for a local network and keeps any image size."""

import pytest
import torch
from torch import nn

from basicsr_lfdn.utils.tiling import tiled_forward


@pytest.fixture
def local_net() -> nn.Module:
    """Two 3×3 convs: a 5×5 receptive field, so overlaps above 2 px hide every border effect."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 3, 3, padding=1)).eval()


@pytest.mark.parametrize('size', [(70, 95), (64, 64), (33, 130)])
def test_tiled_equals_untiled_for_a_local_network(local_net, size):
    x = torch.rand(1, 3, *size)
    with torch.no_grad():
        full = local_net(x)
    tiled = tiled_forward(local_net, x, tile=32, overlap=8)
    assert tiled.shape == full.shape
    torch.testing.assert_close(tiled, full, rtol=1e-5, atol=1e-5)


def test_each_window_is_at_most_the_tile(local_net):
    seen = []

    def recording(patch):
        seen.append(tuple(patch.shape[-2:]))
        return local_net(patch)

    tiled_forward(recording, torch.rand(1, 3, 100, 70), tile=40, overlap=10)
    assert len(seen) > 1 and all(h <= 40 and w <= 40 for h, w in seen)


def test_no_tiling_when_the_tile_covers_the_image(local_net):
    calls = []
    tiled_forward(lambda t: calls.append(t.shape) or t, torch.rand(1, 3, 20, 30), tile=64, overlap=8)
    tiled_forward(lambda t: calls.append(t.shape) or t, torch.rand(1, 3, 20, 30), tile=0, overlap=8)
    assert calls == [torch.Size([1, 3, 20, 30])] * 2


def test_overlap_not_smaller_than_tile_is_rejected(local_net):
    with pytest.raises(ValueError, match='overlap=32, tile=32'):
        tiled_forward(local_net, torch.rand(1, 3, 100, 100), tile=32, overlap=32)

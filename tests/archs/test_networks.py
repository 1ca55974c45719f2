"""LMFN and LFDN as BasicSR networks: registry, shapes, sizes, learnable scales, checkpoints, autocast."""

import io

import pytest
import torch
from basicsr.archs import build_network
from basicsr.utils.registry import ARCH_REGISTRY
from torch import nn

import basicsr_lfdn  # noqa: F401  (registers the networks)
from basicsr_lfdn.archs.complexity import ABLATION_ROWS, count_macs, count_params

UNIQUE_ROW_NETWORKS = list({repr(sorted(row.network.items())): row.network for row in ABLATION_ROWS}.values())
TINY = {'num_feat': 8, 'encoder_feat': 8}


def test_both_networks_are_registered():
    assert ARCH_REGISTRY.get('LFDN').__name__ == 'LFDN'
    assert ARCH_REGISTRY.get('LMFN').__name__ == 'LMFN'


def test_every_paper_network_keeps_any_image_size_and_aligns_its_output():
    """Any H×W comes back as H×W; with the decoder's last conv zeroed only the global residual
    remains, so the output is the input pixel for pixel (padding and cropping line up)."""
    every_row = [(2, 3, 37, 50), (1, 3, 1, 1)]
    padding = [(1, 3, 16, 16), (3, 3, 64, 17), (1, 3, 123, 457)]  # pads and crops are the encoder's
    first_of_encoder = {}
    for network in UNIQUE_ROW_NETWORKS:
        first_of_encoder.setdefault((network['type'], network.get('encoder')), repr(network))
    for network in UNIQUE_ROW_NETWORKS:
        shapes = every_row + (padding if repr(network) in first_of_encoder.values() else [])
        net = build_network(dict(network, **TINY)).eval()
        last_conv = [module for module in net.decoder.modules() if isinstance(module, nn.Conv2d)][-1]
        with torch.no_grad():
            for shape in shapes:
                x = torch.rand(shape)
                restored = net(x)
                assert restored.shape == x.shape and not torch.equal(restored, x), (network, shape)
            last_conv.weight.zero_()
            last_conv.bias.zero_()
            for shape in shapes:
                x = torch.rand(shape)
                assert torch.equal(net(x), x), (network, shape)


def test_batch_items_are_independent():
    """The FDNB normalization is per instance, so a sample's output does not depend on its batch mates."""
    net = build_network({'type': 'LFDN', 'num_blocks': 2, **TINY}).eval()
    x = torch.rand(2, 3, 40, 40)
    with torch.no_grad():
        torch.testing.assert_close(net(x)[1:], net(x[1:]), rtol=1e-4, atol=1e-5)


# README "Model size and speed": parameters and GMACs at 1280×720 (mmengine).
README_FIGURES = {'LMFN': (1_223_766, 80.5), 'LFDN': (1_540_863, 105.0)}


def test_parameter_counts_equal_the_readme_and_lie_within_3_percent_of_the_papers():
    for arch, (params, _) in README_FIGURES.items():
        assert count_params(build_network({'type': arch})) == params, arch
    assert abs(README_FIGURES['LMFN'][0] - 1.25e6) / 1.25e6 <= 0.03
    assert abs(README_FIGURES['LFDN'][0] - 1.55e6) / 1.55e6 <= 0.03


@pytest.mark.slow
def test_macs_at_1280x720_equal_the_readme():
    """Counted at 256×144, a fifth of each side: every level of the 1/16 pyramid is then an exact
    fifth too, and the count scales with the pixels (checked at 512×288), so 1280×720 is 25×."""
    for arch, (_, gmacs) in README_FIGURES.items():
        net = build_network({'type': arch})
        small, double = count_macs(net, 144, 256), count_macs(net, 288, 512)
        assert abs(double / small - 4) < 1e-3, (arch, small, double)
        assert round(25 * small / 1e9, 1) == gmacs, (arch, 25 * small)


def test_lfdn_block_series_follows_table_9():
    """1.46 / 1.49 / 1.52 / 1.55 / 1.58 / 1.61M for 1–6 FDNBs: ≈0.03M per block, each within 3%."""
    published = [1.46e6, 1.49e6, 1.52e6, 1.55e6, 1.58e6, 1.61e6]
    counts = [count_params(build_network({'type': 'LFDN', 'num_blocks': n})) for n in range(1, 7)]
    steps = [later - earlier for earlier, later in zip(counts, counts[1:])]
    assert all(25_000 <= step <= 35_000 for step in steps), steps
    assert all(abs(c - p) / p <= 0.03 for c, p in zip(counts, published)), counts


@pytest.mark.parametrize('arch', ['LFDN', 'LMFN'])
def test_gradients_reach_theta_and_alpha(arch):
    net = build_network({'type': arch, 'num_blocks': 2, **TINY})
    net(torch.rand(1, 3, 64, 64)).square().mean().backward()
    assert net.alfm.theta.grad.abs().item() > 0
    assert net.acfm.alpha.grad.abs().item() > 0
    assert set(net.fusion_scalars()) == {'theta', 'alpha'}


def test_fixed_theta_and_alpha_survive_an_optimizer_step():
    net = build_network({'type': 'LFDN', 'num_blocks': 2, 'theta': -0.0015, 'alpha': 0.1724, **TINY})
    trainable = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=0.1, weight_decay=1e-4)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net(torch.rand(1, 3, 64, 64)).square().mean().backward()
    optimizer.step()
    assert net.alfm.theta.item() == pytest.approx(-0.0015)
    assert net.acfm.alpha.item() == pytest.approx(0.1724)
    assert not torch.equal(before['head.weight'], net.head.weight)


def test_concat_ablation_has_no_attention_scalars():
    assert build_network({'type': 'LFDN', 'fusion': 'concat', **TINY}).fusion_scalars() == {}


@pytest.mark.parametrize('arch', ['LFDN', 'LMFN'])
def test_state_dict_round_trips_with_weights_only(arch):
    source = build_network({'type': arch, 'num_blocks': 2, 'theta': 0.5, **TINY}).eval()
    buffer = io.BytesIO()
    torch.save({'params': source.state_dict()}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)['params']
    target = build_network({'type': arch, 'num_blocks': 2, **TINY}).eval()
    target.load_state_dict(loaded)
    x = torch.rand(1, 3, 48, 48)
    with torch.no_grad():
        torch.testing.assert_close(target(x), source(x))


@pytest.mark.parametrize('dtype', [torch.bfloat16, torch.float16], ids=['bf16', 'fp16'])
@pytest.mark.parametrize('arch', ['LFDN', 'LMFN'])
def test_low_precision_autocast_is_close_to_fp32(arch, dtype):
    torch.manual_seed(0)
    net = build_network({'type': arch, 'num_blocks': 2, 'theta': 0.01, 'alpha': 0.2}).eval()
    x = torch.rand(1, 3, 64, 96)
    with torch.no_grad():
        reference = net(x)
        with torch.autocast('cpu', dtype=dtype):
            low = net(x)
    error = (low.float() - reference).abs()
    assert torch.isfinite(low).all()
    assert error.max() > 0, 'autocast did not run anything in low precision'
    assert error.mean() < 0.02


def test_mismatched_channels_with_global_residual_is_a_clear_error():
    with pytest.raises(ValueError, match='global_residual needs in_channels == out_channels'):
        build_network({'type': 'LFDN', 'in_channels': 1, 'out_channels': 3})


def test_unknown_option_values_name_the_option():
    with pytest.raises(ValueError, match="encoder must be 'mshf' or 'strided'"):
        build_network({'type': 'LFDN', 'encoder': 'unet'})
    with pytest.raises(ValueError, match="fusion must be 'attention' or 'concat'"):
        build_network({'type': 'LMFN', 'fusion': 'sum'})


@pytest.mark.parametrize('arch', ['LFDN', 'LMFN'])
def test_identity_init_returns_the_input_until_trained(arch):
    image = torch.rand(1, 3, 40, 56)
    with torch.no_grad():
        assert torch.equal(build_network({'type': arch, 'identity_init': True}).eval()(image), image)
        assert not torch.allclose(build_network({'type': arch}).eval()(image), image, atol=1e-3)
    with pytest.raises(ValueError, match='identity_init needs global_residual'):
        build_network({'type': arch, 'identity_init': True, 'global_residual': False})


def test_every_trainable_weight_shapes_the_output():
    """A module that is built but skipped (or a branch wired to another layer) is not in the graph.

    Both networks with each encoder, block and fusion kind: every module kind the rows combine.
    """
    variants = [{}, {'encoder': 'strided'}, {'block': 'conv'}, {'block': 'rfdb'}, {'fusion': 'concat'}]
    idle = {}
    for arch in ('LFDN', 'LMFN'):
        for variant in variants:
            torch.manual_seed(0)
            net = build_network({'type': arch, **TINY, 'num_blocks': 2, **variant})
            net(torch.rand(1, 3, 32, 32)).square().mean().backward()
            # None, not zero: α = 0 at initialisation and dead ReLUs legitimately give zero gradients
            unused = [name for name, p in net.named_parameters() if p.requires_grad and p.grad is None]
            if unused:
                idle[f'{arch}{variant}'] = unused
    assert not idle, idle

"""RestorationModel: safe steps, AMP on CPU, EMA, tiled tests, validation artefacts, checkpoint files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.models import build_model
from torch.utils.data import DataLoader, Dataset

from basicsr_lfdn.utils.checkpoint import load_checkpoint
from basicsr_lfdn.utils.resume import load_resume_state
from basicsr_lfdn.utils.tiling import tiled_forward


def _batch(size: int = 32, batch: int = 2, seed: int = 0) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    gt = torch.rand(batch, 3, size, size)
    lq = torch.nn.functional.avg_pool2d(gt, 5, stride=1, padding=2, count_include_pad=False)
    return {'lq': lq, 'gt': gt}


def _weights(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.get_bare_model(model.net_g).state_dict().items()}


def _changed(before: dict, after: dict) -> bool:
    return any(not torch.equal(before[k], after[k]) for k in before)


class _PairSet(Dataset):
    """Two 40×56 blurred/sharp pairs with BasicSR's item keys."""

    def __init__(self) -> None:
        self.opt = {'name': 'pairs'}
        data = _batch(size=56, batch=2)
        self.items = [(data['lq'][i, :, :40], data['gt'][i, :, :40]) for i in range(2)]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict:
        lq, gt = self.items[index]
        return {'lq': lq, 'gt': gt, 'lq_path': f'img{index}.png', 'gt_path': f'img{index}.png'}


def test_a_step_updates_weights_and_logs_loss_grad_norm_theta_alpha(model_opt):
    model = build_model(model_opt)
    before = _weights(model)
    model.feed_data(_batch())
    model.optimize_parameters(1)
    assert _changed(before, _weights(model))
    log = model.get_current_log()
    assert {'l_pix', 'grad_norm', 'theta', 'alpha'} <= set(log)
    assert math.isfinite(log['l_pix'])


def test_non_finite_loss_skips_the_step_and_keeps_weights(model_opt, basicsr_log):
    model = build_model(model_opt)
    before = _weights(model)
    batch = _batch()
    batch['gt'][0, 0, 0, 0] = float('nan')
    model.feed_data(batch)
    model.optimize_parameters(7)
    assert not _changed(before, _weights(model))
    assert model.skipped_steps == 1
    assert all(param.grad is None for param in model.net_g.parameters())
    assert any('iter 7: non-finite loss nan; skipped this optimisation step' in m for m in basicsr_log)


def test_non_finite_gradient_skips_the_step_and_logs_the_losses(model_opt, basicsr_log):
    model = build_model(model_opt)
    before = _weights(model)
    first = next(model.get_bare_model(model.net_g).parameters())
    first.register_hook(lambda grad: torch.full_like(grad, float('inf')))
    model.feed_data(_batch())
    model.optimize_parameters(3)
    assert not _changed(before, _weights(model)) and model.skipped_steps == 1
    assert any(m.startswith('iter 3: non-finite gradient norm inf; skipped') for m in basicsr_log)
    assert math.isfinite(model.get_current_log()['l_pix'])  # the loss of the skipped step is still logged


class _Board:
    """Records what the model sends to TensorBoard."""

    def __init__(self) -> None:
        self.scalars: list[tuple[str, float, int]] = []
        self.images: list[tuple[str, tuple[int, ...], int, str]] = []

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        self.scalars.append((tag, value, step))

    def add_image(self, tag: str, image: np.ndarray, step: int, dataformats: str) -> None:
        self.images.append((tag, image.shape, step, dataformats))


def test_validation_sends_metrics_baseline_and_strips_to_tensorboard(model_opt):
    del model_opt['val']['num_strips']  # default: the first 3 images get a strip
    model = build_model(model_opt)
    board = _Board()
    four = _PairSet()
    four.items = four.items * 2
    model.validation(DataLoader(four, batch_size=1), 9, tb_logger=board, save_img=False)
    assert [(tag, step, kind) for tag, _, step, kind in board.images] == [
        ('strips/pairs/img0', 9, 'HWC'),
        ('strips/pairs/img1', 9, 'HWC'),
        ('strips/pairs/img2', 9, 'HWC'),
    ]
    assert all(shape == (40, 3 * 56, 3) for _, shape, _, _ in board.images)  # input | output | target
    baseline = [(tag, step) for tag, _, step in board.scalars if tag.endswith('_input')]
    assert baseline == [('metrics/pairs/psnr_input', 0)]  # logged once, at step 0
    assert ('metrics/pairs/psnr', 9) in [(tag, step) for tag, _, step in board.scalars]

    model.opt['val']['num_strips'] = 1
    model.feed_data(_batch())
    model.optimize_parameters(10)  # a validation with no step since the last one is skipped
    model.validation(DataLoader(four, batch_size=1), 10, tb_logger=board, save_img=False)
    assert [tag for tag, _, step, _ in board.images if step == 10] == ['strips/pairs/img0']
    assert [tag for tag, _, _ in board.scalars].count('metrics/pairs/psnr_input') == 1  # the input does not change


@pytest.mark.parametrize('amp', ['bf16', 'fp16'])
def test_mixed_precision_trains_on_cpu(opt_factory, amp):
    model = build_model(opt_factory(amp=amp))
    before = _weights(model)
    model.feed_data(_batch())
    model.optimize_parameters(1)
    assert math.isfinite(model.get_current_log()['l_pix'])
    assert model.grad_scaler.is_enabled() == (amp == 'fp16')
    if amp == 'bf16':  # fp16's scaler may legitimately skip the first steps while it calibrates
        assert _changed(before, _weights(model))


def test_unknown_amp_mode_is_rejected(opt_factory):
    with pytest.raises(ValueError, match='train.amp'):
        build_model(opt_factory(amp='int8'))


@pytest.mark.parametrize('has_amx', [True, False])
def test_auto_amp_picks_bf16_only_where_the_cpu_has_amx(opt_factory, monkeypatch, has_amx):
    monkeypatch.setattr(torch.cpu, '_is_amx_tile_supported', lambda: has_amx, raising=False)
    model = build_model(opt_factory(amp='auto'))
    assert model.amp_dtype == (torch.bfloat16 if has_amx else None)


def test_frequency_loss_joins_the_objective(opt_factory):
    fft_opt = {'type': 'FFTLoss', 'loss_weight': 1.0, 'norm': 'ortho'}
    torch.manual_seed(0)
    plain = build_model(opt_factory())
    torch.manual_seed(0)
    with_fft = build_model(opt_factory(fft_opt=fft_opt))
    assert not _changed(_weights(plain), _weights(with_fft))
    for model in (plain, with_fft):
        model.feed_data(_batch())
        model.optimize_parameters(1)
    spectrum = torch.fft.rfft2((with_fft.output.float() - with_fft.gt), norm='ortho')
    expected = torch.view_as_real(spectrum).abs().mean().item()
    assert with_fft.get_current_log()['l_fft'] == pytest.approx(expected, rel=1e-4)
    assert 'l_fft' not in plain.get_current_log()
    assert _changed(_weights(plain), _weights(with_fft))


def test_gradient_clipping_bounds_the_update(opt_factory):
    model = build_model(opt_factory(grad_clip_norm=1e-6))
    model.feed_data(_batch())
    model.optimize_parameters(1)
    total = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.net_g.parameters() if p.grad is not None))
    assert total.item() <= 1e-6 * 1.01


def test_fixed_theta_and_alpha_stay_frozen(opt_factory):
    opt = opt_factory()
    opt['network_g'].update(theta=-0.0015, alpha=0.1724)
    model = build_model(opt)
    model.feed_data(_batch())
    model.optimize_parameters(1)
    scalars = model.fusion_scalars()
    assert scalars['theta'] == pytest.approx(-0.0015)
    assert scalars['alpha'] == pytest.approx(0.1724)


def test_tiled_test_keeps_any_size(opt_factory):
    opt = opt_factory()
    opt['val']['tile'] = {'size': 32, 'overlap': 8}
    model = build_model(opt)
    model.feed_data({'lq': torch.rand(1, 3, 45, 70)})
    model.test()
    assert model.output.shape == (1, 3, 45, 70)
    assert model.net_g.training  # test() restores the training mode


def test_tiled_test_is_the_tiled_forward_of_the_network(opt_factory):
    opt = opt_factory()
    opt['val']['tile'] = {'size': 32, 'overlap': 8}
    model = build_model(opt)
    lq = torch.rand(1, 3, 45, 70)
    model.feed_data({'lq': lq})
    model.test()
    net = model.get_bare_model(model.net_g).eval()
    with torch.no_grad():
        torch.testing.assert_close(model.output, tiled_forward(net, lq, 32, 8))
        whole = net(lq)  # instance norms see other statistics on the whole image
    assert not torch.allclose(model.output, whole)


def test_testing_uses_the_ema_network_when_there_is_one(opt_factory):
    model = build_model(opt_factory(ema_decay=0.9))
    for parameter in model.get_bare_model(model.net_g).parameters():
        parameter.data.add_(0.05)  # the trained network moves; the EMA copy has not followed yet
    lq = torch.rand(1, 3, 32, 32)
    model.feed_data({'lq': lq})
    model.test()
    with torch.no_grad():
        torch.testing.assert_close(model.output, model.net_g_ema(lq))
        assert not torch.allclose(model.output, model.get_bare_model(model.net_g).eval()(lq))


def test_the_frequency_term_is_minimised(opt_factory):
    """Only the FFT term weighs: a few steps on one batch lower it (a sign error would raise it)."""
    torch.manual_seed(0)
    opt = opt_factory(fft_opt={'type': 'FFTLoss', 'loss_weight': 1.0, 'norm': 'ortho'})
    opt['train']['pixel_opt']['loss_weight'] = 1e-8
    model = build_model(opt)
    batch = _batch()
    values = []
    for iteration in range(1, 7):
        model.feed_data(batch)
        model.optimize_parameters(iteration)
        values.append(model.get_current_log()['l_fft'])
    assert all(later < earlier for earlier, later in zip(values, values[1:])) and values[-1] < 0.99 * values[0], values


def test_validation_of_a_single_image_logs_its_metric(model_opt, basicsr_log):
    model = build_model(model_opt)
    one = _PairSet()
    one.items = one.items[:1]
    model.validation(DataLoader(one, batch_size=1), 1, tb_logger=None, save_img=False)
    assert model.best_metric_results['pairs']['psnr']['iter'] == 1  # recorded as the best so far
    expected = _uint8_psnr(*one.items[0])
    assert model.input_baselines['pairs']['psnr'] == pytest.approx(expected, abs=1e-6)


def _uint8_psnr(image: torch.Tensor, target: torch.Tensor) -> float:
    """PSNR of two [0, 1] images after rounding to 8 bits, as the validation images are written."""
    image, target = ((t.clamp(0, 1).double() * 255).round() for t in (image, target))
    return float(10 * torch.log10(255**2 / torch.mean((image - target) ** 2)))


def test_validation_logs_input_baseline_and_writes_strips(model_opt, basicsr_log):
    model = build_model(model_opt)
    model.validation(DataLoader(_PairSet(), batch_size=1), 5, tb_logger=None, save_img=True)
    strips = sorted(Path(model_opt['path']['visualization'], 'strips', 'pairs').glob('*.png'))
    assert [p.name for p in strips] == ['img0_5.png', 'img1_5.png']
    assert any(m.startswith('Input baseline pairs (degraded input vs target): psnr') for m in basicsr_log)
    pairs = _PairSet().items
    assert model.input_baselines['pairs']['psnr'] == pytest.approx(np.mean([_uint8_psnr(*pair) for pair in pairs]))
    assert Path(model_opt['path']['visualization'], 'img0', 'img0_5.png').is_file()


def test_testing_writes_metrics_json(opt_factory):
    opt = opt_factory()
    opt['is_train'] = False
    opt['val']['suffix'] = None
    model = build_model(opt)
    model.validation(DataLoader(_PairSet(), batch_size=1), 'tiny', tb_logger=None, save_img=True)
    results = json.loads(Path(opt['path']['results_root'], 'metrics.json').read_text())
    assert set(results['pairs']) == {'images', 'metrics', 'input_baseline', 'network'}
    assert results['pairs']['images'] == 2
    assert Path(opt['path']['visualization'], 'pairs', 'img0_tiny.png').is_file()


def test_network_file_carries_params_ema_and_network_options(opt_factory):
    model = build_model(opt_factory(ema_decay=0.9))
    model.feed_data(_batch())
    model.optimize_parameters(1)
    model.save(epoch=0, current_iter=1)
    checkpoint = load_checkpoint(Path(model.opt['path']['models'], 'net_g_1.pth'))
    assert set(checkpoint) == {'params', 'params_ema', 'network_g'}
    assert checkpoint['network_g']['type'] == 'LFDN'
    state = load_checkpoint(Path(model.opt['path']['training_states'], '1.state'))
    assert state['iter'] == 1 and len(state['optimizers']) == 1


def test_fp16_grad_scaler_state_is_saved_and_restored(opt_factory):
    model = build_model(opt_factory(amp='fp16'))
    model.feed_data(_batch())
    model.optimize_parameters(1)
    model.grad_scaler.update(new_scale=128.0)
    model.save_training_state(epoch=0, current_iter=3)
    state = load_checkpoint(Path(model.opt['path']['training_states'], '3.state'))
    resumed = build_model(opt_factory(amp='fp16'))
    resumed.resume_training(state)
    assert resumed.grad_scaler.get_scale() == 128.0


def assert_bitwise_equal(resumed: dict, saved: dict) -> None:
    """Mappings (nested) of tensors equal bit for bit, dtypes included."""
    torch.testing.assert_close(resumed, saved, rtol=0, atol=0)


def test_resume_restores_weights_ema_optimiser_and_scheduler_and_the_next_step_matches(opt_factory, monkeypatch):
    """What BasicSR's train pipeline does on --auto_resume: find the state, build the model, resume."""
    opt = opt_factory(ema_decay=0.9)
    monkeypatch.chdir(Path(opt['path']['experiments_root']).parents[1])  # experiments/ is found from here
    torch.manual_seed(0)
    unbroken = build_model(opt)
    for iteration in (1, 2, 3):
        unbroken.feed_data(_batch(seed=iteration))
        unbroken.optimize_parameters(iteration)
        unbroken.update_learning_rate(iteration)
    unbroken.save(epoch=0, current_iter=3)

    resumed_opt = {**opt_factory(ema_decay=0.9), 'auto_resume': True}
    state = load_resume_state(resumed_opt)
    assert state['iter'] == 3
    torch.manual_seed(1)  # another random initialisation: only the files can make the two equal
    resumed = build_model(resumed_opt)
    resumed.resume_training(state)
    assert_bitwise_equal(_weights(resumed), _weights(unbroken))
    assert_bitwise_equal(resumed.net_g_ema.state_dict(), unbroken.net_g_ema.state_dict())
    saved_optimizer, resumed_optimizer = unbroken.optimizers[0].state_dict(), resumed.optimizers[0].state_dict()
    assert saved_optimizer['state'], 'Adam has no moments to compare'
    assert_bitwise_equal(resumed_optimizer['state'], saved_optimizer['state'])
    assert resumed_optimizer['param_groups'] == saved_optimizer['param_groups']
    assert resumed.schedulers[0].state_dict() == unbroken.schedulers[0].state_dict()

    for model in (unbroken, resumed):
        model.feed_data(_batch(seed=4))
        model.optimize_parameters(4)
    assert_bitwise_equal(_weights(resumed), _weights(unbroken))
    assert_bitwise_equal(resumed.net_g_ema.state_dict(), unbroken.net_g_ema.state_dict())


def test_a_save_killed_midway_leaves_the_previous_checkpoint_intact(model_opt, monkeypatch):
    model = build_model(model_opt)
    model.save(epoch=0, current_iter=2)
    path = Path(model_opt['path']['models'], 'net_g_2.pth')
    original = path.read_bytes()

    def dying_save(obj, handle, *args, **kwargs):
        handle.write(b'partial bytes')
        raise KeyboardInterrupt('killed during save')

    monkeypatch.setattr(torch, 'save', dying_save)
    with pytest.raises(KeyboardInterrupt):
        model.save(epoch=0, current_iter=2)
    assert path.read_bytes() == original
    assert sorted(p.name for p in path.parent.iterdir()) == ['net_g_2.pth']


def test_channels_last_trains_and_keeps_the_memory_format(model_opt):
    model_opt['channels_last'] = True
    model = build_model(model_opt)
    model.feed_data(_batch())
    assert model.lq.is_contiguous(memory_format=torch.channels_last)
    model.optimize_parameters(1)
    assert math.isfinite(model.get_current_log()['l_pix'])
    conv_weight = next(p for p in model.net_g.parameters() if p.dim() == 4)
    assert conv_weight.is_contiguous(memory_format=torch.channels_last)


def test_pretrained_network_that_does_not_fit_stops_with_one_line(model_opt, tmp_path):
    from basicsr_lfdn.utils.checkpoint import CheckpointMismatchError

    other = build_model({**model_opt, 'network_g': {**model_opt['network_g'], 'num_blocks': 2}})
    path = tmp_path / 'other.pth'
    torch.save({'params': other.net_g.state_dict()}, path)
    model = build_model(model_opt)
    with pytest.raises(CheckpointMismatchError) as caught:
        model.load_network(model.net_g, str(path))
    assert '\n' not in str(caught.value) and 'other.pth does not fit LFDN: 0 missing keys' in str(caught.value)
    model.load_network(model.net_g, str(path), strict=False)  # non-strict loading keeps BasicSR's behaviour

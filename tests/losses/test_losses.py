"""FFT L1 and PSNR losses: registered for YAML, zero/finite where they must be, the values they claim."""

import math

import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the losses; must precede basicsr imports)

# isort: split
from basicsr.losses import build_loss


def test_fft_loss_is_l1_between_real_ffts():
    pred, target = torch.rand(2, 3, 8, 10), torch.rand(2, 3, 8, 10)
    loss = build_loss({'type': 'FFTLoss', 'loss_weight': 0.1})
    expected = (torch.view_as_real(torch.fft.rfft2(pred)) - torch.view_as_real(torch.fft.rfft2(target))).abs().mean()
    assert torch.allclose(loss(pred, target), 0.1 * expected)


def test_fft_loss_is_zero_for_identical_images_and_keeps_spectrum_shape_without_reduction():
    image = torch.rand(2, 3, 8, 10)
    assert build_loss({'type': 'FFTLoss'})(image, image).item() == 0.0
    unreduced = build_loss({'type': 'FFTLoss', 'reduction': 'none'})(image, torch.rand_like(image))
    assert unreduced.shape == (2, 3, 8, 10 // 2 + 1, 2)


def test_fft_loss_sees_a_blur_that_a_pixel_loss_weighs_little():
    """Blurring changes high frequencies; the spectral loss of a blur is well above zero."""
    sharp = torch.rand(1, 3, 16, 16)
    blurred = torch.nn.functional.avg_pool2d(sharp, 3, stride=1, padding=1, count_include_pad=False)
    assert build_loss({'type': 'FFTLoss', 'norm': 'ortho'})(blurred, sharp).item() > 0.05


def test_psnr_loss_is_minus_psnr_per_image():
    pred, target = torch.rand(3, 3, 8, 8), torch.rand(3, 3, 8, 8)
    psnr = 10 * torch.log10(1.0 / ((pred - target) ** 2).mean(dim=(1, 2, 3)))
    per_image = build_loss({'type': 'PSNRLoss', 'reduction': 'none'})(pred, target)
    assert torch.allclose(per_image, -psnr, atol=1e-4)
    assert torch.allclose(build_loss({'type': 'PSNRLoss'})(pred, target), -psnr.mean(), atol=1e-4)


def test_psnr_loss_is_finite_for_a_perfect_prediction_and_on_y():
    image = torch.rand(1, 3, 8, 8)
    assert math.isclose(build_loss({'type': 'PSNRLoss'})(image, image).item(), -80.0, abs_tol=1e-3)
    assert torch.isfinite(build_loss({'type': 'PSNRLoss', 'to_y': True})(image, torch.rand_like(image)))


def test_psnr_loss_gradient_lowers_the_error():
    target = torch.rand(1, 3, 8, 8)
    pred = torch.rand(1, 3, 8, 8, requires_grad=True)
    loss = build_loss({'type': 'PSNRLoss'})
    before = loss(pred, target)
    before.backward()
    with torch.no_grad():
        stepped = pred - 1e-3 * pred.grad
    assert loss(stepped, target) < before


@pytest.mark.parametrize('loss_type', ['FFTLoss', 'PSNRLoss'])
def test_unknown_reduction_is_rejected(loss_type):
    with pytest.raises(ValueError, match='reduction'):
        build_loss({'type': loss_type, 'reduction': 'median'})

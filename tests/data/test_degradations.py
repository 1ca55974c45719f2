"""Camera-shake kernels, sensor noise and rain streaks: valid, varied, reproducible from a seed."""

from __future__ import annotations

import numpy as np
import pytest

from basicsr_lfdn.data.degradations import (
    BlurConfig,
    RainConfig,
    add_rain,
    add_sensor_noise,
    add_veil,
    blur_and_noise,
    blur_size,
    camera_shake_kernel,
    config_from_dict,
    degrade,
    jpeg_roundtrip,
    rng_for,
    trajectory_kernel,
)


def smooth_image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    coarse = rng.random((6, 8, 3)).astype(np.float32)
    return np.kron(coarse, np.ones((8, 8, 1), np.float32))


def test_kernel_is_a_normalised_path_inside_its_support() -> None:
    for index in range(5):
        kernel = camera_shake_kernel(rng_for(0, index), 21, length=15.0, shake=index / 4)
        size = kernel.shape[0]
        assert kernel.shape == (size, size) and size % 2 == 1 and size <= 21
        assert kernel.min() >= 0 and kernel.sum() == pytest.approx(1.0, abs=1e-5)
        assert np.count_nonzero(kernel > 1e-3) > 5
        assert kernel[0].sum() == kernel[-1].sum() == kernel[:, 0].sum() == kernel[:, -1].sum() == 0


def centre_of_mass(kernel: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(kernel.shape)
    return float((rows * kernel).sum()), float((cols * kernel).sum())


def test_kernel_is_centred_so_blur_does_not_shift_the_image() -> None:
    for index in range(6):
        kernel = camera_shake_kernel(rng_for(1, index), 75, length=40.0, shake=1.0, exposure=0.6)
        centre = kernel.shape[0] // 2
        assert centre_of_mass(kernel) == pytest.approx((centre, centre), abs=0.05)


def test_kernel_spans_the_requested_blur_size() -> None:
    for length in (6.0, 17.0, 45.0):
        kernel = camera_shake_kernel(rng_for(2, int(length)), 75, length=length, shake=0.7)
        rows, cols = np.nonzero(kernel > 1e-6)
        span = max(np.ptp(rows), np.ptp(cols))
        assert length - 1 <= span <= length + 2
        assert kernel.shape[0] <= 2 * length + 4  # centred on its mass, not on its box


def test_a_steady_hand_draws_a_straight_line_and_a_shaky_one_does_not() -> None:
    def straightness(kernel: np.ndarray) -> float:
        rows, cols = np.nonzero(kernel > 1e-6)
        points = np.stack([rows, cols], 1).astype(float)
        singular = np.linalg.svd(points - points.mean(0), compute_uv=False)
        return singular[1] / singular[0]

    steady = [straightness(camera_shake_kernel(rng_for(3, i), 75, 41.0, shake=0.0)) for i in range(4)]
    shaky = [straightness(camera_shake_kernel(rng_for(3, i), 75, 41.0, shake=1.0)) for i in range(8)]
    assert max(steady) < 0.07  # a 41 px line two pixels wide (bilinear splatting)
    assert np.median(shaky) > 0.2


def test_shorter_exposure_integrates_less_of_the_same_path() -> None:
    full = camera_shake_kernel(rng_for(4, 0), 75, 30.0, shake=0.8, exposure=1.0)
    part = camera_shake_kernel(rng_for(4, 0), 75, 30.0, shake=0.8, exposure=0.3)
    with pytest.raises(ValueError, match='exposure'):
        camera_shake_kernel(rng_for(4, 0), 75, 30.0, shake=0.8, exposure=0.0)
    # The part is rescaled to the same blur size, so it is thinner, not smaller: fewer pixels lit.
    assert np.count_nonzero(part > 1e-6) < np.count_nonzero(full > 1e-6)


def test_log_sampling_favours_small_blur() -> None:
    rng = np.random.default_rng(0)
    log = [blur_size(rng, BlurConfig(length_range=(4.0, 64.0), length_sampling='log')) for _ in range(4000)]
    uniform = [blur_size(rng, BlurConfig(length_range=(4.0, 64.0))) for _ in range(4000)]
    assert np.median(log) == pytest.approx(16.0, rel=0.1)  # geometric mean of the range
    assert np.median(uniform) == pytest.approx(34.0, rel=0.05)
    assert 4.0 <= min(log) and max(log) <= 64.0
    with pytest.raises(ValueError, match='length_sampling'):
        blur_size(rng, BlurConfig(length_sampling='cubic'))


def test_jpeg_is_applied_at_the_requested_rate_and_quality() -> None:
    ramp = np.linspace(0.1, 0.9, 64, dtype=np.float32)
    image = np.stack([np.add.outer(ramp, ramp) / 2, np.outer(ramp, ramp), np.tile(ramp, (64, 1))], axis=-1)
    image += 0.05 * np.sin(np.arange(64, dtype=np.float32) / 1.5)[None, :, None]
    no_noise = {'read_noise_range': (0.0, 0.0), 'shot_noise_range': (0.0, 0.0), 'length_range': (3.0, 3.0)}
    always = blur_and_noise(image, rng_for(0, 0), BlurConfig(jpeg_probability=1.0, **no_noise))
    never = blur_and_noise(image, rng_for(0, 0), BlurConfig(jpeg_probability=0.0, **no_noise))
    np.testing.assert_allclose(always * 255, np.round(always * 255), atol=1e-3)  # 8-bit after JPEG
    assert np.abs(always - never).mean() > 0.002  # more than 8-bit rounding (≤ 0.002)
    low, high = jpeg_roundtrip(never, 20), jpeg_roundtrip(never, 95)
    assert np.abs(low - never).mean() > 2 * np.abs(high - never).mean()


def test_same_seed_same_degradation() -> None:
    image = smooth_image()
    for kind in ('blur', 'rain'):
        first = degrade(image, kind, rng_for(7, 3))
        assert np.array_equal(first, degrade(image, kind, rng_for(7, 3)))
        assert not np.array_equal(first, degrade(image, kind, rng_for(7, 4)))
        assert first.shape == image.shape and first.dtype == np.float32
        assert 0 <= first.min() and first.max() <= 1


def test_blur_removes_detail_and_rain_brightens() -> None:
    image = smooth_image()
    blurred = blur_and_noise(image, rng_for(0, 0), config_from_dict('blur', {'read_noise_range': [0, 0]}))
    assert np.abs(np.diff(blurred, axis=1)).mean() < np.abs(np.diff(image, axis=1)).mean()
    rainy = add_rain(image, rng_for(0, 0), RainConfig(density_range=(0.02, 0.02)))
    assert (rainy >= image - 1e-6).all() and rainy.mean() > image.mean()


def test_mismatched_config_is_refused() -> None:
    with pytest.raises(ValueError, match='does not match'):
        degrade(smooth_image(), 'blur', rng_for(0, 0), RainConfig())
    with pytest.raises(ValueError, match="'blur' or 'rain'"):
        config_from_dict('snow', None)


def test_veil_follows_the_rain_model_of_yang_et_al() -> None:
    image = smooth_image()
    veiled = add_veil(image, transmission=0.7, atmosphere=0.9)
    np.testing.assert_allclose(veiled, 0.7 * image + 0.3 * 0.9, atol=1e-6)
    no_streaks = {'density_range': (0.0, 0.0), 'transmission_range': (0.6, 0.6), 'atmosphere_range': (1.0, 1.0)}
    always = add_rain(image, rng_for(0, 0), RainConfig(veil_probability=1.0, **no_streaks))
    never = add_rain(image, rng_for(0, 0), RainConfig(veil_probability=0.0, **no_streaks))
    np.testing.assert_allclose(always, 0.6 * image + 0.4, atol=1e-6)
    np.testing.assert_allclose(never, image, atol=1e-6)


def test_rain_configs_come_from_option_lists() -> None:
    config = config_from_dict('rain', {'veil_probability': 0.2, 'transmission_range': [0.6, 0.95]})
    assert config.veil_probability == 0.2 and config.transmission_range == (0.6, 0.95)


def test_blur_probability_leaves_that_share_of_photos_sharp() -> None:
    image = smooth_image()
    quiet = {'read_noise_range': (0.0, 0.0), 'shot_noise_range': (0.0, 0.0), 'length_range': (9.0, 9.0)}
    sharp = [
        np.array_equal(blur_and_noise(image, rng_for(6, index), BlurConfig(blur_probability=0.7, **quiet)), image)
        for index in range(200)
    ]
    assert 0.2 <= np.mean(sharp) <= 0.4
    assert not any(np.array_equal(blur_and_noise(image, rng_for(6, i), BlurConfig(**quiet)), image) for i in range(20))


def test_sensor_noise_has_the_poisson_gaussian_spread_and_is_independent_per_pixel():
    flat = np.full((256, 256, 3), 0.5, np.float32)
    noisy = add_sensor_noise(flat, np.random.default_rng(0), read_sigma=0.02, shot_scale=0.002)
    expected = np.sqrt(0.5 * 0.002 + 0.02**2)  # 0.0374
    assert noisy.dtype == np.float32
    assert np.std(noisy) == pytest.approx(expected, rel=0.03)
    assert np.std(noisy[:, :, 0].mean(axis=1)) < expected / 4  # rows average out: no shared offsets
    dark = add_sensor_noise(np.zeros((256, 256, 1), np.float32), np.random.default_rng(1), 0.02, 0.002)
    assert np.mean(dark) == pytest.approx(0.02 / np.sqrt(2 * np.pi), rel=0.1)  # half-normal: read noise only


def test_jpeg_roundtrip_returns_float32_in_the_unit_range():
    image = np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)
    out = jpeg_roundtrip(image, 90)
    assert out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize('size', [2, 4, 1])
def test_kernel_sides_must_be_odd_and_at_least_three(size: int):
    with pytest.raises(ValueError, match=f'odd and >= 3, got {size}'):
        trajectory_kernel(np.array([0j, 1 + 1j]), 3.0, size)

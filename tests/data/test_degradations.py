"""Camera-shake kernels, sensor noise and rain streaks: valid, varied, reproducible from a seed."""

from __future__ import annotations

import numpy as np
import pytest

from basicsr_lfdn.data.degradations import (
    RainConfig,
    add_rain,
    add_veil,
    blur_and_noise,
    camera_shake_kernel,
    config_from_dict,
    degrade,
    rng_for,
)


def smooth_image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    coarse = rng.random((6, 8, 3)).astype(np.float32)
    return np.kron(coarse, np.ones((8, 8, 1), np.float32))


def test_kernel_is_a_normalised_path_inside_its_support() -> None:
    for index in range(5):
        kernel = camera_shake_kernel(rng_for(0, index), 21, length=15.0, shake=index / 4)
        assert kernel.shape == (21, 21)
        assert kernel.min() >= 0 and kernel.sum() == pytest.approx(1.0, abs=1e-5)
        assert np.count_nonzero(kernel > 1e-3) > 5
        assert kernel[0].sum() == kernel[-1].sum() == 0


def test_kernels_vary_in_length_and_shape() -> None:
    short = camera_shake_kernel(rng_for(0, 0), 31, length=4.0, shake=0.5)
    long = camera_shake_kernel(rng_for(0, 0), 31, length=25.0, shake=0.5)
    assert np.count_nonzero(long > 1e-4) > 2 * np.count_nonzero(short > 1e-4)
    assert not np.allclose(
        camera_shake_kernel(rng_for(0, 1), 31, 20.0, 1.0), camera_shake_kernel(rng_for(0, 2), 31, 20.0, 1.0)
    )


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

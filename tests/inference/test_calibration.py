"""int8 calibration inputs: built-in photos on every install, seeded crops, photos reused in order, clear errors."""

from __future__ import annotations

import argparse

import cv2
import numpy as np
import pytest

from basicsr_lfdn.inference.image_io import read_image
from basicsr_lfdn.inference.quantize import (
    BUILTIN_LABEL,
    BUILTIN_PHOTOS,
    Calibration,
    add_calibration_arguments,
    builtin_calibration,
    builtin_photo_folder,
    calibration_from_args,
    calibration_inputs,
    calibration_key,
    card_calibration,
    describe,
)


def _photos(folder, count: int, size: tuple[int, int] = (48, 64)) -> None:
    folder.mkdir()
    rng = np.random.default_rng(1)
    for index in range(count):
        coarse = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        cv2.imwrite(str(folder / f'{index}.png'), cv2.resize(coarse, size[::-1], interpolation=cv2.INTER_CUBIC))


def test_builtin_photos_are_installed_natural_photos_large_enough_for_a_crop():
    folder = builtin_photo_folder()
    for name in BUILTIN_PHOTOS:
        rgb, _ = read_image(folder / name)
        assert min(rgb.shape[:2]) >= 256, name


def test_more_crops_than_photos_reuse_the_photos_and_stay_seeded(tmp_path):
    photos = tmp_path / 'photos'
    _photos(photos, 2)
    calibration = Calibration(photos, 'blur', {}, count=5, crop=32, seed=3)
    first, second = calibration_inputs(calibration), calibration_inputs(calibration)
    assert len(first) == 5 and all(crop.shape == (1, 3, 32, 32) for crop in first)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    other_seed = calibration_inputs(Calibration(photos, 'blur', {}, count=5, crop=32, seed=4))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other_seed))


def test_recipe_with_real_rain_layers_calibrates_on_synthetic_streaks(tmp_path):
    photos = tmp_path / 'photos'
    _photos(photos, 1)
    options = {'real_layer_probability': 0.8, 'layers_range': [1, 2]}
    inputs = calibration_inputs(Calibration(photos, 'rain', options, count=2, crop=32))
    assert len(inputs) == 2 and all(float(crop.max()) <= 1 for crop in inputs)


def test_missing_photos_name_the_folder(tmp_path):
    photos = tmp_path / 'photos'
    photos.mkdir()
    with pytest.raises(FileNotFoundError, match=f'--calibration {photos}: no photos'):
        calibration_inputs(Calibration(photos, 'blur', {}))
    with pytest.raises(FileNotFoundError, match='no file gone.png'):
        calibration_inputs(Calibration(photos, 'blur', {}, names=('gone.png',)))


def test_key_changes_with_every_setting_and_description_hides_the_install_path():
    base = builtin_calibration('rain', {'angle_range': [-10, 10]})
    variants = [
        builtin_calibration('blur', {'angle_range': [-10, 10]}),
        builtin_calibration('rain', {'angle_range': [-20, 10]}),
        Calibration(base.photos, 'rain', base.options, count=32, names=base.names),
        Calibration(base.photos, 'rain', base.options, crop=128, names=base.names),
        Calibration(base.photos, 'rain', base.options, seed=1, names=base.names),
        Calibration(base.photos, 'rain', base.options, names=base.names[1:]),
    ]
    keys = {calibration_key(base)} | {calibration_key(variant) for variant in variants}
    assert len(keys) == len(variants) + 1
    assert calibration_key(builtin_calibration('rain', {'angle_range': [-10, 10]})) == calibration_key(base)
    assert describe(base)['photos'] == BUILTIN_LABEL


def test_card_calibration_uses_the_tasks_degradation_and_training_options():
    card = {'task': 'deblur', 'training': {'degradation_opt': {'length_range': [3, 9]}}}
    calibration = card_calibration(card)
    assert calibration.degradation == 'blur' and calibration.options == {'length_range': [3, 9]}
    assert calibration.names == BUILTIN_PHOTOS


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_calibration_arguments(parser)
    return parser.parse_args(list(argv))


def test_command_line_calibration_defaults_to_the_builtin_photos(tmp_path):
    assert calibration_from_args(_args()) is None
    calibration = calibration_from_args(_args('--degradation', 'rain', '--degradation-opt', '{layers_range: [1, 2]}'))
    assert describe(calibration)['photos'] == BUILTIN_LABEL and calibration.options == {'layers_range': [1, 2]}
    with pytest.raises(ValueError, match='--calibration needs --degradation'):
        calibration_from_args(_args('--calibration', str(tmp_path)))
    with pytest.raises(FileNotFoundError, match='no such folder'):
        calibration_from_args(_args('--calibration', str(tmp_path / 'nope'), '--degradation', 'blur'))

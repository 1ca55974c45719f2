"""Real rain layers: ``input − target`` of real pairs put onto other clean photos, mixed with synthetic rain."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

import basicsr_lfdn  # noqa: F401  (registers the datasets; must precede basicsr imports)

# isort: split
from basicsr.data import build_dataset

from basicsr_lfdn.data import synthetic_degradation_dataset
from basicsr_lfdn.data.degradations import RainConfig, add_rain, add_real_rain, rain_layer_from_pair, rng_for

REPO = Path(__file__).resolve().parents[2]


def test_layer_is_rainy_minus_clean_and_signed() -> None:
    clean = np.full((4, 5, 3), 0.5, np.float32)
    rainy = clean.copy()
    rainy[1, 2] = 0.9  # a streak
    rainy[3, 0] = 0.25  # a veil can darken a bright pixel
    layer = rain_layer_from_pair(rainy, clean).astype(np.float32)
    assert layer[1, 2] == pytest.approx([0.4] * 3, abs=1e-3)
    assert layer[3, 0] == pytest.approx([-0.25] * 3, abs=1e-3)
    assert np.count_nonzero(layer) == 6
    with pytest.raises(ValueError, match='rainy image is'):
        rain_layer_from_pair(rainy, clean[:3])


def test_real_rain_adds_the_layer_times_its_gain_and_clips() -> None:
    image = np.full((8, 8, 3), 0.2, np.float32)
    layer = np.full((16, 16, 3), 0.3, np.float16)
    one = add_real_rain(image, rng_for(0, 0), [layer], RainConfig(layer_gain_range=(2.0, 2.0)))
    assert one == pytest.approx(np.full_like(image, 0.8), abs=1e-3)
    two = add_real_rain(
        image, rng_for(0, 0), [layer], RainConfig(layer_gain_range=(2.0, 2.0), second_layer_probability=1.0)
    )
    assert two.max() == 1.0 and two.min() == 1.0  # 0.2 + 2 · 0.6, clipped to the valid range
    dark = add_real_rain(image, rng_for(0, 0), [-layer], RainConfig(layer_gain_range=(1.0, 1.0)))
    assert dark.min() == 0.0


def test_real_rain_is_a_window_of_the_layer_or_its_mirror() -> None:
    rng = np.random.default_rng(1)
    layer = (rng.random((20, 30, 3)) * 0.5).astype(np.float16)
    image = np.zeros((6, 7, 3), np.float32)
    windows = {
        (top, left, mirrored) for top in range(20 - 6 + 1) for left in range(30 - 7 + 1) for mirrored in (False, True)
    }
    seen = set()
    for index in range(40):
        rainy = add_real_rain(image, rng_for(3, index), [layer], RainConfig(layer_gain_range=(1.0, 1.0)))
        match = [
            key
            for key in windows
            if np.allclose(
                rainy,
                np.clip(layer[key[0] : key[0] + 6, key[1] : key[1] + 7][:, :: -1 if key[2] else 1], 0, 1),
                atol=1e-6,
            )
        ]
        assert len(match) == 1
        seen.add(match[0])
    assert len(seen) > 20 and {mirrored for _, _, mirrored in seen} == {False, True}


def test_a_layer_smaller_than_the_image_is_repeated_not_rescaled() -> None:
    layer = np.zeros((4, 4, 1), np.float16)
    layer[0, 0] = 0.5  # one streak pixel per 4×4 tile
    rainy = add_real_rain(np.zeros((10, 9, 1), np.float32), rng_for(0, 0), [layer], RainConfig(layer_gain_range=(1, 1)))
    assert np.count_nonzero(rainy) in (4, 6, 9)  # whole tiles of the 10×9 window: one streak pixel each
    assert set(np.unique(rainy)) == {0.0, 0.5}


def test_mixture_rate_sets_the_share_of_real_layers() -> None:
    image = np.full((12, 12, 3), 0.1, np.float32)
    layer = np.full((12, 12, 3), 0.25, np.float16)  # a real-layer image is exactly 0.35 everywhere
    config = RainConfig(real_layer_probability=0.3, layer_gain_range=(1.0, 1.0), density_range=(0.05, 0.05))
    real = [np.allclose(add_rain(image, rng_for(0, index), config, [layer]), 0.35) for index in range(400)]
    assert 0.24 < np.mean(real) < 0.36
    with pytest.raises(ValueError, match='needs rain layers'):
        add_rain(image, rng_for(0, 0), config)


def test_rain_free_share_returns_that_share_of_photos_untouched() -> None:
    image = np.random.default_rng(1).random((12, 12, 3)).astype(np.float32)
    layer = np.full((12, 12, 3), 0.25, np.float16)
    config = RainConfig(rain_free_probability=0.25, real_layer_probability=1.0, layer_gain_range=(1.0, 1.0))
    dry = [np.array_equal(add_rain(image, rng_for(3, index), config, [layer]), image) for index in range(400)]
    assert 0.19 < np.mean(dry) < 0.31
    # A recipe without dry photos keeps the seeded inputs it had before the option existed.
    wet = RainConfig(real_layer_probability=1.0, layer_gain_range=(1.0, 1.0))
    assert np.allclose(add_rain(image, rng_for(3, 0), wet, [layer]), np.clip(image + 0.25, 0, 1))


def write_pair_folders(root: Path) -> tuple[Path, Path, Path]:
    """clean/ (4 backgrounds), and layers/{input,target}/r.png whose rain is +64 grey levels on every 4th column."""
    clean = root / 'clean'
    clean.mkdir()
    for name in ('a.png', 'b.png', 'c.png', 'val_scene.png'):
        cv2.imwrite(str(clean / name), np.full((32, 32, 3), 40, np.uint8))
    for folder in ('input', 'target'):
        (root / 'layers' / folder).mkdir(parents=True)
    target = np.full((32, 32, 3), 100, np.uint8)
    rainy = target.copy()
    rainy[:, ::4] += 64
    cv2.imwrite(str(root / 'layers' / 'target' / 'r.png'), target)
    cv2.imwrite(str(root / 'layers' / 'input' / 'r.png'), rainy)
    return clean, root / 'layers' / 'input', root / 'layers' / 'target'


def layer_options(clean: Path, rainy: Path, target: Path, **extra) -> dict:
    opt = {
        'type': 'SyntheticDegradationDataset',
        'name': 'layers',
        'phase': 'train',
        'gt_size': 16,
        'use_hflip': False,
        'use_rot': False,
        'io_backend': {'type': 'disk'},
        'dataroot_gt': str(clean),
        'degradation': 'rain',
        'degradation_opt': {'real_layer_probability': 1.0, 'layer_gain_range': [1.0, 1.0]},
        'rain_layers': [{'dataroot_lq': str(rainy), 'dataroot_gt': str(target), 'names': ['r.png']}],
        'exclude': ['val_scene.png'],
    }
    opt.update(extra)
    return opt


def test_dataset_puts_real_layers_on_backgrounds_and_excludes_validation_scenes(tmp_path: Path) -> None:
    clean, rainy, target = write_pair_folders(tmp_path)
    dataset = build_dataset(layer_options(clean, rainy, target))
    assert sorted(Path(path).name for path, _ in dataset.paths) == ['a.png', 'b.png', 'c.png']
    for index in range(6):
        item = dataset[index % len(dataset)]
        difference = np.round((item['lq'] - item['gt']).numpy() * 255)
        assert set(np.unique(difference)) == {0.0, 64.0}  # the recorded rain, nothing else
        assert (item['gt'].numpy() * 255).round().max() == 40  # on the background, not the layer's scene


def test_layers_are_read_once_per_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean, rainy, target = write_pair_folders(tmp_path)
    calls = []
    original = synthetic_degradation_dataset.load_rain_layers
    monkeypatch.setattr(
        synthetic_degradation_dataset, 'load_rain_layers', lambda specs: calls.append(1) or original(specs)
    )
    dataset = build_dataset(layer_options(clean, rainy, target))
    assert calls == []  # not in the main process at build time: each worker reads its own copy
    for index in range(5):
        dataset[index % len(dataset)]
    assert len(calls) == 1


def test_bad_layer_options_name_the_problem(tmp_path: Path) -> None:
    clean, rainy, target = write_pair_folders(tmp_path)
    with pytest.raises(ValueError, match=re.escape("exclude names images that are not in dataroot_gt: ['nope.png']")):
        build_dataset(layer_options(clean, rainy, target, exclude=['nope.png']))
    missing = layer_options(clean, rainy, target)
    missing['rain_layers'][0]['names'] = ['gone.png']
    with pytest.raises(OSError, match='gone.png'):
        build_dataset(missing)[0]
    with pytest.raises(ValueError, match='rain_layers needs degradation: rain'):
        build_dataset(layer_options(clean, rainy, target, degradation='blur', degradation_opt={}))


def test_derain_recipe_keeps_validation_pairs_and_their_scenes_out_of_training() -> None:
    base = yaml.safe_load((REPO / 'options' / '_base_' / 'derain_real_layers.yml').read_text(encoding='utf-8'))
    train = base['datasets']['train']
    # RainTrainH-sample 11-14 are validation; their clean images are these BSDS photos (shared README).
    assert {Path(name).stem for name in train['exclude']} == {'105025', '105053', '106020', '106024'}
    validation = {
        base['datasets'][key]['dataroot_lq']: (REPO / base['datasets'][key]['meta_info_file']).read_text().split()
        for key in ('val', 'val_2')
    }
    for spec in train['rain_layers']:
        held_out = set(validation.get(spec['dataroot_lq'], []))
        assert held_out, f'no validation split declared for {spec["dataroot_lq"]}'
        assert held_out.isdisjoint(spec['names'])

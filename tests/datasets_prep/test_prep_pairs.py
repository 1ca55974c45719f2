"""Prepared rain pairs are the right way round: ``input/`` holds the rainy image, ``target/`` the clean one.

The fixtures draw bright rain streaks over smooth clean images, so the rainy side of a pair is
measurably rainier (brighter, far more gradient energy) than the clean side; every prepared pair is
checked by that statistic, and a known pair pixel for pixel against its source files.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from datasets_prep.cli import run

HEIGHT, WIDTH = 40, 56


def clean_image(seed: int) -> np.ndarray:
    """A smooth colour image."""
    coarse = np.random.default_rng(seed).uniform(40, 160, (HEIGHT // 8 + 1, WIDTH // 8 + 1, 3)).astype(np.float32)
    return cv2.resize(coarse, (WIDTH, HEIGHT), interpolation=cv2.INTER_LINEAR).astype(np.uint8)


def add_rain(clean: np.ndarray, seed: int) -> np.ndarray:
    """The image with twenty bright diagonal streaks."""
    rng = np.random.default_rng(seed)
    streaks = np.zeros((HEIGHT, WIDTH), np.uint8)
    for _ in range(20):
        x, y = int(rng.integers(0, WIDTH)), int(rng.integers(0, HEIGHT))
        cv2.line(streaks, (x, y), (x + 4, y + 12), 90, 1)
    return np.clip(clean.astype(np.int16) + streaks[:, :, None], 0, 255).astype(np.uint8)


def gradient_energy(image: np.ndarray) -> float:
    """Mean squared horizontal and vertical difference: rain streaks raise it, blur lowers it."""
    image = image.astype(np.float64)
    return float(np.mean(np.diff(image, axis=0) ** 2) + np.mean(np.diff(image, axis=1) ** 2))


def write(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), image)


def assert_every_input_is_the_rainy_side(split_dir: Path, count: int) -> None:
    names = sorted(path.name for path in (split_dir / 'input').iterdir())
    assert len(names) == count and names == sorted(path.name for path in (split_dir / 'target').iterdir())
    for name in names:
        rainy, clean = (cv2.imread(str(split_dir / side / name)) for side in ('input', 'target'))
        assert rainy.mean() > clean.mean() + 1.0, name
        assert gradient_energy(rainy) > 3 * gradient_energy(clean), name


def assert_same_pixels(prepared: Path, source: Path) -> None:
    np.testing.assert_array_equal(cv2.imread(str(prepared)), cv2.imread(str(source)))


@pytest.mark.parametrize('layout', ['flat', 'folders', 'input_target'])
def test_rain100_input_is_the_rainy_image(layout: str, tmp_path: Path) -> None:
    """rain-NNN.png + norain-NNN.png side by side, rainy/ + norain/ folders, or input/ + target/."""
    src = tmp_path / 'Rain100L'
    rainy_name, clean_name = {
        'flat': ('rain-{}.png', 'norain-{}.png'),
        'folders': ('rainy/rain-{}.png', 'norain/norain-{}.png'),
        'input_target': ('input/{}.png', 'target/{}.png'),
    }[layout]
    for number in ('001', '002', '003'):
        clean = clean_image(int(number))
        write(src / rainy_name.format(number), add_rain(clean, int(number)))
        write(src / clean_name.format(number), clean)
    out = tmp_path / 'out'
    run(['rain100', '--src', str(src), '--variant', 'L', '--out', str(out), '--workers', '1'])
    assert_every_input_is_the_rainy_side(out / 'test', 3)
    assert_same_pixels(out / 'test' / 'input' / '002.png', src / rainy_name.format('002'))
    assert_same_pixels(out / 'test' / 'target' / '002.png', src / clean_name.format('002'))


def test_rain14000_input_is_the_rainy_variant_and_target_its_clean_image(tmp_path: Path) -> None:
    """rainy_image/N_M.jpg are rain variants of ground_truth/N.jpg (JPEG; PNG after preparation)."""
    src = tmp_path / 'Rain14000'
    for image_id in range(1, 6):
        clean = clean_image(image_id)
        write(src / 'ground_truth' / f'{image_id}.jpg', clean)
        for variant in (1, 2):
            write(src / 'rainy_image' / f'{image_id}_{variant}.jpg', add_rain(clean, 10 * image_id + variant))
    out = tmp_path / 'out'
    run(['rain14000', '--src', str(src), '--out', str(out), '--train-fraction', '0.6', '--workers', '1'])
    assert_every_input_is_the_rainy_side(out / 'train', 3 * 2)
    assert_every_input_is_the_rainy_side(out / 'test', 2 * 2)
    split = 'train' if (out / 'train' / 'input' / '4_1.png').is_file() else 'test'
    assert_same_pixels(out / split / 'input' / '4_1.png', src / 'rainy_image' / '4_1.jpg')
    assert_same_pixels(out / split / 'target' / '4_1.png', src / 'ground_truth' / '4.jpg')
    assert_same_pixels(out / split / 'target' / '4_2.png', src / 'ground_truth' / '4.jpg')

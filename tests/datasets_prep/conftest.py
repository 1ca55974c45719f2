"""Tiny fixture trees in each benchmark's downloaded layout (24×32 images)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

HEIGHT, WIDTH = 24, 32


def write_image(path: Path, seed: int, height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """Write a random colour image (any extension cv2 knows) and return its pixels."""
    image = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), image)
    return image


@pytest.fixture
def image_writer():
    """The ``write_image`` helper, for tests that build their own small trees."""
    return write_image


@pytest.fixture
def gopro_tree(tmp_path: Path) -> Path:
    """GOPRO_Large with two sequences per split whose frame names repeat."""
    root = tmp_path / 'GOPRO_Large'
    seed = 0
    for split, sequences in (('train', ('GOPR0372_07_00', 'GOPR0374_11_00')), ('test', ('GOPR0384_11_00',))):
        for sequence in sequences:
            for frame in ('000047', '000048'):
                for folder in ('blur', 'blur_gamma', 'sharp'):
                    seed += 1
                    write_image(root / split / sequence / folder / f'{frame}.png', seed)
    return root


@pytest.fixture
def hide_tree(tmp_path: Path) -> Path:
    root = tmp_path / 'HIDE_dataset'
    names = {
        'train': ['1fromGOPR0950.MP4.png', '2fromGOPR0950.MP4.png'],
        'test/test-close-ups': ['3fromGOPR1096.MP4.png', '4fromGOPR1096.MP4.png'],
        'test/test-long-shot': ['5fromGOPR1097.MP4.png'],
    }
    for seed, (folder, files) in enumerate(names.items()):
        for offset, name in enumerate(files):
            write_image(root / folder / name, 10 * seed + offset)
            write_image(root / 'GT' / name, 100 + 10 * seed + offset)
    return root


@pytest.fixture
def kohler_tree(tmp_path: Path) -> Path:
    """2 images × 2 kernels with one GroundTruth<img>_<kernel>.png per blurred image."""
    root = tmp_path / 'Kohler'
    for img in (1, 2):
        for kernel in (1, 2):
            write_image(root / 'Blurry' / f'Blurry{img}_{kernel}.png', img * 10 + kernel)
            write_image(root / 'GroundTruth' / f'GroundTruth{img}_{kernel}.png', 100 + img * 10 + kernel)
    return root


@pytest.fixture
def rain14000_tree(tmp_path: Path) -> Path:
    """Fu et al.'s layout at test scale: 10 clean images × 14 rain variants, JPEG."""
    root = tmp_path / 'Rain14000'
    for image_id in range(1, 11):
        write_image(root / 'ground_truth' / f'{image_id}.jpg', image_id)
        for variant in range(1, 15):
            write_image(root / 'rainy_image' / f'{image_id}_{variant}.jpg', 1000 + 100 * image_id + variant)
    return root


@pytest.fixture
def paired_tree(tmp_path: Path) -> Path:
    """input/ (JPEG) + target/ (PNG) folders with matching stems, e.g. Test100 or Test2800."""
    root = tmp_path / 'Test100'
    for index in range(1, 4):
        write_image(root / 'input' / f'{index}.jpg', index)
        write_image(root / 'target' / f'{index}.png', 50 + index)
    return root


@pytest.fixture
def realblur_tree(tmp_path: Path) -> Path:
    root = tmp_path / 'RealBlur'
    base = 'RealBlur-J_ECC_IMCORR_centroid_itensity_ref'
    lines = {'train': [], 'test': []}
    for split, scene in (('train', 'scene001'), ('train', 'scene002'), ('test', 'scene230')):
        for index in (1, 2):
            gt, blur = f'{base}/{scene}/gt/gt_{index}.png', f'{base}/{scene}/blur/blur_{index}.png'
            write_image(root / gt, index)
            write_image(root / blur, 10 + index)
            lines[split].append(f'{gt} {blur}\n')
    for split, split_lines in lines.items():
        (root / f'RealBlur_J_{split}_list.txt').write_text(''.join(split_lines))
    return root

"""Small paired deblur / derain sets built offline from scikit-image's bundled photos.

Used by the quick start and the tests: no download, about 3 MB, a few seconds to build, identical
on every machine (fixed seeds, lossless PNG). Layout::

    <root>/deblur/{train,val}/{input,target}/*.png + meta_info.txt
    <root>/derain/{train,val}/{input,target}/*.png + meta_info.txt
    <root>/README.txt   (provenance; its presence marks a complete build)

Train pairs are 128×128 tiles of five photos at half resolution, val pairs are 192×256 crops of two
other photos. Inputs are the targets degraded by :mod:`basicsr_lfdn.data.degradations`
(camera-shake blur + sensor noise, or rain streaks).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
from skimage import data as skdata

from basicsr_lfdn.data.degradations import BlurConfig, RainConfig, degrade, rng_for

DEMO_VERSION = 'basicsr-lfdn demo data v2'
TRAIN_PHOTOS = ('astronaut', 'coffee', 'rocket', 'camera', 'gravel')
VAL_PHOTOS = ('chelsea', 'stereo_motorcycle')
TILE = 128
VAL_SIZE = (192, 256)
TASKS = {
    'deblur': ('blur', BlurConfig(kernel_size=13, length_range=(3.0, 9.0), read_noise_range=(0.002, 0.006))),
    'derain': ('rain', RainConfig()),
}
TASK_SEEDS = {'deblur': 2021, 'derain': 2022}


def load_photo(name: str) -> np.ndarray:
    """A scikit-image sample photo as H×W×3 uint8 BGR (grey photos are replicated to 3 channels)."""
    image = getattr(skdata, name)()
    if isinstance(image, tuple):
        image = image[0]
    image = np.asarray(image)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2BGR)


def half_size(image: np.ndarray) -> np.ndarray:
    height, width = image.shape[:2]
    return cv2.resize(image, (width // 2, height // 2), interpolation=cv2.INTER_AREA)


def train_tiles() -> list[tuple[str, np.ndarray]]:
    """Non-overlapping TILE×TILE tiles of each half-resolution training photo."""
    tiles = []
    for name in TRAIN_PHOTOS:
        photo = half_size(load_photo(name))
        height, width = photo.shape[:2]
        for row in range(height // TILE):
            for col in range(width // TILE):
                tile = photo[row * TILE : (row + 1) * TILE, col * TILE : (col + 1) * TILE]
                tiles.append((f'{name}_r{row}c{col}', tile))
    return tiles


def val_crops() -> list[tuple[str, np.ndarray]]:
    """A centred VAL_SIZE crop of each validation photo (downscaled first when it is large)."""
    crops = []
    for name in VAL_PHOTOS:
        photo = load_photo(name)
        if min(photo.shape[:2]) >= 2 * VAL_SIZE[0]:
            photo = half_size(photo)
        height, width = photo.shape[:2]
        top, left = (height - VAL_SIZE[0]) // 2, (width - VAL_SIZE[1]) // 2
        crops.append((name, photo[top : top + VAL_SIZE[0], left : left + VAL_SIZE[1]]))
    return crops


def write_split(
    split_dir: Path, images: list[tuple[str, np.ndarray]], kind: str, config: BlurConfig | RainConfig, seed: int
) -> None:
    """Degrade each clean image with its own seeded generator and write the pair plus meta_info.txt."""
    (split_dir / 'input').mkdir(parents=True)
    (split_dir / 'target').mkdir()
    lines = []
    for index, (name, clean) in enumerate(images):
        degraded = degrade(clean.astype(np.float32) / 255.0, kind, rng_for(seed, index), config)
        degraded_u8 = np.clip(np.rint(degraded * 255.0), 0, 255).astype(np.uint8)
        cv2.imwrite(str(split_dir / 'input' / f'{name}.png'), degraded_u8)
        cv2.imwrite(str(split_dir / 'target' / f'{name}.png'), clean)
        height, width, channels = clean.shape
        lines.append(f'{name}.png ({height},{width},{channels})\n')
    (split_dir / 'meta_info.txt').write_text(''.join(lines), encoding='utf-8')


def ensure_demo_data(root: str | Path = 'datasets/Demo', force: bool = False) -> Path:
    """Build the demo sets under ``root`` unless a complete build is already there; returns ``root``.

    Args:
        root: output folder.
        force: rebuild even when a complete build exists.

    The build goes to a temporary sibling folder that replaces ``root`` only when complete, so an
    interrupted build never leaves a half-written demo set. An unrelated non-empty ``root`` is never
    deleted without ``force``.
    """
    root = Path(root)
    marker = root / 'README.txt'
    if not force and marker.is_file() and marker.read_text(encoding='utf-8').startswith(DEMO_VERSION):
        return root
    if root.exists() and any(root.iterdir()) and not force:
        raise FileExistsError(f'{root} exists but is not a complete demo build; remove it or pass force=True')
    staging = root.parent / f'.{root.name}.partial-{os.getpid()}'
    if staging.exists():
        shutil.rmtree(staging)
    splits = {'train': train_tiles(), 'val': val_crops()}
    for task, (kind, config) in TASKS.items():
        for offset, (split, images) in enumerate(splits.items()):
            write_split(staging / task / split, images, kind, config, TASK_SEEDS[task] + 1000 * offset)
    (staging / 'README.txt').write_text(
        f'{DEMO_VERSION}\n'
        f'Clean targets: scikit-image sample photos (train: {", ".join(TRAIN_PHOTOS)}; '
        f'val: {", ".join(VAL_PHOTOS)}).\n'
        'Inputs: synthetic camera-shake blur + sensor noise (deblur) or rain streaks (derain) from '
        'basicsr_lfdn.data.degradations, fixed seeds.\n',
        encoding='utf-8',
    )
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, root)
    return root

"""What the plugin's datasets add to BasicSR's data utilities, and nothing more.

BasicSR already provides path discovery (``paired_paths_from_folder/_lmdb/_meta_info_file``), the
file client, ``paired_random_crop`` and ``augment``. Added here: lists of roots, pair lists whose
input and target names differ, reflect padding of images smaller than the crop, and decoding errors
that name the file.
"""

from __future__ import annotations

import os
import os.path as osp
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from basicsr.data.transforms import augment, paired_random_crop
from basicsr.utils import FileClient, imfrombytes

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def as_path_list(value: str | Path | Sequence[str | Path], option: str) -> list[str]:
    """A path option given as one path or a list of paths, as a list of strings."""
    values = [value] if isinstance(value, (str, Path)) else list(value)
    if not values:
        raise ValueError(f'option {option} is empty')
    return [str(item) for item in values]


def is_pair_list(meta_info_file: str) -> bool:
    """True when lines name two files (``<target> <input>``) rather than BasicSR's ``<name> (h,w,c)``."""
    with open(meta_info_file, encoding='utf-8') as handle:
        for line in handle:
            fields = line.split()
            if len(fields) >= 2 and not fields[1].startswith('('):
                return True
    return False


def paired_paths_from_pair_list(folders: Sequence[str], keys: Sequence[str], pair_list: str) -> list[dict[str, str]]:
    """Pairs from ``<target path> <input path>`` lines (RealBlur style), each relative to its root.

    Args:
        folders: [input_root, target_root].
        keys: [input_key, target_key], e.g. ['lq', 'gt'].
        pair_list: text file, one pair per line; extra columns are ignored.
    """
    input_root, target_root = folders
    input_key, target_key = keys
    paths = []
    with open(pair_list, encoding='utf-8') as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) < 2:
                raise ValueError(f'{pair_list}:{number}: expected "<target> <input>", got {line.strip()!r}')
            paths.append(
                {
                    f'{input_key}_path': osp.join(input_root, fields[1]),
                    f'{target_key}_path': osp.join(target_root, fields[0]),
                }
            )
    return paths


def read_image(file_client: FileClient, path: str, client_key: str) -> np.ndarray:
    """Read and decode one image as H×W×3 float32 BGR in [0, 1]; failures name the file."""
    try:
        content = file_client.get(path, client_key)
    except OSError as error:
        raise OSError(f'cannot read image {path}: {error}') from error
    if content is None:
        raise KeyError(f'key {path} not found in the LMDB of {client_key}')
    try:
        img = imfrombytes(content, float32=True)
    except (AttributeError, ValueError) as error:
        raise OSError(f'cannot decode image {path} (corrupt or truncated)') from error
    return img


def check_same_size(img_gt: np.ndarray, img_lq: np.ndarray, gt_path: str, lq_path: str) -> None:
    if img_gt.shape[:2] != img_lq.shape[:2]:
        raise ValueError(
            f'input {lq_path} is {img_lq.shape[1]}x{img_lq.shape[0]} but target {gt_path} is '
            f'{img_gt.shape[1]}x{img_gt.shape[0]}; restoration pairs must have the same size'
        )


def pad_to_min_size(imgs: list[np.ndarray], size: int, path: str, pad_if_smaller: bool) -> list[np.ndarray]:
    """Reflect-pad H×W×C images at the bottom/right up to ``size``, or reject them naming ``path``.

    Never silently crops something smaller than the patch: either this pads (``pad_if_smaller``)
    or raises.
    """
    height, width = imgs[0].shape[:2]
    if height >= size and width >= size:
        return imgs
    if not pad_if_smaller:
        raise ValueError(
            f'{path} is {width}x{height}, smaller than gt_size {size}; '
            'set pad_if_smaller: true to reflect-pad it, or remove it from the dataset'
        )
    pad = ((0, max(size - height, 0)), (0, max(size - width, 0)), (0, 0))
    return [np.pad(img, pad, mode='reflect') for img in imgs]


def train_crop_and_augment(
    img_gt: np.ndarray, img_lq: np.ndarray, opt: dict, gt_path: str
) -> tuple[np.ndarray, np.ndarray]:
    """Identical random ``gt_size`` crop, flips and 90° rotations on both H×W×C images (scale 1)."""
    gt_size = opt.get('gt_size')
    if not gt_size:
        raise ValueError('train phase needs the option gt_size (patch size)')
    img_gt, img_lq = pad_to_min_size([img_gt, img_lq], gt_size, gt_path, opt.get('pad_if_smaller', False))
    img_gt, img_lq = paired_random_crop(img_gt, img_lq, gt_size, 1, gt_path)
    img_gt, img_lq = augment([img_gt, img_lq], opt.get('use_hflip', True), opt.get('use_rot', True))
    return np.ascontiguousarray(img_gt), np.ascontiguousarray(img_lq)


def image_files(folder: str) -> list[str]:
    """Image file names directly in ``folder`` (meta_info.txt and other files are skipped), sorted."""
    if not osp.isdir(folder):
        raise FileNotFoundError(f'dataset folder not found: {folder}')
    return sorted(name for name in os.listdir(folder) if name.lower().endswith(IMAGE_EXTENSIONS))

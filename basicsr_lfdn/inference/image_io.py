"""Image files in and out of the restoration CLI, keeping what the user's file had.

A network sees an RGB float image in [0, 1]; a user's file may be 8- or 16-bit, grayscale,
carry an alpha channel, or be stored sideways with an EXIF orientation tag. ``read_image``
turns any of these into the network's form and remembers the rest in ``ImageMeta``;
``write_image`` undoes it, so the output has the input's depth, channel count and alpha.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp', '.ppm', '.pgm')

_EXIF_ORIENTATION_TAG = 0x0112


class ImageReadError(RuntimeError):
    """A file could not be decoded as an image (message names the file)."""


@dataclass
class ImageMeta:
    """What ``write_image`` needs to give the output the input's form.

    Attributes:
        dtype: numpy dtype of the stored samples (uint8 or uint16).
        grayscale: the file had a single colour channel (replicated to RGB for the network).
        alpha: the alpha channel, H×W in the file's dtype and already EXIF-oriented, or None.
    """

    dtype: np.dtype
    grayscale: bool
    alpha: np.ndarray | None


def _max_value(dtype: np.dtype) -> float:
    return float(np.iinfo(dtype).max)


def read_exif_orientation(path: str | os.PathLike) -> int:
    """EXIF orientation (1..8) of ``path``; 1 (upright) when the file has none or Pillow cannot read it.

    OpenCV's ``IMREAD_UNCHANGED`` (needed to keep 16-bit depth and alpha) ignores this tag, so
    the CLI applies it itself.
    """
    try:
        from PIL import Image

        with Image.open(path) as image:
            orientation = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return int(orientation) if orientation in range(1, 9) else 1


def apply_exif_orientation(array: np.ndarray, orientation: int) -> np.ndarray:
    """Rotate/flip an H×W[×C] array as EXIF ``orientation`` prescribes, giving the upright image."""
    if orientation == 2:
        return array[:, ::-1]
    if orientation == 3:
        return array[::-1, ::-1]
    if orientation == 4:
        return array[::-1]
    if orientation == 5:
        return array.swapaxes(0, 1)
    if orientation == 6:
        return np.rot90(array, k=-1)
    if orientation == 7:
        return array.swapaxes(0, 1)[::-1, ::-1]
    if orientation == 8:
        return np.rot90(array, k=1)
    return array


def read_image(path: str | os.PathLike) -> tuple[np.ndarray, ImageMeta]:
    """Decode ``path`` into the network's input form.

    Returns:
        ``(rgb, meta)``: ``rgb`` is H×W×3 float32 RGB in [0, 1], upright per EXIF; ``meta`` keeps
        the depth, grayscale flag and untouched alpha for ``write_image``.

    Raises:
        ImageReadError: the file is missing, not an image, or has an unsupported sample type.
    """
    path = Path(path)
    if not path.is_file():
        raise ImageReadError(f'{path}: file not found')
    data = np.fromfile(path, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        raise ImageReadError(f'{path}: not a readable image (corrupt or unsupported format)')
    if image.dtype not in (np.uint8, np.uint16):
        raise ImageReadError(f'{path}: unsupported sample type {image.dtype} (expected 8- or 16-bit integers)')
    image = np.ascontiguousarray(apply_exif_orientation(image, read_exif_orientation(path)))

    if image.ndim == 2:
        image = image[:, :, None]
    channels = image.shape[2]
    if channels not in (1, 3, 4):
        raise ImageReadError(f'{path}: unsupported channel count {channels}')
    alpha = image[:, :, 3].copy() if channels == 4 else None
    color = image[:, :, :-1] if alpha is not None else image
    grayscale = color.shape[2] == 1
    scaled = color.astype(np.float32) / _max_value(image.dtype)
    rgb = np.repeat(scaled, 3, axis=2) if grayscale else scaled[:, :, ::-1]
    return np.ascontiguousarray(rgb), ImageMeta(dtype=image.dtype, grayscale=grayscale, alpha=alpha)


def write_image(path: str | os.PathLike, rgb: np.ndarray, meta: ImageMeta) -> None:
    """Encode a restored H×W×3 float RGB image (any range; clipped to [0, 1]) in the input's form.

    Grayscale inputs get the mean of the three output channels back (the inverse of the
    replication in ``read_image``); the alpha channel is re-attached exactly as read.

    The file is written to a temporary name and renamed, so an interrupted run never leaves a
    truncated output that a later run would skip as existing.

    Raises:
        OSError: the encoder failed (message names the file).
    """
    path = Path(path)
    scale = _max_value(meta.dtype)
    samples = np.clip(rgb, 0.0, 1.0)
    color = samples.mean(axis=2, keepdims=True) if meta.grayscale else samples[:, :, ::-1]
    stored = np.rint(color * scale).astype(meta.dtype)
    if meta.alpha is not None:
        stored = np.concatenate([stored, meta.alpha[:, :, None]], axis=2)
    if stored.shape[2] == 1:
        stored = stored[:, :, 0]
    ok, encoded = cv2.imencode(path.suffix or '.png', stored)
    if not ok:
        raise OSError(f'{path}: OpenCV could not encode a {stored.dtype} image with {path.suffix!r}')
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f'.{path.name}.partial')
    encoded.tofile(partial)
    os.replace(partial, path)

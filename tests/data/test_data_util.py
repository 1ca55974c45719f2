"""Training crops and padding: what a photo goes through before it reaches the network."""

from __future__ import annotations

import numpy as np
import pytest

from basicsr_lfdn.data.data_util import as_path_list, pad_to_min_size, train_crop_and_augment

SIDE = 24


def _transforms_seen(opt: dict, draws: int = 40) -> set[str]:
    """Which of the 8 flips/rotations of a window of the source each crop is (by exact pixel match)."""
    source = np.random.default_rng(0).random((SIDE, SIDE, 1)).astype(np.float32)
    variants = {
        'identity': lambda a: a,
        'hflip': lambda a: a[:, ::-1],
        'vflip': lambda a: a[::-1],
        'rot180': lambda a: a[::-1, ::-1],
        'transpose': lambda a: a.transpose(1, 0, 2),
        'rot90': lambda a: a.transpose(1, 0, 2)[::-1],
        'rot270': lambda a: a.transpose(1, 0, 2)[:, ::-1],
        'antitranspose': lambda a: a.transpose(1, 0, 2)[::-1, ::-1],
    }
    windows = [source[y : y + 8, x : x + 8] for y in range(SIDE - 7) for x in range(SIDE - 7)]
    seen = set()
    for _ in range(draws):
        # copies: BasicSR's augment flips in place, which would also flip the source
        gt, lq = train_crop_and_augment(source.copy(), source + 1, {'gt_size': 8, **opt}, 'photo.png')
        np.testing.assert_array_equal(lq, gt + 1)  # the pair moves together
        seen |= {name for name, undo in variants.items() if any(np.array_equal(undo(gt), w) for w in windows)}
    return seen


def test_crops_are_flipped_and_rotated_unless_switched_off():
    assert _transforms_seen({'use_hflip': False, 'use_rot': False}) == {'identity'}
    assert 'hflip' in _transforms_seen({'use_rot': False})
    assert {'vflip', 'transpose'} <= _transforms_seen({})


def test_large_enough_images_are_not_padded_and_small_ones_are_padded_to_size():
    image = np.zeros((10, 12, 3), np.float32)
    assert pad_to_min_size([image], 10, 'a.png', pad_if_smaller=True)[0].shape == (10, 12, 3)
    assert pad_to_min_size([image], 12, 'a.png', pad_if_smaller=True)[0].shape == (12, 12, 3)
    tall = np.zeros((12, 10, 3), np.float32)
    assert pad_to_min_size([tall], 11, 'a.png', pad_if_smaller=True)[0].shape == (12, 11, 3)  # height kept
    with pytest.raises(ValueError, match='a.png is 12x10, smaller than gt_size 12'):
        pad_to_min_size([image], 12, 'a.png', pad_if_smaller=False)


def test_empty_path_options_are_named():
    with pytest.raises(ValueError, match='option dataroot_gt is empty'):
        as_path_list([], 'dataroot_gt')

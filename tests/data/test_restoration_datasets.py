"""PairedRestorationDataset and SyntheticDegradationDataset read aligned pairs from every backend."""

from __future__ import annotations

import gc
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the datasets; must precede basicsr imports)

# isort: split
from basicsr.data import build_dataset
from basicsr.utils.lmdb_util import make_lmdb_from_imgs
from basicsr.utils.registry import DATASET_REGISTRY

HEIGHT, WIDTH = 24, 32


def make_pairs(root: Path, names: list[str], seed: int = 0, lq_names: list[str] | None = None) -> tuple[Path, Path]:
    """target/<name> random images and input/<lq name> = their inverse, so alignment is checkable."""
    rng = np.random.default_rng(seed)
    for folder in ('input', 'target'):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name, lq_name in zip(names, lq_names or names):
        gt = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
        cv2.imwrite(str(root / 'target' / name), gt)
        cv2.imwrite(str(root / 'input' / lq_name), 255 - gt)
    return root / 'input', root / 'target'


def base_options(dataset_type: str, name: str, phase: str, **extra) -> dict:
    """Keys every dataset test shares: disk backend, 16 px crops, flips and rotations."""
    opt = {'type': dataset_type, 'name': name, 'io_backend': {'type': 'disk'}, 'phase': phase, 'gt_size': 16}
    opt.update(use_hflip=True, use_rot=True)
    opt.update(extra)
    return opt


def options(lq, gt, phase: str = 'train', **extra) -> dict:
    return base_options('PairedRestorationDataset', 'test', phase, dataroot_lq=lq, dataroot_gt=gt, **extra)


def assert_aligned(item: dict, size: tuple[int, int]) -> None:
    assert item['lq'].shape == item['gt'].shape == (3, *size)
    assert item['lq'].dtype == torch.float32
    assert torch.allclose(item['lq'], 1 - item['gt'], atol=1e-6)


def test_registered_in_basicsr() -> None:
    assert DATASET_REGISTRY.get('PairedRestorationDataset').__name__ == 'PairedRestorationDataset'
    assert DATASET_REGISTRY.get('SyntheticDegradationDataset').__name__ == 'SyntheticDegradationDataset'


def test_folder_backend_crops_identically(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path, ['a.png', 'b.png'])
    dataset = build_dataset(options(str(lq), str(gt)))
    assert len(dataset) == 2
    for _ in range(4):
        assert_aligned(dataset[1], (16, 16))
    assert dataset[0]['gt_path'].endswith('a.png') and dataset[0]['lq_path'].endswith('a.png')


def test_validation_returns_the_full_image(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path, ['a.png'])
    item = build_dataset(options(str(lq), str(gt), phase='val'))[0]
    assert_aligned(item, (HEIGHT, WIDTH))
    expected = cv2.imread(str(gt / 'a.png'))[..., ::-1].transpose(2, 0, 1) / 255.0
    assert np.allclose(item['gt'].numpy(), expected, atol=1e-6)


def test_meta_info_and_pair_list_backends(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path, ['a.png', 'b.png', 'c.png'], lq_names=['a_rain.png', 'b_rain.png', 'c_rain.png'])
    pair_list = tmp_path / 'pairs.txt'
    pair_list.write_text('a.png a_rain.png\nc.png c_rain.png\n')
    dataset = build_dataset(options(str(lq), str(gt), meta_info_file=str(pair_list)))
    assert len(dataset) == 2
    assert dataset[1]['lq_path'].endswith('c_rain.png')
    assert_aligned(dataset[1], (16, 16))

    meta = tmp_path / 'meta_info.txt'
    meta.write_text('b.png (24,32,3)\n')
    dataset = build_dataset(options(str(lq), str(gt), meta_info_file=str(meta), filename_tmpl='{}_rain'))
    assert len(dataset) == 1 and dataset[0]['lq_path'].endswith('b_rain.png')
    assert_aligned(dataset[0], (16, 16))


def test_lmdb_backend(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path / 'disk', ['a.png', 'b.png'])
    for folder, name in ((lq, 'input.lmdb'), (gt, 'target.lmdb')):
        make_lmdb_from_imgs(str(folder), str(tmp_path / name), ['a.png', 'b.png'], ['a', 'b'])
    opt = options(str(tmp_path / 'input.lmdb'), str(tmp_path / 'target.lmdb'), io_backend={'type': 'lmdb'})
    dataset = build_dataset(opt)
    assert len(dataset) == 2 and dataset[0]['gt_path'] == 'a'
    assert_aligned(dataset[0], (16, 16))
    del dataset  # one process may hold an LMDB environment only once
    gc.collect()
    val_item = build_dataset({**opt, 'phase': 'val', 'io_backend': {'type': 'lmdb'}})[1]
    assert_aligned(val_item, (HEIGHT, WIDTH))


def test_several_roots_are_concatenated(tmp_path: Path) -> None:
    lq1, gt1 = make_pairs(tmp_path / 'one', ['a.png', 'b.png'], seed=1)
    lq2, gt2 = make_pairs(tmp_path / 'two', ['a.png'], seed=2)
    dataset = build_dataset(options([str(lq1), str(lq2)], [str(gt1), str(gt2)], phase='val'))
    assert len(dataset) == 3
    assert '/two/' in dataset[2]['gt_path']
    for index in range(3):
        assert_aligned(dataset[index], (HEIGHT, WIDTH))


def test_small_images_are_rejected_or_padded(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path, ['a.png'])
    with pytest.raises(ValueError, match=r'a\.png is 32x24, smaller than gt_size 28; set pad_if_smaller'):
        build_dataset(options(str(lq), str(gt), gt_size=28))[0]
    item = build_dataset(options(str(lq), str(gt), gt_size=28, pad_if_smaller=True))[0]
    assert_aligned(item, (28, 28))


def test_bad_pairs_name_the_file(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path, ['a.png', 'b.png'])
    cv2.imwrite(str(lq / 'b.png'), np.zeros((20, WIDTH, 3), np.uint8))
    dataset = build_dataset(options(str(lq), str(gt)))
    with pytest.raises(ValueError, match=r'input .*b\.png is 32x20 but target .*b\.png is 32x24'):
        dataset[1]
    (gt / 'a.png').write_bytes((gt / 'a.png').read_bytes()[:40])
    with pytest.raises(OSError, match=r'cannot decode image .*a\.png'):
        dataset[0]
    meta = tmp_path / 'meta.txt'
    meta.write_text('missing.png (24,32,3)\n')
    with pytest.raises(FileNotFoundError, match=r'missing\.png'):
        build_dataset(options(str(lq), str(gt), meta_info_file=str(meta)))


def synthetic_options(root: Path, degradation: str, phase: str, **extra) -> dict:
    return base_options(
        'SyntheticDegradationDataset', 'synthetic', phase, dataroot_gt=str(root), degradation=degradation, **extra
    )


@pytest.mark.parametrize('degradation', ['blur', 'rain'])
def test_synthetic_dataset_is_deterministic_with_a_seed(tmp_path: Path, degradation: str) -> None:
    _, gt = make_pairs(tmp_path, ['a.png', 'b.png'])
    first = build_dataset(synthetic_options(gt, degradation, 'val', seed=3))
    second = build_dataset(synthetic_options(gt, degradation, 'val', seed=3))
    item = first[1]
    assert item['lq'].shape == item['gt'].shape == (3, HEIGHT, WIDTH)
    assert torch.equal(item['lq'], second[1]['lq'])
    assert not torch.equal(item['lq'], first[0]['lq'])
    assert (item['lq'] - item['gt']).abs().max() > 0.1
    assert item['lq'].min() >= 0 and item['lq'].max() <= 1


def test_synthetic_dataset_trains_on_patches(tmp_path: Path) -> None:
    _, gt = make_pairs(tmp_path, ['a.png'])
    dataset = build_dataset(synthetic_options(gt, 'blur', 'train', degradation_opt={'kernel_size': 7}))
    item = dataset[0]
    assert item['lq'].shape == item['gt'].shape == (3, 16, 16)
    with pytest.raises(ValueError, match=r"unknown blur degradation options \['kernel'\]"):
        build_dataset(synthetic_options(gt, 'blur', 'train', degradation_opt={'kernel': 7}))


def test_holdout_splits_one_folder_into_disjoint_train_and_val(tmp_path: Path) -> None:
    names = [f'{index:02d}.png' for index in range(10)]
    _, gt = make_pairs(tmp_path, names)
    split = {'count': 3, 'seed': 5}
    val = build_dataset(synthetic_options(gt, 'rain', 'val', seed=0, holdout={**split, 'part': 'val'}))
    train = build_dataset(synthetic_options(gt, 'rain', 'train', holdout={**split, 'part': 'train'}))
    again = build_dataset(synthetic_options(gt, 'rain', 'val', seed=0, holdout={**split, 'part': 'val'}))
    val_names = {Path(path).name for path, _ in val.paths}
    train_names = {Path(path).name for path, _ in train.paths}
    assert len(val) == 3 and len(train) == 7
    assert val_names.isdisjoint(train_names) and val_names | train_names == set(names)
    assert val.paths == again.paths
    other_seed = build_dataset(synthetic_options(gt, 'rain', 'val', holdout={'count': 3, 'seed': 6, 'part': 'val'}))
    assert other_seed.paths != val.paths
    with pytest.raises(ValueError, match='holdout.count must be between 1 and 9'):
        build_dataset(synthetic_options(gt, 'rain', 'val', holdout={'count': 10, 'seed': 0, 'part': 'val'}))
    with pytest.raises(ValueError, match="holdout.part must be 'train' or 'val'"):
        build_dataset(synthetic_options(gt, 'rain', 'val', holdout={'count': 2, 'seed': 0, 'part': 'test'}))


def test_empty_path_options_are_named_by_their_key(tmp_path: Path) -> None:
    lq, gt = make_pairs(tmp_path / 'set', ['a.png'])
    with pytest.raises(ValueError, match='option dataroot_gt is empty'):
        build_dataset(options(str(lq), []))
    with pytest.raises(ValueError, match='option dataroot_lq is empty'):
        build_dataset(options([], str(gt)))


def test_zoom_range_shows_the_clean_images_at_another_scale(tmp_path: Path) -> None:
    _, gt = make_pairs(tmp_path, ['a.png'])
    original = torch.from_numpy(cv2.imread(str(gt / 'a.png'))[:, :, ::-1] / 255.0).permute(2, 0, 1).float()
    dry = {'rain_free_probability': 1.0}

    doubled = build_dataset(synthetic_options(gt, 'rain', 'val', seed=0, zoom_range=[2, 2], degradation_opt=dry))[0]
    assert doubled['gt'].shape == (3, 2 * HEIGHT, 2 * WIDTH)
    assert torch.equal(doubled['lq'], doubled['gt'])  # a rain-free pair stays input = target at any scale
    # each 2×2 block of the ×2 image averages back to (nearly) the pixel it came from
    block_means = torch.nn.functional.avg_pool2d(doubled['gt'][None], 2)[0]
    assert torch.corrcoef(torch.stack([block_means.flatten(), original.flatten()]))[0, 1] > 0.9

    # random pixels are as rough as content gets; a ×3 patch of them is three times smoother
    def roughness(patch: torch.Tensor) -> float:
        return (patch[:, :, 1:] - patch[:, :, :-1]).abs().mean().item()

    plain = build_dataset(synthetic_options(gt, 'rain', 'train', degradation_opt=dry))[0]['gt']
    zoomed = build_dataset(synthetic_options(gt, 'rain', 'train', zoom_range=[3, 3], degradation_opt=dry))[0]['gt']
    assert zoomed.shape == plain.shape == (3, 16, 16)
    assert roughness(zoomed) < 0.5 * roughness(plain)


@pytest.mark.parametrize('zoom_range', [[0, 2], [2, 1], [2]])
def test_a_bad_zoom_range_is_refused_by_name(tmp_path: Path, zoom_range: list) -> None:
    _, gt = make_pairs(tmp_path, ['a.png'])
    with pytest.raises(ValueError, match='zoom_range must be'):
        build_dataset(synthetic_options(gt, 'rain', 'train', zoom_range=zoom_range))

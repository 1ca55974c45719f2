"""Training pairs made on the fly from clean images: camera-shake blur + noise, or rain (synthetic or real layers)."""

from __future__ import annotations

import os.path as osp
import random

import cv2
import numpy as np
from basicsr.data.data_util import paths_from_lmdb
from basicsr.utils import FileClient, img2tensor
from basicsr.utils.registry import DATASET_REGISTRY
from torch.utils import data

from basicsr_lfdn.data.data_util import as_path_list, image_files, pad_to_min_size, read_image, train_crop_and_augment
from basicsr_lfdn.data.degradations import BlurConfig, config_from_dict, degrade, rain_layer_from_pair, rng_for


@DATASET_REGISTRY.register()
class SyntheticDegradationDataset(data.Dataset):
    """Clean images degraded by :mod:`basicsr_lfdn.data.degradations` when an item is read.

    Args:
        opt (dict): BasicSR dataset options:
            dataroot_gt (str | list[str]): folders (or ``.lmdb`` folders) of clean images.
            meta_info_file (str | list[str] | None): one per root, first column = image name.
            io_backend (dict): ``{type: disk}`` or ``{type: lmdb}``.
            degradation (str): 'blur' or 'rain'.
            degradation_opt (dict): overrides of :class:`BlurConfig` / :class:`RainConfig` fields.
            seed (int | None): with a seed, item i is always degraded the same way (validation
                sets); without, every read draws a new degradation.
            holdout (dict | None): ``{count: N, seed: S, part: train | val}`` splits the clean
                images reproducibly: ``val`` keeps N images drawn with seed S, ``train`` the rest,
                so one folder gives a training set and a disjoint validation set.
            exclude (list[str] | None): clean image names never used (e.g. the backgrounds of
                validation pairs); every name must exist, so a typo cannot leak a scene.
            rain_layers (list[dict] | None): real rainy/clean pairs whose ``input − target`` is put
                onto the clean images (rain only, at the rate ``real_layer_probability`` of
                ``degradation_opt``): each ``{dataroot_lq: rainy folder, dataroot_gt: clean folder,
                names: [file names present in both]}``. Read once per worker, on its first item.
            zoom_range (list[float] | None): ``[low, high]``: each clean image is resized by a
                factor drawn log-uniformly in this range before it is degraded, so the network also
                sees the smoother content of high-resolution photos (a 512-px tile of a 12-MP photo
                holds less detail than a BSDS crop); ``[2, 2]`` makes a fixed ×2 validation set.
            phase, gt_size, use_hflip, use_rot, pad_if_smaller: as in PairedRestorationDataset.

    Items: ``{'lq': 3×H×W, 'gt': 3×H×W (float32 RGB in [0, 1]), 'lq_path': str, 'gt_path': str}``;
    ``lq_path`` is the clean image's path (there is no degraded file).
    """

    def __init__(self, opt: dict) -> None:
        super().__init__()
        self.opt = opt
        self.kind = opt['degradation']
        self.config = config_from_dict(self.kind, opt.get('degradation_opt'))
        self.seed = opt.get('seed')
        self.file_client: FileClient | None = None
        self.io_backend_opt = dict(opt['io_backend'])
        roots = as_path_list(opt['dataroot_gt'], 'dataroot_gt')
        meta_option = opt.get('meta_info_file')
        meta_files = as_path_list(meta_option, 'meta_info_file') if meta_option else [None] * len(roots)
        if len(meta_files) != len(roots):
            raise ValueError(f'meta_info_file needs one file per root ({len(roots)}), got {len(meta_files)}')

        self.paths: list[tuple[str, str]] = []
        if self.io_backend_opt['type'] == 'lmdb':
            client_keys = [f'gt{index}' for index in range(len(roots))]
            for root, client in zip(roots, client_keys):
                self.paths += [(key, client) for key in paths_from_lmdb(root)]
            self.io_backend_opt.update(db_paths=roots, client_keys=client_keys)
        else:
            for root, meta_file in zip(roots, meta_files):
                if meta_file is None:
                    names = image_files(root)
                else:
                    with open(meta_file, encoding='utf-8') as handle:
                        names = [line.split()[0] for line in handle if line.strip()]
                self.paths += [(osp.join(root, name), 'gt') for name in names]
        if not self.paths:
            raise ValueError(f'no clean images found in {roots}')
        if opt.get('exclude'):
            self.paths = exclude_names(self.paths, opt['exclude'])
        if opt.get('holdout'):
            self.paths = holdout_split(self.paths, **opt['holdout'])
        self.rain_layer_specs = list(opt.get('rain_layers') or [])
        if self.rain_layer_specs and self.kind != 'rain':
            raise ValueError(f'rain_layers needs degradation: rain, got {self.kind!r}')
        self.rain_layers: list[np.ndarray] | None = None
        self.zoom_range = check_zoom_range(opt.get('zoom_range'))

    def __getitem__(self, index: int) -> dict:
        if self.file_client is None:
            backend = dict(self.io_backend_opt)
            self.file_client = FileClient(backend.pop('type'), **backend)
        gt_path, client = self.paths[index]
        img_gt = read_image(self.file_client, gt_path, client)
        rng = rng_for(self.seed, index)
        zoom = float(np.exp(rng.uniform(*np.log(self.zoom_range)))) if self.zoom_range else 1.0
        if self.opt['phase'] == 'train':
            img_gt = self._crop_with_margin(img_gt, gt_path, zoom)
        elif zoom != 1.0:
            img_gt = resize(img_gt, zoom)
        if self.rain_layers is None and self.rain_layer_specs:
            self.rain_layers = load_rain_layers(self.rain_layer_specs)
        img_lq = degrade(img_gt, self.kind, rng, self.config, self.rain_layers)
        if self.opt['phase'] == 'train':
            img_gt, img_lq = train_crop_and_augment(img_gt, img_lq, self.opt, gt_path)
        img_gt, img_lq = img2tensor([img_gt, img_lq], bgr2rgb=True, float32=True)
        return {'lq': img_lq, 'gt': img_gt, 'lq_path': gt_path, 'gt_path': gt_path}

    def _crop_with_margin(self, img_gt: np.ndarray, gt_path: str, zoom: float = 1.0) -> np.ndarray:
        """Cut a window of gt_size plus the blur radius on each side before degrading (H×W×3).

        Degrading the whole image would waste time on pixels the patch never uses; the margin gives
        the blur real image content around the patch instead of reflected borders. With ``zoom``,
        the window is cut at 1/zoom of that size and resized, so only the pixels used are resized.
        """
        gt_size = self.opt.get('gt_size')
        if not gt_size:
            raise ValueError('train phase needs the option gt_size (patch size)')
        (img_gt,) = pad_to_min_size([img_gt], gt_size, gt_path, self.opt.get('pad_if_smaller', False))
        margin = self.config.kernel_size // 2 if isinstance(self.config, BlurConfig) else 0
        height, width = img_gt.shape[:2]
        window = int(np.ceil((gt_size + 2 * margin) / zoom))
        window_h, window_w = min(height, window), min(width, window)
        top, left = random.randint(0, height - window_h), random.randint(0, width - window_w)
        img_gt = img_gt[top : top + window_h, left : left + window_w]
        if zoom == 1.0:
            return img_gt
        (img_gt,) = pad_to_min_size([resize(img_gt, zoom)], gt_size, gt_path, self.opt.get('pad_if_smaller', False))
        return img_gt

    def __len__(self) -> int:
        return len(self.paths)


def check_zoom_range(value: list[float] | None) -> tuple[float, float] | None:
    """``zoom_range`` as a (low, high) pair of positive factors; ``ValueError`` naming the option otherwise."""
    if value is None:
        return None
    if len(value) != 2 or not 0 < value[0] <= value[1]:
        raise ValueError(f'zoom_range must be [low, high] with 0 < low <= high, got {value!r}')
    return float(value[0]), float(value[1])


def resize(img: np.ndarray, zoom: float) -> np.ndarray:
    """``img`` (H×W×C float32 in [0, 1]) resized by ``zoom``: bicubic, clipped back into [0, 1]."""
    height, width = img.shape[:2]
    size = (max(1, round(width * zoom)), max(1, round(height * zoom)))
    return np.clip(cv2.resize(img, size, interpolation=cv2.INTER_CUBIC), 0, 1)


def holdout_split(paths: list, count: int, seed: int, part: str) -> list:
    """The ``val`` part (``count`` items drawn with ``seed``) or the ``train`` rest, both in input order."""
    if part not in ('train', 'val'):
        raise ValueError(f"holdout.part must be 'train' or 'val', got {part!r}")
    if not 0 < count < len(paths):
        raise ValueError(f'holdout.count must be between 1 and {len(paths) - 1} (images found), got {count}')
    held = set(np.random.default_rng(seed).choice(len(paths), size=count, replace=False).tolist())
    return [path for index, path in enumerate(paths) if (index in held) == (part == 'val')]


def exclude_names(paths: list, names: list[str]) -> list:
    """``paths`` without the images named in ``names`` (file names); every name must be present."""
    excluded = set(names)
    missing = sorted(excluded - {osp.basename(path) for path, _ in paths})
    if missing:
        raise ValueError(f'exclude names images that are not in dataroot_gt: {missing}')
    return [(path, client) for path, client in paths if osp.basename(path) not in excluded]


def load_rain_layers(specs: list[dict]) -> list[np.ndarray]:
    """``input − target`` of every named pair of every spec (see ``rain_layers``), H×W×3 float16 BGR."""
    client = FileClient('disk')
    layers = []
    for number, spec in enumerate(specs):
        unknown = set(spec) - {'dataroot_lq', 'dataroot_gt', 'names'}
        if unknown or not spec.get('names'):
            raise ValueError(
                f'rain_layers[{number}] needs dataroot_lq, dataroot_gt and a non-empty names list; '
                f'unknown keys: {sorted(unknown)}'
            )
        for name in spec['names']:
            rainy_path, clean_path = osp.join(spec['dataroot_lq'], name), osp.join(spec['dataroot_gt'], name)
            rainy, clean = read_image(client, rainy_path, 'lq'), read_image(client, clean_path, 'gt')
            if rainy.shape != clean.shape:
                raise ValueError(f'rain layer pair {rainy_path} / {clean_path}: sizes differ')
            layers.append(rain_layer_from_pair(rainy, clean))
    return layers

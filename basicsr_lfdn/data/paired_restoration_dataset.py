"""Paired restoration dataset: degraded input ('lq') and clean target ('gt') of the same size.

BasicSR's ``PairedImageDataset`` with what deblurring/deraining sets need in addition: several
roots concatenated, pair lists whose input and target names differ, images smaller than the
patch padded or rejected (never silently mis-cropped), and scale fixed to 1.
"""

from __future__ import annotations

import os.path as osp

from basicsr.data.data_util import paired_paths_from_folder, paired_paths_from_lmdb, paired_paths_from_meta_info_file
from basicsr.utils import FileClient, img2tensor
from basicsr.utils.registry import DATASET_REGISTRY
from torch.utils import data

from basicsr_lfdn.data.data_util import (
    as_path_list,
    check_same_size,
    is_pair_list,
    paired_paths_from_pair_list,
    read_image,
    train_crop_and_augment,
)


@DATASET_REGISTRY.register()
class PairedRestorationDataset(data.Dataset):
    """Reads input/target pairs from folders, meta-info or pair-list files, or LMDBs.

    Args:
        opt (dict): BasicSR dataset options:
            dataroot_gt, dataroot_lq (str | list[str]): target and input roots; lists of equal
                length are concatenated root by root. For LMDB, the ``.lmdb`` folders.
            meta_info_file (str | list[str] | None): one per root. Either BasicSR meta-info
                (``<name> (h,w,c)``, input named by ``filename_tmpl``) or a pair list
                (``<target path> <input path>`` per line). Ignored for LMDB.
            io_backend (dict): ``{type: disk}`` or ``{type: lmdb}``.
            phase (str): 'train' crops and augments; anything else returns the full image.
            gt_size (int): patch size (train).
            use_hflip, use_rot (bool): flips and 90° rotations (train, default true).
            filename_tmpl (str): input name template for meta-info files and folders ('{}').
            pad_if_smaller (bool): reflect-pad images smaller than gt_size instead of raising.

    Items: ``{'lq': 3×H×W, 'gt': 3×H×W (float32 RGB in [0, 1]), 'lq_path': str, 'gt_path': str}``,
    H = W = gt_size in training.
    """

    def __init__(self, opt: dict) -> None:
        super().__init__()
        self.opt = opt
        self.file_client: FileClient | None = None
        self.io_backend_opt = dict(opt['io_backend'])
        gt_roots = as_path_list(opt['dataroot_gt'], 'dataroot_gt')
        lq_roots = as_path_list(opt['dataroot_lq'], 'dataroot_lq')
        if len(gt_roots) != len(lq_roots):
            raise ValueError(f'dataroot_gt has {len(gt_roots)} roots but dataroot_lq has {len(lq_roots)}')
        meta_option = opt.get('meta_info_file')
        meta_files = as_path_list(meta_option, 'meta_info_file') if meta_option else [None] * len(gt_roots)
        if len(meta_files) != len(gt_roots):
            raise ValueError(f'meta_info_file needs one file per root ({len(gt_roots)}), got {len(meta_files)}')
        filename_tmpl = opt.get('filename_tmpl', '{}')

        self.paths: list[dict[str, str]] = []
        if self.io_backend_opt['type'] == 'lmdb':
            db_paths, client_keys = [], []
            for index, (lq_root, gt_root) in enumerate(zip(lq_roots, gt_roots)):
                for root in (lq_root, gt_root):
                    if not osp.isfile(osp.join(root, 'meta_info.txt')):
                        raise FileNotFoundError(f'not a BasicSR LMDB (no meta_info.txt): {root}')
                lq_client, gt_client = f'lq{index}', f'gt{index}'
                db_paths += [lq_root, gt_root]
                client_keys += [lq_client, gt_client]
                for pair in paired_paths_from_lmdb([lq_root, gt_root], ['lq', 'gt']):
                    self.paths.append({**pair, 'lq_client': lq_client, 'gt_client': gt_client})
            self.io_backend_opt.update(db_paths=db_paths, client_keys=client_keys)
        else:
            for lq_root, gt_root, meta_file in zip(lq_roots, gt_roots, meta_files):
                for root in (lq_root, gt_root):
                    if not osp.isdir(root):
                        raise FileNotFoundError(f'dataset folder not found: {root}')
                if meta_file is None:
                    pairs = paired_paths_from_folder([lq_root, gt_root], ['lq', 'gt'], filename_tmpl)
                elif is_pair_list(meta_file):
                    pairs = paired_paths_from_pair_list([lq_root, gt_root], ['lq', 'gt'], meta_file)
                else:
                    pairs = paired_paths_from_meta_info_file([lq_root, gt_root], ['lq', 'gt'], meta_file, filename_tmpl)
                for pair in pairs:
                    for key in ('lq_path', 'gt_path'):
                        if not osp.isfile(pair[key]):
                            source = meta_file or 'the folder listing'
                            raise FileNotFoundError(f'{pair[key]} (listed by {source}) does not exist')
                self.paths += [{**pair, 'lq_client': 'lq', 'gt_client': 'gt'} for pair in pairs]
        if not self.paths:
            raise ValueError(f'no image pairs found in {gt_roots} / {lq_roots}')

    def __getitem__(self, index: int) -> dict:
        if self.file_client is None:
            backend = dict(self.io_backend_opt)
            self.file_client = FileClient(backend.pop('type'), **backend)
        record = self.paths[index]
        gt_path, lq_path = record['gt_path'], record['lq_path']
        img_gt = read_image(self.file_client, gt_path, record['gt_client'])
        img_lq = read_image(self.file_client, lq_path, record['lq_client'])
        check_same_size(img_gt, img_lq, gt_path, lq_path)
        if self.opt['phase'] == 'train':
            img_gt, img_lq = train_crop_and_augment(img_gt, img_lq, self.opt, gt_path)
        img_gt, img_lq = img2tensor([img_gt, img_lq], bgr2rgb=True, float32=True)
        return {'lq': img_lq, 'gt': img_gt, 'lq_path': lq_path, 'gt_path': gt_path}

    def __len__(self) -> int:
        return len(self.paths)

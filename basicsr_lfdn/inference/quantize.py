"""INT8 post-training quantisation of an OpenVINO model with NNCF, calibrated on training-side photos.

Calibration inputs are clean photos (e.g. ``../shared/datasets/BSDS-clean``, never a test set)
cropped at random and degraded with the training degradations of
``basicsr_lfdn.data.degradations`` (``--degradation rain`` or ``blur``, ``--degradation-opt``
as in the option files' ``degradation_opt``), so the activation ranges NNCF measures are those
of the images the network was trained to restore. Everything is seeded: one seed, one model.

Used by ``lfdn-export --openvino DIR --int8`` (writes ``<name>_int8.xml``), and by
``lfdn-restore`` / ``lfdn-benchmark`` with ``--backend openvino --precision int8``, which
quantise the weights they were given at start-up; any weights file works.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from basicsr_lfdn.data.data_util import image_files
from basicsr_lfdn.data.degradations import config_from_dict, degrade, rng_for
from basicsr_lfdn.inference.backends import require
from basicsr_lfdn.inference.image_io import read_image

if TYPE_CHECKING:
    import openvino


@dataclass(frozen=True)
class Calibration:
    """Where the calibration inputs come from and how they are made.

    Attributes:
        photos: folder of clean training-side photos.
        degradation: ``'rain'`` or ``'blur'`` (``basicsr_lfdn.data.degradations.degrade``).
        options: ``degradation_opt`` of the training recipe (defaults of the config when empty).
        count: number of calibration crops (one per photo, photos drawn without repetition).
        crop: side of the square crops in pixels.
        seed: seeds the choice of photos, the crops and the degradations.
    """

    photos: Path
    degradation: str
    options: dict = field(default_factory=dict)
    count: int = 64
    crop: int = 256
    seed: int = 0


def calibration_inputs(calibration: Calibration) -> list[np.ndarray]:
    """The degraded crops, each 1×3×crop×crop float32 RGB in [0, 1]."""
    config = config_from_dict(calibration.degradation, calibration.options)
    names = image_files(str(calibration.photos))
    if len(names) < calibration.count:
        raise ValueError(
            f'--calibration {calibration.photos}: {len(names)} photos, {calibration.count} needed '
            '(--calibration-images)'
        )
    order = np.random.default_rng(calibration.seed).permutation(len(names))[: calibration.count]
    inputs = []
    for index, name in enumerate(sorted(names[i] for i in order)):
        rng = rng_for(calibration.seed, index)
        clean, _ = read_image(calibration.photos / name)
        height, width = clean.shape[:2]
        side = min(calibration.crop, height, width)
        top, left = int(rng.integers(height - side + 1)), int(rng.integers(width - side + 1))
        degraded = degrade(clean[top : top + side, left : left + side], calibration.degradation, rng, config)
        inputs.append(np.ascontiguousarray(degraded.transpose(2, 0, 1)[None], dtype=np.float32))
    return inputs


def quantize_openvino(model: openvino.Model, calibration: Calibration) -> openvino.Model:
    """NNCF's default post-training quantisation of ``model`` (8-bit weights and activations)."""
    nncf = require('nncf', '--precision int8')
    inputs = calibration_inputs(calibration)
    return nncf.quantize(model, nncf.Dataset(inputs), subset_size=len(inputs))


def add_calibration_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--calibration`` options of ``lfdn-export``, ``lfdn-restore`` and ``lfdn-benchmark``."""
    group = parser.add_argument_group('int8 calibration (OpenVINO + NNCF)')
    group.add_argument('--calibration', type=Path, help='folder of clean training-side photos (never test images)')
    group.add_argument('--degradation', choices=['rain', 'blur'], help='degradation applied to the calibration photos')
    group.add_argument('--degradation-opt', help='degradation_opt of the training recipe: inline YAML/JSON or a file')
    group.add_argument('--calibration-images', type=int, default=64, help='number of calibration crops (default 64)')
    group.add_argument('--calibration-crop', type=int, default=256, help='crop side in pixels (default 256)')
    group.add_argument('--calibration-seed', type=int, default=0, help='seed of photos, crops and degradations')


def calibration_from_args(args: argparse.Namespace) -> Calibration | None:
    """The :class:`Calibration` the command line asks for, None without ``--calibration``."""
    if args.calibration is None:
        return None
    if args.degradation is None:
        raise ValueError('--calibration needs --degradation rain|blur (the degradation the weights were trained on)')
    if not args.calibration.is_dir():
        raise FileNotFoundError(f'--calibration {args.calibration}: no such folder')
    options: object = {}
    if args.degradation_opt:
        text = args.degradation_opt
        inline = text.lstrip().startswith('{')
        options = yaml.safe_load(text if inline else Path(text).read_text(encoding='utf-8'))
    if not isinstance(options, dict):
        raise ValueError(f'--degradation-opt: expected a mapping, got {json.dumps(options)[:80]}')
    return Calibration(
        args.calibration,
        args.degradation,
        options,
        args.calibration_images,
        args.calibration_crop,
        args.calibration_seed,
    )

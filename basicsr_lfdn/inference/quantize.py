"""INT8 post-training quantisation of an OpenVINO model with NNCF, calibrated on clean photos (never test images).

Calibration inputs are clean photos cropped at random and degraded with the training
degradations of ``basicsr_lfdn.data.degradations`` (``rain`` or ``blur``, with the recipe's
``degradation_opt``), so the activation ranges NNCF measures are those of the images the network
was trained to restore. Everything is seeded: one :class:`Calibration`, one model.

The photos are, by default, the sample photos that scikit-image (a dependency) installs
(:data:`BUILTIN_PHOTOS`: a portrait, a cat, coffee, a rocket, a motorcycle, coins, the moon,
grass, gravel, brick, ...). They are neither training nor test images of this project, and
they are on every installation, which is what lets ``lfdn-restore --precision int8`` quantise
the shipped weights on first use with no extra argument. ``--calibration DIR`` takes another
folder instead (e.g. ``../shared/datasets/BSDS-clean``; never a test set).

Real rain layers (``real_layer_probability`` of a derain recipe) are training data the
calibration does not have: the calibration renders the recipe's synthetic streaks instead.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from basicsr_lfdn.data.data_util import image_files
from basicsr_lfdn.data.degradations import config_from_dict, degrade, rng_for
from basicsr_lfdn.inference.deps import package_version, require
from basicsr_lfdn.inference.image_io import read_image

if TYPE_CHECKING:
    import openvino

# scikit-image's bundled photos of natural scenes (grey ones are read as three equal channels),
# at least 300 px on each side; its microscopy, medical, synthetic and pre-blurred images are left out.
BUILTIN_PHOTOS = (
    'astronaut.png',
    'brick.png',
    'camera.png',
    'chelsea.png',
    'coffee.png',
    'coins.png',
    'grass.png',
    'gravel.png',
    'moon.png',
    'motorcycle_left.png',
    'motorcycle_right.png',
    'rocket.jpg',
)
BUILTIN_LABEL = 'scikit-image sample photos'
TASK_DEGRADATION = {'derain': 'rain', 'deblur': 'blur'}


def builtin_photo_folder() -> Path:
    """The folder of scikit-image's bundled sample photos (found without importing scikit-image)."""
    spec = importlib.util.find_spec('skimage')
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError('scikit-image is not installed: it provides the default calibration photos')
    return Path(next(iter(spec.submodule_search_locations))) / 'data'


@dataclass(frozen=True)
class Calibration:
    """Where the calibration inputs come from and how they are made.

    Attributes:
        photos: folder of clean photos (never test images).
        degradation: ``'rain'`` or ``'blur'`` (``basicsr_lfdn.data.degradations.degrade``).
        options: ``degradation_opt`` of the training recipe (defaults of the config when empty).
        count: number of calibration crops; the photos are drawn in a seeded order, and used
            again in that order when there are fewer photos than crops.
        crop: side of the square crops in pixels.
        seed: seeds the choice of photos, the crops and the degradations.
        names: the files of ``photos`` to use; empty means every image file in the folder.
    """

    photos: Path
    degradation: str
    options: dict = field(default_factory=dict)
    count: int = 64
    crop: int = 256
    seed: int = 0
    names: tuple[str, ...] = ()


def builtin_calibration(degradation: str, options: dict | None = None) -> Calibration:
    """The default calibration: 64 crops of 256² from :data:`BUILTIN_PHOTOS`, seed 0."""
    return Calibration(builtin_photo_folder(), degradation, dict(options or {}), names=BUILTIN_PHOTOS)


def card_calibration(card: dict) -> Calibration:
    """The calibration of shipped weights: the built-in photos with the degradation of the card's training."""
    return builtin_calibration(TASK_DEGRADATION[card['task']], card['training'].get('degradation_opt'))


def describe(calibration: Calibration) -> dict:
    """The calibration as plain data, without machine-specific paths for the built-in photos.

    Two installations calibrate alike exactly when their descriptions are equal; model cards
    record it, and ``--precision auto`` trusts a card's int8 figures only for this calibration.
    """
    builtin = Path(calibration.photos).resolve() == builtin_photo_folder().resolve()
    return {
        'photos': BUILTIN_LABEL if builtin else str(Path(calibration.photos).resolve()),
        'names': list(calibration.names),
        'degradation': calibration.degradation,
        'degradation_opt': dict(calibration.options),
        'count': calibration.count,
        'crop': calibration.crop,
        'seed': calibration.seed,
    }


def calibration_key(calibration: Calibration) -> str:
    """16 hex digits naming the int8 model this calibration gives (it also names the NNCF and OpenVINO versions)."""
    content = {**describe(calibration), 'nncf': package_version('nncf'), 'openvino': package_version('openvino')}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]


def calibration_inputs(calibration: Calibration) -> list[np.ndarray]:
    """The degraded crops, each 1×3×side×side float32 RGB in [0, 1] (side = crop, or a smaller photo's side)."""
    options = dict(calibration.options)
    if options.get('real_layer_probability'):
        options['real_layer_probability'] = 0.0  # no real rain layers here: synthetic streaks instead
    config = config_from_dict(calibration.degradation, options)
    folder = Path(calibration.photos)
    names = list(calibration.names) or image_files(str(folder))
    missing = [name for name in names if not (folder / name).is_file()]
    if missing or not names:
        raise FileNotFoundError(f'--calibration {folder}: ' + (f'no file {missing[0]}' if missing else 'no photos'))
    if calibration.count < 1:
        raise ValueError(f'--calibration-images {calibration.count}: need at least 1')
    order = np.random.default_rng(calibration.seed).permutation(len(names))
    chosen = sorted(names[order[index % len(names)]] for index in range(calibration.count))
    inputs = []
    for index, name in enumerate(chosen):
        rng = rng_for(calibration.seed, index)
        clean, _ = read_image(folder / name)
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
    """The int8 calibration options of ``lfdn-export``, ``lfdn-restore`` and ``lfdn-benchmark``."""
    group = parser.add_argument_group('int8 calibration (OpenVINO + NNCF)')
    group.add_argument(
        '--calibration', type=Path, help=f'folder of clean photos, never test images (default: the {BUILTIN_LABEL})'
    )
    group.add_argument(
        '--degradation', choices=['rain', 'blur'], help="degradation of the calibration photos (--task: the card's)"
    )
    group.add_argument('--degradation-opt', help='degradation_opt of the training recipe: inline YAML/JSON or a file')
    group.add_argument('--calibration-images', type=int, default=64, help='number of calibration crops (default 64)')
    group.add_argument('--calibration-crop', type=int, default=256, help='crop side in pixels (default 256)')
    group.add_argument('--calibration-seed', type=int, default=0, help='seed of photos, crops and degradations')


def calibration_from_args(args: argparse.Namespace) -> Calibration | None:
    """The :class:`Calibration` the command line asks for; None when it names no ``--degradation``.

    Without ``--calibration`` the photos are the built-in ones (:func:`builtin_calibration`).
    """
    if args.degradation is None:
        if args.calibration is not None:
            raise ValueError('--calibration needs --degradation rain|blur (the degradation of the training)')
        return None
    if args.calibration is not None and not args.calibration.is_dir():
        raise FileNotFoundError(f'--calibration {args.calibration}: no such folder')
    options: object = {}
    if args.degradation_opt:
        text = args.degradation_opt
        inline = text.lstrip().startswith('{')
        options = yaml.safe_load(text if inline else Path(text).read_text(encoding='utf-8'))
    if not isinstance(options, dict):
        raise ValueError(f'--degradation-opt: expected a mapping, got {json.dumps(options)[:80]}')
    photos = builtin_calibration(args.degradation) if args.calibration is None else None
    return Calibration(
        args.calibration or photos.photos,
        args.degradation,
        options,
        args.calibration_images,
        args.calibration_crop,
        args.calibration_seed,
        photos.names if photos else (),
    )

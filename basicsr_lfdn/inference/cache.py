"""OpenVINO models of a weights file, built on first use and kept in the user's cache folder.

Layout under :func:`cache_root` (``$LFDN_CACHE_DIR``, else ``$XDG_CACHE_HOME/basicsr_lfdn``, else
``~/.cache/basicsr_lfdn``; ``%LOCALAPPDATA%\\basicsr_lfdn`` on Windows)::

    openvino/<sha256 of the weights, 16 hex>/fp32.xml + .bin          the network's graph, fp32 weights
    openvino/<sha256 of the weights, 16 hex>/int8-<calibration key>.xml + .bin   quantised by NNCF
    openvino/compiled/                                                   OpenVINO's compiled-model cache

The calibration key (:func:`basicsr_lfdn.inference.quantize.calibration_key`) names the
calibration settings and the NNCF/OpenVINO versions, so changed weights, calibration or versions
build a new model instead of reusing a stale one. Files are written under a temporary name and
renamed (the ``.xml`` last), so a reader never sees half a model; an unreadable entry is built
again, and an unwritable cache folder only costs the speed-up.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from basicsr_lfdn.inference.backends import openvino_model, save_openvino
from basicsr_lfdn.inference.deps import require
from basicsr_lfdn.inference.quantize import Calibration, calibration_key, describe, quantize_openvino
from basicsr_lfdn.pretrained import sha256_of

if TYPE_CHECKING:
    import openvino
    from torch import nn

CACHE_ENV = 'LFDN_CACHE_DIR'


def note(message: str) -> None:
    """Progress and choices of the inference commands: one line on stdout (stderr stays for errors)."""
    print(message, flush=True)


def cache_root() -> Path:
    """The cache folder: ``$LFDN_CACHE_DIR`` when set, else the platform's user cache folder + ``basicsr_lfdn``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if os.name == 'nt' and os.environ.get('LOCALAPPDATA'):
        return Path(os.environ['LOCALAPPDATA']) / 'basicsr_lfdn'
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base).expanduser() / 'basicsr_lfdn'


def compiled_cache_dir() -> Path:
    """OpenVINO's compiled-model cache (``CACHE_DIR``): a second start imports instead of compiling."""
    return cache_root() / 'openvino' / 'compiled'


def model_path(weights_sha256: str, precision: str, calibration: Calibration | None = None) -> Path:
    """Where the ``fp32`` or ``int8`` IR of the weights with this sha256 is cached (int8: per calibration)."""
    name = 'fp32' if precision != 'int8' else f'int8-{calibration_key(calibration)}'
    return cache_root() / 'openvino' / weights_sha256[:16] / f'{name}.xml'


def _read(path: Path) -> openvino.Model | None:
    """The cached model at ``path``, or None when it is absent or unreadable (then it is built again)."""
    if not path.is_file():
        return None
    ov = require('openvino', '--backend openvino')
    try:
        return ov.Core().read_model(str(path))
    except RuntimeError as error:
        note(f'cache: {path} is unreadable ({str(error).splitlines()[0]}); building it again')
        return None


def _store(model: openvino.Model, path: Path) -> None:
    """Write ``model`` at ``path`` (``.bin`` first, ``.xml`` last, each renamed into place); warn when impossible."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix='.partial-') as folder:
            staged = Path(folder) / path.name
            save_openvino(model, staged)
            os.replace(staged.with_suffix('.bin'), path.with_suffix('.bin'))
            os.replace(staged, path)
    except OSError as error:
        note(f'cache: cannot write {path} ({error}); the model is rebuilt at every start (set ${CACHE_ENV})')


def cached_openvino_model(
    weights: Path,
    precision: str,
    load_network: Callable[[], nn.Module],
    calibration: Calibration | None = None,
) -> openvino.Model:
    """The OpenVINO model of ``weights`` for ``precision``, from the cache or built (and cached) now.

    ``load_network`` builds the PyTorch network and is called only on a cache miss. int8 needs
    ``calibration``; its first build runs NNCF (about a minute on two cores).
    """
    if precision == 'int8' and calibration is None:
        raise ValueError('--precision int8 needs a calibration (--degradation rain|blur for --weights)')
    digest = sha256_of(weights)
    path = model_path(digest, precision, calibration)
    model = _read(path)
    if model is not None:
        return model
    fp32_path = model_path(digest, 'fp32')
    fp32 = _read(fp32_path)
    if fp32 is None:
        note(f'cache: converting {weights.name} to OpenVINO once, kept in {fp32_path.parent}')
        fp32 = openvino_model(load_network())
        _store(fp32, fp32_path)
    if precision != 'int8':
        return fp32
    description = describe(calibration)
    note(
        f'cache: quantising {weights.name} to int8 once (NNCF, {description["count"]} crops of the '
        f'{description["photos"]} with {description["degradation"]}; about a minute), kept in {path}'
    )
    model = quantize_openvino(fp32, calibration)
    _store(model, path)
    return model

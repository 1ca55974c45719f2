"""Checkpoint files: atomic writes, safe loads, and networks rebuilt from what a file carries."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from basicsr.archs import build_network
from torch import nn


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file in the same folder, then rename over ``path``.

    A process killed mid-write leaves the previous file (or no file) behind, never a
    truncated one, so ``--auto_resume`` always finds a complete state.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f'.{path.name}.', suffix='.tmp', dir=path.parent)
    try:
        with os.fdopen(fd, 'wb') as handle:
            torch.save(obj, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Load a checkpoint on the CPU with ``weights_only=True`` (no arbitrary code is unpickled)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'checkpoint not found: {path}')
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as error:
        raise RuntimeError(f'cannot read checkpoint {path}: {error}') from error
    if not isinstance(checkpoint, dict):
        raise ValueError(f'checkpoint {path} holds a {type(checkpoint).__name__}, expected a dict of tensors')
    return checkpoint


def build_network_from_checkpoint(
    path: str | os.PathLike, network_opt: dict | None = None, param_key: str = 'params'
) -> nn.Module:
    """Build the network a checkpoint was trained with and load its weights (eval mode, CPU).

    Args:
        path: a ``.pth`` written by the training model ({'params', 'params_ema'?, 'network_g'}),
            or a plain BasicSR network file ({'params': ...}) / bare state dict.
        network_opt: network options (with ``type``) used when the file carries none; when both
            exist, the explicit options win.
        param_key: 'params' or 'params_ema'; falls back to 'params' if the key is missing.
    """
    checkpoint = load_checkpoint(path)
    opt = network_opt or checkpoint.get('network_g')
    if not opt or 'type' not in opt:
        raise ValueError(f'checkpoint {path} carries no network options (network_g); pass them explicitly (--opt)')
    if param_key in checkpoint:
        state = checkpoint[param_key]
    elif 'params' in checkpoint:
        state = checkpoint['params']
    else:
        state = checkpoint
    network = build_network(dict(opt))
    load_fitting_state(network, state, str(path))
    return network.eval()


class CheckpointMismatchError(ValueError):
    """A checkpoint's tensors do not fit the network built for it (entry points print it as one line)."""


def _first(keys: list[str], count: int = 3) -> str:
    shown = ', '.join(keys[:count])
    return f'{shown}, ...' if len(keys) > count else shown


def state_dict_mismatch(network: nn.Module, state: dict[str, torch.Tensor]) -> str | None:
    """One line saying how ``state`` does not fit ``network`` (missing, unexpected, other shapes), or None."""
    expected = network.state_dict()
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    reshaped = [
        f'{key} {tuple(state[key].shape)} vs {tuple(expected[key].shape)}'
        for key in expected
        if key in state and state[key].shape != expected[key].shape
    ]
    if not (missing or unexpected or reshaped):
        return None
    parts = [f'{len(missing)} missing keys' + (f' ({_first(missing)})' if missing else '')]
    parts.append(f'{len(unexpected)} unexpected keys' + (f' ({_first(unexpected)})' if unexpected else ''))
    if reshaped:
        parts.append(f'{len(reshaped)} of another shape ({_first(reshaped, 2)})')
    return ', '.join(parts)


def load_fitting_state(network: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """Load ``state`` (a ``module.`` prefix from DDP is dropped) or raise one line naming what does not fit."""
    state = {key.removeprefix('module.'): value for key, value in state.items()}
    problem = state_dict_mismatch(network, state)
    if problem:
        raise CheckpointMismatchError(f'checkpoint {source} does not fit {type(network).__name__}: {problem}')
    network.load_state_dict(state, strict=True)

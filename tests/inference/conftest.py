"""Tiny checkpoints shared by the inference tests (a few thousand parameters, built in tmp_path)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml

import basicsr_lfdn  # noqa: F401  (must precede basicsr: installs the torchvision alias)

# isort: split
from basicsr.archs import build_network

TINY_LFDN = {'type': 'LFDN', 'num_feat': 8, 'encoder_feat': 8, 'num_blocks': 1}
# A purely local network (five 3x3 convs, receptive radius 5 px) for the tiling test: LFDN has
# image-global operations (instance norm statistics, CCA/ACFM pooling, ALFM), so its tiled output
# legitimately differs from the whole-image output.
TINY_LOCAL = {
    'type': 'EDSR',
    'num_in_ch': 3,
    'num_out_ch': 3,
    'num_feat': 8,
    'num_block': 1,
    'upscale': 1,
    'img_range': 1.0,
}


def save_checkpoint(path: Path, network_opt: dict, with_options: bool = True) -> Path:
    torch.manual_seed(0)
    network = build_network(dict(network_opt))
    content = {'params': network.state_dict()}
    if with_options:
        content['network_g'] = dict(network_opt)
    torch.save(content, path)
    return path


@pytest.fixture(autouse=True)
def model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own, empty OpenVINO model cache (never the user's ~/.cache)."""
    folder = tmp_path / 'model_cache'
    monkeypatch.setenv('LFDN_CACHE_DIR', str(folder))
    return folder


@pytest.fixture
def lfdn_checkpoint(tmp_path: Path) -> Path:
    return save_checkpoint(tmp_path / 'tiny_lfdn.pth', TINY_LFDN)


@pytest.fixture
def local_checkpoint(tmp_path: Path) -> Path:
    return save_checkpoint(tmp_path / 'tiny_edsr.pth', TINY_LOCAL)


@pytest.fixture
def plain_local_checkpoint(tmp_path: Path) -> tuple[Path, Path]:
    """A BasicSR-style ``{'params': ...}`` file without network options, and an option YAML for it."""
    checkpoint = save_checkpoint(tmp_path / 'plain_edsr.pth', TINY_LOCAL, with_options=False)
    options = tmp_path / 'edsr.yml'
    options.write_text(yaml.safe_dump({'network_g': TINY_LOCAL}), encoding='utf-8')
    return checkpoint, options

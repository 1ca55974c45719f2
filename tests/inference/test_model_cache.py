"""OpenVINO models built once per weights file (sha256) and calibration, then read from the user's cache folder."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from basicsr_lfdn.inference import cache
from basicsr_lfdn.inference.backends import COMPILED_KEPT, OpenVINOPredictor, is_quantized, openvino_model
from basicsr_lfdn.inference.quantize import Calibration
from basicsr_lfdn.pretrained import sha256_of
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint
from tests.inference.conftest import TINY_LFDN, save_checkpoint


class CountingLoader:
    """``load_network`` for ``cached_openvino_model`` that counts how often the cache missed."""

    def __init__(self, checkpoint: Path) -> None:
        self.checkpoint, self.calls = checkpoint, 0

    def __call__(self) -> torch.nn.Module:
        self.calls += 1
        return build_network_from_checkpoint(self.checkpoint)


@pytest.fixture
def calibration(tmp_path) -> Calibration:
    folder = tmp_path / 'photos'
    folder.mkdir()
    coarse = np.random.default_rng(0).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    cv2.imwrite(str(folder / 'a.png'), cv2.resize(coarse, (64, 48), interpolation=cv2.INTER_CUBIC))
    return Calibration(folder, 'blur', {}, count=2, crop=32)


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv('LFDN_CACHE_DIR', str(tmp_path / 'mine'))
    assert cache.cache_root() == tmp_path / 'mine'
    monkeypatch.delenv('LFDN_CACHE_DIR')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg'))
    assert cache.cache_root() == tmp_path / 'xdg' / 'basicsr_lfdn'
    monkeypatch.delenv('XDG_CACHE_HOME')
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    assert cache.cache_root() == tmp_path / 'home' / '.cache' / 'basicsr_lfdn'


def test_cache_hit_reuses_the_file_and_changed_weights_miss(lfdn_checkpoint, model_cache, tmp_path):
    loader = CountingLoader(lfdn_checkpoint)
    first = cache.cached_openvino_model(lfdn_checkpoint, 'fp32', loader)
    path = cache.model_path(sha256_of(lfdn_checkpoint), 'fp32')
    assert loader.calls == 1 and path.is_file() and path.with_suffix('.bin').is_file()
    assert path.is_relative_to(model_cache) and not list(path.parent.glob('.partial-*'))
    written = path.stat().st_mtime_ns

    second = cache.cached_openvino_model(lfdn_checkpoint, 'bf16', loader)  # bf16 runs the fp32 graph
    assert loader.calls == 1 and path.stat().st_mtime_ns == written
    image = torch.rand(1, 3, 40, 56, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(
        OpenVINOPredictor(second, 'fp32', 1)(image), OpenVINOPredictor(first, 'fp32', 1)(image), rtol=0, atol=0
    )

    torch.manual_seed(1)
    other = save_checkpoint(tmp_path / 'other.pth', {**TINY_LFDN, 'num_blocks': 2})
    other_loader = CountingLoader(other)
    cache.cached_openvino_model(other, 'fp32', other_loader)
    assert other_loader.calls == 1 and cache.model_path(sha256_of(other), 'fp32') != path


def test_int8_is_cached_per_calibration(lfdn_checkpoint, calibration, monkeypatch):
    quantisations = []
    quantize = cache.quantize_openvino
    monkeypatch.setattr(cache, 'quantize_openvino', lambda *args: quantisations.append(1) or quantize(*args))
    loader = CountingLoader(lfdn_checkpoint)
    model = cache.cached_openvino_model(lfdn_checkpoint, 'int8', loader, calibration)
    again = cache.cached_openvino_model(lfdn_checkpoint, 'int8', loader, calibration)
    assert is_quantized(model) and is_quantized(again) and len(quantisations) == 1 and loader.calls == 1
    digest = sha256_of(lfdn_checkpoint)
    assert cache.model_path(digest, 'int8', calibration).is_file()

    reseeded = Calibration(calibration.photos, 'blur', {}, count=2, crop=32, seed=1)
    assert cache.model_path(digest, 'int8', reseeded) != cache.model_path(digest, 'int8', calibration)
    cache.cached_openvino_model(lfdn_checkpoint, 'int8', loader, reseeded)
    assert len(quantisations) == 2 and loader.calls == 1  # the fp32 graph came from the cache
    with pytest.raises(ValueError, match='needs a calibration'):
        cache.cached_openvino_model(lfdn_checkpoint, 'int8', loader)


def test_unreadable_entry_is_built_again(lfdn_checkpoint, capsys):
    path = cache.model_path(sha256_of(lfdn_checkpoint), 'fp32')
    path.parent.mkdir(parents=True)
    path.write_text('<not a model')
    loader = CountingLoader(lfdn_checkpoint)
    cache.cached_openvino_model(lfdn_checkpoint, 'fp32', loader)
    assert loader.calls == 1 and 'unreadable' in capsys.readouterr().out
    assert cache.cached_openvino_model(lfdn_checkpoint, 'fp32', loader) is not None and loader.calls == 1


def test_unwritable_cache_folder_still_gives_the_model(lfdn_checkpoint, monkeypatch, tmp_path, capsys):
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    monkeypatch.setenv('LFDN_CACHE_DIR', str(blocker))
    model = cache.cached_openvino_model(lfdn_checkpoint, 'fp32', CountingLoader(lfdn_checkpoint))
    assert model is not None and 'cannot write' in capsys.readouterr().out


def test_compiled_model_cache_holds_the_tile_shape_only(lfdn_checkpoint, tmp_path):
    folder = tmp_path / 'compiled'
    model = openvino_model(build_network_from_checkpoint(lfdn_checkpoint))
    predict = OpenVINOPredictor(model, 'fp32', 1, cache_dir=folder, cached_side=48)
    predict(torch.rand(1, 3, 48, 48))
    blobs = set(folder.iterdir())
    assert blobs
    predict(torch.rand(1, 3, 40, 56))  # a whole image smaller than a tile: compiled in memory only
    assert set(folder.iterdir()) == blobs


def test_predictor_keeps_the_last_compiled_shapes_only(lfdn_checkpoint):
    predict = OpenVINOPredictor(openvino_model(build_network_from_checkpoint(lfdn_checkpoint)), 'fp32', 1)
    shapes = [(1, 3, 16, 16 + 8 * index) for index in range(COMPILED_KEPT + 1)]
    for shape in [*shapes[:-1], shapes[0], shapes[-1]]:
        predict(torch.rand(*shape))
    assert list(predict.compiled) == [*shapes[2:-1], shapes[0], shapes[-1]]  # shapes[1] was used least recently

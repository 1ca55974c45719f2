"""ONNX Runtime and OpenVINO backends give PyTorch's output; a missing package is one line naming the extra.

Tolerances (max absolute difference on outputs in [0, 1], tiny random LFDN, 40x56 input):
fp32 graphs 1e-4 (float rounding only; measured ~1e-6), OpenVINO bf16 5e-2 (8-bit mantissa:
~2^-8 relative per operation, measured ~1e-2), int8 only checked for shape and a PSNR against
the fp32 output above 20 dB (a sign the quantised graph still restores rather than breaks).
"""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest
import torch

from basicsr_lfdn.inference.backends import (
    OpenVINOPredictor,
    is_quantized,
    network_predictor,
    openvino_model,
)
from basicsr_lfdn.inference.export import main as export_main
from basicsr_lfdn.inference.quantize import Calibration, quantize_openvino
from basicsr_lfdn.inference.restore import main as restore_main
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint
from basicsr_lfdn.utils.tiling import tiled_forward

CPU = torch.device('cpu')


def _image(height: int, width: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(seed))


def _reference(checkpoint, image: torch.Tensor) -> torch.Tensor:
    network = build_network_from_checkpoint(checkpoint)
    with torch.inference_mode():
        return network(image)


@pytest.mark.parametrize(
    ('backend', 'precision', 'tolerance'),
    [('onnxruntime', 'fp32', 1e-4), ('openvino', 'fp32', 1e-4), ('openvino', 'bf16', 5e-2)],
)
def test_backend_matches_pytorch(lfdn_checkpoint, backend, precision, tolerance):
    image = _image(40, 56)
    reference = _reference(lfdn_checkpoint, image)
    network = build_network_from_checkpoint(lfdn_checkpoint)
    output = network_predictor(network, backend, precision, CPU, threads=1)(image)
    assert output.shape == reference.shape
    difference = float((output - reference).abs().max())
    assert difference <= tolerance
    if precision == 'bf16':
        assert difference > 0  # really computed in bf16, not silently in fp32


def test_openvino_fp32_is_not_the_plugin_default_bf16(lfdn_checkpoint):
    """The CPU plugin runs bf16 by default on bf16-capable CPUs; fp32 must stay float-exact."""
    image = _image(40, 56, seed=1)
    output = OpenVINOPredictor(openvino_model(build_network_from_checkpoint(lfdn_checkpoint)), 'fp32', 1)(image)
    torch.testing.assert_close(output, _reference(lfdn_checkpoint, image), atol=1e-4, rtol=0)


def test_tiles_of_one_shape_compile_once(lfdn_checkpoint):
    predict = OpenVINOPredictor(openvino_model(build_network_from_checkpoint(lfdn_checkpoint)), 'fp32', 1)
    image = _image(80, 100)
    tiled_forward(predict, image, 48, 16)  # 3 x 3 windows of 48 x 48
    tiled_forward(predict, image[:, :, :48, :48], 0, 0)  # a whole image of that shape
    assert list(predict.compiled) == [(1, 3, 48, 48)]


@pytest.mark.parametrize(
    ('argv', 'module', 'package'),
    [
        (['--backend', 'openvino'], 'openvino', 'openvino'),
        (['--backend', 'onnxruntime'], 'onnxruntime', 'onnxruntime'),
    ],
)
def test_missing_backend_package_is_one_line(monkeypatch, lfdn_checkpoint, tmp_path, capsys, argv, module, package):
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), np.zeros((20, 20, 3), np.uint8))
    code = restore_main([str(photo), '-o', str(tmp_path / 'out'), '--weights', str(lfdn_checkpoint), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count('\n') == 1, err
    assert f"'{package}' package" in err and "pip install -e '.[deploy]'" in err
    assert not (tmp_path / 'out').exists() or not any((tmp_path / 'out').iterdir())


def test_missing_nncf_for_int8_export_is_one_line(monkeypatch, lfdn_checkpoint, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, 'nncf', None)
    photos = tmp_path / 'photos'
    photos.mkdir()
    cv2.imwrite(str(photos / 'a.png'), np.zeros((40, 40, 3), np.uint8))
    argv = ['--weights', str(lfdn_checkpoint), '--openvino', str(tmp_path / 'ir'), '--int8']
    argv += ['--calibration', str(photos), '--degradation', 'rain', '--calibration-images', '1']
    assert export_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and "'nncf' package" in err and '[deploy]' in err


def test_unsupported_precision_is_refused(lfdn_checkpoint, tmp_path, capsys):
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), np.zeros((20, 20, 3), np.uint8))
    argv = [str(photo), '-o', str(tmp_path / 'out'), '--weights', str(lfdn_checkpoint)]
    assert restore_main([*argv, '--backend', 'onnxruntime', '--precision', 'bf16']) == 2
    assert '--precision bf16 is not available with --backend onnxruntime' in capsys.readouterr().err
    assert restore_main([*argv, '--backend', 'openvino', '--precision', 'int8']) == 2
    assert '--precision int8 with --weights needs --degradation rain|blur' in capsys.readouterr().err


def test_openvino_ir_export_has_dynamic_size_and_restores_like_pytorch(lfdn_checkpoint, tmp_path, capsys):
    ir_dir = tmp_path / 'ir'
    code = export_main(['--weights', str(lfdn_checkpoint), '--openvino', str(ir_dir), '--verify-size', '72x40'])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    xml = ir_dir / 'tiny_lfdn.xml'
    assert xml.is_file() and xml.with_suffix('.bin').is_file() and 'OpenVINO fp32' in printed.out

    rng = np.random.default_rng(0)
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), rng.integers(0, 256, (36, 52, 3), dtype=np.uint8))
    outputs = {}
    for backend, weights in [('torch', lfdn_checkpoint), ('openvino', xml)]:
        out = tmp_path / backend
        argv = [str(photo), '-o', str(out), '--weights', str(weights), '--backend', backend, '--precision', 'fp32']
        argv += ['--tile', '0']
        assert restore_main(argv) == 0, capsys.readouterr().err
        outputs[backend] = cv2.imread(str(out / 'photo.png')).astype(int)
    assert np.abs(outputs['openvino'] - outputs['torch']).max() <= 1  # uint8 rounding of a 1e-4 difference


def _calibration_photos(folder, count: int) -> None:
    folder.mkdir()
    rng = np.random.default_rng(1)
    for index in range(count):
        smooth = cv2.resize(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), (64, 48), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / f'{index}.png'), smooth)


def test_int8_quantisation_gives_a_quantised_model_close_to_fp32(lfdn_checkpoint, tmp_path):
    photos = tmp_path / 'photos'
    _calibration_photos(photos, 4)
    model = openvino_model(build_network_from_checkpoint(lfdn_checkpoint))
    quantised = quantize_openvino(model, Calibration(photos, 'rain', {}, count=4, crop=32))
    assert is_quantized(quantised) and not is_quantized(model)
    image = _image(40, 56, seed=2)
    output = OpenVINOPredictor(quantised, 'int8', 1)(image)
    reference = _reference(lfdn_checkpoint, image)
    assert output.shape == reference.shape
    psnr = -10 * torch.log10(((output - reference) ** 2).mean())
    assert psnr > 20
    with pytest.raises(ValueError, match='quantised'):
        OpenVINOPredictor(quantised, 'fp32')

"""``--backend auto`` / ``--precision auto``: what is chosen, why, and the log line that says so."""

from __future__ import annotations

import sys

import cv2
import numpy as np
import pytest

from basicsr_lfdn.inference import restore
from basicsr_lfdn.inference.choice import (
    MAX_INT8_LOSS_DB,
    Choice,
    choose_backend,
    choose_precision,
    cpu_description,
    int8_verdict,
)

SHA = 'ab' * 32
CALIBRATION = {'photos': 'scikit-image sample photos', 'degradation': 'blur', 'seed': 0}


def _card(**deltas: float) -> dict:
    datasets = {name: {'delta_db': delta} for name, delta in deltas.items()}
    return {
        'name': 'lfdn_test',
        'sha256': SHA,
        'int8': {'sha256': SHA, 'calibration': CALIBRATION, 'datasets': datasets},
    }


def test_auto_backend_is_openvino_with_the_deploy_extra_and_torch_without(monkeypatch):
    assert choose_backend('auto', 'cpu', '.pth') == Choice('openvino', 'the deploy extra is installed')
    assert choose_backend('auto', 'cuda', '.pth').value == 'torch'
    assert choose_backend('onnxruntime', 'cpu', '.pth') == Choice('onnxruntime', 'asked for')
    monkeypatch.setitem(sys.modules, 'openvino', None)  # `import openvino` now fails
    chosen = choose_backend('auto', 'cpu', '.pth')
    assert chosen.value == 'torch' and 'openvino is not installed' in chosen.reason and '[deploy]' in chosen.reason
    assert choose_backend('auto', 'cpu', '.onnx').value == 'onnxruntime'


def test_int8_is_refused_when_any_test_set_loses_more_than_the_bound():
    passing = int8_verdict(_card(Levin=0.004, Lai=-0.09), SHA, CALIBRATION)
    assert passing.value == 'yes' and 'Levin +0.004 dB' in passing.reason and 'Lai -0.090 dB' in passing.reason
    failing = int8_verdict(_card(Levin=0.2, Lai=-MAX_INT8_LOSS_DB - 0.01), SHA, CALIBRATION)
    assert failing.value == 'no' and 'loses more than 0.1 dB' in failing.reason and 'Lai -0.110 dB' in failing.reason


def test_int8_figures_of_other_weights_or_another_calibration_are_not_trusted():
    card = _card(Levin=0.0)
    assert 'other weights' in int8_verdict(card, 'cd' * 32, CALIBRATION).reason
    assert 'another calibration' in int8_verdict(card, SHA, {**CALIBRATION, 'seed': 1}).reason
    assert 'no int8 measurement' in int8_verdict({'name': 'x', 'sha256': SHA}, SHA, CALIBRATION).reason


@pytest.mark.parametrize(
    ('backend', 'int8', 'bf16', 'expected'),
    [
        ('openvino', 'yes', True, 'int8'),
        ('openvino', 'no', True, 'bf16'),
        ('openvino', 'no', False, 'fp32'),
        ('torch', 'yes', True, 'bf16'),  # int8 is OpenVINO's only
        ('torch', 'yes', False, 'fp32'),
        ('onnxruntime', 'yes', True, 'fp32'),
    ],
)
def test_auto_precision_is_the_fastest_allowed(backend, int8, bf16, expected):
    chosen = choose_precision('auto', backend, 'cpu', Choice(int8, 'why'), bf16)
    assert chosen.value == expected
    if backend == 'openvino' and expected != 'int8':
        assert chosen.reason.endswith('; not int8: why')
    assert choose_precision('fp32', backend, 'cpu', Choice(int8, 'why'), bf16) == Choice('fp32', 'asked for')
    assert choose_precision('auto', backend, 'cuda', Choice(int8, 'why'), bf16).value == 'fp32'


def test_cpu_description_names_the_int8_and_bf16_features():
    description = cpu_description()
    assert 'logical CPUs' in description and ('vnni' in description or 'no flags read' in description)


def _photo(tmp_path):
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), np.random.default_rng(0).integers(0, 256, (24, 40, 3), dtype=np.uint8))
    return photo


def test_log_names_the_chosen_backend_and_precision_and_why(lfdn_checkpoint, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(restore, 'native_bf16', lambda backend: False)
    argv = [str(_photo(tmp_path)), '-o', str(tmp_path / 'out'), '--weights', str(lfdn_checkpoint)]
    assert restore.main(argv) == 0
    log = capsys.readouterr().out.splitlines()[0]
    assert log.startswith('lfdn-restore: backend openvino (the deploy extra is installed); precision fp32 (')
    assert 'the CPU has no native bf16' in log and 'no model card measures int8 for --weights' in log

    monkeypatch.setitem(sys.modules, 'openvino', None)
    assert restore.main([*argv, '--force']) == 0
    log = capsys.readouterr().out.splitlines()[0]
    assert log.startswith('lfdn-restore: backend torch (openvino is not installed') and 'precision fp32' in log


def test_task_without_a_passing_int8_card_does_not_run_int8(tmp_path, capsys, monkeypatch):
    """A card whose int8 loses 0.2 dB on one set keeps ``--task`` in float, and the log says why."""
    card = restore.model_card('deblur', 'LFDN')
    calibration = restore.describe(restore.card_calibration(card))
    datasets = {'Levin': {'delta_db': 0.01}, 'Lai': {'delta_db': -0.2}}
    card['int8'] = {'sha256': card['sha256'], 'calibration': calibration, 'datasets': datasets}
    monkeypatch.setattr(restore, 'model_card', lambda task, network: card)
    monkeypatch.setattr(restore, 'native_bf16', lambda backend: False)
    argv = [str(_photo(tmp_path)), '-o', str(tmp_path / 'out'), '--task', 'deblur', '--tile', '0']
    assert restore.main(argv) == 0
    log = capsys.readouterr().out.splitlines()[0]
    assert 'precision fp32 (the CPU has no native bf16; not int8: int8 loses more than 0.1 dB' in log
    assert 'Lai -0.200 dB' in log

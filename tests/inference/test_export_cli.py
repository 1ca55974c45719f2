"""lfdn-export writes ONNX and TorchScript graphs that match PyTorch at sizes other than the export size."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
import torch

from basicsr_lfdn.inference.export import main as export_main
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint


@pytest.mark.slow
def test_onnx_and_torchscript_agree_with_pytorch_on_other_sizes(lfdn_checkpoint, tmp_path, capsys):
    onnx_path, script_path = tmp_path / 'lfdn.onnx', tmp_path / 'lfdn.pt'
    code = export_main(
        [
            '--weights',
            str(lfdn_checkpoint),
            '--onnx',
            str(onnx_path),
            '--torchscript',
            str(script_path),
            '--export-size',
            '64x48',
            '--verify-size',
            '100x70',
        ]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert printed.out.count(' ok') == 2

    network = build_network_from_checkpoint(lfdn_checkpoint)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=['CPUExecutionProvider'])
    scripted = torch.jit.load(str(script_path))
    for height, width in [(33, 129), (96, 64)]:
        image = torch.rand(2, 3, height, width, generator=torch.Generator().manual_seed(height))
        with torch.inference_mode():
            reference = network(image)
            from_script = scripted(image)
        (from_onnx,) = session.run(None, {'input': image.numpy()})
        assert from_onnx.shape == (2, 3, height, width)
        np.testing.assert_allclose(from_onnx, reference.numpy(), atol=1e-4)
        torch.testing.assert_close(from_script, reference, atol=1e-5, rtol=0)


def test_existing_export_files_need_force(lfdn_checkpoint, tmp_path, capsys):
    target = tmp_path / 'lfdn.onnx'
    target.write_bytes(b'keep me')
    assert export_main(['--weights', str(lfdn_checkpoint), '--onnx', str(target)]) == 2
    assert target.read_bytes() == b'keep me'
    assert '--force' in capsys.readouterr().err

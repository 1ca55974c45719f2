"""``lfdn-restore --task``: derain removes real rain (Rain100L), deblur restores with the shipped deblur file."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from basicsr.metrics import calculate_psnr

from basicsr_lfdn.inference.restore import main as restore_main

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / 'shared' / 'datasets'
SHIPPED_FILES = REPO / 'basicsr_lfdn' / 'pretrained'
RAIN100L_PAIRS = ('001', '025', '050')
# The weights themselves, bit for bit: not the automatic backend/precision (int8 is tested in test_int8_default.py).
TORCH_FP32 = ('--backend', 'torch', '--precision', 'fp32')


def restore(inputs: list[Path], out: Path, *source: str) -> list[np.ndarray]:
    assert restore_main([*map(str, inputs), '-o', str(out), *source, *TORCH_FP32]) == 0
    return [cv2.imread(str(out / path.name)) for path in inputs]


def y_psnr(image: np.ndarray, target: np.ndarray) -> float:
    """Deraining's protocol: PSNR on the BT.601 Y channel, no border crop."""
    return calculate_psnr(image, target, crop_border=0, test_y_channel=True)


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / 'Rain100').is_dir(), reason='needs ../shared/datasets/Rain100 (real benchmark data)')
def test_task_derain_raises_the_psnr_of_real_rainy_photos(tmp_path):
    """Any usable derain model removes some of Rain100L's rain: every pair gains, by ≥ 0.5 dB on average."""
    rainy = [SHARED / 'Rain100' / 'Rain100L' / f'{number}.png' for number in RAIN100L_PAIRS]
    targets = [cv2.imread(str(SHARED / 'Rain100' / 'target' / path.name)) for path in rainy]
    restored = restore(rainy, tmp_path / 'out', '--task', 'derain')
    gains = [
        y_psnr(output, target) - y_psnr(cv2.imread(str(path)), target)
        for path, output, target in zip(rainy, restored, targets)
    ]
    assert min(gains) > 0 and np.mean(gains) >= 0.5, gains


def test_task_deblur_restores_with_the_shipped_deblur_file(tmp_path):
    """``--task deblur`` gives exactly what the deblur file gives, and not what the derain file gives."""
    coarse = np.random.default_rng(0).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    blurred = cv2.blur(cv2.resize(coarse, (56, 40), interpolation=cv2.INTER_CUBIC), (5, 5))
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), blurred)
    by_task = restore([photo], tmp_path / 'task', '--task', 'deblur')[0]
    by_file = {
        task: restore([photo], tmp_path / task, '--weights', str(SHIPPED_FILES / f'lfdn_{task}.pth'))[0]
        for task in ('deblur', 'derain')
    }
    assert by_task.shape == blurred.shape and not np.array_equal(by_task, blurred)
    np.testing.assert_array_equal(by_task, by_file['deblur'])
    assert not np.array_equal(by_task, by_file['derain'])


def test_task_network_picks_the_shipped_file_of_that_network(tmp_path, capsys):
    """``--task derain --network LMFN`` restores with lmfn_derain.pth; a network not shipped for a task is refused."""
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), np.random.default_rng(1).integers(0, 256, (40, 56, 3), dtype=np.uint8))
    by_network = restore([photo], tmp_path / 'lmfn', '--task', 'derain', '--network', 'LMFN')[0]
    by_file = {
        name: restore([photo], tmp_path / name, '--weights', str(SHIPPED_FILES / f'{name}_derain.pth'))[0]
        for name in ('lmfn', 'lfdn')
    }
    np.testing.assert_array_equal(by_network, by_file['lmfn'])
    assert not np.array_equal(by_network, by_file['lfdn'])
    assert restore_main([str(photo), '-o', str(tmp_path / 'x'), '--task', 'deblur', '--network', 'LMFN']) != 0
    assert 'no shipped deblur weights for LMFN' in capsys.readouterr().err

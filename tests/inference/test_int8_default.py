"""The command of issue 26 on an empty cache: shipped weights in int8 with nothing else, cached for the next start."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from basicsr_lfdn.inference.restore import main as restore_main


@pytest.mark.slow
def test_task_int8_needs_no_other_argument_and_the_second_start_reuses_the_cache(tmp_path, model_cache, capsys):
    coarse = np.random.default_rng(0).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    photo = tmp_path / 'photo.png'
    cv2.imwrite(str(photo), cv2.blur(cv2.resize(coarse, (80, 64), interpolation=cv2.INTER_CUBIC), (5, 5)))
    argv = [str(photo), '-o', str(tmp_path / 'out'), '--task', 'deblur', '--backend', 'openvino', '--precision', 'int8']

    assert restore_main(argv) == 0
    first = capsys.readouterr().out
    assert 'precision int8 (asked for)' in first and 'quantising lfdn_deblur.pth to int8 once' in first
    (model,) = model_cache.glob('openvino/*/int8-*.xml')
    written = model.stat().st_mtime_ns
    restored = cv2.imread(str(tmp_path / 'out' / 'photo.png'))
    assert restored.shape == (64, 80, 3) and not np.array_equal(restored, cv2.imread(str(photo)))

    assert restore_main([*argv, '--force']) == 0
    second = capsys.readouterr().out
    assert 'quantising' not in second and 'converting' not in second
    assert model.stat().st_mtime_ns == written
    np.testing.assert_array_equal(cv2.imread(str(tmp_path / 'out' / 'photo.png')), restored)

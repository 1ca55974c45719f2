"""The demo sets build offline from scikit-image photos, with inputs clearly worse than targets."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from basicsr_lfdn.data.demo_data import ensure_demo_data


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory) -> Path:
    return ensure_demo_data(tmp_path_factory.mktemp('demo') / 'Demo')


def test_layout_and_meta_info(demo_root: Path) -> None:
    for task in ('deblur', 'derain'):
        for split in ('train', 'val'):
            split_dir = demo_root / task / split
            inputs = sorted(path.name for path in (split_dir / 'input').iterdir())
            assert inputs == sorted(path.name for path in (split_dir / 'target').iterdir())
            listed = [line.split()[0] for line in (split_dir / 'meta_info.txt').read_text().splitlines()]
            assert sorted(listed) == inputs and len(inputs) >= 2
    size = sum(path.stat().st_size for path in demo_root.rglob('*.png'))
    assert 300_000 < size < 8_000_000


def test_inputs_are_degraded(demo_root: Path) -> None:
    for task in ('deblur', 'derain'):
        for split in ('train', 'val'):
            values = []
            for target in (demo_root / task / split / 'target').iterdir():
                degraded = cv2.imread(str(target.parent.parent / 'input' / target.name))
                values.append(psnr(degraded, cv2.imread(str(target))))
            assert np.isfinite(values).all()
            assert np.mean(values) < 32 and max(values) < 40, (task, split, values)


def test_second_call_reuses_and_builds_are_identical(demo_root: Path, tmp_path: Path) -> None:
    image = demo_root / 'derain' / 'val' / 'input' / 'chelsea.png'
    stamp = image.stat().st_mtime_ns
    assert ensure_demo_data(demo_root) == demo_root
    assert image.stat().st_mtime_ns == stamp
    other = ensure_demo_data(tmp_path / 'Demo')
    assert (other / 'derain/val/input/chelsea.png').read_bytes() == image.read_bytes()


def test_foreign_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / 'Demo').mkdir()
    (tmp_path / 'Demo' / 'mine.txt').write_text('keep')
    with pytest.raises(FileExistsError, match='not a complete demo build'):
        ensure_demo_data(tmp_path / 'Demo')
    assert (tmp_path / 'Demo' / 'mine.txt').read_text() == 'keep'

"""Images for the demo tests: a small rainy photo and the bad uploads the page must answer."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from basicsr_lfdn.demo.examples import write_examples

# A 96×128 crop of the rainy cat example: small enough that a restore takes well under a second.
CROP = (slice(100, 196), slice(100, 228))


@pytest.fixture(scope='session')
def rainy_png(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp('rainy')
    (example, task), *_ = write_examples(folder)
    assert task == 'derain'
    path = folder / 'rainy.png'
    cv2.imwrite(str(path), cv2.imread(str(example))[CROP])
    return path


@pytest.fixture(scope='session')
def bad_uploads(tmp_path_factory, rainy_png) -> dict[str, Path]:
    """Every kind of awkward upload, by what it is; sizes fit a server started with --max-pixels 100000."""
    folder = tmp_path_factory.mktemp('bad')
    rainy = cv2.imread(str(rainy_png))
    files = {name: folder / f'{name}.png' for name in ('corrupt', 'text', 'dot', 'rgba', 'deep', 'big')}
    files['corrupt'].write_bytes(rainy_png.read_bytes()[:2000])
    files['text'].write_text('these are notes, not a photo\n', encoding='utf-8')
    cv2.imwrite(str(files['dot']), rainy[:1, :1])
    alpha = np.tile(np.linspace(0, 255, rainy.shape[1]).astype(np.uint8), (rainy.shape[0], 1))
    cv2.imwrite(str(files['rgba']), np.dstack([rainy, alpha]))
    cv2.imwrite(str(files['deep']), rainy.astype(np.uint16) * 257)
    cv2.imwrite(str(files['big']), cv2.resize(rainy, (400, 300)))
    return files

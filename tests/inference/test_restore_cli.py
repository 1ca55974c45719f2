"""lfdn-restore writes each input's restoration with the input's name, depth, channels and alpha."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from basicsr_lfdn.inference.image_io import apply_exif_orientation, read_image
from basicsr_lfdn.inference.restore import main as restore_main
from basicsr_lfdn.inference.runtime import make_predictor
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint
from basicsr_lfdn.utils.tiling import tiled_forward

HEIGHT, WIDTH = 24, 40


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """RGB, gray, RGBA, 16-bit RGB, an EXIF-rotated JPEG and a corrupt file."""
    rng = np.random.default_rng(0)
    folder = tmp_path / 'inputs'
    folder.mkdir()
    cv2.imwrite(str(folder / 'rgb.png'), rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8))
    cv2.imwrite(str(folder / 'gray.png'), rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8))
    cv2.imwrite(str(folder / 'rgba.png'), rng.integers(0, 256, (HEIGHT, WIDTH, 4), dtype=np.uint8))
    cv2.imwrite(str(folder / 'deep.png'), rng.integers(0, 65536, (HEIGHT, WIDTH, 3), dtype=np.uint16))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate it 90° clockwise
    Image.fromarray(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)).save(folder / 'rotated.jpg', exif=exif)
    (folder / 'corrupt.png').write_bytes(b'\x89PNG\r\n\x1a\n this is not really a png')
    return folder


def test_mixed_folder_outputs_keep_form_and_corrupt_file_is_reported(mixed_folder, lfdn_checkpoint, tmp_path, capsys):
    out = tmp_path / 'out'
    code = restore_main([str(mixed_folder), '-o', str(out), '--weights', str(lfdn_checkpoint), '--tile', '0'])
    captured = capsys.readouterr()

    assert code == 1
    assert 'corrupt.png' in captured.err and '5 written, 0 skipped, 1 failed' in captured.err
    assert sorted(p.name for p in out.iterdir()) == ['deep.png', 'gray.png', 'rgb.png', 'rgba.png', 'rotated.jpg']

    def load(name: str) -> np.ndarray:
        return cv2.imread(str(out / name), cv2.IMREAD_UNCHANGED)

    assert load('rgb.png').shape == (HEIGHT, WIDTH, 3) and load('rgb.png').dtype == np.uint8
    assert load('gray.png').shape == (HEIGHT, WIDTH) and load('gray.png').dtype == np.uint8
    assert load('deep.png').shape == (HEIGHT, WIDTH, 3) and load('deep.png').dtype == np.uint16
    assert load('deep.png').max() > 255  # really 16-bit samples, not 8-bit ones widened
    rgba_in = cv2.imread(str(mixed_folder / 'rgba.png'), cv2.IMREAD_UNCHANGED)
    rgba_out = load('rgba.png')
    assert rgba_out.shape == (HEIGHT, WIDTH, 4)
    np.testing.assert_array_equal(rgba_out[:, :, 3], rgba_in[:, :, 3])
    assert load('rotated.jpg').shape == (WIDTH, HEIGHT, 3)  # EXIF orientation 6 applied: upright is tall


def test_existing_outputs_need_force(mixed_folder, lfdn_checkpoint, tmp_path, capsys):
    out = tmp_path / 'out'
    out.mkdir()
    (out / 'rgb.png').write_bytes(b'keep me')
    args = [str(mixed_folder / 'rgb.png'), '-o', str(out), '--weights', str(lfdn_checkpoint)]

    assert restore_main(args) == 0
    assert (out / 'rgb.png').read_bytes() == b'keep me'
    assert 'skipped' in capsys.readouterr().out
    assert restore_main([*args, '--force']) == 0
    assert cv2.imread(str(out / 'rgb.png')).shape == (HEIGHT, WIDTH, 3)


def test_missing_input_and_checkpoint_without_options_are_clear_errors(plain_local_checkpoint, tmp_path, capsys):
    checkpoint, options = plain_local_checkpoint
    image = tmp_path / 'one.png'
    cv2.imwrite(str(image), np.zeros((HEIGHT, WIDTH, 3), np.uint8))
    out = str(tmp_path / 'out')

    assert restore_main([str(image), '-o', out, '--weights', str(checkpoint)]) == 2
    assert '--opt' in capsys.readouterr().err
    assert (
        restore_main(
            [str(image), str(tmp_path / 'missing.png'), '-o', out, '--weights', str(checkpoint), '--opt', str(options)]
        )
        == 1
    )
    assert 'missing.png: no such file' in capsys.readouterr().err
    assert (tmp_path / 'out' / 'one.png').is_file()


@pytest.mark.parametrize('orientation', range(1, 9))
def test_exif_orientation_matches_pillow(orientation, tmp_path):
    rng = np.random.default_rng(orientation)
    pixels = rng.integers(0, 256, (6, 10, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / 'oriented.png'
    Image.fromarray(pixels).save(path, exif=exif)
    from PIL import ImageOps

    with Image.open(path) as image:
        expected = np.asarray(ImageOps.exif_transpose(image))
    np.testing.assert_array_equal(apply_exif_orientation(pixels, orientation), expected)
    rgb, _ = read_image(path)
    np.testing.assert_allclose(rgb, expected.astype(np.float32) / 255)


def test_tiled_output_equals_whole_image_output_for_a_local_network(local_checkpoint):
    network = build_network_from_checkpoint(local_checkpoint)
    predict = make_predictor(network, torch.device('cpu'), 'fp32')
    image = torch.rand(1, 3, 70, 90, generator=torch.Generator().manual_seed(0))

    whole = predict(image)
    # Five stacked 3×3 convs: a receptive radius of 5 px, within the quarter-overlap (6 px) that
    # the blend discards at shared tile edges, so the two passes agree to rounding.
    tiled = tiled_forward(predict, image, tile=40, overlap=24)

    assert tiled.shape == whole.shape
    torch.testing.assert_close(tiled, whole, rtol=1e-5, atol=1e-5)


def test_weights_or_task_is_required(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        restore_main([str(tmp_path / 'photo.png'), '-o', str(tmp_path / 'out')])
    assert exit_info.value.code == 2 and 'one of the arguments --task --weights is required' in capsys.readouterr().err


def test_checkpoint_of_another_network_is_one_line(lfdn_checkpoint, tmp_path, capsys):
    (tmp_path / 'photo.png').write_bytes(cv2.imencode('.png', np.zeros((8, 8, 3), np.uint8))[1].tobytes())
    options = tmp_path / 'wider.yml'
    options.write_text('network_g: {type: LFDN, num_feat: 16, encoder_feat: 8, num_blocks: 2}\n')
    code = restore_main(
        [str(tmp_path / 'photo.png'), '-o', str(tmp_path / 'out'), '--weights', str(lfdn_checkpoint)]
        + ['--opt', str(options), '--backend', 'torch']
    )
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1
    assert 'does not fit LFDN' in error and 'missing keys (' in error and 'of another shape' in error

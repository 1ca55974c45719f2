"""lfdn-score scores tiny fixture folders exactly as BasicSR does, and refuses partial or broken sets."""

from __future__ import annotations

import json
import math
from importlib.metadata import entry_points
from pathlib import Path

import cv2
import numpy as np
import pytest

from basicsr_lfdn.research.rows import ROW_KEYS, write_row_json
from basicsr_lfdn.scoring import ScoringError, main, score_folders

OFFSET = 5
RGB_PSNR = 20 * math.log10(255 / OFFSET)  # every channel off by 5 grey levels: MSE = 25
# BasicSR's Y = 16 + (24.966 B + 128.553 G + 65.481 R) / 255 (in the 0-255 range): Y moves by 5 * 219 / 255
Y_PSNR = 20 * math.log10(255 / (OFFSET * (24.966 + 128.553 + 65.481) / 255))


def make_pair(tmp_path: Path, count: int = 3, offset: int = OFFSET, size: int = 16) -> tuple[Path, Path]:
    """``restored`` = ``target`` + offset in every channel (values 90..160: nothing clips)."""
    restored, target = tmp_path / 'restored', tmp_path / 'Rain100L'
    restored.mkdir()
    target.mkdir()
    rng = np.random.default_rng(0)
    for index in range(count):
        image = rng.integers(90, 160, (size, size, 3), dtype=np.uint8)
        cv2.imwrite(str(target / f'{index:03d}.png'), image)
        cv2.imwrite(str(restored / f'{index:03d}.png'), image + offset)
    return restored, target


def test_console_script_is_registered():
    scripts = {entry.name: entry.value for entry in entry_points(group='console_scripts')}
    assert scripts.get('lfdn-score') == 'basicsr_lfdn.scoring:main'


def test_constant_offset_gives_the_psnr_computed_by_hand(tmp_path, capsys):
    restored, target = make_pair(tmp_path)
    rgb = score_folders(restored, target)
    y = score_folders(restored, target, y_channel=True)
    assert rgb.num_images == 3 and rgb.num_missing == 0
    assert rgb.psnr == pytest.approx(RGB_PSNR, abs=1e-9)
    assert y.psnr == pytest.approx(Y_PSNR, abs=1e-4)  # BasicSR converts to Y in float32
    assert abs(y.psnr - rgb.psnr) > 1  # the flag changes the figure

    assert main(['--restored', str(restored), '--target', str(target), '--y-channel']) == 0
    expected = f'Rain100L: 3 images, PSNR {Y_PSNR:.2f} dB, SSIM {y.ssim:.4f} (Y channel, crop border 0)'
    assert capsys.readouterr().out.strip() == expected


def test_worst_lists_the_images_of_lowest_psnr_first(tmp_path, capsys):
    restored, target = make_pair(tmp_path)
    image = cv2.imread(str(target / '001.png'))
    cv2.imwrite(str(restored / '001.png'), image + 2 * OFFSET)  # twice the offset: 6.02 dB below the others
    assert main(['--restored', str(restored), '--target', str(target), '--worst', '2']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[1] == f'  001.png: PSNR {RGB_PSNR - 20 * math.log10(2):.2f} dB, SSIM ' + lines[1].split('SSIM ')[1]
    assert lines[2].startswith(f'  000.png: PSNR {RGB_PSNR:.2f} dB') and len(lines) == 3


def test_sixteen_bit_and_other_extensions_match_by_stem(tmp_path):
    restored, target = make_pair(tmp_path, count=1)
    image = cv2.imread(str(target / '000.png'))
    (target / '000.png').unlink()
    cv2.imwrite(str(target / '000.tif'), image.astype(np.uint16) * 257)  # same picture, 16 bit, other extension
    assert score_folders(restored, target).psnr == pytest.approx(RGB_PSNR, abs=1e-9)


def test_identical_images_give_infinite_psnr_and_null_in_json(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=2, offset=0)
    out = tmp_path / 'row.json'
    assert main(['--restored', str(restored), '--target', str(target), '--json', str(out)]) == 0
    assert 'PSNR inf dB, SSIM 1.0000 (RGB, crop border 0, 2 identical to their targets)' in capsys.readouterr().out
    row = json.loads(out.read_text(encoding='utf-8'))  # strict JSON: no Infinity token
    assert row['psnr'] is None and row['ssim'] == pytest.approx(1.0) and row['num_images'] == 2


def test_json_row_has_exactly_the_shared_keys(tmp_path):
    restored, target = make_pair(tmp_path)
    out = tmp_path / 'scores' / 'row.json'
    argv = ['--restored', str(restored), '--target', str(target), '--y-channel', '--json', str(out)]
    assert main([*argv, '--name', 'LFDN (mine)', '--network', 'LFDN']) == 0
    row = json.loads(out.read_text(encoding='utf-8'))
    assert list(row) == list(ROW_KEYS)
    assert row['source'] == 'measured' and row['name'] == 'LFDN (mine)' and row['network'] == 'LFDN'
    assert row['dataset'] == 'Rain100L' and row['recipe'] is None
    assert row['protocol'] == {'y_channel': True, 'crop_border': 0, 'rounding': 'uint8'}
    assert row['num_images'] == 3 and row['num_missing'] == 0
    assert row['psnr'] == pytest.approx(Y_PSNR, abs=1e-4)
    assert all(row[key] is None for key in ('params', 'macs_g', 'latency_s', 'latency_device', 'iterations'))
    assert row['provenance'].startswith(f'lfdn-score --restored {restored}')
    assert not [p for p in out.parent.iterdir() if p.name != 'row.json']  # no temporary file left


def test_existing_json_is_kept_without_force(tmp_path, capsys):
    restored, target = make_pair(tmp_path)
    out = tmp_path / 'row.json'
    out.write_text('{"keep": true}', encoding='utf-8')
    argv = ['--restored', str(restored), '--target', str(target), '--json', str(out)]
    assert main(argv) == 2
    assert 'exists; pass --force' in capsys.readouterr().err
    assert out.read_text(encoding='utf-8') == '{"keep": true}'
    assert main([*argv, '--force']) == 0
    assert json.loads(out.read_text(encoding='utf-8'))['name'] == 'restored'
    with pytest.raises(FileExistsError):
        write_row_json(json.loads(out.read_text(encoding='utf-8')), out, force=False)
    with pytest.raises(ValueError, match='unknown keys'):
        write_row_json({'keep': True}, tmp_path / 'other.json', force=True)


def test_missing_counterparts_stop_the_run_and_name_the_file(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=4)
    (restored / '002.png').unlink()
    cv2.imwrite(str(restored / '009.png'), np.zeros((16, 16, 3), np.uint8))
    assert main(['--restored', str(restored), '--target', str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ''  # nothing scored on a partial set
    assert f'error: missing: no restored image for target {target / "002.png"}' in captured.err
    assert f'error: missing: no target for restored image {restored / "009.png"}' in captured.err


def test_allow_missing_scores_the_rest_and_counts_the_gap(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=4)
    (restored / '002.png').unlink()
    out = tmp_path / 'row.json'
    argv = ['--restored', str(restored), '--target', str(target), '--allow-missing', '--json', str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert f'Rain100L: 3 of 4 targets scored (1 missing), PSNR {RGB_PSNR:.2f} dB' in captured.out
    assert f'skipped target {target / "002.png"}' in captured.err
    row = json.loads(out.read_text(encoding='utf-8'))
    assert row['num_images'] == 3 and row['num_missing'] == 1


def test_size_mismatch_is_an_error_even_with_allow_missing(tmp_path, capsys):
    restored, target = make_pair(tmp_path)
    cv2.imwrite(str(restored / '001.png'), np.zeros((16, 20, 3), np.uint8))
    assert main(['--restored', str(restored), '--target', str(target), '--allow-missing']) == 2
    err = capsys.readouterr().err
    assert f'error: size mismatch: {restored / "001.png"} is 20x16 (3 channels)' in err
    assert f'its target {target / "001.png"} is 16x16 (3 channels)' in err


def test_unreadable_file_is_an_error_naming_it(tmp_path, capsys):
    restored, target = make_pair(tmp_path)
    (restored / '000.png').write_bytes(b'not a png at all')
    assert main(['--restored', str(restored), '--target', str(target), '--allow-missing']) == 2
    assert f'error: unreadable: {restored / "000.png"}' in capsys.readouterr().err


def test_empty_or_absent_folders_are_clear_errors(tmp_path):
    restored, target = make_pair(tmp_path)
    empty = tmp_path / 'empty'
    empty.mkdir()
    (empty / 'notes.txt').write_text('not an image', encoding='utf-8')
    with pytest.raises(ScoringError, match=f'no images .* in {empty}'):
        score_folders(empty, target)
    with pytest.raises(ScoringError, match=f'target folder not found: {tmp_path / "nope"}'):
        score_folders(restored, tmp_path / 'nope')

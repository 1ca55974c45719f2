"""``lfdn-score``'s measured rows, its protocol's edge cases and the exact messages users read."""

from __future__ import annotations

import json
import math

import cv2
import numpy as np
import pytest

from basicsr_lfdn.research.rows import ROW_KEYS, check_row, write_row_json
from basicsr_lfdn.scoring import ScoringError, main, read_uint8, score_folders
from tests.scripts.test_leaderboard_script import score_row
from tests.scripts.test_score_cli import RGB_PSNR, make_pair


def test_json_row_is_the_documented_text(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=3, size=20)
    (target / '000.png').rename(target / '007.png')  # a target without a restored image ...
    (restored / '001.png').rename(restored / '009.png')  # ... and a restored image without a target
    out = tmp_path / 'rows' / 'new' / 'row.json'  # parent folders are created
    argv = ['--restored', str(restored), '--target', str(target), '--y-channel', '--crop-border', '2']
    argv += ['--allow-missing', '--name', 'M', '--dataset', 'D', '--network', 'LFDN', '--recipe', 'r.yml']
    assert main([*argv, '--json', str(out)]) == 0
    stream = capsys.readouterr()
    assert stream.err.splitlines() == [
        f'warning: skipped target {target / "001.png"}: no restored image',
        f'warning: skipped target {target / "007.png"}: no restored image',
        f'warning: skipped restored image {restored / "000.png"}: no target',
        f'warning: skipped restored image {restored / "009.png"}: no target',
    ]
    row = json.loads(out.read_text(encoding='utf-8'))
    assert out.read_text(encoding='utf-8') == json.dumps(row, indent=2) + '\n'
    assert list(row) == list(ROW_KEYS)
    assert {key: row[key] for key in ('source', 'name', 'network', 'recipe', 'dataset')} == {
        'source': 'measured',
        'name': 'M',
        'network': 'LFDN',
        'recipe': 'r.yml',
        'dataset': 'D',
    }
    assert row['protocol'] == {'y_channel': True, 'crop_border': 2, 'rounding': 'uint8'}
    assert (row['num_images'], row['num_missing']) == (1, 2)
    assert row['provenance'] == (
        f'lfdn-score --restored {restored} --target {target} --y-channel --crop-border 2 --allow-missing'
    )


def test_json_note_only_for_infinite_psnr(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=1)
    assert main(['--restored', str(restored), '--target', str(target), '--json', str(tmp_path / 'a.json')]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f'wrote {tmp_path / "a.json"}'
    same = tmp_path / 'same'
    same.mkdir()
    (same / '000.png').write_bytes((target / '000.png').read_bytes())
    assert main(['--restored', str(same), '--target', str(target), '--json', str(tmp_path / 'b.json')]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f'wrote {tmp_path / "b.json"} (PSNR infinite: stored as null)'


def test_a_row_that_cannot_be_written_is_an_error_on_stderr(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=1)
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    assert main(['--restored', str(restored), '--target', str(target), '--json', str(blocker / 'row.json')]) == 2
    stream = capsys.readouterr()
    assert stream.err.startswith('error: ') and str(blocker) in stream.err


@pytest.mark.parametrize(
    ('row', 'message'),
    [
        ([1, 2], 'r.json: not a measured-row JSON (expected an object with keys source, name, network,'),
        ({'source': 'measured'}, 'r.json: not a measured-row JSON (missing keys: name, network, recipe, dataset,'),
        ({**score_row(), 'extra': 1, 'more': 2}, 'r.json: not a measured-row JSON (unknown keys: extra, more)'),
        (
            {k: v for k, v in score_row(zeta=1).items() if k != 'name'},
            'r.json: not a measured-row JSON (missing keys: name; unknown keys: zeta)',
        ),
        (score_row(psnr='high'), "(psnr must be int or float or null, got 'high')"),
        (score_row(num_images=True), '(num_images must be int, got True)'),
        (score_row(source='paper'), "(source must be 'measured', got 'paper')"),
        (
            score_row(protocol={'y_channel': True}),
            '(protocol must have the keys y_channel, crop_border, rounding, got y_channel)',
        ),
        (
            score_row(name=None, ssim='x'),
            "(name must be str, got None; ssim must be int or float or null, got 'x')",
        ),
    ],
)
def test_bad_rows_are_refused_with_the_reason(row, message):
    with pytest.raises(ValueError) as refused:
        check_row(row, 'r.json')
    assert message in str(refused.value)


def test_valid_rows_pass_and_nan_is_not_written(tmp_path):
    check_row(score_row(network=None, recipe=None, psnr=None), 'r.json')
    with pytest.raises(ValueError):
        write_row_json(score_row(psnr=math.nan), tmp_path / 'nan.json')
    assert not list(tmp_path.iterdir())  # nothing half-written
    write_row_json(score_row(), tmp_path / 'ok.json')
    with pytest.raises(FileExistsError, match='ok.json exists; pass --force to replace it'):
        write_row_json(score_row(), tmp_path / 'ok.json')


def test_alpha_is_dropped_and_sixteen_bit_is_rounded_to_eight(tmp_path):
    rng = np.random.default_rng(0)
    colour = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'rgba.png'), np.dstack([colour, np.full((8, 8), 7, np.uint8)]))
    np.testing.assert_array_equal(read_uint8(tmp_path / 'rgba.png'), colour)
    cv2.imwrite(str(tmp_path / 'deep.png'), colour.astype(np.uint16) * 257 + 100)  # +100 / 257 rounds away
    deep = read_uint8(tmp_path / 'deep.png')
    assert deep.dtype == np.uint8
    np.testing.assert_array_equal(deep, colour)
    (tmp_path / 'empty.png').write_bytes(b'')
    with pytest.raises(Exception, match=r'unreadable: .*empty.png \(not a decodable image\)'):
        read_uint8(tmp_path / 'empty.png')


def test_defaults_are_rgb_no_crop_and_no_missing_images(tmp_path):
    restored, target = make_pair(tmp_path, count=2)
    result = score_folders(restored, target)
    assert (result.restored, result.target, result.y_channel, result.crop_border) == (restored, target, False, 0)
    assert [score.name for score in result.images] == ['000.png', '001.png']
    assert result.describe('D') == f'D: 2 images, PSNR {RGB_PSNR:.2f} dB, SSIM {result.ssim:.4f} (RGB, crop border 0)'
    y = score_folders(restored, target, y_channel=True)
    assert y.ssim != pytest.approx(result.ssim, abs=1e-6)  # SSIM, too, is computed on Y
    (restored / '001.png').unlink()
    (restored / '000.png').rename(restored / '005.png')
    with pytest.raises(ScoringError) as stopped:
        score_folders(restored, target)
    assert len(stopped.value.problems) == 3 and str(stopped.value) == '\n'.join(stopped.value.problems)
    with pytest.raises(ScoringError, match='nothing to score: no restored image in .* has a target in '):
        score_folders(restored, target, allow_missing=True)
    (restored / '005.png').rename(restored / '000.png')
    one = score_folders(restored, target, allow_missing=True)
    assert one.describe('D').startswith('D: 1 of 2 targets scored (1 missing), PSNR ')
    assert score_folders(target, target).describe('D').startswith('D: 2 images, PSNR inf dB')
    single = restored.parent / 'single'
    single.mkdir()
    (single / '000.png').write_bytes((target / '000.png').read_bytes())
    assert score_folders(restored, single).describe('D').startswith('D: 1 image, PSNR ')


def test_every_problem_is_listed_and_counted(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=5)
    for name in ('000.png', '004.png'):
        (restored / name).write_bytes(b'broken')
    (restored / '002.png').unlink()
    cv2.imwrite(str(restored / '002.tif'), np.zeros((16, 16), np.float32))
    cv2.imwrite(str(restored / '003.png'), np.zeros((16, 12, 3), np.uint8))
    assert main(['--restored', str(restored), '--target', str(target)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors[-1] == 'error: nothing scored (4 problem(s))'  # 001 is fine, the rest is listed
    assert [line.split(': ')[1] for line in errors[:-1]] == ['unreadable', 'unreadable', 'size mismatch', 'unreadable']
    assert 'unsupported pixel type float32; expected 8 or 16 bit' in errors[1]
    assert str(restored / '004.png') in errors[3]


def test_bad_arguments_name_themselves(tmp_path, capsys):
    restored, target = make_pair(tmp_path, count=1)
    with pytest.raises(SystemExit):
        main(['--target', str(target)])
    with pytest.raises(SystemExit):
        main(['--restored', str(restored)])
    assert '--restored' in capsys.readouterr().err
    with pytest.raises(ScoringError, match='crop border must be >= 0, got -1'):
        score_folders(restored, target, crop_border=-1)
    with pytest.raises(ScoringError, match='restored folder is not a folder: .*000.png'):
        score_folders(restored / '000.png', target)
    with pytest.raises(ValueError, match='bad.json: not a measured-row JSON'):
        write_row_json({'source': 'measured'}, tmp_path / 'bad.json')


def test_crop_border_must_leave_pixels_and_sizes_name_their_channels(tmp_path):
    restored, target = make_pair(tmp_path, count=1, size=40)
    assert score_folders(restored, target, crop_border=14).crop_border == 14
    with pytest.raises(ScoringError, match=r'too small: .*000.png is 40x40 \(3 channels\), crop border 20'):
        score_folders(restored, target, crop_border=20)
    cv2.imwrite(str(restored / '000.png'), np.zeros((40, 12), np.uint8))
    with pytest.raises(ScoringError, match=r'is 12x40 \(1 channel\), its target .*000.png is 40x40 \(3 channels\)'):
        score_folders(restored, target)


def test_hidden_files_are_ignored_and_ambiguous_stems_are_listed(tmp_path):
    restored, target = make_pair(tmp_path, count=1)
    (target / '.000.png').write_bytes(b'junk')  # e.g. a macOS resource file
    assert score_folders(restored, target).num_images == 1
    (restored / '000.jpg').write_bytes((restored / '000.png').read_bytes())
    with pytest.raises(ScoringError, match=r'ambiguous: 2 images named 000\.\* in .* \(000\.jpg, 000\.png\)'):
        score_folders(restored, target)
    with pytest.raises(ScoringError, match='restored folder not found: '):
        score_folders(tmp_path / 'absent', target)

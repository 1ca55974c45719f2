"""Every bad input stops the preparation with a message naming the file, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets_prep.cli import main, run
from datasets_prep.common import PrepError


def prep_paired(src: Path, out: Path, *extra: str) -> None:
    run(['paired', '--src', str(src), '--out', str(out), '--split', 'test', '--workers', '1', *extra])


def test_missing_counterpart_is_named(paired_tree: Path, tmp_path: Path) -> None:
    (paired_tree / 'target' / '2.png').unlink()
    out = tmp_path / 'out'
    with pytest.raises(PrepError, match=r'missing target for input .*2\.jpg: .*target.2\.\*'):
        prep_paired(paired_tree, out)
    assert not out.exists()


def test_missing_gopro_sharp_frame_is_named(gopro_tree: Path, tmp_path: Path) -> None:
    (gopro_tree / 'test/GOPR0384_11_00/sharp/000048.png').unlink()
    with pytest.raises(PrepError, match=r'GOPR0384_11_00.sharp.000048\.png'):
        run(['gopro', '--src', str(gopro_tree), '--out', str(tmp_path / 'out'), '--workers', '1'])
    assert not (tmp_path / 'out').exists()


def test_size_mismatch_is_named(paired_tree: Path, tmp_path: Path, image_writer) -> None:
    image_writer(paired_tree / 'target' / '3.png', 7, height=20)
    with pytest.raises(PrepError, match=r'size mismatch: input .*3\.jpg is 32x24, target .*3\.png is 32x20'):
        prep_paired(paired_tree, tmp_path / 'out')


@pytest.mark.parametrize(
    ('file_name', 'message'),
    [('target/1.png', 'truncated PNG'), ('input/1.jpg', 'truncated JPEG')],
)
def test_truncated_images_are_named(paired_tree: Path, tmp_path: Path, file_name: str, message: str) -> None:
    path = paired_tree / file_name
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(PrepError, match=rf'{message}.*{path.name}'):
        prep_paired(paired_tree, tmp_path / 'out')


def test_unreadable_image_is_named(paired_tree: Path, tmp_path: Path) -> None:
    (paired_tree / 'input' / '2.jpg').write_bytes(b'not an image at all\xff\xd9')
    with pytest.raises(PrepError, match=r'unreadable image: .*2\.jpg'):
        prep_paired(paired_tree, tmp_path / 'out')


def test_existing_output_needs_force(paired_tree: Path, tmp_path: Path, image_writer) -> None:
    out = tmp_path / 'out'
    prep_paired(paired_tree, out)
    before = (out / 'test' / 'input' / '1.png').read_bytes()
    with pytest.raises(PrepError, match=r'output already exists: .*test \(pass --force'):
        prep_paired(paired_tree, out)
    assert (out / 'test' / 'input' / '1.png').read_bytes() == before
    image_writer(paired_tree / 'input' / '1.jpg', 99)
    prep_paired(paired_tree, out, '--force')
    assert (out / 'test' / 'input' / '1.png').read_bytes() != before
    assert not list(out.glob('.*partial*'))


def test_skip_bad_lists_and_skips(paired_tree: Path, tmp_path: Path, capsys) -> None:
    (paired_tree / 'target' / '2.png').unlink()
    out = tmp_path / 'out'
    prep_paired(paired_tree, out, '--skip-bad')
    assert sorted(path.name for path in (out / 'test' / 'input').iterdir()) == ['1.png', '3.png']
    skipped = (out / 'test' / 'skipped.txt').read_text()
    assert 'missing target' in skipped and 'input/2.jpg' in skipped
    printed = capsys.readouterr().out
    assert 'paired test: 2 pairs written, 1 skipped' in printed


def test_rain14000_missing_clean_image_is_named(rain14000_tree: Path, tmp_path: Path) -> None:
    (rain14000_tree / 'ground_truth' / '4.jpg').unlink()
    with pytest.raises(PrepError, match=r'missing target .*ground_truth.4\.jpg'):
        run(['rain14000', '--src', str(rain14000_tree), '--out', str(tmp_path / 'out'), '--workers', '1'])


def test_crop_larger_than_image_is_named(gopro_tree: Path, tmp_path: Path) -> None:
    with pytest.raises(PrepError, match=r'000047\.png is 32x24, smaller than --crop 64'):
        run(['gopro', '--src', str(gopro_tree), '--out', str(tmp_path / 'out'), '--crop', '64', '--workers', '1'])


def test_output_inside_the_source_is_refused(paired_tree: Path) -> None:
    with pytest.raises(PrepError, match='contains the source image'):
        run(['paired', '--src', str(paired_tree), '--out', str(paired_tree), '--split', 'input', '--force'])
    assert len(list((paired_tree / 'input').iterdir())) == 3


def test_duplicate_output_names_are_refused(paired_tree: Path, tmp_path: Path, image_writer) -> None:
    image_writer(paired_tree / 'input' / '1.png', 5)
    with pytest.raises(PrepError, match=r"two input .* share the name '1'"):
        prep_paired(paired_tree, tmp_path / 'out')


def test_main_exits_with_the_message(paired_tree: Path, tmp_path: Path, capsys) -> None:
    (paired_tree / 'target' / '2.png').unlink()
    with pytest.raises(SystemExit) as exit_info:
        main(['paired', '--src', str(paired_tree), '--out', str(tmp_path / 'o'), '--split', 'test', '--workers', '1'])
    assert exit_info.value.code == 2
    assert 'lfdn-prep: error:' in capsys.readouterr().err

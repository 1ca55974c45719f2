"""Each benchmark converts from its downloaded layout: counts, names, split rules, LMDB, crops."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import lmdb
import numpy as np
import pytest

from datasets_prep.cli import build_parser, run
from datasets_prep.common import crop_positions, human_size
from datasets_prep.rain14000 import SPLIT_LIST_NAME, split_ids


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def assert_pairs_match(split_dir: Path) -> None:
    """input/ and target/ hold the same names and meta_info.txt lists exactly them."""
    assert names(split_dir / 'input') == names(split_dir / 'target')
    listed = [line.split()[0] for line in (split_dir / 'meta_info.txt').read_text().splitlines()]
    assert listed == names(split_dir / 'target')


def test_gopro_names_carry_the_sequence(gopro_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'GoPro'
    run(['gopro', '--src', str(gopro_tree), '--out', str(out), '--workers', '1'])
    assert names(out / 'train' / 'input') == [
        'GOPR0372_07_00_000047.png',
        'GOPR0372_07_00_000048.png',
        'GOPR0374_11_00_000047.png',
        'GOPR0374_11_00_000048.png',
    ]
    assert len(names(out / 'test' / 'input')) == 2
    assert_pairs_match(out / 'train')
    sharp = cv2.imread(str(gopro_tree / 'train/GOPR0374_11_00/sharp/000048.png'))
    assert np.array_equal(cv2.imread(str(out / 'train/target/GOPR0374_11_00_000048.png')), sharp)
    blur = cv2.imread(str(gopro_tree / 'train/GOPR0374_11_00/blur/000048.png'))
    assert np.array_equal(cv2.imread(str(out / 'train/input/GOPR0374_11_00_000048.png')), blur)


def test_gopro_gamma_takes_blur_gamma(gopro_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'GoPro'
    run(['gopro', '--src', str(gopro_tree), '--out', str(out), '--gamma', '--splits', 'test', '--workers', '1'])
    gamma = cv2.imread(str(gopro_tree / 'test/GOPR0384_11_00/blur_gamma/000047.png'))
    assert np.array_equal(cv2.imread(str(out / 'test/input/GOPR0384_11_00_000047.png')), gamma)
    assert not (out / 'train').exists()


def test_hide_pairs_with_gt_and_lists_subsets(hide_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'HIDE'
    run(['hide', '--src', str(hide_tree), '--out', str(out), '--splits', 'train', 'test', '--workers', '1'])
    assert names(out / 'test' / 'input') == [
        '3fromGOPR1096_MP4.png',
        '4fromGOPR1096_MP4.png',
        '5fromGOPR1097_MP4.png',
    ]
    assert len(names(out / 'train' / 'input')) == 2
    assert len((out / 'test' / 'meta_info_close-ups.txt').read_text().splitlines()) == 2
    assert (out / 'test' / 'meta_info_long-shot.txt').read_text().startswith('5fromGOPR1097_MP4.png (24,32,3)')
    gt = cv2.imread(str(hide_tree / 'GT' / '5fromGOPR1097.MP4.png'))
    assert np.array_equal(cv2.imread(str(out / 'test/target/5fromGOPR1097_MP4.png')), gt)


def test_kohler_default_and_overridden_patterns(kohler_tree: Path, tmp_path: Path, image_writer) -> None:
    run(['kohler', '--src', str(kohler_tree), '--out', str(tmp_path / 'K1'), '--workers', '1'])
    assert names(tmp_path / 'K1' / 'test' / 'input') == [f'Blurry{i}_{k}.png' for i in (1, 2) for k in (1, 2)]
    gt = cv2.imread(str(kohler_tree / 'GroundTruth' / 'GroundTruth2_1.png'))
    assert np.array_equal(cv2.imread(str(tmp_path / 'K1/test/target/Blurry2_1.png')), gt)

    other = tmp_path / 'kohler_other'
    for kernel in (1, 2):
        image_writer(other / f'im1_blur{kernel}.png', kernel)
    image_writer(other / 'sharp1.png', 9)
    run(
        ['kohler', '--src', str(other), '--out', str(tmp_path / 'K2'), '--workers', '1']
        + ['--blurry-pattern', r'^im(?P<img>\d+)_blur(?P<kernel>\d+)$', '--target-template', 'sharp{img}']
    )
    assert names(tmp_path / 'K2' / 'test' / 'target') == ['im1_blur1.png', 'im1_blur2.png']


def test_kohler_frame_fallback(tmp_path: Path, image_writer) -> None:
    """The original release names one sharp frame per blurred image GroundTruth<img>_<kernel>_<frame>."""
    src = tmp_path / 'orig'
    image_writer(src / 'Blurry3_4.png', 1)
    frame = image_writer(src / 'GroundTruth3_4_1.png', 2)
    image_writer(src / 'GroundTruth3_4_2.png', 3)
    run(['kohler', '--src', str(src), '--out', str(tmp_path / 'K'), '--workers', '1'])
    assert np.array_equal(cv2.imread(str(tmp_path / 'K/test/target/Blurry3_4.png')), frame)


def test_rain14000_split_is_seeded_and_keeps_variants_together(rain14000_tree: Path, tmp_path: Path) -> None:
    for out in ('A', 'B'):
        run(['rain14000', '--src', str(rain14000_tree), '--out', str(tmp_path / out), '--workers', '1'])
    split_a = (tmp_path / 'A' / SPLIT_LIST_NAME).read_text()
    assert split_a == (tmp_path / 'B' / SPLIT_LIST_NAME).read_text()
    assert names(tmp_path / 'A' / 'train' / 'input') == names(tmp_path / 'B' / 'train' / 'input')

    train = names(tmp_path / 'A' / 'train' / 'input')
    test = names(tmp_path / 'A' / 'test' / 'input')
    assert (len(train), len(test)) == (8 * 14, 2 * 14)
    train_ids = {name.split('_')[0] for name in train}
    test_ids = {name.split('_')[0] for name in test}
    assert not train_ids & test_ids
    for image_id in train_ids | test_ids:
        side = train if image_id in train_ids else test
        assert sum(name.split('_')[0] == image_id for name in side) == 14
    listed = dict(line.split() for line in split_a.splitlines() if not line.startswith('#'))
    assert {k for k, v in listed.items() if v == 'train'} == train_ids
    clean = cv2.imread(str(rain14000_tree / 'ground_truth' / f'{sorted(test_ids)[0]}.jpg'))
    assert np.array_equal(cv2.imread(str(tmp_path / 'A/test/target' / f'{sorted(test_ids)[0]}_7.png')), clean)

    run(['rain14000', '--src', str(rain14000_tree), '--out', str(tmp_path / 'C'), '--seed', '1', '--splits', 'test'])
    assert (tmp_path / 'C' / SPLIT_LIST_NAME).read_text() != split_a


def test_rain14000_split_at_paper_scale() -> None:
    """1,000 clean images × 14 variants → 800 / 200 clean images = 11,200 / 2,800 pairs."""
    train, test = split_ids(list(range(1, 1001)), seed=0, train_fraction=0.8)
    assert (len(train) * 14, len(test) * 14) == (11200, 2800)
    assert not set(train) & set(test)
    assert split_ids(list(range(1000, 0, -1)), seed=0, train_fraction=0.8) == (train, test)


def test_rain14000_repackaged_form_needs_a_split(paired_tree: Path, tmp_path: Path) -> None:
    with pytest.raises(Exception, match='--split'):
        run(['rain14000', '--src', str(paired_tree), '--out', str(tmp_path / 'R')])
    run(['rain14000', '--src', str(paired_tree), '--out', str(tmp_path / 'R'), '--split', 'test'])
    assert names(tmp_path / 'R' / 'test' / 'input') == ['1.png', '2.png', '3.png']


@pytest.mark.parametrize('layout', ['flat', 'folders'])
def test_rain100_layouts(layout: str, tmp_path: Path, image_writer) -> None:
    src = tmp_path / 'Rain100H'
    for index in ('001', '002', '010'):
        rain_dir, clean_dir = (src, src) if layout == 'flat' else (src / 'rainy', src / 'norain')
        image_writer(rain_dir / f'rain-{index}.png', int(index))
        image_writer(clean_dir / f'norain-{index}.png', 50 + int(index))
    run(['rain100', '--src', str(src), '--variant', 'H', '--out', str(tmp_path / 'out'), '--workers', '1'])
    assert names(tmp_path / 'out' / 'test' / 'input') == ['001.png', '002.png', '010.png']
    assert_pairs_match(tmp_path / 'out' / 'test')


def test_test100_converts_jpeg_to_png(paired_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'Test100'
    run(['test100', '--src', str(paired_tree), '--out', str(out), '--workers', '1'])
    assert names(out / 'test' / 'input') == ['1.png', '2.png', '3.png']
    assert np.array_equal(cv2.imread(str(out / 'test/input/2.png')), cv2.imread(str(paired_tree / 'input/2.jpg')))


def test_realblur_reads_the_pair_lists(realblur_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'RealBlur_J'
    run(['realblur', '--src', str(realblur_tree), '--variant', 'J', '--out', str(out), '--workers', '1'])
    assert names(out / 'train' / 'input') == ['scene001_1.png', 'scene001_2.png', 'scene002_1.png', 'scene002_2.png']
    assert names(out / 'test' / 'target') == ['scene230_1.png', 'scene230_2.png']
    gt = cv2.imread(str(next(realblur_tree.rglob('scene230/gt/gt_2.png'))))
    assert np.array_equal(cv2.imread(str(out / 'test/target/scene230_2.png')), gt)


def test_lmdb_values_equal_png_bytes(paired_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'L'
    run(['paired', '--src', str(paired_tree), '--out', str(out), '--split', 'train', '--lmdb', '--workers', '1'])
    split = out / 'train'
    for side in ('input', 'target'):
        meta = (split / f'{side}.lmdb' / 'meta_info.txt').read_text().splitlines()
        assert [line.split()[0] for line in meta] == ['1.png', '2.png', '3.png']
        env = lmdb.open(str(split / f'{side}.lmdb'), readonly=True, lock=False)
        with env.begin() as txn:
            for key in ('1', '2', '3'):
                assert txn.get(key.encode()) == (split / side / f'{key}.png').read_bytes()
        env.close()


def test_crop_step_cuts_train_pairs_with_processes(gopro_tree: Path, tmp_path: Path) -> None:
    out = tmp_path / 'GoPro'
    run(['gopro', '--src', str(gopro_tree), '--out', str(out), '--crop', '16', '--step', '8', '--workers', '2'])
    crops = names(out / 'train' / 'input')
    assert len(crops) == 4 * 2 * 3
    assert crops[:2] == ['GOPR0372_07_00_000047_s001.png', 'GOPR0372_07_00_000047_s002.png']
    assert all(cv2.imread(str(out / 'train/target' / name)).shape == (16, 16, 3) for name in crops)
    full = cv2.imread(str(gopro_tree / 'train/GOPR0372_07_00/sharp/000047.png'))
    assert np.array_equal(cv2.imread(str(out / 'train/target/GOPR0372_07_00_000047_s006.png')), full[8:24, 16:32])
    assert len(names(out / 'test' / 'input')) == 2
    assert_pairs_match(out / 'train')


def test_crop_positions_cover_the_border() -> None:
    assert crop_positions(32, 16, 8) == [0, 8, 16]
    assert crop_positions(30, 16, 8) == [0, 8, 14]
    assert crop_positions(16, 16, 8) == [0]


def test_module_entry_point_lists_every_benchmark() -> None:
    result = subprocess.run(
        [sys.executable, '-m', 'datasets_prep', '--help'], capture_output=True, text=True, check=True
    )
    for command in ('gopro', 'hide', 'kohler', 'rain14000', 'rain100', 'test100', 'realblur', 'paired', 'demo'):
        assert command in result.stdout


@pytest.mark.parametrize(
    ('command', 'expected'),
    [
        (['rain100', '--variant', 'H'], 'datasets/Rain100H'),
        (['realblur', '--variant', 'R'], 'datasets/RealBlur_R'),
        (['kohler'], 'datasets/Kohler'),
        (['gopro'], 'datasets/GoPro'),
        (['hide'], 'datasets/HIDE'),
    ],
)
def test_default_output_folder_is_named_after_the_benchmark(command: list[str], expected: str) -> None:
    args = build_parser().parse_args([command[0], '--src', 'somewhere', *command[1:]])
    assert isinstance(args.src, Path) and args.out.format(**vars(args)) == expected


@pytest.mark.parametrize(
    'argv',
    [
        ['gopro'],
        ['hide'],
        ['rain100', '--variant', 'L'],
        ['realblur', '--src', 'x'],
        ['hide', '--src', 'x', '--splits', 'val'],
    ],
)
def test_a_missing_source_variant_or_unknown_split_is_a_usage_error(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(argv)
    assert stopped.value.code == 2
    assert any(name in capsys.readouterr().err for name in ('--src', '--variant', '--splits'))


def test_rain100_files_named_rain_and_norain_pair_in_any_folders(tmp_path: Path, image_writer) -> None:
    src = tmp_path / 'Rain100L'
    for index in ('001', '002'):
        image_writer(src / 'part_a' / f'rain-{index}.png', int(index))
        image_writer(src / 'part_b' / f'norain-{index}.png', 50 + int(index))
    run(['rain100', '--src', str(src), '--variant', 'L', '--out', str(tmp_path / 'out'), '--workers', '1'])
    assert_pairs_match(tmp_path / 'out' / 'test')
    assert np.array_equal(
        cv2.imread(str(tmp_path / 'out/test/target/002.png')), cv2.imread(str(src / 'part_b/norain-002.png'))
    )


def test_realblur_list_override_replaces_the_archive_list(realblur_tree: Path, tmp_path: Path) -> None:
    own_list = tmp_path / 'mine.txt'
    first = (realblur_tree / 'RealBlur_J_test_list.txt').read_text(encoding='utf-8').splitlines()[0]
    own_list.write_text(first + '\n', encoding='utf-8')
    out = tmp_path / 'RealBlur_J'
    run(
        [
            'realblur',
            '--src',
            str(realblur_tree),
            '--variant',
            'J',
            '--out',
            str(out),
            '--workers',
            '1',
            '--splits',
            'test',
            '--list',
            'test',
            str(own_list),
        ]
    )
    assert len(names(out / 'test' / 'input')) == 1


def test_sizes_are_printed_in_binary_units() -> None:
    assert [human_size(n) for n in (512, 2048, 3 * 2**20, 5 * 2**30)] == ['512 B', '2.0 KiB', '3.0 MiB', '5.0 GiB']

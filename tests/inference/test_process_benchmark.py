"""The whole-process benchmark: generated photos, its timing of a child process, its table."""

from __future__ import annotations

import argparse
import sys

import cv2
import pytest

from basicsr_lfdn.inference import process_benchmark as bench


def test_workload_and_config_arguments():
    assert bench.parse_workload('10x1280x720') == (10, 1280, 720)
    assert bench.parse_config('openvino:int8') == ('openvino', 'int8')
    for parse, text in [(bench.parse_workload, '1280x720'), (bench.parse_config, 'openvino')]:
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)


def test_generated_photos_have_the_workload_size_and_are_seeded(tmp_path):
    first = bench.make_photos(tmp_path / 'a', 3, 96, 40, 'derain')
    again = bench.make_photos(tmp_path / 'b', 3, 96, 40, 'derain')
    assert [cv2.imread(str(path)).shape for path in first] == [(40, 96, 3)] * 3
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in again]


def test_timed_run_measures_first_file_wall_time_and_peak_memory(tmp_path):
    script = (
        'import pathlib, sys, time; time.sleep(0.3); pathlib.Path(sys.argv[1], "a.png").write_bytes(b"x");'
        'block = bytearray(200 * 2**20); time.sleep(0.3)'
    )
    output = tmp_path / 'out'
    run = bench.timed_run([sys.executable, '-c', script, str(output)], output, tmp_path / 'cache', tmp_path / 'log')
    assert 0.3 <= run['first_image_s'] < run['wall_s']  # seen while the process still ran
    assert run['peak_rss_mib'] >= 200
    with pytest.raises(RuntimeError, match='exited with 3'):
        bench.timed_run([sys.executable, '-c', 'raise SystemExit(3)'], tmp_path / 'o2', tmp_path, tmp_path / 'log')


def test_table_has_one_row_per_configuration_and_cache_state():
    rows = [
        {'backend': 'openvino', 'precision': 'int8', 'workload': '10x1280x720', 'cache': 'cold', 'runs': 1}
        | {'wall_s': 80.0, 'first_image_s': 75.0, 'peak_rss_mib': 2100.0},
        {'backend': 'openvino', 'precision': 'int8', 'workload': 'frame', 'frame_ms': 441.2, 'repeats': 5},
    ]
    table = bench.render_markdown(
        [{'cpu': 'Some CPU', 'threads': 2, 'task': 'derain', 'network': 'LFDN', 'rows': rows}]
    )
    assert table.startswith('LFDN derain, 2 threads, Some CPU.')
    assert '| openvino | int8 | 10x1280x720 | cold | 80.00 | 75.00 | 2,100 | 1 |' in table
    assert '| openvino | int8 | 441 | 5 |' in table

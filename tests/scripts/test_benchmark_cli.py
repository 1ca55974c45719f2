"""lfdn-benchmark measures a tiny network at a tiny size and prints/writes its table."""

from __future__ import annotations

import csv
import math

import pytest

from basicsr_lfdn.benchmark import main as benchmark_main
from basicsr_lfdn.benchmark.network_spec import parse_network_spec

TINY_LFDN = '{type: LFDN, num_feat: 8, encoder_feat: 8, num_blocks: 1}'


@pytest.mark.slow
def test_benchmark_prints_table_and_writes_csv(tmp_path, capsys):
    csv_path, md_path = tmp_path / 'bench.csv', tmp_path / 'bench.md'
    code = benchmark_main(
        [
            '--network',
            TINY_LFDN,
            '--size',
            '40x32',
            '--precision',
            'fp32',
            '--threads',
            '1',
            '--warmup',
            '1',
            '--repeats',
            '2',
            '--matmul-size',
            '128',
            '--matmul-repeats',
            '2',
            '--output-csv',
            str(csv_path),
            '--output-md',
            str(md_path),
        ]
    )
    printed = capsys.readouterr().out

    assert code == 0
    assert '| network | size |' in printed and 'cpu fp32:' in printed
    assert md_path.read_text(encoding='utf-8') in printed
    with open(csv_path, newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert [(r['precision'], r['size']) for r in rows] == [('fp32', '40x32')]
    for row in rows:
        assert row['error'] == ''
        assert float(row['latency_min_ms']) <= float(row['latency_median_ms']) <= float(row['latency_max_ms'])
        assert int(row['params']) > 0 and int(row['macs']) > 0
        assert float(row['peak_rss_mib']) > 0
        assert 0 < float(row['fraction_of_matmul'])
    assert math.isnan(float(rows[0]['psnr_vs_fp32_db']))  # fp32 is the reference (bf16: the backend test)


def test_network_specs_resolve(tmp_path):
    assert parse_network_spec('LFDN') == ('LFDN', {'type': 'LFDN'}, None)
    option_file = tmp_path / 'edsr.yml'
    option_file.write_text('network_g:\n  type: EDSR\n  upscale: 1\n', encoding='utf-8')
    assert parse_network_spec(str(option_file)) == ('edsr', {'type': 'EDSR', 'upscale': 1}, None)
    with pytest.raises(ValueError, match='NoSuchNet'):
        parse_network_spec('NoSuchNet')


def _fake_levin(root, count: int = 2) -> None:
    """A Levin-shaped test set (blurred/im_I_ker_1.png + sharp/im_I.png) of smooth random photos."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(0)
    (root / 'Levin' / 'blurred').mkdir(parents=True)
    (root / 'Levin' / 'sharp').mkdir()
    for index in range(1, count + 1):
        sharp = cv2.resize(rng.integers(0, 256, (6, 6), dtype=np.uint8), (36, 36), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(root / 'Levin' / 'sharp' / f'im_{index}.png'), sharp)
        cv2.imwrite(str(root / 'Levin' / 'blurred' / f'im_{index}_ker_1.png'), cv2.GaussianBlur(sharp, (0, 0), 1.5))


@pytest.mark.slow
def test_benchmark_compares_backends_against_pytorch_fp32(tmp_path, capsys):
    _fake_levin(tmp_path)
    csv_path = tmp_path / 'bench.csv'
    argv = ['--network', TINY_LFDN, '--size', '40x32', '--backend', 'torch', 'onnxruntime', 'openvino']
    argv += ['--precision', 'fp32', 'bf16', '--threads', '1', '--warmup', '0', '--repeats', '1']
    argv += ['--matmul-size', '0', '--eval-set', 'levin', '--data-root', str(tmp_path), '--output-csv', str(csv_path)]
    code = benchmark_main(argv)
    printed = capsys.readouterr().out

    assert code == 0
    with open(csv_path, newline='', encoding='utf-8') as handle:
        rows = {(r['backend'], r['precision']): r for r in csv.DictReader(handle)}
    # onnxruntime runs fp32 only: no onnxruntime bf16 row.
    assert sorted(rows) == [
        ('onnxruntime', 'fp32'),
        ('openvino', 'bf16'),
        ('openvino', 'fp32'),
        ('torch', 'bf16'),
        ('torch', 'fp32'),
    ]
    assert all(r['error'] == '' and r['test_images'] == '2' for r in rows.values())
    assert float(rows['torch', 'fp32']['speedup_vs_torch_fp32']) == 1.0
    for key in [('onnxruntime', 'fp32'), ('openvino', 'fp32')]:
        assert abs(float(rows[key]['test_delta_psnr_db'])) < 0.01  # float-exact graphs score like PyTorch
        assert float(rows[key]['psnr_vs_fp32_db']) > 60
    assert float(rows['openvino', 'bf16']['psnr_vs_fp32_db']) > 25
    assert float(rows['torch', 'bf16']['psnr_vs_fp32_db']) > 20
    assert 'cpu torch bf16:' in printed
    assert '| network | size | backend | precision | median latency (ms) | speed-up vs torch fp32 |' in printed
    assert 'levin (2 images)' in printed


def test_benchmark_missing_backend_is_one_line(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, 'openvino', None)
    assert benchmark_main(['--network', TINY_LFDN, '--backend', 'torch', 'openvino', '--matmul-size', '0']) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and "'openvino' package" in err and "pip install -e '.[deploy]'" in err

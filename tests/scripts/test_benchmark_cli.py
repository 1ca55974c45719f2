"""lfdn-benchmark measures a tiny network at a tiny size and prints/writes its table."""

from __future__ import annotations

import csv
import math

import pytest

from basicsr_lfdn.benchmark import main as benchmark_main
from basicsr_lfdn.benchmark import parse_network_spec

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
            'bf16',
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
    assert '| network | size |' in printed and 'cpu fp32:' in printed and 'cpu bf16:' in printed
    assert md_path.read_text(encoding='utf-8') in printed
    with open(csv_path, newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert [(r['precision'], r['size']) for r in rows] == [('fp32', '40x32'), ('bf16', '40x32')]
    for row in rows:
        assert row['error'] == ''
        assert float(row['latency_min_ms']) <= float(row['latency_median_ms']) <= float(row['latency_max_ms'])
        assert int(row['params']) > 0 and int(row['macs']) > 0
        assert float(row['peak_rss_mib']) > 0
        assert 0 < float(row['fraction_of_matmul'])
    bf16_rows = [r for r in rows if r['precision'] == 'bf16']
    assert all(float(r['psnr_vs_fp32_db']) > 20 for r in bf16_rows)
    assert all(math.isnan(float(r['psnr_vs_fp32_db'])) for r in rows if r['precision'] == 'fp32')


def test_network_specs_resolve(tmp_path):
    assert parse_network_spec('LFDN') == ('LFDN', {'type': 'LFDN'}, None)
    option_file = tmp_path / 'edsr.yml'
    option_file.write_text('network_g:\n  type: EDSR\n  upscale: 1\n', encoding='utf-8')
    assert parse_network_spec(str(option_file)) == ('edsr', {'type': 'EDSR', 'upscale': 1}, None)
    with pytest.raises(ValueError, match='NoSuchNet'):
        parse_network_spec('NoSuchNet')

"""The benchmark's rows and tables: one row per configuration from its worker's reply, the full table
with the matmul reference rates, and the deployment table against PyTorch fp32."""

from __future__ import annotations

import json
import math
import statistics

from basicsr_lfdn.benchmark.config import BenchConfig
from basicsr_lfdn.utils.markdown import LEFT, RIGHT, number_cell, separator, table, table_row


def _fmt(value: float | None, digits: int = 1) -> str:
    return number_cell(value, digits, thousands=True)


def _layout(row: dict) -> str:
    """The memory layout of a PyTorch row; the other backends choose their own (``-``)."""
    if row['backend'] != 'torch':
        return '-'
    return 'channels_last' if row['channels_last'] else 'contiguous'


def summarize_reply(config: BenchConfig, reply: dict, params: int, macs: int, matmul_gflops: float | None) -> dict:
    """One CSV/Markdown row from a worker reply, adding throughput and achieved FLOP/s."""
    latencies = reply.get('latencies_ms') or []
    median = statistics.median(latencies) if latencies else math.nan
    achieved = 2 * macs * config.batch / (median / 1000) / 1e9 if latencies else math.nan
    return {
        'label': config.label,
        'network': json.dumps(config.network, sort_keys=True),
        'size': f'{config.width}x{config.height}',
        'device': config.device,
        'backend': config.backend,
        'precision': config.precision,
        'channels_last': config.channels_last,
        'compile': config.compile,
        'tile': config.tile,
        'threads': reply.get('threads', config.threads),
        'batch': config.batch,
        'params': params,
        'macs': macs,
        'latency_median_ms': median,
        'latency_min_ms': min(latencies) if latencies else math.nan,
        'latency_max_ms': max(latencies) if latencies else math.nan,
        'images_per_s': config.batch * 1000 / median if latencies else math.nan,
        'megapixels_per_s': config.batch * config.width * config.height / 1e6 * 1000 / median
        if latencies
        else math.nan,
        'peak_rss_mib': reply.get('peak_rss_mib', math.nan),
        'rss_delta_mib': reply.get('rss_delta_mib', math.nan),
        'cuda_peak_mib': reply.get('cuda_peak_mib', math.nan),
        'achieved_gflops': achieved,
        'matmul_gflops': matmul_gflops if matmul_gflops is not None else math.nan,
        'fraction_of_matmul': achieved / matmul_gflops if matmul_gflops else math.nan,
        'psnr_vs_fp32_db': reply.get('psnr_vs_fp32_db', math.nan),
        'delta_psnr_db': reply.get('delta_psnr_db', math.nan),
        'speedup_vs_torch_fp32': math.nan,
        'test_set': config.eval_set or '',
        'test_images': reply.get('test_images', 0),
        'test_psnr_db': reply.get('test_psnr_db', math.nan),
        'test_delta_psnr_db': math.nan,
        'error': reply.get('error', ''),
    }


def add_comparisons(rows: list[dict]) -> None:
    """Fill each row's speed-up and test-set PSNR change against the PyTorch fp32 row of its network and size."""
    references = {
        (row['label'], row['size'], row['device']): row
        for row in rows
        if (row['backend'], row['precision']) == ('torch', 'fp32') and not row['error']
    }
    for row in rows:
        reference = references.get((row['label'], row['size'], row['device']))
        if reference is None or row['error']:
            continue
        row['speedup_vs_torch_fp32'] = reference['latency_median_ms'] / row['latency_median_ms']
        row['test_delta_psnr_db'] = row['test_psnr_db'] - reference['test_psnr_db']


MAIN_COLUMNS = (
    ('network', LEFT),
    ('size', LEFT),
    ('device', LEFT),
    ('backend', LEFT),
    ('precision', LEFT),
    ('layout', LEFT),
    ('compile', LEFT),
    ('tile', RIGHT),
    ('threads', RIGHT),
    ('params (M)', RIGHT),
    ('GMACs', RIGHT),
    ('latency median / min / max (ms)', LEFT),
    ('images/s', RIGHT),
    ('MP/s', RIGHT),
    ('peak RSS (MiB)', RIGHT),
    ('RSS Δ (MiB)', RIGHT),
    ('CUDA peak (MiB)', RIGHT),
    ('achieved GFLOP/s', RIGHT),
    ('% of matmul', RIGHT),
    ('PSNR vs fp32 (dB)', RIGHT),
    ('ΔPSNR blurred photo (dB)', RIGHT),
)
DEPLOYMENT_COLUMNS = (
    ('network', LEFT),
    ('size', LEFT),
    ('backend', LEFT),
    ('precision', LEFT),
    ('median latency (ms)', RIGHT),
    ('speed-up vs torch fp32', RIGHT),
    ('test PSNR (dB)', RIGHT),
    ('PSNR change vs torch fp32 (dB)', RIGHT),
    ('peak RSS (MiB)', RIGHT),
)


def _main_cells(row: dict) -> list[str]:
    latency = ' / '.join(_fmt(row[k]) for k in ('latency_median_ms', 'latency_min_ms', 'latency_max_ms'))
    fraction = row['fraction_of_matmul']
    return [
        row['label'],
        row['size'],
        row['device'],
        row['backend'],
        row['precision'],
        _layout(row),
        'yes' if row['compile'] else 'no',
        str(row['tile'] or '-'),
        str(row['threads']),
        f'{row["params"] / 1e6:.3f}',
        _fmt(row['macs'] / 1e9),
        latency,
        _fmt(row['images_per_s'], 2),
        _fmt(row['megapixels_per_s'], 2),
        _fmt(row['peak_rss_mib'], 0),
        _fmt(row['rss_delta_mib'], 0),
        _fmt(row['cuda_peak_mib'], 0),
        _fmt(row['achieved_gflops']),
        _fmt(100 * fraction if fraction == fraction else fraction),
        _fmt(row['psnr_vs_fp32_db'], 2),
        _fmt(row['delta_psnr_db'], 4),
    ]


def render_markdown(rows: list[dict], matmul: dict[tuple[str, str], float], environment: str) -> str:
    """The benchmark table (one row per configuration) with the matmul reference rates above it."""
    lines = [environment, '']
    if matmul:
        lines.append('Matmul reference (median of square products): ')
        lines += [f'- {device} {precision}: {gflops:,.1f} GFLOP/s' for (device, precision), gflops in matmul.items()]
        lines.append('')
    header, alignments = zip(*MAIN_COLUMNS)
    lines += [table_row(header), separator(alignments)]
    for row in rows:
        if row['error']:
            # The error spans the layout column; the 15 columns after it stay empty.
            failed = [row['label'], row['size'], row['device'], row['backend'], row['precision']]
            lines.append(table_row([*failed, f'error: {row["error"]}']) + ' |' * 15)
        else:
            lines.append(table_row(_main_cells(row)))
    return '\n'.join(lines) + '\n'


def _deployment_cells(row: dict) -> list[str]:
    speedup = row['speedup_vs_torch_fp32']
    return [
        row['label'],
        row['size'],
        row['backend'],
        row['precision'],
        _fmt(row['latency_median_ms']),
        _fmt(speedup, 2) + '×' if speedup == speedup else '-',
        _fmt(row['test_psnr_db'], 2),
        _fmt(row['test_delta_psnr_db'], 3),
        _fmt(row['peak_rss_mib'], 0),
    ]


def render_deployment_table(rows: list[dict]) -> str:
    """Per configuration: median latency, speed-up and test-set PSNR change vs PyTorch fp32, peak memory."""
    test_sets = sorted({f'{row["test_set"]} ({row["test_images"]} images)' for row in rows if row['test_set']})
    lines = [
        f'Speed-up and PSNR change against PyTorch fp32 of the same network and size; test set: '
        f'{", ".join(test_sets) or "none (--eval-set)"}.',
        '',
    ]
    header, alignments = zip(*DEPLOYMENT_COLUMNS)
    lines += table(header, alignments, map(_deployment_cells, rows))
    return '\n'.join(lines) + '\n'

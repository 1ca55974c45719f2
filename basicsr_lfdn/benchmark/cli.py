"""``lfdn-benchmark``: parameters, MACs, latency, throughput, peak memory and achieved FLOP/s.

Example (the README table)::

    lfdn-benchmark --network LMFN LFDN --precision fp32 bf16 --threads 2 --repeats 5 \\
        --output-md docs/benchmark_table.md --output-csv benchmark.csv
    lfdn-benchmark --network basicsr_lfdn/pretrained/lfdn_derain.pth --backend torch onnxruntime openvino \\
        --precision fp32 bf16 int8 --threads 2 --eval-set rain100l \\
        --calibration ../shared/datasets/BSDS-clean --degradation rain     # the deployment table

Networks are given as an ``ARCH_REGISTRY`` name (default options), a YAML/JSON file (a network
dict with ``type``, or a BasicSR option file with ``network_g``), an inline YAML/JSON dict such
as ``'{type: EDSR, num_in_ch: 3, num_out_ch: 3, upscale: 1}'``, or a checkpoint ``.pth`` that
carries ``network_g`` (its trained weights are then used). ``--ablations`` adds every network
row of both papers (``basicsr_lfdn.archs.complexity.ABLATION_ROWS``).

Every configuration runs in a fresh Python process, so its peak resident memory (``VmHWM``)
is its own; the same run measures the machine's fp32/bf16 matmul rate (median of 2048³
products) and each network's achieved rate ``2 × MACs / latency`` as a fraction of it.

The input is a natural photo (scikit-image's astronaut, resized to the chosen size). For a
reduced precision, the worker also runs fp32 once and reports the PSNR of the low-precision
output against the fp32 output, and how much PSNR against the clean photo changes when the
input is the photo blurred (the quantity the papers' tables report).

``--backend torch onnxruntime openvino`` measures each backend × precision it supports
(``basicsr_lfdn.inference.backends``; int8 quantises with ``--calibration`` photos first, untimed).
``--eval-set`` also scores each configuration on a real test set of ``--data-root`` (BasicSR's
PSNR on uint8, as ``lfdn-test``); a second, short table then gives per configuration the speed-up
and the PSNR change against PyTorch fp32 of the same network and size, and the peak memory.
Peak memory is the process's resident high-water mark over the timed runs (reset after the
model is built, so building, converting and quantising are not counted; Linux).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import yaml

from basicsr_lfdn.benchmark.config import CSV_FIELDS, RESULT_PREFIX, BenchConfig
from basicsr_lfdn.benchmark.network_spec import ablation_networks, parse_network_spec
from basicsr_lfdn.benchmark.tables import add_comparisons, render_deployment_table, render_markdown, summarize_reply
from basicsr_lfdn.benchmark.worker import build_benchmark_network, worker_main
from basicsr_lfdn.inference.backends import ALL_PRECISIONS, BACKEND_PRECISIONS, require
from basicsr_lfdn.inference.evaluate import TEST_SETS
from basicsr_lfdn.inference.quantize import add_calibration_arguments, calibration_from_args
from basicsr_lfdn.inference.runtime import PRECISIONS, parse_size


def run_in_fresh_process(request: dict, timeout: float | None) -> dict:
    """Run ``request`` in a fresh interpreter; returns its result dict (``error`` set on failure)."""
    command = [sys.executable, '-m', 'basicsr_lfdn.benchmark', '--worker', json.dumps(request)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {'error': f'timed out after {timeout} s'}
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or ['no output']
    return {'error': f'worker exited with code {completed.returncode}: {tail[0][:300]}'}


def _cpu_name() -> str:
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def build_parser() -> argparse.ArgumentParser:
    """Command-line options of ``lfdn-benchmark``."""
    parser = argparse.ArgumentParser(prog='lfdn-benchmark', description=__doc__.split('\n\n')[0])
    parser.add_argument('--network', nargs='+', default=['LMFN', 'LFDN'], help='names, YAML/JSON files or dicts, .pth')
    parser.add_argument('--ablations', action='store_true', help='add every network row of both papers')
    parser.add_argument('--size', nargs='+', type=parse_size, default=[(720, 1280)], help='WxH sizes (1280x720)')
    parser.add_argument('--device', nargs='+', default=['cpu'], help='cpu and/or cuda')
    parser.add_argument('--backend', nargs='+', default=['torch'], choices=list(BACKEND_PRECISIONS))
    parser.add_argument(
        '--precision', nargs='+', default=['fp32'], choices=ALL_PRECISIONS, help='each one a backend supports'
    )
    parser.add_argument('--channels-last', action='store_true', help='channels_last input and weights')
    parser.add_argument('--compile', action='store_true', help='torch.compile the network')
    parser.add_argument('--tile', type=int, default=0, help='tiled inference with this tile size (0 = whole image)')
    parser.add_argument('--tile-overlap', type=int, default=32)
    parser.add_argument('--threads', type=int, help="CPU threads (default: the backend's default)")
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--matmul-size', type=int, default=2048, help='0 disables the matmul reference')
    parser.add_argument('--matmul-repeats', type=int, default=10)
    parser.add_argument('--timeout', type=float, default=3600, help='seconds allowed per configuration')
    parser.add_argument('--eval-set', choices=TEST_SETS, help='also score every configuration on this test set')
    parser.add_argument('--data-root', default='../shared/datasets', help='folder of the test sets')
    parser.add_argument('--output-md', type=Path, help='write the Markdown table here')
    parser.add_argument('--output-csv', type=Path, help='write the CSV here')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    add_calibration_arguments(parser)
    return parser


def _networks_and_calibration(args: argparse.Namespace) -> tuple[list[tuple[str, dict, str | None]], dict | None]:
    """The networks to measure and the int8 calibration (as a worker's dict); raises on unusable options."""
    networks = [parse_network_spec(spec) for spec in args.network]
    for backend in args.backend:
        if backend != 'torch':
            require(backend, f'--backend {backend}')
    calibration = calibration_from_args(args)
    if 'openvino' in args.backend and 'int8' in args.precision:
        require('nncf', '--precision int8')
        if calibration is None:
            raise ValueError('--precision int8 needs calibration photos: --calibration DIR --degradation rain|blur')
    if args.compile and args.backend != ['torch']:
        raise ValueError('--compile applies to --backend torch only')
    return networks, calibration and {**asdict(calibration), 'photos': str(calibration.photos)}


def measure_matmul_rates(args: argparse.Namespace) -> dict[tuple[str, str], float]:
    """GFLOP/s of square matrix products per device and precision (fp32 and the requested ones)."""
    matmul: dict[tuple[str, str], float] = {}
    if not args.matmul_size:
        return matmul
    for device in args.device:
        for precision in dict.fromkeys(['fp32', *(p for p in args.precision if p in PRECISIONS)]):
            request = {
                'kind': 'matmul',
                'args': {
                    'device_name': device,
                    'precision': precision,
                    'size': args.matmul_size,
                    'threads': args.threads,
                    'repeats': args.matmul_repeats,
                },
            }
            reply = run_in_fresh_process(request, args.timeout)
            if 'gflops' in reply:
                matmul[(device, precision)] = reply['gflops']
                print(f'matmul {device} {precision}: {reply["gflops"]:,.1f} GFLOP/s', flush=True)
    return matmul


def measure_networks(
    networks: list[tuple[str, dict, str | None]],
    args: argparse.Namespace,
    calibration: dict | None,
    matmul: dict[tuple[str, str], float],
) -> list[dict]:
    """One row per network × size × device × backend × precision (each measured in its own process)."""
    from basicsr_lfdn.archs.complexity import count_macs, count_params

    rows = []
    for label, network, weights in networks:
        model = build_benchmark_network(network, weights)
        params = count_params(model)
        for height, width in args.size:
            macs = count_macs(model, height, width)
            for device in args.device:
                for backend, precision in itertools.product(args.backend, args.precision):
                    if precision not in BACKEND_PRECISIONS[backend]:
                        continue
                    config = BenchConfig(
                        label,
                        network,
                        weights,
                        height,
                        width,
                        device,
                        precision,
                        args.channels_last,
                        args.compile,
                        args.tile,
                        args.tile_overlap,
                        args.threads,
                        args.batch,
                        args.warmup,
                        args.repeats,
                        backend,
                        calibration if (backend, precision) == ('openvino', 'int8') else None,
                        args.eval_set,
                        args.data_root,
                    )
                    reply = run_in_fresh_process({'kind': 'config', 'config': asdict(config)}, args.timeout)
                    row = summarize_reply(config, reply, params, macs, matmul.get((device, precision)))
                    rows.append(row)
                    outcome = row['error'] or f'{row["latency_median_ms"]:.1f} ms'
                    if row['test_set'] and not row['error']:
                        outcome += f', {row["test_set"]} PSNR {row["test_psnr_db"]:.3f} dB'
                    print(f'{label} {width}x{height} {device} {backend} {precision}: {outcome}', flush=True)
        del model
    return rows


def write_outputs(rows: list[dict], table: str, args: argparse.Namespace) -> None:
    """The Markdown table and the CSV where ``--output-md`` / ``--output-csv`` ask for them."""
    if args.output_md:
        args.output_md.parent.mkdir(parents=True, exist_ok=True)
        args.output_md.write_text(table, encoding='utf-8')
    if args.output_csv:
        args.output_csv.parent.mkdir(parents=True, exist_ok=True)
        with open(args.output_csv, 'w', newline='', encoding='utf-8') as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
            writer.writeheader()
            writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-benchmark``; prints the Markdown table, returns 1 if a config failed."""
    args = build_parser().parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return 0

    import torch

    try:
        networks, calibration = _networks_and_calibration(args)
    except (OSError, RuntimeError, ValueError, yaml.YAMLError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.ablations:
        networks += ablation_networks()

    matmul = measure_matmul_rates(args)
    rows = measure_networks(networks, args, calibration, matmul)
    environment = (
        f'Measured on {_cpu_name()} ({os.cpu_count()} logical CPUs), torch {torch.__version__}, '
        f'threads {args.threads or "default"}, warm-up {args.warmup}, repeats {args.repeats}, batch {args.batch}.'
    )
    add_comparisons(rows)
    table = render_markdown(rows, matmul, environment) + '\n' + render_deployment_table(rows)
    print(table)
    write_outputs(rows, table, args)
    return 1 if any(row['error'] for row in rows) else 0

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
import copy
import csv
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # torch is imported lazily: each configuration runs in a fresh worker
    import numpy as np
    import torch

from basicsr_lfdn.inference.backends import ALL_PRECISIONS, BACKEND_PRECISIONS, require
from basicsr_lfdn.inference.evaluate import TEST_SETS
from basicsr_lfdn.inference.quantize import add_calibration_arguments, calibration_from_args
from basicsr_lfdn.inference.runtime import PRECISIONS, parse_size

RESULT_PREFIX = 'BENCHMARK_RESULT '

CSV_FIELDS = [
    'label',
    'network',
    'size',
    'device',
    'backend',
    'precision',
    'channels_last',
    'compile',
    'tile',
    'threads',
    'batch',
    'params',
    'macs',
    'latency_median_ms',
    'latency_min_ms',
    'latency_max_ms',
    'images_per_s',
    'megapixels_per_s',
    'peak_rss_mib',
    'rss_delta_mib',
    'cuda_peak_mib',
    'achieved_gflops',
    'matmul_gflops',
    'fraction_of_matmul',
    'psnr_vs_fp32_db',
    'delta_psnr_db',
    'speedup_vs_torch_fp32',
    'test_set',
    'test_images',
    'test_psnr_db',
    'test_delta_psnr_db',
    'error',
]


@dataclass
class BenchConfig:
    """One measured configuration (one subprocess)."""

    label: str
    network: dict
    weights: str | None
    height: int
    width: int
    device: str
    precision: str
    channels_last: bool
    compile: bool
    tile: int
    tile_overlap: int
    threads: int | None
    batch: int
    warmup: int
    repeats: int
    backend: str = 'torch'
    calibration: dict | None = None
    eval_set: str | None = None
    data_root: str = '../shared/datasets'


@dataclass
class BenchResult:
    """What a worker measured; times in ms, memory in MiB (CPU: VmHWM; CUDA: max allocated)."""

    latencies_ms: list[float] = field(default_factory=list)
    threads: int = 0
    peak_rss_mib: float = math.nan
    rss_delta_mib: float = math.nan
    cuda_peak_mib: float = math.nan
    psnr_vs_fp32_db: float = math.nan
    delta_psnr_db: float = math.nan
    test_images: int = 0
    test_psnr_db: float = math.nan
    error: str = ''


# ----------------------------------------------------------------------------- worker side


def _proc_status_mib(key: str) -> float:
    """``VmRSS`` / ``VmHWM`` of this process in MiB, from /proc (Linux); NaN elsewhere."""
    try:
        with open('/proc/self/status', encoding='ascii') as handle:
            for line in handle:
                if line.startswith(key + ':'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def _reset_peak_rss() -> None:
    """Reset this process's ``VmHWM`` to its current resident size (Linux ``clear_refs``); no-op elsewhere."""
    try:
        with open('/proc/self/clear_refs', 'w', encoding='ascii') as handle:
            handle.write('5')
    except OSError:
        pass


def _synchronize(device: torch.device) -> None:
    import torch

    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _natural_pair(height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A clean photo and its Gaussian-blurred version, each 1×3×height×width float32 in [0, 1]."""
    import cv2
    import numpy as np
    import torch
    from skimage import data

    photo = cv2.resize(data.astronaut(), (width, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    blurred = cv2.GaussianBlur(photo, (0, 0), sigmaX=2.0)

    def to_tensor(image: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]

    return to_tensor(photo), to_tensor(blurred)


def _psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean PSNR (dB) of two B×3×H×W batches in [0, 1], with BasicSR's tensor metric."""
    from basicsr.metrics.psnr_ssim import calculate_psnr_pt

    return float(calculate_psnr_pt(a.clamp(0, 1), b.clamp(0, 1), crop_border=0).mean())


def build_benchmark_network(network: dict, weights: str | None) -> torch.nn.Module:
    """The network of a config: from a checkpoint when ``weights`` is given, else freshly built (seed 0)."""
    import torch
    from basicsr.archs import build_network

    from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint

    if weights:
        return build_network_from_checkpoint(weights, network or None)
    # Seeded, so that every worker builds the same random weights and their test-set PSNRs compare.
    torch.manual_seed(0)
    return build_network(dict(network)).eval()


def run_worker(config: BenchConfig) -> BenchResult:
    """Measure one configuration in this (fresh) process."""
    import torch

    from basicsr_lfdn.inference.backends import network_predictor
    from basicsr_lfdn.inference.evaluate import evaluate_pairs, real_test_pairs
    from basicsr_lfdn.inference.quantize import Calibration
    from basicsr_lfdn.inference.runtime import make_predictor, prepare_network, resolve_device
    from basicsr_lfdn.utils.tiling import tiled_forward

    if config.threads:
        torch.set_num_threads(config.threads)
    result = BenchResult(threads=torch.get_num_threads())
    device = resolve_device(config.device)
    source = build_benchmark_network(config.network, config.weights)
    clean, blurred = _natural_pair(config.height, config.width)
    batch = blurred.expand(config.batch, -1, -1, -1).contiguous()

    reference = None
    if (config.backend, config.precision) != ('torch', 'fp32'):
        fp32_predict = network_predictor(copy.deepcopy(source), 'torch', 'fp32', device, config.channels_last)
        reference = tiled_forward(fp32_predict, batch, config.tile, config.tile_overlap).cpu()
        del fp32_predict
    if config.compile:
        network = prepare_network(source, device, config.channels_last, config.precision)
        predict = make_predictor(torch.compile(network), device, config.precision, config.channels_last)
    else:
        calibration = config.calibration and Calibration(
            **{**config.calibration, 'photos': Path(config.calibration['photos'])}
        )
        predict = network_predictor(
            source, config.backend, config.precision, device, config.channels_last, config.threads, calibration
        )

    def forward():
        return tiled_forward(predict, batch, config.tile, config.tile_overlap)

    _reset_peak_rss()
    rss_before = _proc_status_mib('VmRSS')
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    for _ in range(config.warmup):
        output = forward()
    _synchronize(device)
    for _ in range(config.repeats):
        start = time.perf_counter()
        output = forward()
        _synchronize(device)
        result.latencies_ms.append((time.perf_counter() - start) * 1000)
    result.peak_rss_mib = _proc_status_mib('VmHWM')
    result.rss_delta_mib = result.peak_rss_mib - rss_before
    if device.type == 'cuda':
        result.cuda_peak_mib = torch.cuda.max_memory_allocated(device) / 2**20
    if reference is not None:
        output = output.float().cpu()
        result.psnr_vs_fp32_db = _psnr(output, reference)
        result.delta_psnr_db = _psnr(output[:1], clean) - _psnr(reference[:1], clean)
    if config.eval_set:
        pairs, y_channel = real_test_pairs(config.eval_set, config.data_root)
        scores = evaluate_pairs(lambda x: tiled_forward(predict, x, config.tile, config.tile_overlap), pairs, y_channel)
        result.test_images, result.test_psnr_db = scores['images'], scores['psnr']
    return result


def measure_matmul_gflops(device_name: str, precision: str, size: int, threads: int | None, repeats: int) -> float:
    """Median GFLOP/s of ``size``³ matrix products (2·size³ FLOP each) on this device/dtype."""
    import torch

    from basicsr_lfdn.inference.runtime import PRECISIONS, resolve_device

    if threads:
        torch.set_num_threads(threads)
    device = resolve_device(device_name)
    generator = torch.Generator().manual_seed(0)
    a = torch.rand(size, size, generator=generator).to(device=device, dtype=PRECISIONS[precision])
    b = torch.rand(size, size, generator=generator).to(device=device, dtype=PRECISIONS[precision])
    times = []
    for index in range(repeats + 2):
        _synchronize(device)
        start = time.perf_counter()
        torch.mm(a, b)
        _synchronize(device)
        if index >= 2:
            times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


def _worker_main(payload: str) -> None:
    """``--worker JSON``: measure one config (or a matmul rate) and print one result line."""
    request = json.loads(payload)
    try:
        if request['kind'] == 'matmul':
            value = measure_matmul_gflops(**request['args'])
            print(RESULT_PREFIX + json.dumps({'gflops': value}), flush=True)
            return
        result = run_worker(BenchConfig(**request['config']))
    except Exception as error:
        result = BenchResult(error=f'{type(error).__name__}: {error}'.splitlines()[0][:300])
    print(RESULT_PREFIX + json.dumps(asdict(result)), flush=True)


# ----------------------------------------------------------------------------- parent side


def _run_subprocess(request: dict, timeout: float | None) -> dict:
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


def parse_network_spec(spec: str) -> tuple[str, dict, str | None]:
    """``(label, network options, checkpoint or None)`` for one ``--network`` argument.

    Accepts a registered name, a YAML/JSON file, an inline YAML/JSON dict, or a ``.pth`` file.
    """
    path = Path(spec)
    if path.suffix in ('.pth', '.pt') and path.is_file():
        from basicsr_lfdn.utils.checkpoint import load_checkpoint

        network = load_checkpoint(path).get('network_g')
        if not isinstance(network, dict):
            raise ValueError(f'--network {spec}: checkpoint carries no network_g; give a YAML with the options')
        return f'{network["type"]} ({path.name})', dict(network), str(path)
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding='utf-8'))
        label = path.stem
    elif spec.lstrip().startswith('{'):
        loaded = yaml.safe_load(spec)
        label = None
    else:
        from basicsr.utils.registry import ARCH_REGISTRY

        if spec not in ARCH_REGISTRY:
            raise ValueError(f'--network {spec}: not a file, an inline dict, nor a registered network name')
        return spec, {'type': spec}, None
    if not isinstance(loaded, dict):
        raise ValueError(f'--network {spec}: expected a mapping')
    network = loaded.get('network_g', loaded)
    if not isinstance(network, dict) or 'type' not in network:
        raise ValueError(f'--network {spec}: no network dict with a type')
    if label is None:
        options = ', '.join(f'{k}={v}' for k, v in network.items() if k != 'type')
        label = f'{network["type"]}({options})'
    return label, dict(network), None


def ablation_networks() -> list[tuple[str, dict, None]]:
    """One entry per distinct network of the papers' rows (fixed θ/α rows cost the same: kept once)."""
    from basicsr_lfdn.archs.complexity import ABLATION_ROWS

    seen: dict[str, str] = {}
    entries = []
    for row in ABLATION_ROWS:
        key = json.dumps({k: v for k, v in row.network.items() if k not in ('theta', 'alpha')}, sort_keys=True)
        if key in seen:
            continue
        seen[key] = row.row
        entries.append((f'{row.table}: {row.row}', dict(row.network), None))
    return entries


def _fmt(value: float | int | str | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    if isinstance(value, float) and math.isinf(value):
        return 'inf'
    return f'{value:,.{digits}f}'


def _cpu_name() -> str:
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def _layout(row: dict) -> str:
    """The memory layout of a PyTorch row; the other backends choose their own (``-``)."""
    if row['backend'] != 'torch':
        return '-'
    return 'channels_last' if row['channels_last'] else 'contiguous'


def render_markdown(rows: list[dict], matmul: dict[tuple[str, str], float], environment: str) -> str:
    """The benchmark table (one row per configuration) with the matmul reference rates above it."""
    lines = [environment, '']
    if matmul:
        lines.append('Matmul reference (median of square products): ')
        lines += [f'- {device} {precision}: {gflops:,.1f} GFLOP/s' for (device, precision), gflops in matmul.items()]
        lines.append('')
    lines += [
        '| network | size | device | backend | precision | layout | compile | tile | threads | params (M) | GMACs '
        '| latency median / min / max (ms) | images/s | MP/s | peak RSS (MiB) | RSS Δ (MiB) | CUDA peak (MiB) '
        '| achieved GFLOP/s | % of matmul | PSNR vs fp32 (dB) | ΔPSNR blurred photo (dB) |',
        '|---|---|---|---|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for row in rows:
        if row['error']:
            lines.append(
                f'| {row["label"]} | {row["size"]} | {row["device"]} | {row["backend"]} | {row["precision"]} '
                f'| error: {row["error"]} |' + ' |' * 15
            )
            continue
        latency = ' / '.join(_fmt(row[k]) for k in ('latency_median_ms', 'latency_min_ms', 'latency_max_ms'))
        fraction = row['fraction_of_matmul']
        lines.append(
            f'| {row["label"]} | {row["size"]} | {row["device"]} | {row["backend"]} | {row["precision"]} '
            f'| {_layout(row)} | {"yes" if row["compile"] else "no"} '
            f'| {row["tile"] or "-"} | {row["threads"]} | {row["params"] / 1e6:.3f} | {_fmt(row["macs"] / 1e9)} '
            f'| {latency} | {_fmt(row["images_per_s"], 2)} | {_fmt(row["megapixels_per_s"], 2)} '
            f'| {_fmt(row["peak_rss_mib"], 0)} | {_fmt(row["rss_delta_mib"], 0)} | {_fmt(row["cuda_peak_mib"], 0)} '
            f'| {_fmt(row["achieved_gflops"])} | {_fmt(100 * fraction if fraction == fraction else fraction)} '
            f'| {_fmt(row["psnr_vs_fp32_db"], 2)} | {_fmt(row["delta_psnr_db"], 4)} |'
        )
    return '\n'.join(lines) + '\n'


def render_deployment_table(rows: list[dict]) -> str:
    """Per configuration: median latency, speed-up and test-set PSNR change vs PyTorch fp32, peak memory."""
    test_sets = sorted({f'{row["test_set"]} ({row["test_images"]} images)' for row in rows if row['test_set']})
    lines = [
        f'Speed-up and PSNR change against PyTorch fp32 of the same network and size; test set: '
        f'{", ".join(test_sets) or "none (--eval-set)"}.',
        '',
        '| network | size | backend | precision | median latency (ms) | speed-up vs torch fp32 '
        '| test PSNR (dB) | PSNR change vs torch fp32 (dB) | peak RSS (MiB) |',
        '|---|---|---|---|---:|---:|---:|---:|---:|',
    ]
    for row in rows:
        speedup = row['speedup_vs_torch_fp32']
        memory = _fmt(row['peak_rss_mib'], 0)
        lines.append(
            f'| {row["label"]} | {row["size"]} | {row["backend"]} | {row["precision"]} '
            f'| {_fmt(row["latency_median_ms"])} | {_fmt(speedup, 2) + "×" if speedup == speedup else "-"} '
            f'| {_fmt(row["test_psnr_db"], 2)} | {_fmt(row["test_delta_psnr_db"], 3)} | {memory} |'
        )
    return '\n'.join(lines) + '\n'


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


def build_parser() -> argparse.ArgumentParser:
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-benchmark``; prints the Markdown table, returns 1 if a config failed."""
    args = build_parser().parse_args(argv)
    if args.worker:
        _worker_main(args.worker)
        return 0

    import torch

    from basicsr_lfdn.archs.complexity import count_macs, count_params

    try:
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
    except (OSError, RuntimeError, ValueError, yaml.YAMLError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    calibration_dict = calibration and {**asdict(calibration), 'photos': str(calibration.photos)}
    if args.ablations:
        networks += ablation_networks()

    matmul: dict[tuple[str, str], float] = {}
    if args.matmul_size:
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
                reply = _run_subprocess(request, args.timeout)
                if 'gflops' in reply:
                    matmul[(device, precision)] = reply['gflops']
                    print(f'matmul {device} {precision}: {reply["gflops"]:,.1f} GFLOP/s', flush=True)

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
                        calibration_dict if (backend, precision) == ('openvino', 'int8') else None,
                        args.eval_set,
                        args.data_root,
                    )
                    reply = _run_subprocess({'kind': 'config', 'config': asdict(config)}, args.timeout)
                    row = _summarize(config, reply, params, macs, matmul.get((device, precision)))
                    rows.append(row)
                    outcome = row['error'] or f'{row["latency_median_ms"]:.1f} ms'
                    if row['test_set'] and not row['error']:
                        outcome += f', {row["test_set"]} PSNR {row["test_psnr_db"]:.3f} dB'
                    print(f'{label} {width}x{height} {device} {backend} {precision}: {outcome}', flush=True)
        del model

    environment = (
        f'Measured on {_cpu_name()} ({os.cpu_count()} logical CPUs), torch {torch.__version__}, '
        f'threads {args.threads or "default"}, warm-up {args.warmup}, repeats {args.repeats}, batch {args.batch}.'
    )
    add_comparisons(rows)
    table = render_markdown(rows, matmul, environment) + '\n' + render_deployment_table(rows)
    print(table)
    if args.output_md:
        args.output_md.parent.mkdir(parents=True, exist_ok=True)
        args.output_md.write_text(table, encoding='utf-8')
    if args.output_csv:
        args.output_csv.parent.mkdir(parents=True, exist_ok=True)
        with open(args.output_csv, 'w', newline='', encoding='utf-8') as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
    return 1 if any(row['error'] for row in rows) else 0


def _summarize(config: BenchConfig, reply: dict, params: int, macs: int, matmul_gflops: float | None) -> dict:
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


if __name__ == '__main__':
    sys.exit(main())

"""The worker side of ``lfdn-benchmark``: one configuration measured in a fresh Python process.

A fresh process per configuration makes its peak resident memory (``VmHWM``) its own. The input is
a natural photo (scikit-image's astronaut, resized); for a reduced precision the worker also runs
fp32 once and reports the PSNR of the low-precision output against it, and how much PSNR against
the clean photo changes when the input is the photo blurred.
"""

from __future__ import annotations

import copy
import json
import math
import statistics
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from basicsr_lfdn.benchmark.config import RESULT_PREFIX, BenchConfig, BenchResult

if TYPE_CHECKING:  # torch is imported lazily: each configuration runs in a fresh worker
    import numpy as np
    import torch


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


def worker_main(payload: str) -> None:
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

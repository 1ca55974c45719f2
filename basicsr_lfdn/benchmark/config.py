"""What one benchmark configuration is, what its worker reports, and the columns of the CSV."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

RESULT_PREFIX = 'BENCHMARK_RESULT '  # the worker's one result line on stdout starts with this

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

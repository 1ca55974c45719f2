"""Device, precision and memory-layout choices shared by ``lfdn-restore`` and ``lfdn-benchmark``.

Keeping them in one place means the benchmark measures exactly the code path users run.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator

import torch
from torch import Tensor, nn

PRECISIONS: dict[str, torch.dtype] = {'fp32': torch.float32, 'bf16': torch.bfloat16, 'fp16': torch.float16}


def parse_size(text: str) -> tuple[int, int]:
    """A command-line ``'WxH'`` as ``(height, width)``."""
    try:
        width, height = (int(part) for part in text.lower().split('x'))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f'expected WIDTHxHEIGHT, got {text!r}') from error
    return height, width


def resolve_device(name: str) -> torch.device:
    """``'cpu'`` or ``'cuda'`` (``'cuda:N'``) as a device; a clear error when CUDA is absent."""
    device = torch.device(name)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError(f'--device {name}: CUDA is not available on this machine (use --device cpu)')
    if device.type not in ('cpu', 'cuda'):
        raise ValueError(f'--device {name}: expected cpu or cuda')
    return device


@contextlib.contextmanager
def precision_context(device: torch.device, precision: str) -> Iterator[None]:
    """Autocast to ``precision`` on ``device`` (nothing for fp32).

    Autocast runs convolutions and matrix products in the low-precision type while keeping
    reductions (instance norm statistics, softmax) in fp32, which is what keeps the bf16
    output within a few hundredths of a dB of fp32.
    """
    if precision not in PRECISIONS:
        raise ValueError(f'unknown precision {precision!r}; expected one of {sorted(PRECISIONS)}')
    if precision == 'fp32':
        yield
        return
    with torch.autocast(device_type=device.type, dtype=PRECISIONS[precision]):
        yield


def prepare_network(
    network: nn.Module, device: torch.device, channels_last: bool = False, precision: str = 'fp32'
) -> nn.Module:
    """Move a network to ``device`` in eval mode, laid out and stored for the given precision.

    channels_last converts only 4-D weights (``Module.to(memory_format=...)`` refuses the 5-D
    weights of a Conv3d, e.g. an ACFM with a full 3-D convolution). For bf16/fp16, 2-D conv
    weights are stored in that type: autocast would otherwise cast every fp32 weight again on
    every call (measured: ~5% of LFDN's bf16 time on CPU), with the same numbers as a result.
    Everything else (norms, θ, α) stays fp32, as autocast expects.
    """
    if precision not in PRECISIONS:
        raise ValueError(f'unknown precision {precision!r}; expected one of {sorted(PRECISIONS)}')
    network = network.eval().to(device)
    for module in network.modules():
        if isinstance(module, nn.Conv2d):
            if channels_last:
                module.weight.data = module.weight.data.contiguous(memory_format=torch.channels_last)
            if precision != 'fp32':
                module.to(PRECISIONS[precision])
    return network


def make_predictor(
    network: nn.Module, device: torch.device, precision: str, channels_last: bool = False
) -> Callable[[Tensor], Tensor]:
    """A function B×3×h×w float32 → B×3×h×w float32 that runs ``network`` as configured.

    The input is moved to ``device`` (and channels_last when asked); the output comes back as
    contiguous float32 on ``device`` so callers (tiling, metrics) need not care about precision.
    """
    memory_format = torch.channels_last if channels_last else torch.contiguous_format

    def predict(batch: Tensor) -> Tensor:
        batch = batch.to(device).contiguous(memory_format=memory_format)
        with torch.inference_mode(), precision_context(device, precision):
            output = network(batch)
        return output.float().contiguous()

    return predict

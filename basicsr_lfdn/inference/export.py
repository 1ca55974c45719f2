"""``lfdn-export``: ONNX (dynamic height/width) and TorchScript files from a checkpoint, verified.

Example::

    lfdn-export --weights net_g_latest.pth --onnx lfdn.onnx --torchscript lfdn.pt

Both files are checked against the PyTorch network on an input whose size differs from the
export size (and is not a multiple of 16, so the network's internal padding is exercised);
the maximum absolute difference is printed and the command fails when it exceeds
``--tolerance``.

ONNX uses the TorchScript-based exporter with ``dynamic_axes``: it records the shape
arithmetic of the internal padding as graph ops, so one file serves every image size. (The
``dynamo=True`` exporter needs the extra ``onnxscript`` package.) TorchScript first tries
``torch.jit.script`` (shape logic stays Python-exact) and falls back to ``torch.jit.trace``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import torch
from torch import Tensor, nn

from basicsr_lfdn.inference.restore import load_network_options
from basicsr_lfdn.inference.runtime import parse_size
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint


class ExportCheckError(RuntimeError):
    """An exported graph gives a different output shape than PyTorch (its shapes were frozen)."""


def export_onnx(network: nn.Module, example: Tensor, path: Path, opset: int = 17) -> None:
    """Write ``network`` as ONNX with input/output ``B×3×H×W`` whose B, H and W are dynamic."""
    dynamic = {0: 'batch', 2: 'height', 3: 'width'}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(
            network,
            (example,),
            str(path),
            input_names=['input'],
            output_names=['output'],
            dynamic_axes={'input': dynamic, 'output': dynamic},
            opset_version=opset,
            dynamo=False,
        )


def export_torchscript(network: nn.Module, example: Tensor, path: Path) -> str:
    """Save ``network`` as TorchScript; returns ``'script'`` or ``'trace'`` (the method that worked)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            module, method = torch.jit.script(network), 'script'
        except Exception:
            module, method = torch.jit.trace(network, example, check_trace=False), 'trace'
    module.save(str(path))
    return method


def max_abs_difference_onnx(path: Path, network: nn.Module, sample: Tensor) -> float:
    """Max |ONNX Runtime − PyTorch| on ``sample`` (1×3×h×w); needs the ``onnxruntime`` package."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    (onnx_output,) = session.run(None, {session.get_inputs()[0].name: sample.numpy()})
    with torch.inference_mode():
        reference = network(sample)
    if tuple(onnx_output.shape) != tuple(reference.shape):
        raise ExportCheckError(f'output shape {tuple(onnx_output.shape)} != PyTorch {tuple(reference.shape)}')
    return float((torch.from_numpy(onnx_output) - reference).abs().max())


def max_abs_difference_torchscript(path: Path, network: nn.Module, sample: Tensor) -> float:
    """Max |TorchScript − PyTorch| on ``sample`` (1×3×h×w), loading the saved file."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        module = torch.jit.load(str(path), map_location='cpu')
    with torch.inference_mode():
        scripted, reference = module(sample), network(sample)
    if scripted.shape != reference.shape:
        raise ExportCheckError(f'output shape {tuple(scripted.shape)} != PyTorch {tuple(reference.shape)}')
    return float((scripted - reference).abs().max())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='lfdn-export', description='Export a checkpoint to ONNX and TorchScript.')
    parser.add_argument('--weights', required=True, help='checkpoint (.pth)')
    parser.add_argument('--opt', help="option YAML with network_g, for checkpoints without 'network_g'")
    parser.add_argument('--param-key', default='params', help="'params' or 'params_ema'")
    parser.add_argument('--onnx', type=Path, help='output .onnx file')
    parser.add_argument('--torchscript', type=Path, help='output TorchScript .pt file')
    parser.add_argument('--export-size', type=parse_size, default=(256, 256), help='example input WxH (256x256)')
    parser.add_argument('--verify-size', type=parse_size, default=(200, 328), help='check input WxH (default 328x200)')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (default 17)')
    parser.add_argument('--tolerance', type=float, default=1e-3, help='max abs difference accepted (default 1e-3)')
    parser.add_argument('--force', action='store_true', help='overwrite existing output files')
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-export``; returns 0 when every export verified within tolerance."""
    args = build_parser().parse_args(argv)
    targets = [path for path in (args.onnx, args.torchscript) if path is not None]
    if not targets:
        print('error: nothing to do; give --onnx and/or --torchscript', file=sys.stderr)
        return 2
    existing = [str(path) for path in targets if path.exists()]
    if existing and not args.force:
        print(f'error: {", ".join(existing)} exists; pass --force to overwrite', file=sys.stderr)
        return 2
    try:
        network = build_network_from_checkpoint(args.weights, load_network_options(args.opt), args.param_key)
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    network = network.eval().float()
    generator = torch.Generator().manual_seed(0)
    example = torch.rand(1, 3, *args.export_size, generator=generator)
    sample = torch.rand(1, 3, *args.verify_size, generator=generator)
    verify_label = f'{args.verify_size[1]}x{args.verify_size[0]}'

    status = 0
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if path == args.onnx:
                label = 'ONNX (onnxruntime)'
                export_onnx(network, example, path, args.opset)
                difference = max_abs_difference_onnx(path, network, sample)
            else:
                label = f'TorchScript ({export_torchscript(network, example, path)})'
                difference = max_abs_difference_torchscript(path, network, sample)
        except ExportCheckError as error:
            print(f'{label}: {path}  FAILED at {verify_label}: {error}', file=sys.stderr)
            status = 1
            continue
        verdict = 'ok' if difference <= args.tolerance else f'FAILED (> {args.tolerance:g})'
        print(f'{label}: {path}  max |diff| vs PyTorch at {verify_label} = {difference:.3e}  {verdict}')
        if difference > args.tolerance:
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())

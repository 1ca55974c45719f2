"""``lfdn-export``: ONNX, TorchScript and OpenVINO IR (dynamic height/width) from a checkpoint, verified.

Example::

    lfdn-export --weights net_g_latest.pth --onnx lfdn.onnx --torchscript lfdn.pt --openvino ir/
    lfdn-export --weights lfdn_derain.pth --openvino ir/ --int8 --degradation rain --degradation-opt recipe.yml

Every file is checked against the PyTorch network on an input whose size differs from the
export size (and is not a multiple of 16, so the network's internal padding is exercised);
the maximum absolute difference is printed and the command fails when it exceeds
``--tolerance`` (an int8 IR is only checked for its output shape: quantisation changes values
by design; measure it with ``lfdn-benchmark --eval-set``).

ONNX uses the TorchScript-based exporter with ``dynamic_axes``: it records the shape
arithmetic of the internal padding as graph ops, so one file serves every image size. (The
``dynamo=True`` exporter needs the extra ``onnxscript`` package.) TorchScript first tries
``torch.jit.script`` (shape logic stays Python-exact) and falls back to ``torch.jit.trace``.
OpenVINO (``--openvino DIR``) writes ``DIR/<weights name>.xml`` + ``.bin``, read from the ONNX
graph (see ``basicsr_lfdn.inference.backends``), with fp32 weights; ``--int8`` adds
``DIR/<weights name>_int8.xml``, quantised by NNCF on photos degraded with ``--degradation``
(the built-in photos, or ``--calibration DIR``; ``basicsr_lfdn.inference.quantize``).
``lfdn-restore`` needs no export: it builds and caches these models itself.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import torch
from torch import Tensor, nn

from basicsr_lfdn.inference.backends import (
    OpenVINOPredictor,
    Predictor,
    export_onnx,
    onnxruntime_predictor,
    openvino_model,
    require,
    save_openvino,
)
from basicsr_lfdn.inference.quantize import add_calibration_arguments, calibration_from_args, quantize_openvino
from basicsr_lfdn.inference.restore import load_network_options
from basicsr_lfdn.inference.runtime import parse_size
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint


class ExportCheckError(RuntimeError):
    """An exported graph gives a different output shape than PyTorch (its shapes were frozen)."""


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


def torchscript_predictor(path: Path) -> Predictor:
    """Run the saved TorchScript file."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        module = torch.jit.load(str(path), map_location='cpu')

    def predict(batch: Tensor) -> Tensor:
        with torch.inference_mode():
            return module(batch)

    return predict


def max_abs_difference(predict: Predictor, network: nn.Module, sample: Tensor) -> float:
    """Max |exported − PyTorch| on ``sample`` (1×3×h×w); ``ExportCheckError`` when the shapes differ."""
    output = predict(sample)
    with torch.inference_mode():
        reference = network(sample)
    if tuple(output.shape) != tuple(reference.shape):
        raise ExportCheckError(f'output shape {tuple(output.shape)} != PyTorch {tuple(reference.shape)}')
    return float((output - reference).abs().max())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='lfdn-export', description='Export a checkpoint to ONNX, TorchScript and OpenVINO IR.'
    )
    parser.add_argument('--weights', required=True, help='checkpoint (.pth)')
    parser.add_argument('--opt', help="option YAML with network_g, for checkpoints without 'network_g'")
    parser.add_argument('--param-key', default='params', help="'params' or 'params_ema'")
    parser.add_argument('--onnx', type=Path, help='output .onnx file')
    parser.add_argument('--torchscript', type=Path, help='output TorchScript .pt file')
    parser.add_argument('--openvino', type=Path, metavar='DIR', help='output folder of the OpenVINO IR (.xml + .bin)')
    parser.add_argument('--int8', action='store_true', help='also write an int8 IR quantised by NNCF (--degradation)')
    parser.add_argument('--export-size', type=parse_size, default=(256, 256), help='example input WxH (256x256)')
    parser.add_argument('--verify-size', type=parse_size, default=(200, 328), help='check input WxH (default 328x200)')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (default 17)')
    parser.add_argument('--tolerance', type=float, default=1e-3, help='max abs difference accepted (default 1e-3)')
    parser.add_argument('--force', action='store_true', help='overwrite existing output files')
    add_calibration_arguments(parser)
    return parser


def _openvino_paths(args: argparse.Namespace) -> list[Path]:
    """``DIR/<weights name>.xml`` (and ``_int8.xml`` with ``--int8``), or none without ``--openvino``."""
    if args.openvino is None:
        return []
    stem = Path(args.weights).stem
    return [args.openvino / f'{stem}.xml'] + ([args.openvino / f'{stem}_int8.xml'] if args.int8 else [])


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-export``; returns 0 when every export verified within tolerance."""
    args = build_parser().parse_args(argv)
    ir_paths = _openvino_paths(args)
    targets = [path for path in (args.onnx, args.torchscript) if path is not None] + ir_paths
    if not targets:
        print('error: nothing to do; give --onnx, --torchscript and/or --openvino DIR', file=sys.stderr)
        return 2
    if args.int8 and args.openvino is None:
        print('error: --int8 writes an OpenVINO IR; give --openvino DIR', file=sys.stderr)
        return 2
    existing = [str(path) for path in targets if path.exists()]
    if existing and not args.force:
        print(f'error: {", ".join(existing)} exists; pass --force to overwrite', file=sys.stderr)
        return 2
    try:
        for needed, purpose in [('onnxruntime', '--onnx'), ('openvino', '--openvino'), ('nncf', '--int8')]:
            if getattr(args, purpose[2:]):
                require(needed, purpose)
        calibration = calibration_from_args(args)
        if args.int8 and calibration is None:
            raise ValueError('--int8 needs a calibration: --degradation rain|blur [--calibration DIR]')
        network = build_network_from_checkpoint(args.weights, load_network_options(args.opt), args.param_key)
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    network = network.eval().float()
    generator = torch.Generator().manual_seed(0)
    example = torch.rand(1, 3, *args.export_size, generator=generator)
    sample = torch.rand(1, 3, *args.verify_size, generator=generator)
    verify_label = f'{args.verify_size[1]}x{args.verify_size[0]}'

    def write(path: Path) -> tuple[str, Predictor]:
        """Write one target and return its label and a predictor reading the written file back."""
        if path == args.onnx:
            export_onnx(network, example, path, args.opset)
            return 'ONNX (onnxruntime)', onnxruntime_predictor(path)
        if path == args.torchscript:
            return f'TorchScript ({export_torchscript(network, example, path)})', torchscript_predictor(path)
        model = openvino_model(network)
        precision = 'int8' if path == ir_paths[-1] and args.int8 else 'fp32'
        if precision == 'int8':
            model = quantize_openvino(model, calibration)
        save_openvino(model, path)
        return f'OpenVINO {precision}', OpenVINOPredictor(openvino_model(path), precision)

    status = 0
    for path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        label = str(path)
        try:
            label, predict = write(path)
            difference = max_abs_difference(predict, network, sample)
        except ExportCheckError as error:
            print(f'{label}: {path}  FAILED at {verify_label}: {error}', file=sys.stderr)
            status = 1
            continue
        except (OSError, RuntimeError, ValueError) as error:
            print(f'error: {path}: {error}', file=sys.stderr)
            return 2
        quantised = label == 'OpenVINO int8'
        failed = difference > args.tolerance and not quantised
        verdict = f'FAILED (> {args.tolerance:g})' if failed else ('shape ok (int8)' if quantised else 'ok')
        print(f'{label}: {path}  max |diff| vs PyTorch at {verify_label} = {difference:.3e}  {verdict}')
        status = 1 if failed else status
    return status


if __name__ == '__main__':
    sys.exit(main())

"""Inference backends shared by ``lfdn-restore``, ``lfdn-benchmark`` and ``lfdn-export``.

* ``torch``: the network itself (``runtime.prepare_network`` / ``make_predictor``), fp32, bf16, fp16.
* ``onnxruntime``: the ONNX graph of the network on ONNX Runtime's CPU provider, fp32.
* ``openvino``: an OpenVINO model on the CPU plugin, fp32, bf16 (``INFERENCE_PRECISION_HINT``)
  or int8 (a model quantised by NNCF, see ``basicsr_lfdn.inference.quantize``).

The OpenVINO model is read from the network's ONNX graph with the ONNX frontend
(``Core.read_model``). ``openvino.convert_model`` would also work, but it fuses LFDN's
attention into ``ScaledDotProductAttention``, whose CPU kernel changes fp32 outputs by up to
3e-3 (measured), where the ONNX frontend's graph stays within 1e-6 of PyTorch.

Every predictor maps a B×3×h×w float32 tensor to the restored B×3×h×w float32 tensor, so tiled
inference and the metrics do not care which backend runs. The OpenVINO predictor compiles the
model once per input shape (tiles of one shape compile once) with that shape fixed, which lets
the CPU plugin pick its kernels for it.

The backend packages are the optional ``deploy`` extra; choosing a backend without them fails
with one line saying what to install (:class:`~basicsr_lfdn.inference.deps.MissingBackendError`).
"""

from __future__ import annotations

import io
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

# MissingBackendError is re-exported: lfdn-benchmark and the demo import it from here.
from basicsr_lfdn.inference.deps import MissingBackendError as MissingBackendError
from basicsr_lfdn.inference.deps import require
from basicsr_lfdn.inference.quantize import Calibration, quantize_openvino
from basicsr_lfdn.inference.runtime import make_predictor, prepare_network

if TYPE_CHECKING:
    import openvino

BACKEND_PRECISIONS: dict[str, tuple[str, ...]] = {
    'torch': ('fp32', 'bf16', 'fp16'),
    'onnxruntime': ('fp32',),
    'openvino': ('fp32', 'bf16', 'int8'),
}
ALL_PRECISIONS = ('fp32', 'bf16', 'fp16', 'int8')
COMPILED_KEPT = 4  # compiled shapes an OpenVINOPredictor keeps in memory
# The example input of an export: any size works, the graph's height and width stay dynamic.
EXAMPLE_SIZE = (64, 64)

Predictor = Callable[[Tensor], Tensor]


def check_precision(backend: str, precision: str) -> None:
    """Raise ``ValueError`` naming the options when ``backend`` does not run ``precision``."""
    if backend not in BACKEND_PRECISIONS:
        raise ValueError(f'--backend {backend}: expected one of {", ".join(BACKEND_PRECISIONS)}')
    if precision not in BACKEND_PRECISIONS[backend]:
        supported = ', '.join(BACKEND_PRECISIONS[backend])
        raise ValueError(f'--precision {precision} is not available with --backend {backend} (it runs {supported})')


def export_onnx(network: nn.Module, example: Tensor, target: str | Path | io.BytesIO, opset: int = 17) -> None:
    """Write ``network`` as ONNX (to a file or a buffer) with input/output ``B×3×H×W``, B, H, W dynamic."""
    dynamic = {0: 'batch', 2: 'height', 3: 'width'}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(
            network,
            (example,),
            target if isinstance(target, io.BytesIO) else str(target),
            input_names=['input'],
            output_names=['output'],
            dynamic_axes={'input': dynamic, 'output': dynamic},
            opset_version=opset,
            dynamo=False,
        )


def _onnx_bytes(network: nn.Module) -> bytes:
    buffer = io.BytesIO()
    export_onnx(network.eval().float(), torch.rand(1, 3, *EXAMPLE_SIZE), buffer)
    return buffer.getvalue()


def openvino_model(source: nn.Module | str | Path) -> openvino.Model:
    """An OpenVINO model (dynamic B, H, W) of a network, or read from an ``.xml`` IR or ``.onnx`` file."""
    ov = require('openvino', '--backend openvino')
    core = ov.Core()
    if not isinstance(source, nn.Module):
        return core.read_model(str(source))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / 'network.onnx'
        path.write_bytes(_onnx_bytes(source))
        return core.read_model(str(path))


def is_quantized(model: openvino.Model) -> bool:
    """Whether an OpenVINO model carries NNCF's int8 quantisation (``FakeQuantize`` operations)."""
    return any(op.get_type_name() == 'FakeQuantize' for op in model.get_ops())


def save_openvino(model: openvino.Model, path: Path) -> None:
    """Write ``model`` as IR (``path`` ``.xml`` + ``.bin``), weights kept in fp32 (no fp16 compression)."""
    ov = require('openvino', '--openvino')
    ov.save_model(model, str(path), compress_to_fp16=False)


class OpenVINOPredictor:
    """Run an OpenVINO model on the CPU plugin; compiled once per input shape (``compiled`` keeps them).

    ``compiled`` holds the :data:`COMPILED_KEPT` shapes used last: a folder of photos that all
    differ in size (each smaller than a tile) would otherwise keep one compiled model, with its
    buffers, per photo.

    ``precision`` is the compute precision of the float operations: ``'fp32'`` must be asked for
    explicitly, because the CPU plugin defaults to bf16 on processors with bf16 instructions;
    ``'int8'`` expects a quantised model, whose non-quantised operations then run in fp32.

    With ``cache_dir``, the compilations for ``cached_side``×``cached_side`` inputs (the tile
    shape, which every window of a large image has) go through OpenVINO's compiled-model cache in
    that folder, so a second process imports them instead of compiling. Other shapes (whole images
    smaller than a tile, which may all differ) are compiled in memory only, so that the folder
    does not grow with every photo size.
    """

    def __init__(
        self,
        model: openvino.Model,
        precision: str,
        threads: int | None = None,
        cache_dir: Path | None = None,
        cached_side: int = 0,
    ) -> None:
        ov = require('openvino', '--backend openvino')
        check_precision('openvino', precision)
        if (precision == 'int8') != is_quantized(model):
            raise ValueError(
                '--precision int8 needs a quantised model (lfdn-export --int8, or --degradation to quantise)'
                if precision == 'int8'
                else f'the model is quantised (int8); run it with --precision int8, not {precision}'
            )
        self.model = model
        self.core = ov.Core()
        self.config = {
            'INFERENCE_PRECISION_HINT': 'bf16' if precision == 'bf16' else 'f32',
            'PERFORMANCE_HINT': 'LATENCY',
            'INFERENCE_NUM_THREADS': threads or 0,
        }
        self.cache_dir = cache_dir
        self.cached_side = cached_side
        self.compiled: dict[tuple[int, ...], openvino.CompiledModel] = {}

    def __call__(self, batch: Tensor) -> Tensor:
        shape = tuple(batch.shape)
        compiled = self.compiled.pop(shape, None)
        if compiled is None:
            fixed = self.model.clone()
            fixed.reshape(list(shape))
            config = dict(self.config)
            if self.cache_dir is not None and shape[2:] == (self.cached_side, self.cached_side):
                config['CACHE_DIR'] = str(self.cache_dir)
            compiled = self.core.compile_model(fixed, 'CPU', config)
            while len(self.compiled) >= COMPILED_KEPT:
                self.compiled.pop(next(iter(self.compiled)))
        self.compiled[shape] = compiled  # most recently used last
        output = compiled(batch.detach().float().cpu().contiguous().numpy())[0]
        return torch.from_numpy(output.copy())


def onnxruntime_predictor(source: nn.Module | str | Path, threads: int | None = None) -> Predictor:
    """Run a network's ONNX graph (or an ``.onnx`` file) on ONNX Runtime's CPU provider."""
    onnxruntime = require('onnxruntime', '--backend onnxruntime')
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    model = _onnx_bytes(source) if isinstance(source, nn.Module) else str(source)
    session = onnxruntime.InferenceSession(model, options, providers=['CPUExecutionProvider'])
    name = session.get_inputs()[0].name

    def predict(batch: Tensor) -> Tensor:
        (output,) = session.run(None, {name: batch.detach().float().cpu().contiguous().numpy()})
        return torch.from_numpy(output)

    return predict


def network_predictor(
    network: nn.Module,
    backend: str,
    precision: str,
    device: torch.device,
    channels_last: bool = False,
    threads: int | None = None,
    calibration: Calibration | None = None,
) -> Predictor:
    """A predictor running a PyTorch ``network`` on ``backend`` at ``precision``.

    ONNX Runtime and OpenVINO run on the CPU only. OpenVINO int8 quantises the network first,
    which needs ``calibration`` (see ``basicsr_lfdn.inference.quantize``). Nothing is cached here:
    ``lfdn-restore`` goes through ``basicsr_lfdn.inference.cache`` instead.
    """
    check_precision(backend, precision)
    if backend == 'torch':
        network = prepare_network(network, device, channels_last, precision)
        return make_predictor(network, device, precision, channels_last)
    if device.type != 'cpu':
        raise ValueError(f'--backend {backend} runs on the CPU; use --device cpu')
    if backend == 'onnxruntime':
        return onnxruntime_predictor(network, threads)
    if precision == 'int8' and calibration is None:
        raise ValueError('--precision int8 needs a calibration: --degradation rain|blur [--calibration DIR]')
    model = openvino_model(network)
    if precision == 'int8':
        model = quantize_openvino(model, calibration)
    return OpenVINOPredictor(model, precision, threads)


def file_predictor(path: Path, backend: str, precision: str, threads: int | None = None) -> Predictor:
    """A predictor for an exported graph: an OpenVINO ``.xml`` IR or an ``.onnx`` file."""
    check_precision(backend, precision)
    if path.suffix == '.xml' and backend != 'openvino':
        raise ValueError(f'--weights {path}: an OpenVINO IR runs with --backend openvino')
    if path.suffix == '.onnx' and backend not in ('onnxruntime', 'openvino'):
        raise ValueError(f'--weights {path}: an ONNX file runs with --backend onnxruntime or openvino')
    if not path.is_file():
        raise FileNotFoundError(f'--weights {path}: file not found')
    if backend == 'onnxruntime':
        return onnxruntime_predictor(path, threads)
    return OpenVINOPredictor(openvino_model(path), precision, threads)

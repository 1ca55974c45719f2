"""``lfdn-restore``: restore (deblur / derain) the user's own images with a trained checkpoint.

Examples::

    lfdn-restore rainy.jpg -o restored/ --task derain      # the shipped LFDN weights (basicsr_lfdn/pretrained)
    lfdn-restore rainy.jpg -o restored/ --task derain --network LMFN   # the shipped LMFN weights
    lfdn-restore photos/ extra/*.jpg -o restored/ --weights experiments/LFDN_GoPro/models/net_g_latest.pth

Files, folders (their images, not recursive) and glob patterns are accepted. Each output keeps
its input's file name, bit depth, channel count and alpha channel. Large images run tile by
tile (``--tile``), so memory stays bounded for 4K/8K photos. An unreadable file is reported
and skipped; the exit code is non-zero if any file failed.

The engine and precision default to ``auto`` (``basicsr_lfdn.inference.choice``): OpenVINO when
the ``deploy`` extra is installed, PyTorch otherwise; int8 where the model card measured it
within 0.1 dB of fp32, else bf16 on CPUs with native bf16, else fp32. One line on stdout says
what was chosen and why. OpenVINO models (fp32 IR, and int8 quantised by NNCF on built-in
photos) are built on first use and cached per weights (``basicsr_lfdn.inference.cache``), so
later starts skip the conversion. ``--weights`` may also be an ``.onnx`` file or an OpenVINO
``.xml`` IR written by ``lfdn-export``.
"""

from __future__ import annotations

import argparse
import glob
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch
import yaml
from tqdm import tqdm

from basicsr_lfdn.inference.backends import (
    ALL_PRECISIONS,
    BACKEND_PRECISIONS,
    OpenVINOPredictor,
    Predictor,
    check_precision,
    file_predictor,
    is_quantized,
    network_predictor,
    openvino_model,
)
from basicsr_lfdn.inference.cache import cached_openvino_model, compiled_cache_dir, note
from basicsr_lfdn.inference.choice import Choice, choose_backend, choose_precision, int8_verdict, native_bf16
from basicsr_lfdn.inference.deps import require
from basicsr_lfdn.inference.image_io import IMAGE_EXTENSIONS, ImageReadError, read_image, write_image
from basicsr_lfdn.inference.quantize import (
    Calibration,
    add_calibration_arguments,
    calibration_from_args,
    card_calibration,
    describe,
)
from basicsr_lfdn.inference.runtime import resolve_device
from basicsr_lfdn.pretrained import DEFAULT_NETWORK, SHIPPED, model_card, sha256_of, shipped_weights
from basicsr_lfdn.utils.checkpoint import build_network_from_checkpoint
from basicsr_lfdn.utils.tiling import tiled_forward


@dataclass
class RestoreSummary:
    """Outcome of a batch: which inputs were written, skipped (output existed) or failed (with why)."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f'{len(self.written)} written, {len(self.skipped)} skipped, {len(self.failed)} failed']
        if self.skipped:
            lines.append('skipped (output exists; pass --force to overwrite):')
            lines += [f'  {path}' for path in self.skipped]
        if self.failed:
            lines.append('failed:')
            lines += [f'  {message}' for message in self.failed]
        return '\n'.join(lines)


def _has_glob_magic(text: str) -> bool:
    return any(char in text for char in '*?[')


def collect_inputs(specs: list[str]) -> tuple[list[Path], list[str]]:
    """Expand files, folders and glob patterns into an ordered, de-duplicated list of files.

    Folders contribute their files with an image extension (sorted, not recursive); an
    explicitly named file is taken whatever its extension, so that a bad file is reported
    rather than silently ignored. Returns ``(files, problems)``, problems naming each spec that
    matched nothing (``'spec: reason'`` messages).
    """
    files: list[Path] = []
    problems: list[str] = []
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            matches = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
            if not matches:
                problems.append(f'{spec}: folder holds no image files')
        elif _has_glob_magic(spec):
            matches = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
            if not matches:
                problems.append(f'{spec}: pattern matched no files')
        elif path.is_file():
            matches = [path]
        else:
            matches = []
            problems.append(f'{spec}: no such file or folder')
        files += matches
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values()), problems


def load_network_options(opt_path: str | None) -> dict | None:
    """The ``network_g`` dict of a BasicSR option YAML (or a YAML that is the network dict itself)."""
    if opt_path is None:
        return None
    with open(opt_path, encoding='utf-8') as handle:
        options = yaml.safe_load(handle)
    if not isinstance(options, dict):
        raise ValueError(f'--opt {opt_path}: expected a YAML mapping')
    network_opt = options.get('network_g', options)
    if not isinstance(network_opt, dict) or 'type' not in network_opt:
        raise ValueError(f'--opt {opt_path}: no network_g section with a type')
    return dict(network_opt)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='lfdn-restore', description='Restore images with an LMFN/LFDN (or any BasicSR) checkpoint.'
    )
    parser.add_argument('inputs', nargs='+', help='image files, folders or glob patterns (quote patterns)')
    parser.add_argument('-o', '--output', required=True, help='output folder (created if missing)')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--task', choices=sorted(SHIPPED), help='use the weights shipped for this task')
    source.add_argument(
        '--weights', help='checkpoint (.pth) of lfdn-train or BasicSR, or an .onnx / OpenVINO .xml of lfdn-export'
    )
    parser.add_argument(
        '--network',
        choices=sorted({network for networks in SHIPPED.values() for network in networks}),
        help=f'with --task: which shipped network (default {DEFAULT_NETWORK})',
    )
    parser.add_argument('--opt', help="option YAML with network_g, for checkpoints that carry no 'network_g'")
    parser.add_argument('--param-key', default='params', help="'params' or 'params_ema' (default: params)")
    parser.add_argument('--tile', type=int, default=1024, help='tile size in pixels; 0 = whole image (default 1024)')
    parser.add_argument('--tile-overlap', type=int, default=32, help='overlap between tiles in pixels (default 32)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda (default cpu)')
    parser.add_argument(
        '--backend',
        choices=['auto', *BACKEND_PRECISIONS],
        default='auto',
        help='inference engine (default auto: openvino when the deploy extra is installed, else torch)',
    )
    parser.add_argument(
        '--precision',
        choices=['auto', *ALL_PRECISIONS],
        default='auto',
        help='torch fp32/bf16/fp16, onnxruntime fp32, openvino fp32/bf16/int8 (default auto: the fastest '
        "within 0.1 dB of fp32 per the model card; 'lfdn-restore' logs the choice)",
    )
    parser.add_argument(
        '--channels-last',
        action=argparse.BooleanOptionalAction,
        default=True,
        help='channels_last memory layout (default on: faster convolutions on CPU)',
    )
    parser.add_argument('--threads', type=int, help="CPU threads (default: the backend's default)")
    parser.add_argument('--force', action='store_true', help='overwrite existing output files')
    add_calibration_arguments(parser)
    return parser


def restore_files(
    files: list[Path],
    output_dir: Path,
    predict: Predictor,
    tile: int,
    overlap: int,
    force: bool,
    summary: RestoreSummary,
) -> None:
    """Restore ``files`` one by one into ``output_dir``, recording every outcome in ``summary``.

    ``predict`` maps a 1×3×h×w float32 tensor to the restored 1×3×h×w tensor. Two inputs with
    the same file name would write the same output, so the second one is refused. A file that
    cannot be read, restored (e.g. out of memory) or written is recorded and the batch goes on.
    """
    claimed: dict[Path, Path] = {}
    for source in tqdm(files, desc='restoring', unit='img', disable=None):
        target = output_dir / source.name
        if target in claimed:
            summary.failed.append(f'{source}: output name {target.name} already used by {claimed[target]}')
            continue
        claimed[target] = source
        if target.exists() and not force:
            summary.skipped.append(target)
            continue
        try:
            rgb, meta = read_image(source)
            batch = torch.from_numpy(rgb).permute(2, 0, 1)[None]
            restored = tiled_forward(predict, batch, tile, overlap)
            write_image(target, restored[0].permute(1, 2, 0).cpu().numpy(), meta)
        except ImageReadError as error:
            summary.failed.append(str(error))
            continue
        except (OSError, RuntimeError) as error:
            summary.failed.append(f'{source}: {error}')
            continue
        summary.written.append(target)


def _int8_verdict(weights: Path, card: dict | None, calibration: Calibration | None) -> Choice:
    """Whether int8 may be chosen automatically for ``weights`` (see ``choice.int8_verdict``)."""
    if weights.suffix == '.xml':
        quantised = is_quantized(openvino_model(weights))
        return Choice('yes' if quantised else 'no', f'the IR {weights.name} is {"" if quantised else "not "}quantised')
    if weights.suffix == '.onnx':
        return Choice('no', 'an ONNX file runs in float')
    if card is None:
        return Choice('no', 'no model card measures int8 for --weights (--precision int8 runs it anyway)')
    return int8_verdict(card, sha256_of(weights), describe(calibration))


def build_predictor(args: argparse.Namespace, device: torch.device) -> Predictor:
    """Choose the backend and precision (logged with the reasons) and build the predictor ``args`` ask for."""
    if args.network and not args.task:
        raise ValueError('--network chooses among the shipped weights; use it with --task')
    network_name = args.network or DEFAULT_NETWORK
    weights = Path(args.weights) if args.weights else shipped_weights(args.task, network_name)
    if not weights.is_file():
        raise FileNotFoundError(f'--weights {weights}: file not found')
    backend = choose_backend(args.backend, device.type, weights.suffix)
    if backend.value != 'torch':
        require(backend.value, f'--backend {backend.value}')
    card = model_card(args.task, network_name) if args.task else None
    calibration = calibration_from_args(args) or (card_calibration(card) if card else None)
    frozen_file = weights.suffix in ('.onnx', '.xml')
    if args.precision == 'int8' and calibration is None and not frozen_file:
        raise ValueError('--precision int8 with --weights needs --degradation rain|blur (what the weights restore)')
    auto = args.precision == 'auto' and backend.value != 'onnxruntime' and device.type == 'cpu'
    int8 = _int8_verdict(weights, card, calibration) if auto and backend.value == 'openvino' else Choice('no', '')
    precision = choose_precision(args.precision, backend.value, device.type, int8, auto and native_bf16(backend.value))
    check_precision(backend.value, precision.value)
    note(f'lfdn-restore: backend {backend.value} ({backend.reason}); precision {precision.value} ({precision.reason})')
    if frozen_file:
        return file_predictor(weights, backend.value, precision.value, args.threads)

    def load_network() -> torch.nn.Module:
        return build_network_from_checkpoint(weights, load_network_options(args.opt), args.param_key)

    if backend.value == 'openvino':
        model = cached_openvino_model(weights, precision.value, load_network, calibration)
        return OpenVINOPredictor(model, precision.value, args.threads, compiled_cache_dir(), args.tile)
    return network_predictor(load_network(), backend.value, precision.value, device, args.channels_last, args.threads)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-restore``; returns the exit code (1 if any input failed)."""
    args = build_parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.tile < 0 or args.tile_overlap < 0 or (args.tile and args.tile_overlap >= args.tile):
        print(f'error: need 0 <= --tile-overlap < --tile (got {args.tile_overlap}, {args.tile})', file=sys.stderr)
        return 2
    try:
        predict = build_predictor(args, resolve_device(args.device))
    except (OSError, RuntimeError, ValueError, KeyError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2

    files, problems = collect_inputs(args.inputs)
    summary = RestoreSummary(failed=problems)
    output_dir = Path(args.output)
    output_dir.mkdir(parents=True, exist_ok=True)
    restore_files(files, output_dir, predict, args.tile, args.tile_overlap, args.force, summary)
    print(summary.report(), file=sys.stderr if summary.failed else sys.stdout)
    return 1 if summary.failed else 0


if __name__ == '__main__':
    sys.exit(main())

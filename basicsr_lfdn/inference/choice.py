"""``--backend auto`` and ``--precision auto``: which engine and precision ``lfdn-restore`` runs, and why.

* Backend: OpenVINO when the ``deploy`` extra is installed (and the device is the CPU),
  PyTorch otherwise.
* Precision: the fastest one that stays within :data:`MAX_INT8_LOSS_DB` of fp32 on the model
  card's test sets: int8 where the card's int8 measurement (``int8`` block, written by
  ``scripts/ship_weights.py --measure-int8``) passes for these very weights and this calibration,
  else bf16 where the CPU has native bf16 instructions, else fp32.

Every choice comes with its reason, which ``lfdn-restore`` prints.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from basicsr_lfdn.inference.deps import installed, require

MAX_INT8_LOSS_DB = 0.1
NATIVE_BF16_FLAGS = ('avx512_bf16', 'amx_bf16')
# CPU features named in model cards and benchmark tables (what int8 and bf16 speed depends on).
REPORTED_FLAGS = ('avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'amx_bf16', 'amx_int8')


@dataclass(frozen=True)
class Choice:
    """A chosen backend or precision and the reason, as the log shows it."""

    value: str
    reason: str


def cpu_flags() -> set[str]:
    """The CPU's feature flags from ``/proc/cpuinfo`` (empty where there is none, e.g. macOS or Windows)."""
    try:
        text = Path('/proc/cpuinfo').read_text(encoding='utf-8', errors='replace')
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith('flags'):
            return set(line.split(':', 1)[1].split())
    return set()


def cpu_description() -> str:
    """E.g. ``'AMD EPYC, 2 logical CPUs, avx2 (no avx512_vnni, avx_vnni, avx512_bf16, amx)'``."""
    name = platform.processor() or platform.machine()
    try:
        for line in Path('/proc/cpuinfo').read_text(encoding='utf-8', errors='replace').splitlines():
            if line.startswith('model name'):
                name = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    flags = cpu_flags()
    present = [flag for flag in REPORTED_FLAGS if flag in flags]
    absent = [flag for flag in REPORTED_FLAGS if flag not in flags]
    features = ', '.join(present) or 'no flags read'
    return f'{name}, {os.cpu_count()} logical CPUs, {features}' + (f' (no {", ".join(absent)})' if flags else '')


def native_bf16(backend: str) -> bool:
    """Whether ``backend`` runs bf16 natively here (not emulated through fp32)."""
    if backend == 'openvino':
        capabilities = require('openvino', '--backend openvino').Core().get_property('CPU', 'OPTIMIZATION_CAPABILITIES')
        return 'BF16' in capabilities
    return any(flag in cpu_flags() for flag in NATIVE_BF16_FLAGS)


def choose_backend(requested: str, device: str, weights_suffix: str) -> Choice:
    """The backend for ``--backend requested`` (``'auto'`` or a name) on ``device``, for weights of that suffix."""
    if requested != 'auto':
        return Choice(requested, 'asked for')
    if device != 'cpu':
        return Choice('torch', f'--device {device}: OpenVINO and ONNX Runtime run on the CPU')
    if weights_suffix == '.onnx' and not installed('openvino') and installed('onnxruntime'):
        return Choice('onnxruntime', 'an ONNX file, and onnxruntime is installed but openvino is not')
    if installed('openvino'):
        return Choice('openvino', 'the deploy extra is installed')
    if weights_suffix in ('.onnx', '.xml'):
        return Choice('openvino', f'a {weights_suffix} file needs openvino, which is not installed')
    return Choice('torch', "openvino is not installed (pip install 'basicsr-lfdn[deploy]' for the faster CPU engine)")


def int8_verdict(card: dict, weights_sha256: str, calibration: dict) -> Choice:
    """Whether the card lets int8 be the automatic choice: ``Choice('yes' | 'no', reason)``.

    Yes only when the card's ``int8`` block was measured on these weights (same sha256) with
    this calibration (:func:`basicsr_lfdn.inference.quantize.describe`) and int8 loses at most
    :data:`MAX_INT8_LOSS_DB` dB against fp32 on every test set.
    """
    name = f'the {card.get("name", "")} model card'
    block = card.get('int8')
    if not block:
        return Choice('no', f'{name} has no int8 measurement')
    if block.get('sha256') != weights_sha256:
        return Choice('no', f"{name}'s int8 figures belong to other weights (re-measure them)")
    if block.get('calibration') != calibration:
        return Choice('no', f"{name}'s int8 figures were measured with another calibration")
    deltas = {dataset: result['delta_db'] for dataset, result in block['datasets'].items()}
    figures = ', '.join(f'{dataset} {delta:+.3f} dB' for dataset, delta in deltas.items())
    if not deltas or min(deltas.values()) < -MAX_INT8_LOSS_DB:
        return Choice('no', f'int8 loses more than {MAX_INT8_LOSS_DB} dB against fp32 ({name}: {figures})')
    return Choice('yes', f'int8 within {MAX_INT8_LOSS_DB} dB of fp32 on the test sets of the {name}: {figures}')


def choose_precision(requested: str, backend: str, device: str, int8: Choice, bf16_native: bool) -> Choice:
    """The precision for ``--precision requested`` on ``backend``; ``int8`` is :func:`int8_verdict`'s answer.

    ``int8`` only matters for OpenVINO (the only backend running int8); ``bf16_native`` says
    whether the CPU computes bf16 natively.
    """
    if requested != 'auto':
        return Choice(requested, 'asked for')
    if backend == 'onnxruntime':
        return Choice('fp32', 'onnxruntime runs fp32 only')
    if device != 'cpu':
        return Choice('fp32', f'--device {device}: reduced precisions are not measured against the cards on GPUs')
    if backend == 'openvino' and int8.value == 'yes':
        return Choice('int8', int8.reason)
    why_not_int8 = f'; not int8: {int8.reason}' if backend == 'openvino' else ''
    if bf16_native:
        return Choice('bf16', f'the CPU has native bf16{why_not_int8}')
    return Choice('fp32', f'the CPU has no native bf16{why_not_int8}')

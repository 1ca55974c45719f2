"""Parameter and MAC counts of every network row of both papers, measured beside the published sizes.

``lfdn-complexity`` prints the table (Markdown) at 1280×720, the resolution of GoPro frames.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass

import torch
from basicsr.archs import build_network
from mmengine.analysis import get_model_complexity_info
from mmengine.logging import MMLogger
from torch import nn


@dataclass(frozen=True)
class AblationRow:
    """One row of a paper table that defines a network.

    Attributes:
        table: e.g. 'Sensors Table 6'.
        row: the row's label as the paper gives it.
        network: BasicSR network options (with 'type').
        paper_params_m: the model size the paper prints, in millions (None where it prints none).
    """

    table: str
    row: str
    network: dict
    paper_params_m: float | None


def _lfdn(**kwargs) -> dict:
    return {'type': 'LFDN', **kwargs}


def _lmfn(**kwargs) -> dict:
    return {'type': 'LMFN', **kwargs}


_ICIP_T4_SIZES = (1.15, 1.18, 1.22, 1.25, 1.28, 1.31)
_SENSORS_T9_SIZES = (1.46, 1.49, 1.52, 1.55, 1.58, 1.61)
_SENSORS_T7_THETAS = (0.002, 0.001, 0.0, -0.001, -0.002, -0.0015, -0.0008)
_SENSORS_T8_ALPHAS = (0.3, 0.2, 0.1, 0.0, 0.1724, 0.1137)

ABLATION_ROWS: list[AblationRow] = [
    AblationRow('ICIP Tables 1-2', 'LMFN', _lmfn(), 1.25),
    AblationRow('ICIP Table 3', 'without MSHF', _lmfn(encoder='strided'), 1.8),
    AblationRow('ICIP Table 3', 'without distillation block', _lmfn(block='conv'), 2.9),
    AblationRow('ICIP Table 3', 'without ALFM/ACFM', _lmfn(fusion='concat'), 1.20),
    AblationRow('ICIP Table 3', 'full LMFN', _lmfn(), 1.25),
    *(AblationRow('ICIP Table 4', f'{n} RFDB', _lmfn(num_blocks=n), s) for n, s in enumerate(_ICIP_T4_SIZES, 1)),
    AblationRow('Sensors Tables 2-5', 'LFDN', _lfdn(), 1.55),
    AblationRow(
        'Sensors Table 6',
        'without MSHF, FDNB and ALFM/ACFM',
        _lfdn(encoder='strided', block='conv', fusion='concat'),
        33.6,
    ),
    AblationRow('Sensors Table 6', 'without MSHF', _lfdn(encoder='strided'), 1.8),
    AblationRow('Sensors Table 6', 'FDNB replaced by RFDB', _lfdn(block='rfdb'), 2.9),
    AblationRow('Sensors Table 6', 'FDNB replaced by CNN', _lfdn(block='conv'), 4.3),
    AblationRow('Sensors Table 6', 'without ALFM/ACFM', _lfdn(fusion='concat'), 2.4),
    AblationRow('Sensors Table 6', 'full LFDN', _lfdn(), 1.55),
    *(AblationRow('Sensors Table 7', f'theta = {t} (fixed)', _lfdn(theta=t), None) for t in _SENSORS_T7_THETAS),
    *(AblationRow('Sensors Table 8', f'alpha = {a} (fixed)', _lfdn(alpha=a), None) for a in _SENSORS_T8_ALPHAS),
    *(AblationRow('Sensors Table 9', f'{n} FDNB', _lfdn(num_blocks=n), s) for n, s in enumerate(_SENSORS_T9_SIZES, 1)),
]


def count_params(net: nn.Module) -> int:
    """Every parameter of the module, trainable or fixed (the papers count all of them)."""
    return sum(p.numel() for p in net.parameters())


def count_macs(net: nn.Module, height: int = 720, width: int = 1280) -> int:
    """Multiply–accumulate operations of one forward pass on a 1×3×height×width input (mmengine)."""
    # Element-wise ops (add, mul, pad, ...) are "unsupported" and uncounted, as for every
    # network; mmengine warns about each on stdout, which would bury the table.
    MMLogger.get_current_instance().setLevel(logging.ERROR)
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            info = get_model_complexity_info(
                net, inputs=(torch.rand(1, 3, height, width),), show_table=False, show_arch=False
            )
    finally:
        net.train(was_training)
    return int(info['flops'])


def _structure_key(network: dict) -> tuple:
    """Rows that differ only in a fixed θ / α value have the same parameters and MACs."""
    return tuple(sorted((k, v) for k, v in network.items() if k not in ('theta', 'alpha')))


def complexity_table(height: int, width: int, with_macs: bool = True) -> str:
    """The Markdown table of every ablation row: measured parameters (and MACs) beside the paper."""
    cache: dict[tuple, tuple[int, int | None]] = {}
    lines = [
        f'| paper table | row | network options | params (measured) | params (paper) | GMACs @ {width}x{height} |',
        '|---|---|---|---:|---:|---:|',
    ]
    for row in ABLATION_ROWS:
        key = _structure_key(row.network)
        if key not in cache:
            net = build_network(dict(row.network))
            cache[key] = (count_params(net), count_macs(net, height, width) if with_macs else None)
        params, macs = cache[key]
        options = ', '.join(f'{k}={v}' for k, v in row.network.items() if k != 'type') or 'defaults'
        paper = f'{row.paper_params_m:.2f}M' if row.paper_params_m is not None else 'not given'
        gmacs = f'{macs / 1e9:.1f}' if macs is not None else '-'
        lines.append(
            f'| {row.table} | {row.row} | {row.network["type"]}({options}) | {params / 1e6:.3f}M | {paper} | {gmacs} |'
        )
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> None:
    """``lfdn-complexity``: print parameters and MACs of every paper row at a given size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--height', type=int, default=720)
    parser.add_argument('--width', type=int, default=1280)
    parser.add_argument('--no-macs', action='store_true', help='parameters only (instant)')
    args = parser.parse_args(argv)
    print(complexity_table(args.height, args.width, with_macs=not args.no_macs))


if __name__ == '__main__':
    main()

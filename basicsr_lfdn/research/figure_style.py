"""How the project's figures look: colours and markers of measured and published points, fonts,
plain log axes, and label columns whose names never overlap."""

from __future__ import annotations

import math
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

STYLES = {  # category: (legend label, marker, colour, size)
    'measured': ('measured here (time: this CPU)', '*', 'tab:red', 150),
    'ours': ("published LMFN / LFDN (time: the papers' GPU)", 'o', 'tab:blue', 42),
    'other': ("published, other methods (time: the papers' hardware)", 's', 'tab:gray', 30),
}
LABEL_COLOURS = {'measured': 'firebrick', 'ours': 'tab:blue', 'other': '0.25'}
PUBLISHED_BAR = {'facecolor': 'white', 'edgecolor': 'tab:blue', 'hatch': '///'}
MEASURED_BAR = 'tab:red'
LABEL_FONT = 7.5  # points


def pyplot() -> ModuleType:
    """``matplotlib.pyplot`` on the file-only Agg backend (figures are saved, never shown)."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    return plt


def plain_tick_label(value: float, position: int | None = None) -> str:
    """A log-axis tick as a plain number: ``0.5``, ``1``, ``2``, ``10``, ``1500`` (no ×10ⁿ)."""
    if not math.isfinite(value) or value <= 0:
        return ''
    return f'{Decimal(f"{value:.6g}"):f}'


def nice_log_limits(low: float, high: float) -> tuple[float, float, tuple[float, ...]]:
    """Axis limits on the 1-2-5 sequence (decades for wide ranges) around [low, high], and the tick subs."""
    subs = (1.0,) if math.log10(high / low) > 2.5 else (1.0, 2.0, 5.0)
    first, last = math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1
    ticks = [float(Decimal(sub) * Decimal(10) ** k) for k in range(first, last + 1) for sub in subs]
    lower = max((t for t in ticks if t <= low / 1.15), default=low / 2)
    upper = min((t for t in ticks if t >= high * 1.15), default=high * 2)
    return lower, upper, subs


def configure_log_axis(axis: Axes, values: list[float]) -> None:
    """Log x axis with nice limits, plain major tick labels and no minor tick labels."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lower, upper, subs = nice_log_limits(min(values), max(values))
    axis.set_xscale('log')
    axis.set_xlim(lower, upper)
    axis.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.xaxis.set_major_formatter(FuncFormatter(plain_tick_label))
    axis.xaxis.set_minor_formatter(NullFormatter())


def spread_labels(targets: list[float], gap: float, low: float = 0.0, high: float = 1.0) -> list[float]:
    """Label heights as near their ``targets`` as possible, at least ``gap`` apart, inside [low, high].

    Top-down, each label goes at its target or one gap below the label above it; if that pushes
    the last one below ``low``, bottom-up passes lift them again. The order of the targets is kept.
    """
    if not targets:
        return []
    gap = min(gap, (high - low) / max(len(targets) - 1, 1))
    order = sorted(range(len(targets)), key=lambda index: -targets[index])
    heights = []
    for index in order:
        ceiling = heights[-1] - gap if heights else high
        heights.append(min(targets[index], ceiling))
    floor = low
    for position in reversed(range(len(heights))):
        heights[position] = max(heights[position], floor)
        floor = heights[position] + gap
    placed = [0.0] * len(targets)
    for index, height in zip(order, heights):
        placed[index] = height
    return placed


def clipped(text: str, limit: int = 38) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (a label column has a fixed width)."""
    return text if len(text) <= limit else text[: limit - 1] + '…'

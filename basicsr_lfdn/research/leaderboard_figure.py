"""The leaderboard figure: PSNR against time per image for up to three datasets, and the ablation gaps.

Measured points are red stars, published ones dots (LMFN / LFDN) and squares (other methods);
measured rows without a time are dashed PSNR levels. Every point is named in a column beside its
panel, never on top of another name. The ablation panel draws each row's PSNR gap to the default
network, published beside measured (± the seed spread), or "not yet measured".
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

from basicsr_lfdn.research.ablation_gaps import AblationTable
from basicsr_lfdn.research.entries import Entry
from basicsr_lfdn.research.figure_style import (
    LABEL_COLOURS,
    LABEL_FONT,
    MEASURED_BAR,
    PUBLISHED_BAR,
    STYLES,
    clipped,
    configure_log_axis,
    pyplot,
    spread_labels,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_TIME_PANELS = 3  # plus one ablation panel: at most four
MIN_POINTS = 3  # a dataset with fewer timed points gets no panel (the Markdown lists it)
_INCH = {  # figure layout: time panels in a row, each with its label column; the ablation panel below
    'left': 0.8,
    'panel_w': 3.4,
    'label_w': 2.9,
    'panel_h': 4.0,
    'top': 1.05,  # figure legend
    'gap': 0.6,  # below the time panels' axis labels
    'row_h': 0.3,  # per ablation bar pair
    'ablation_left': 3.2,  # room for the row names
    'ablation_bottom': 0.75,
}


def _category(entry: Entry) -> str:
    if entry.source == 'measured':
        return 'measured'
    return 'ours' if entry.network else 'other'


def short_method(method: str) -> str:
    """The method without its reference numbers: ``DMPHN [7]`` and ``DMPHN [12]`` are both ``DMPHN``."""
    return re.sub(r'\s*\[\d+\]', '', method)


def time_panels(entries: list[Entry], datasets: list[str]) -> list[tuple[str, list[Entry], list[Entry]]]:
    """``(dataset, timed points, untimed measured rows)`` of the 'PSNR vs time' panels, at most three.

    A dataset needs ``MIN_POINTS`` timed points. Datasets with measured rows come first, then those
    with more points. A published method that two papers list with the same numbers is one point.
    """
    candidates = []
    for position, dataset in enumerate(datasets):
        scored = [e for e in entries if e.dataset == dataset and e.psnr is not None and math.isfinite(e.psnr)]
        timed, seen = [], set()
        for entry in scored:
            key = (entry.source, short_method(entry.method), entry.psnr, entry.time_s)
            if entry.time_s is not None and entry.time_s > 0 and key not in seen:
                timed.append(entry)
                seen.add(key)
        untimed = [e for e in scored if e.source == 'measured' and not (e.time_s and e.time_s > 0)]
        if len(timed) >= MIN_POINTS:
            measured = sum(e.source == 'measured' for e in scored)
            candidates.append(((-measured, -len(timed), position), dataset, timed, untimed))
    candidates.sort(key=lambda candidate: candidate[0])
    return [(dataset, timed, untimed) for _, dataset, timed, untimed in candidates[:MAX_TIME_PANELS]]


def _draw_time_panel(axis: Axes, dataset: str, timed: list[Entry], untimed: list[Entry]) -> None:
    """Points by category, each named in a column right of the axes with a leader line; untimed rows as levels."""
    for entry in sorted(timed, key=lambda e: e.source == 'measured'):
        category = _category(entry)
        _, marker, colour, size = STYLES[category]
        measured = category == 'measured'
        axis.scatter(
            entry.time_s,
            entry.psnr,
            marker=marker,
            s=size,
            color=colour,
            edgecolors='black' if measured else 'none',
            linewidths=0.5,
            zorder=3 if measured else 2,
        )
    for entry in untimed:
        axis.axhline(entry.psnr, color=STYLES['measured'][2], linestyle='--', linewidth=0.9, zorder=1)
    configure_log_axis(axis, [e.time_s for e in timed])
    levels = [e.psnr for e in timed + untimed]
    margin = max(0.5, 0.06 * (max(levels) - min(levels)))
    axis.set_ylim(min(levels) - margin, max(levels) + margin)
    axis.set_title(f'{dataset}: PSNR vs time per image')
    axis.set_xlabel('time per image (s, log scale)')
    axis.tick_params(axis='x', pad=6)  # clear of a y tick label at the bottom edge
    axis.set_ylabel('PSNR (dB)')
    axis.grid(True, alpha=0.3)

    figure_height_pt = axis.get_position().height * axis.figure.get_figheight() * 72
    low, high = axis.get_ylim()
    labelled = [(e, e.time_s, clipped(short_method(e.method))) for e in timed]
    labelled += [(e, None, clipped(f'{e.method}, not timed')) for e in untimed]
    gap = 1.3 * LABEL_FONT / figure_height_pt
    heights = spread_labels([(e.psnr - low) / (high - low) for e, _, _ in labelled], gap)
    for (entry, x, text), height in zip(labelled, heights):
        anchor = (x, entry.psnr) if x is not None else (1.0, (entry.psnr - low) / (high - low))
        axis.annotate(
            text,
            xy=anchor,
            xycoords='data' if x is not None else 'axes fraction',
            xytext=(1.05, height),
            textcoords='axes fraction',
            fontsize=LABEL_FONT,
            color=LABEL_COLOURS[_category(entry)],
            va='center',
            annotation_clip=False,
            arrowprops={'arrowstyle': '-', 'color': '0.65', 'linewidth': 0.6, 'shrinkA': 0, 'shrinkB': 3},
        )


def _draw_ablation_panel(axis: Axes, tables: list[AblationTable]) -> None:
    """Horizontal bars of ΔPSNR per ablation row: published (hatched) beside measured (± seed spread)."""
    labels, offsets, ends = [], [], [0.0]
    position = 0.0
    for table in tables:
        for bar in table.bars:
            offsets.append(-position)
            labels.append(f'{table.short}: {bar.label}' + (f' (n = {bar.runs})' if bar.runs else ''))
            if bar.published_gap is not None:
                axis.barh(-position + 0.2, bar.published_gap, height=0.38, **PUBLISHED_BAR)
                ends.append(bar.published_gap)
            if bar.measured_gap is None:
                axis.text(0, -position - 0.2, ' not yet measured', va='center', fontsize=LABEL_FONT, color='0.4')
            else:
                noise = bar.noise or 0.0
                axis.barh(
                    -position - 0.2, bar.measured_gap, height=0.38, color=MEASURED_BAR, xerr=bar.noise, capsize=2.5
                )
                ends += [bar.measured_gap - noise, bar.measured_gap + noise]
            position += 1
        position += 0.6  # space between tables
    axis.set_yticks(offsets, labels, fontsize=8)
    axis.axvline(0, color='black', linewidth=0.8)
    span = max(ends) - min(ends) or 1.0
    axis.set_xlim(min(ends) - 0.05 * span, max(ends) + 0.25 * span)  # room right of 0 for "not yet measured"
    axis.set_ylim(-position + 0.2, 0.8)
    axis.set_xlabel("ΔPSNR (dB); the measured bar's error bar is the sum of the two rows' seed spreads")
    references = '; '.join(f'{table.short} vs "{table.reference}"' for table in tables)
    budgets = ', '.join(sorted({f'budget {table.budget}' if table.budget else 'paper protocol' for table in tables}))
    axis.set_title(
        f'Ablations on {tables[0].test_set}: each row minus the default network ({references}).\n'
        f"Measured here at {budgets}; published: the papers' full training",
        fontsize=9,
    )
    axis.grid(True, axis='x', alpha=0.3)


def build_figure(entries: list[Entry], datasets: list[str], ablations: list[AblationTable] | None = None) -> Figure:
    """At most four panels: 'PSNR vs time' for up to three datasets (``time_panels``) and the ablations.

    Each time panel names its points in a label column to its right (labels spread so they never
    overlap, leader lines to the points); measured rows without a time are dashed PSNR levels.
    ``ValueError`` when there is nothing to draw.
    """
    plt = pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    panels = time_panels(entries, datasets)
    ablations = [table for table in ablations or [] if table.bars]
    if not panels and not ablations:
        raise ValueError(f'nothing to plot: no dataset has {MIN_POINTS} timed points and no ablation table was given')
    size = _INCH
    column_w = size['panel_w'] + size['label_w']
    ablation_h = sum(len(table.bars) + 0.6 for table in ablations) * size['row_h'] if ablations else 0.0
    width = size['left'] + max(len(panels), 2) * column_w
    time_h = size['panel_h'] + size['gap'] if panels else 0.0
    height = size['top'] + time_h + (ablation_h + size['ablation_bottom'] + 0.4 if ablations else 0.0)

    def inches(left: float, bottom: float, w: float, h: float) -> list[float]:
        return [left / width, bottom / height, w / width, h / height]

    figure = plt.figure(figsize=(width, height))
    for index, (dataset, timed, untimed) in enumerate(panels):
        left, bottom = size['left'] + index * column_w, height - size['top'] - size['panel_h']
        _draw_time_panel(
            figure.add_axes(inches(left, bottom, size['panel_w'], size['panel_h'])), dataset, timed, untimed
        )
    if ablations:
        left = size['ablation_left']
        axis = figure.add_axes(inches(left, size['ablation_bottom'], width - left - 0.4, ablation_h))
        _draw_ablation_panel(axis, ablations)
    handles = [
        Line2D([], [], marker=marker, color=colour, linestyle='', markersize=math.sqrt(size_) * 0.8, label=label)
        for label, marker, colour, size_ in STYLES.values()
    ]
    handles.append(Line2D([], [], color='tab:red', linestyle='--', label='measured here, not timed (PSNR level)'))
    if ablations:
        handles += [
            Patch(**PUBLISHED_BAR, label='ablation: published gap'),
            Patch(color=MEASURED_BAR, label='ablation: measured gap'),
        ]
    figure.legend(handles=handles, loc='upper center', ncol=3, fontsize=8, frameon=False)
    return figure


def render_plot(
    entries: list[Entry], datasets: list[str], path: Path, ablations: list[AblationTable] | None = None
) -> None:
    """Save ``build_figure`` as a PNG."""
    figure = build_figure(entries, datasets, ablations)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    pyplot().close(figure)

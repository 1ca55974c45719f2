"""The leaderboard as Markdown: one table per dataset, best PSNR first, measured and published rows labelled."""

from __future__ import annotations

import math

from basicsr_lfdn.research.entries import Entry
from basicsr_lfdn.utils.markdown import LEFT, RIGHT, number_cell, table

PROTOCOL_STATEMENT = (
    "Measured rows: PSNR/SSIM by BasicSR's calculate_psnr/calculate_ssim on uint8 images, "
    'Y channel (BT.601) for deraining sets and RGB for deblurring sets, no border crop'
)
UNTIMED_FOOTNOTE = (
    "Measured rows with '-' in time (s) were not timed: pass `--benchmark-csv` (an lfdn-benchmark CSV) "
    'or `--measure-latency` (times them on this machine in the same run).'
)
COLUMNS = (
    ('method', LEFT),
    ('measured / published', LEFT),
    ('PSNR (dB)', RIGHT),
    ('SSIM', RIGHT),
    ('params (M)', RIGHT),
    ('GMACs (1280×720)', RIGHT),
    ('iterations', RIGHT),
    ('time (s)', RIGHT),
    ('time measured how', LEFT),
    ('training', LEFT),
    ('source', LEFT),
)


def _cells(entry: Entry) -> list[str]:
    return [
        f'{entry.method} †' if entry.protocol_warning else entry.method,
        '**measured**' if entry.source == 'measured' else '*published*',
        number_cell(entry.psnr, 2),
        number_cell(entry.ssim, 4),
        number_cell(entry.params_m, 2),
        number_cell(entry.macs_g, 1),
        f'{entry.iterations:,}' if entry.iterations is not None else '-',
        number_cell(entry.time_s, 3),
        entry.time_note or '-',
        entry.training or '-',
        entry.provenance,
    ]


def render_markdown(entries: list[Entry], datasets: list[str]) -> str:
    """One table per dataset, best PSNR first; measured and published rows labelled."""
    lines = [
        '# Leaderboard',
        '',
        'Rows marked **measured** were computed by this project (BasicSR test logs or score JSONs; '
        'times measured on the stated device). Rows marked *published* are copied from the papers, '
        'with their own hardware and image sizes; they were not re-measured.',
    ]
    if any(e.source == 'measured' for e in entries):
        lines += ['', PROTOCOL_STATEMENT + '.']
    for dataset in datasets:
        rows = [entry for entry in entries if entry.dataset == dataset]
        if not rows:
            continue
        rows.sort(key=lambda e: (-(e.psnr if e.psnr is not None else -math.inf), e.source))
        header, alignments = zip(*COLUMNS)
        lines += ['', f'## {dataset}', '', *table(header, alignments, map(_cells, rows))]
        notes = [
            f'† {e.method}: scored with {e.protocol_warning}, not by the convention above.'
            for e in rows
            if e.protocol_warning
        ]
        if any(e.source == 'measured' and e.time_s is None for e in rows):
            notes.append(UNTIMED_FOOTNOTE)
        if notes:
            lines += ['', *notes]
    return '\n'.join(lines) + '\n'

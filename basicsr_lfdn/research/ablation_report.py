"""The reproduction report of a table: measured results beside the published ones, as Markdown and JSON.

Per row: measured PSNR/SSIM as mean ± spread over seeds, parameters and MACs measured, the
published figures, the gap to the default network measured and published, and a verdict
(``verdicts``). Missing values stay empty; nothing is ever filled in from the paper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from basicsr.archs import build_network

from basicsr_lfdn.archs.complexity import count_macs, count_params
from basicsr_lfdn.research.budgets import Budget
from basicsr_lfdn.research.paper_tables import Row
from basicsr_lfdn.research.runs import display_path
from basicsr_lfdn.research.verdicts import NO_VALUE, Summary, measured_gap, reference_row, summarize, verdict
from basicsr_lfdn.utils.markdown import LEFT, RIGHT, number_cell, separator, table_row

MACS_SIZE = (720, 1280)  # (height, width) of the MACs column, as in docs/architecture.md
REPORT_COLUMNS = (
    'row',
    'test set',
    'network',
    'params (measured)',
    'GMACs 1280×720 (measured)',
    'size (paper, M)',
    'runs',
    'PSNR (measured)',
    'SSIM (measured)',
    'ΔPSNR vs default (measured)',
    'PSNR (paper)',
    'SSIM (paper)',
    'ΔPSNR vs default (paper)',
    'verdict',
    'input PSNR (measured)',
    'status',
)
TEXT_COLUMNS = {'row', 'test set', 'network', 'verdict', 'status'}
LEGEND = (
    'Measured PSNR/SSIM: mean ± spread over the runs (seeds), spread = sample standard deviation. '
    'ΔPSNR: row minus the default network{reference}; its ± is the sum of the two spreads. Verdict: *holds* = '
    "the paper's sign and a gap larger than that sum, *reversed* = the other sign and larger, *within noise* = "
    'not larger.'
)


@cache
def cached_complexity(network_key: str) -> tuple[int, float]:
    """Parameters and GMACs at 1280×720 of the network whose options are the JSON ``network_key``."""
    network = build_network(json.loads(network_key))
    return count_params(network), count_macs(network, *MACS_SIZE) / 1e9


def network_complexity(network: dict) -> tuple[int, float]:
    """Parameters and GMACs at 1280×720 of a network, measured (cached per network)."""
    return cached_complexity(json.dumps(network, sort_keys=True))


def _mean_spread(summary: Summary | None, digits: int) -> str:
    if summary is None:
        return NO_VALUE
    spread = '' if summary.spread is None else f' ± {summary.spread:.{digits}f}'
    return f'{summary.mean:.{digits}f}{spread}'


def _gap(row: Summary | None, reference: Summary | None) -> str:
    gap, noise = measured_gap(row, reference)
    if gap is None:
        return NO_VALUE
    return f'{gap:+.2f}' + ('' if noise is None else f' ± {noise:.2f}')


def _published_gap(gap: float | None) -> str:
    return NO_VALUE if gap is None else f'{gap:+.2f}'


def _status(row: Row) -> str:
    measured = [run for run in row.runs if run.status == 'measured']
    if len(measured) == len(row.runs):
        images = sorted({run.images for run in measured})
        return f'measured ({len(measured)} run{"s" if len(measured) > 1 else ""} × {"/".join(map(str, images))} images)'
    if not measured:
        return row.runs[0].status
    others = '; '.join(f'{run.name}: {run.status}' for run in row.runs if run.status != 'measured')
    return f'{len(measured)} of {len(row.runs)} runs measured; {others}'


@dataclass
class RowReport:
    """Everything the Markdown and JSON reports say about one row."""

    row: Row
    psnr: Summary | None
    ssim: Summary | None
    reference_psnr: Summary | None  # the default network's row
    params: int
    macs_g: float
    published_gap: float | None
    verdict: str


def row_reports(rows: list[Row]) -> list[RowReport]:
    """Summaries, complexity, published gap and verdict of every row (gaps against ``reference_row``)."""
    reference = reference_row(rows)
    reference_psnr = summarize(reference, 'psnr') if reference else None
    reference_published = reference.paper.get('psnr') if reference else None
    reports = []
    for row in rows:
        psnr = summarize(row, 'psnr')
        published = row.paper.get('psnr')
        published_gap = None if published is None or reference_published is None else published - reference_published
        row_verdict = 'reference' if row is reference else verdict(psnr, reference_psnr, published_gap)
        reports.append(
            RowReport(
                row,
                psnr,
                summarize(row, 'ssim'),
                reference_psnr,
                *network_complexity(row.network),
                published_gap,
                row_verdict,
            )
        )
    return reports


def _cells(report: RowReport) -> list[str]:
    row, paper = report.row, report.row.paper
    options = ', '.join(f'{k}={v}' for k, v in row.network.items() if k != 'type') or 'defaults'
    baseline = next((run.baseline['psnr'] for run in row.runs if 'psnr' in run.baseline), None)
    return [
        paper['row'],
        row.test_set,
        f'{row.network["type"]}({options})',
        f'{report.params / 1e6:.3f}M',
        f'{report.macs_g:.1f}',
        number_cell(paper.get('params_m'), 2, missing=NO_VALUE),
        str(len(row.runs)),
        _mean_spread(report.psnr, 2),
        _mean_spread(report.ssim, 4),
        '0' if report.verdict == 'reference' else _gap(report.psnr, report.reference_psnr),
        number_cell(paper.get('psnr'), 2, missing=NO_VALUE),
        number_cell(paper.get('ssim'), 4, missing=NO_VALUE),
        '0' if report.verdict == 'reference' else _published_gap(report.published_gap),
        report.verdict,
        number_cell(baseline, 2, missing=NO_VALUE),
        _status(row),
    ]


def markdown_report(table: str, rows: list[Row], budget: Budget | None) -> str:
    """Measured results beside the published ones; missing values stay empty, never copied."""
    reference = reference_row(rows)
    lines = [
        f'# {table}: measured vs published' + (f' (budget {budget.name})' if budget else ''),
        '',
        'Measured values come from `results/<run>/metrics.json` written by `basicsr_lfdn/test.py`; '
        '"paper" columns are the published numbers, copied from the papers for comparison only.',
        *(['', budget.describe()] if budget else []),
        '',
        LEGEND.format(reference=f' ("{reference.paper["row"]}")' if reference else ' (none in this table)'),
        '',
        table_row(REPORT_COLUMNS),
        separator(LEFT if column in TEXT_COLUMNS else RIGHT for column in REPORT_COLUMNS),
    ]
    lines += [table_row(_cells(report)) for report in row_reports(rows)]
    return '\n'.join(lines) + '\n'


def json_report(table: str, rows: list[Row], budget: Budget | None) -> dict:
    """The report as data: per row the published figures and the measured values of every run, apart."""
    reference = reference_row(rows)
    entries = []
    for report in row_reports(rows):
        row = report.row
        measured = [run for run in row.runs if run.status == 'measured']
        gap, noise = measured_gap(report.psnr, report.reference_psnr)
        entries.append(
            {
                'row': row.paper['row'],
                'order': row.paper['order'],
                'option_file': display_path(row.path),
                'test_set': row.test_set,
                'network': row.network,
                'params': report.params,
                'macs_g': report.macs_g,
                'published': {key: row.paper.get(key) for key in ('psnr', 'ssim', 'params_m')},
                'measured': {
                    'runs': [run.name for run in measured],
                    'psnr': [run.metrics['psnr'] for run in measured],
                    'ssim': [run.metrics.get('ssim') for run in measured],
                },
                'runs_planned': len(row.runs),
                'gap_vs_reference': {'measured': gap, 'noise': noise, 'published': report.published_gap},
                'verdict': report.verdict,
                'status': _status(row),
            }
        )
    return {
        'table': table,
        'budget': budget.name if budget else None,
        'budget_description': budget.describe() if budget else None,
        'reference_row': reference.paper['row'] if reference else None,
        'rows': entries,
    }


def report_name(table: str, budget: Budget | None) -> str:
    """``<table>.md``, or ``<table>-<budget>.md`` for a reduced budget."""
    return f'{table}-{budget.name}.md' if budget else f'{table}.md'


def write_reports(tables: dict[str, list[Row]], budget: Budget | None, out: Path) -> list[Path]:
    """``<out>/<report>.md`` and ``.json`` for every table; returns the Markdown paths."""
    written = []
    for table, rows in tables.items():
        path = out / report_name(table, budget)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown_report(table, rows, budget), encoding='utf-8')
        report = json.dumps(json_report(table, rows, budget), indent=2)
        path.with_suffix('.json').write_text(report + '\n', encoding='utf-8')
        written.append(path)
    return written

"""Leaderboard: measured BasicSR test results beside the published numbers of both papers.

Usage::

    python scripts/leaderboard.py --results results --benchmark-csv benchmark.csv \\
        --output-md leaderboard.md --output-png leaderboard.png

Measured rows come from the logs BasicSR's test pipeline writes (``results/<name>/test_*.log``,
any BasicSR model: ours or e.g. an EDSR/NAFNet run on the same sets). From each log it takes
the network class and its parameter count (``Network: LFDN, with parameters: 1,541,009``) and
every validation block (``Validation GoPro`` followed by ``\\t # psnr: 31.6000`` lines, the
format of ``SRModel._log_validation_metric_values``); the newest log of an experiment wins.
Measured times come from an ``lfdn-benchmark`` CSV (matched by network type). Published rows
come from ``docs/published_results.yaml`` (paper, table and row of each number). Every row
of the output says which of the two it is.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PUBLISHED = REPO_ROOT / 'docs' / 'published_results.yaml'

_VALIDATION_BLOCK = re.compile(r'Validation (?P<dataset>[^\n]+?)\s*\n(?P<body>(?:[ \t]+# [^\n]*(?:\n|$))+)')
_METRIC_LINE = re.compile(r'# (?P<metric>\w+): (?P<value>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf))')
_NETWORK_LINE = re.compile(r'Network: (?P<cls>[^,\n]+), with parameters: (?P<params>[\d,]+)')
_NAME_LINE = re.compile(r'^\s*name: (?P<name>\S+)\s*$', re.MULTILINE)


@dataclass
class Entry:
    """One leaderboard row: a method's scores on one dataset, measured here or published."""

    source: str  # 'measured' or 'published'
    method: str
    dataset: str
    psnr: float | None
    ssim: float | None
    params_m: float | None
    time_s: float | None
    provenance: str  # log file, or "paper Table N"
    network: str | None = None
    time_note: str = ''


def canonical_dataset(name: str, known: list[str]) -> str:
    """Map a log's dataset name (e.g. 'GoPro_test', 'Rain100H-val') to a known dataset key.

    The longest known key contained in the normalized name wins ('rain100h' before 'rain100').
    Unknown names are kept as they are.
    """
    normalized = re.sub(r'[^a-z0-9]', '', name.lower().replace('ö', 'o'))
    matches = [key for key in known if re.sub(r'[^a-z0-9]', '', key.lower()) in normalized]
    return max(matches, key=len) if matches else name


def load_published(path: Path) -> tuple[list[Entry], list[str]]:
    """Entries of the published-results file and its dataset names (in file order)."""
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    datasets = list(data['datasets'])
    entries = []
    for row in data['rows']:
        paper = 'ICIP 2021 (LMFN)' if row['paper'] == 'ICIP' else 'Sensors 2021 (LFDN)'
        entries.append(
            Entry(
                source='published',
                method=row['method'],
                dataset=row['dataset'],
                psnr=row.get('psnr'),
                ssim=row.get('ssim'),
                params_m=row.get('params_m'),
                time_s=row.get('time_s'),
                provenance=f'{paper} Table {row["table"]}',
                network=row.get('network'),
                time_note='as published' if row.get('time_s') is not None else '',
            )
        )
    return entries, datasets


def parse_test_log(path: Path, known_datasets: list[str]) -> list[Entry]:
    """Measured entries of one BasicSR test log (one per validation block)."""
    text = path.read_text(encoding='utf-8', errors='replace')
    network_match = _NETWORK_LINE.search(text)
    network = network_match['cls'].split(' - ')[-1].strip() if network_match else None
    params_m = int(network_match['params'].replace(',', '')) / 1e6 if network_match else None
    name_match = _NAME_LINE.search(text)
    experiment = name_match['name'] if name_match else path.parent.name
    entries = []
    for block in _VALIDATION_BLOCK.finditer(text):
        metrics = {m['metric'].lower(): float(m['value']) for m in _METRIC_LINE.finditer(block['body'])}
        entries.append(
            Entry(
                source='measured',
                method=f'{experiment} ({network})' if network else experiment,
                dataset=canonical_dataset(block['dataset'], known_datasets),
                psnr=metrics.get('psnr'),
                ssim=metrics.get('ssim'),
                params_m=params_m,
                time_s=None,
                provenance=str(path),
                network=network,
            )
        )
    return entries


def collect_measured(results_root: Path, known_datasets: list[str]) -> list[Entry]:
    """Measured entries under ``results_root``; for each experiment and dataset the newest log wins.

    BasicSR names logs ``test_<name>_<YYYYMMDD_HHMMSS>.log``, so name order is time order.
    """
    latest: dict[tuple[str, str], Entry] = {}
    for log in sorted(results_root.glob('**/test_*.log'), key=lambda p: (p.parent.name, p.name)):
        for entry in parse_test_log(log, known_datasets):
            latest[(entry.method, entry.dataset)] = entry
    return list(latest.values())


def attach_benchmark_times(entries: list[Entry], csv_path: Path, precision: str = 'fp32') -> None:
    """Give measured entries the median latency of their network type from an lfdn-benchmark CSV."""
    with open(csv_path, newline='', encoding='utf-8') as handle:
        rows = [row for row in csv.DictReader(handle) if not row['error'] and row['precision'] == precision]
    by_type: dict[str, dict] = {}
    for row in rows:
        by_type.setdefault(json.loads(row['network'])['type'], row)
    for entry in entries:
        row = by_type.get(entry.network or '')
        if entry.source == 'measured' and row is not None:
            entry.time_s = float(row['latency_median_ms']) / 1000
            entry.time_note = f'measured, {row["device"]} {row["precision"]} {row["size"]} {row["threads"]} threads'


def _cell(value: float | None, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    return f'{value:.{digits}f}'


def render_markdown(entries: list[Entry], datasets: list[str]) -> str:
    """One table per dataset, best PSNR first; measured and published rows labelled."""
    lines = [
        '# Leaderboard',
        '',
        'Rows marked **measured** were computed by this project (BasicSR test logs; times from '
        'lfdn-benchmark on the stated device). Rows marked *published* are copied from the papers, '
        'with their own hardware and image sizes; they were not re-measured.',
    ]
    for dataset in datasets:
        rows = [entry for entry in entries if entry.dataset == dataset]
        if not rows:
            continue
        rows.sort(key=lambda e: (-(e.psnr if e.psnr is not None else -math.inf), e.source))
        lines += [
            '',
            f'## {dataset}',
            '',
            '| method | measured / published | PSNR (dB) | SSIM | params (M) | time (s) | time measured on | source |',
            '|---|---|---:|---:|---:|---:|---|---|',
        ]
        for e in rows:
            label = '**measured**' if e.source == 'measured' else '*published*'
            lines.append(
                f'| {e.method} | {label} | {_cell(e.psnr, 2)} | {_cell(e.ssim, 4)} | {_cell(e.params_m, 2)} '
                f'| {_cell(e.time_s, 3)} | {e.time_note or "-"} | {e.provenance} |'
            )
    return '\n'.join(lines) + '\n'


def render_plot(entries: list[Entry], datasets: list[str], path: Path) -> None:
    """PSNR versus time and PSNR versus parameters (log x), one row of two panels per dataset."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    shown = [d for d in datasets if any(e.dataset == d and e.psnr is not None for e in entries)]
    if not shown:
        raise ValueError('nothing to plot: no entry has a PSNR')
    figure, axes = plt.subplots(len(shown), 2, figsize=(12, 4 * len(shown)), squeeze=False)
    for row_axes, dataset in zip(axes, shown):
        for axis, attribute, xlabel in (
            (row_axes[0], 'time_s', 'time per image (s, log)'),
            (row_axes[1], 'params_m', 'parameters (M, log)'),
        ):
            for entry in entries:
                x = getattr(entry, attribute)
                if entry.dataset != dataset or entry.psnr is None or x is None or x <= 0:
                    continue
                measured = entry.source == 'measured'
                axis.scatter(
                    x,
                    entry.psnr,
                    marker='*' if measured else 'o',
                    s=140 if measured else 36,
                    color='tab:red' if measured else 'tab:blue' if entry.network else 'tab:gray',
                )
                axis.annotate(entry.method, (x, entry.psnr), fontsize=7, xytext=(3, 3), textcoords='offset points')
            axis.set_xscale('log')
            axis.set_xlabel(xlabel)
            axis.set_ylabel('PSNR (dB)')
            axis.set_title(f'{dataset}: red stars measured, dots published')
            axis.grid(True, alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--results', type=Path, default=Path('results'), help='BasicSR results folder')
    parser.add_argument('--published', type=Path, default=DEFAULT_PUBLISHED, help='published-results YAML')
    parser.add_argument('--benchmark-csv', type=Path, help='lfdn-benchmark CSV for measured times')
    parser.add_argument('--output-md', type=Path, default=Path('leaderboard.md'))
    parser.add_argument('--output-png', type=Path, default=Path('leaderboard.png'))
    parser.add_argument('--no-published', action='store_true', help='measured rows only')
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    published, datasets = load_published(args.published)
    measured = collect_measured(args.results, datasets) if args.results.is_dir() else []
    if not args.results.is_dir():
        print(f'note: {args.results} does not exist; showing published numbers only', file=sys.stderr)
    if args.benchmark_csv:
        attach_benchmark_times(measured, args.benchmark_csv)
    entries = measured + ([] if args.no_published else published)
    datasets += sorted({e.dataset for e in measured} - set(datasets))
    table = render_markdown(entries, datasets)
    args.output_md.parent.mkdir(parents=True, exist_ok=True)
    args.output_md.write_text(table, encoding='utf-8')
    render_plot(entries, datasets, args.output_png)
    print(table)
    print(
        f'{len(measured)} measured and {len(entries) - len(measured)} published rows; '
        f'wrote {args.output_md} and {args.output_png}'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())

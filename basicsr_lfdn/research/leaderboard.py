"""Leaderboard: measured results beside the published numbers of both papers.

Usage::

    python scripts/leaderboard.py --results results --scores results/budget-derain/scores \\
        --benchmark-csv benchmark.csv --ablations results/reproduce/sensors-table6-cpu-3h.json \\
        --output-md leaderboard.md --output-png leaderboard.png

Measured rows come from BasicSR test logs (``--results``, read by ``basicsr_logs``), from
measured-row JSONs (``--scores``: files, or folders searched recursively, as ``lfdn-score --json``
and ``scripts/budget_compare.py`` write them; ``entries``) and from the model cards of the shipped
weights (``--cards``; ``cards``); a score or card row replaces the log row of the same recipe and
dataset. Measured times come from the score JSON, an ``lfdn-benchmark`` CSV (``--benchmark-csv``)
or are measured in this run (``--measure-latency``; ``latency``). Published rows come from
``docs/published_results.yaml`` (``published``). Every row of the output says which of the two it
is. The Markdown is built by ``leaderboard_table``, the figure by ``leaderboard_figure`` (with
``--ablations``, the report JSONs of ``scripts/reproduce.py``, an ablation panel).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from basicsr_lfdn.inference.runtime import parse_size
from basicsr_lfdn.pretrained import PRETRAINED_DIR
from basicsr_lfdn.research.ablation_gaps import load_ablations
from basicsr_lfdn.research.basicsr_logs import collect_measured
from basicsr_lfdn.research.cards import collect_cards
from basicsr_lfdn.research.entries import check_protocols, collect_scores, merge_measured
from basicsr_lfdn.research.latency import REFERENCE_SIZE, attach_benchmark_times, measure_latencies
from basicsr_lfdn.research.leaderboard_figure import render_plot
from basicsr_lfdn.research.leaderboard_table import render_markdown
from basicsr_lfdn.research.published import DEFAULT_PUBLISHED, load_dataset_tasks, load_published


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--results', type=Path, default=Path('results'), help='BasicSR results folder')
    parser.add_argument(
        '--scores', type=Path, nargs='+', default=[], help='measured-row JSONs (lfdn-score, budget runner) or folders'
    )
    parser.add_argument(
        '--cards',
        type=Path,
        default=PRETRAINED_DIR,
        help='folder of model cards whose test metrics become rows (default: the shipped weights)',
    )
    parser.add_argument('--published', type=Path, default=DEFAULT_PUBLISHED, help='published-results YAML')
    parser.add_argument('--benchmark-csv', type=Path, help='lfdn-benchmark CSV for measured times')
    parser.add_argument(
        '--measure-latency', action='store_true', help='time untimed measured rows on this CPU (fp32, 1280x720)'
    )
    parser.add_argument('--latency-size', type=parse_size, default=REFERENCE_SIZE, help='WxH for --measure-latency')
    parser.add_argument('--latency-repeats', type=int, default=3, help='timed runs per network (after 1 warm-up)')
    parser.add_argument('--output-md', type=Path, default=Path('leaderboard.md'))
    parser.add_argument('--output-png', type=Path, default=Path('leaderboard.png'))
    parser.add_argument('--no-published', action='store_true', help='measured rows only')
    parser.add_argument(
        '--no-logs', action='store_true', help='read no BasicSR test logs (the shipped weights still come from --cards)'
    )
    parser.add_argument(
        '--ablations', type=Path, nargs='+', default=[], help='scripts/reproduce.py report JSONs (ablation panel)'
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Write the Markdown leaderboard and the plot; 2 when a score JSON or CSV is unusable."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.latency_repeats < 1:
        parser.error('--latency-repeats must be at least 1')
    published, datasets = load_published(args.published)
    tasks = load_dataset_tasks(args.published)
    read_logs = not args.no_logs and args.results.is_dir()
    logged = collect_measured(args.results, datasets) if read_logs else []
    if not args.no_logs and not read_logs:
        print(f'note: {args.results} does not exist; no BasicSR test logs read', file=sys.stderr)
    try:
        scored = collect_scores(args.scores, datasets)
        carded = collect_cards(args.cards, datasets) if args.cards.is_dir() else []
        ablations = load_ablations(args.ablations)
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    measured = merge_measured(logged, scored + carded)
    check_protocols(measured, tasks)
    if args.benchmark_csv:
        try:
            attach_benchmark_times(measured, args.benchmark_csv)
        except (OSError, KeyError, ValueError) as error:
            print(f'error: --benchmark-csv {args.benchmark_csv}: {error}', file=sys.stderr)
            return 2
    if args.measure_latency:
        measure_latencies(measured, *args.latency_size, warmup=1, repeats=args.latency_repeats)
    entries = measured + ([] if args.no_published else published)
    datasets += sorted({e.dataset for e in measured} - set(datasets))
    table = render_markdown(entries, datasets)
    args.output_md.parent.mkdir(parents=True, exist_ok=True)
    args.output_md.write_text(table, encoding='utf-8')
    outputs = [str(args.output_md)]
    try:
        render_plot(entries, datasets, args.output_png, ablations)
        outputs.append(str(args.output_png))
    except ValueError as error:
        print(f'note: no plot written: {error}', file=sys.stderr)
    print(table)
    print(f'{len(measured)} measured and {len(entries) - len(measured)} published rows; wrote {" and ".join(outputs)}')
    return 0

"""Reproduce tables of the papers: train and test every row, then tabulate measured vs published.

    python scripts/reproduce.py --list
    python scripts/reproduce.py --table sensors-table6                    # the paper's protocol, row by row
    python scripts/reproduce.py --table sensors-table6 --print-commands   # one shell job per training run
    python scripts/reproduce.py --table sensors-table6 sensors-table9 --budget cpu-3h --jobs 2 --force

Rows are the option files ``options/<paper>/<table>/*.yml``; each states its published numbers
under ``paper:``. Rows that share a training run (e.g. the "full"/"learned" rows, which are the
default network) train it once. A finished run (``experiments/<name>/models/net_g_latest.pth``)
is reused, an interrupted one continues (``--auto_resume``), and a test runs again only when its
network is newer than its ``metrics.json``. A row whose data is missing is reported as
``not run: <missing path>``; nothing is ever filled in from the paper.

``--budget NAME`` runs the rows at a reduced budget instead of the paper's protocol: the budget
``options/_base_/ablation_budget_<NAME>.yml`` (or a YAML path) is a complete recipe (data,
crops, iterations, schedule, precision, test tiles) that every row uses unchanged; a row
contributes only its network. Its ``ablation:`` block names the test sets (rows whose paper
column is another set are left out), the threads per process and the seeds per row; each seed is
a separate run ``ablation_<budget>_<network>_seed<N>`` with ``manual_seed: N``, so rows with the
same network (Table 6 "full" = Table 9 "4 FDNB") share their runs, across tables too.
``--jobs N`` trains N runs at once (seed 0 of every row first); ``--seeds N`` overrides the seed
counts, ``--rows`` restricts the rows.

Reports go to ``<out>/<table>.md`` (``<table>-<budget>.md`` with a budget) and a JSON beside it
(read by ``scripts/leaderboard.py --ablations``); they are rewritten whenever a run finishes
(``--force`` to replace an existing one at start). Per row: measured PSNR/SSIM as mean ± spread
over seeds (spread = sample standard deviation), parameters and MACs measured, the published
figures, the gap to the default network measured and published, and a verdict. Run from the
repository root; each run's output goes to ``<out>/logs/<run>.log``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from basicsr_lfdn.research.ablation_report import report_name, write_reports
from basicsr_lfdn.research.budgets import available_budgets, load_budget
from basicsr_lfdn.research.paper_tables import available_tables, load_budget_rows, load_rows
from basicsr_lfdn.research.runner import Executor, print_commands, read_results, training_groups


def build_parser(tables: dict[str, Path]) -> argparse.ArgumentParser:
    """Command-line options; ``tables`` are the choices of ``--table``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--table', nargs='+', choices=sorted(tables), help='tables to reproduce')
    parser.add_argument('--list', action='store_true', help='list the tables, their rows and the budgets')
    parser.add_argument('--budget', help='reduced-budget recipe: a name (see --list) or a YAML file')
    parser.add_argument('--seeds', type=int, help="runs (seeds) per row, instead of the budget's counts")
    parser.add_argument('--rows', nargs='+', help='only these rows (option file stems)')
    parser.add_argument('--jobs', type=int, default=1, help='training runs at once')
    parser.add_argument('--print-commands', action='store_true', help='print one shell job per training run')
    parser.add_argument('--report-only', action='store_true', help='tabulate what is measured; train and test nothing')
    parser.add_argument('--nproc', type=int, default=0, help='train with torchrun on this many GPUs/processes')
    parser.add_argument('--retest', action='store_true', help='test again even when metrics.json is up to date')
    parser.add_argument('--out', type=Path, default=Path('results') / 'reproduce', help='report folder')
    parser.add_argument('--force', action='store_true', help='replace existing reports')
    return parser


def main(argv: list[str] | None = None) -> None:
    """Reproduce the chosen tables (or list them); exits through ``parser.error`` on bad options."""
    tables = available_tables()
    parser = build_parser(tables)
    args = parser.parse_args(argv)

    if args.list:
        for name, folder in tables.items():
            print(f'{name}: {", ".join(path.stem for path in sorted(folder.glob("*.yml")))}')
        print(f'budgets: {", ".join(available_budgets())}')
        return
    if not args.table:
        parser.error('--table is required (or --list)')
    if args.jobs < 1:
        parser.error('--jobs must be at least 1')
    if args.seeds is not None and (args.seeds < 1 or not args.budget):
        parser.error('--seeds needs --budget and a count of at least 1')
    try:
        budget = load_budget(args.budget) if args.budget else None
    except ValueError as error:
        parser.error(str(error))
    if args.rows:
        stems = {path.stem for table in args.table for path in tables[table].glob('*.yml')}
        if unknown := sorted(set(args.rows) - stems):
            parser.error(f'no such rows in {", ".join(args.table)}: {", ".join(unknown)}')

    out_dir = args.out / budget.name if budget else args.out
    loaded = {
        table: load_budget_rows(tables[table], budget, out_dir, args.seeds, args.rows)
        if budget
        else load_rows(tables[table], args.rows)
        for table in args.table
    }
    launcher_prefix = (
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', str(args.nproc)] if args.nproc > 0 else []
    )
    threads = budget.threads if budget else None
    all_rows = [row for rows in loaded.values() for row in rows]
    if args.print_commands:
        print_commands(all_rows, launcher_prefix, threads)
        return

    existing = [args.out / report_name(table, budget) for table in loaded]
    if not args.force and (clash := [path for path in existing if path.exists()]):
        parser.error(f'{", ".join(map(str, clash))} exists; pass --force to replace it')
    for run in (run for row in all_rows for run in row.runs):  # what earlier invocations measured
        if not read_results(run):
            run.status = f'not run: {run.missing[0]} missing' if run.missing else 'not yet measured'
    if not args.report_only:
        executor = Executor(out_dir / 'logs', launcher_prefix, threads, args.retest)
        groups = training_groups(all_rows, seed_major=budget is not None)
        executor.run_all(groups, args.jobs, lambda: write_reports(loaded, budget, args.out))
    for path in write_reports(loaded, budget, args.out):
        print(path.read_text(encoding='utf-8'))
        print(f'[reproduce] report written to {path} (and {path.with_suffix(".json").name})')

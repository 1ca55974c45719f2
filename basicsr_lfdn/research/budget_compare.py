"""Equal-budget comparison: LFDN, LMFN and BasicSR's own networks trained for the same CPU time.

    python scripts/budget_compare.py --table budget-derain --budget-min 10

Every option file of ``options/budget/<task>/`` is one network; all inherit one recipe (data,
degradation, loss, crops, optimiser, cosine schedule), so they differ only in the network and in
how many iterations fit in the budget. Per network, in turn:

1. **calibrate**: the CPU time of one training step (forward, loss, backward, Adam; median of a
   few steps on one batch of the recipe's data, ``--threads`` threads) sets
   ``total_iter = budget / step time``;
2. **train** with BasicSR's pipeline (``lfdn-train --auto_resume``) on that many iterations;
3. **test** with ``lfdn-test`` on the recipe's test sets;
4. **latency**: ``lfdn-benchmark`` at 1280×720 (fp32) in the same run;
5. one measured-row JSON per test set (``<out>/scores/``, read by ``scripts/leaderboard.py
   --scores``) and the table ``<out>/<table>.md`` of every row measured so far (``--report``
   writes only the table).

Each step writes its result file; a rerun skips what exists and continues a killed training, so
the whole comparison is one resumable command. The budget counts CPU seconds, not wall seconds,
so networks trained while the machine does other work still get equal shares.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from basicsr_lfdn.research.budget_table import render_table
from basicsr_lfdn.research.equal_budget import TABLES, run_network
from basicsr_lfdn.research.rows import read_row_files
from basicsr_lfdn.research.runs import REPO_ROOT

REQUIRED_DATA = ('../shared/datasets/BSDS-clean', '../shared/datasets/Rain100')


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--table', choices=sorted(TABLES), default='budget-derain')
    parser.add_argument('--budget-min', type=float, default=10.0, help='CPU minutes of training steps per network')
    parser.add_argument('--threads', type=int, default=1, help='torch threads while training')
    parser.add_argument('--test-threads', type=int, default=2, help='torch threads while testing and timing')
    parser.add_argument('--latency-repeats', type=int, default=3)
    parser.add_argument('--report', action='store_true', help='only tabulate the rows measured so far')
    parser.add_argument('--skip-latency', action='store_true', help='time the networks in a later, quieter rerun')
    parser.add_argument('--networks', nargs='*', help='option file stems to run (default: all of the table)')
    parser.add_argument('--out', type=Path, default=None, help='default results/<table>')
    return parser


def main(argv: list[str] | None = None) -> None:
    """Run the comparison (or only tabulate it) and write ``<out>/<table>.md``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.out = (args.out or REPO_ROOT / 'results' / args.table).resolve()
    os.chdir(REPO_ROOT)  # the recipes name their data relative to the repository root
    files = sorted(TABLES[args.table].glob('*.yml'))
    if args.networks:
        unknown = set(args.networks) - {path.stem for path in files}
        if unknown:
            parser.error(f'--networks {sorted(unknown)} not in {TABLES[args.table]}')
        by_stem = {path.stem: path for path in files}
        files = [by_stem[stem] for stem in args.networks]
    missing = [path for path in REQUIRED_DATA if not (REPO_ROOT / path).is_dir()]
    if missing:
        raise SystemExit(f'data not found: {", ".join(missing)} (run from a checkout beside ../shared/datasets)')
    if not args.report:
        for option_file in files:
            run_network(option_file, args.table, args)
    scores = args.out / 'scores'
    rows = [row for row, _ in read_row_files([scores]).rows] if scores.is_dir() else []
    order = {path.stem: index for index, path in enumerate(sorted(TABLES[args.table].glob('*.yml')))}
    rows.sort(key=lambda row: (order.get(row['network'].lower(), len(order)), row['dataset']))
    report = render_table(args.table, rows)
    (args.out / f'{args.table}.md').write_text(report, encoding='utf-8')
    print(report)

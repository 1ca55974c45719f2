"""Reproduce one table of the papers: train and test every row, then tabulate measured vs published.

    python scripts/reproduce.py --list
    python scripts/reproduce.py --table sensors-table6               # train + test all rows, in turn
    python scripts/reproduce.py --table sensors-table6 --print-commands   # one shell job per training run

Rows are the option files ``options/<paper>/<table>/*.yml``; each states its published numbers
under ``paper:``. Rows that share a training run (e.g. the "full"/"learned" rows, which are the
default network) train it once. A finished run (``experiments/<name>/models/net_g_latest.pth``)
is reused, an interrupted one continues (``--auto_resume``). A row whose data is missing is
reported as ``not run: <missing path>``; nothing is ever filled in from the paper.

The report (``results/reproduce/<table>.md``; ``--force`` to replace it) lists, per row, the
measured PSNR/SSIM beside the published ones and the measured parameter count beside the
published model size. Run from the repository root (data under ``datasets/``).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.archs import build_network  # noqa: E402

from basicsr_lfdn.archs.complexity import count_params  # noqa: E402
from basicsr_lfdn.utils.options import prepare_for_phase, resolve_option_file  # noqa: E402

OPTIONS = REPO / 'options'
TRAIN = REPO / 'basicsr_lfdn' / 'train.py'
TEST = REPO / 'basicsr_lfdn' / 'test.py'


@dataclass
class Row:
    """One table row: its option file, resolved options and, once run, its measured results."""

    path: Path
    opt: dict
    train_name: str
    test_name: str
    missing: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    status: str = 'not run'

    @property
    def paper(self) -> dict:
        return self.opt['paper']

    @property
    def test_set(self) -> str:
        return next(iter(prepare_for_phase(self.opt, is_train=False)['datasets'].values()))['name']


def available_tables() -> dict[str, Path]:
    """'sensors-table6' -> options/sensors/table6, for every table folder that holds row files."""
    tables = {}
    for paper in ('icip', 'sensors'):
        for folder in sorted((OPTIONS / paper).glob('table*')):
            tables[f'{paper}-{folder.name}'] = folder
    return tables


def _dataset_paths(dataset: dict) -> list[str]:
    paths = []
    for key in ('dataroot_gt', 'dataroot_lq', 'meta_info_file'):
        value = dataset.get(key)
        if value:
            paths += value if isinstance(value, list) else [value]
    return paths


def missing_paths(opt: dict) -> list[str]:
    """Data paths (relative to the working directory) that a row's training or test needs and lacks."""
    needed = []
    for is_train in (True, False):
        for dataset in prepare_for_phase(opt, is_train=is_train)['datasets'].values():
            needed += _dataset_paths(dataset)
    return sorted({path for path in needed if not Path(path).exists()})


def load_rows(folder: Path) -> list[Row]:
    rows = []
    for path in sorted(folder.glob('*.yml')):
        opt = resolve_option_file(path)
        if 'paper' not in opt:
            raise KeyError(f'{path} has no "paper:" entry with the published numbers')
        rows.append(
            Row(
                path=path,
                opt=opt,
                train_name=opt['name'],
                test_name=prepare_for_phase(opt, is_train=False)['name'],
                missing=missing_paths(opt),
            )
        )
    return sorted(rows, key=lambda row: row.paper['order'])


def _train_command(row: Row, launcher_prefix: list[str]) -> list[str]:
    if launcher_prefix:
        return [*launcher_prefix, str(TRAIN), '-opt', str(row.path), '--launcher', 'pytorch', '--auto_resume']
    return [sys.executable, str(TRAIN), '-opt', str(row.path), '--auto_resume']


def _test_command(row: Row) -> list[str]:
    return [sys.executable, str(TEST), '-opt', str(row.path)]


def _latest_network(row: Row) -> Path:
    return Path('experiments') / row.train_name / 'models' / 'net_g_latest.pth'


def _metrics_file(row: Row) -> Path:
    return Path('results') / row.test_name / 'metrics.json'


def print_commands(rows: list[Row], launcher_prefix: list[str]) -> None:
    """One line per training run: train once, then test every row that uses it."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.train_name, []).append(row)
    for train_name, group in groups.items():
        missing = sorted({path for row in group for path in row.missing})
        steps = [_train_command(group[0], launcher_prefix)] + [_test_command(row) for row in group]
        prefix = f'# missing data: {", ".join(missing)}\n' if missing else ''
        print(f'{prefix}# {train_name}\n' + ' && '.join(shlex.join(step) for step in steps))


def run_rows(rows: list[Row], launcher_prefix: list[str], retest: bool) -> None:
    """Train (once per training run) and test each row in turn; record its status and results."""
    failed_runs: dict[str, str] = {}
    for row in rows:
        if row.missing:
            row.status = f'not run: {row.missing[0]} missing'
            continue
        if row.train_name in failed_runs:
            row.status = failed_runs[row.train_name]
            continue
        if not _latest_network(row).is_file():
            print(f'[reproduce] training {row.train_name} ({row.path.relative_to(REPO)})', flush=True)
            if subprocess.run(_train_command(row, launcher_prefix), check=False).returncode != 0:
                failed_runs[row.train_name] = f'training failed (see experiments/{row.train_name})'
                row.status = failed_runs[row.train_name]
                continue
        metrics_file = _metrics_file(row)
        stale = not metrics_file.is_file() or metrics_file.stat().st_mtime < _latest_network(row).stat().st_mtime
        if retest or stale:
            print(f'[reproduce] testing {row.test_name}', flush=True)
            if subprocess.run(_test_command(row), check=False).returncode != 0:
                row.status = f'test failed (see results/{row.test_name})'
                continue
        results = json.loads(metrics_file.read_text(encoding='utf-8'))[row.test_set]
        row.metrics, row.baseline = results['metrics'], results.get('input_baseline', {})
        row.status = f'measured ({results["images"]} images)'


def _number(value: float | None, digits: int) -> str:
    return '–' if value is None else f'{value:.{digits}f}'


def markdown_report(table: str, rows: list[Row]) -> str:
    """Measured results beside the published ones; missing values stay empty, never copied."""
    param_cache: dict[str, int] = {}
    lines = [
        f'# {table}: measured vs published',
        '',
        'Measured values come from `results/<run>/metrics.json` written by `basicsr_lfdn/test.py`; '
        '"paper" columns are the published numbers, copied from the papers for comparison only.',
        '',
        '| row | test set | network | params (measured) | size (paper, M) | PSNR | PSNR (paper) '
        '| SSIM | SSIM (paper) | input PSNR | status |',
        '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ]
    for row in rows:
        network = row.opt['network_g']
        key = json.dumps(network, sort_keys=True)
        if key not in param_cache:
            param_cache[key] = count_params(build_network(dict(network)))
        options = ', '.join(f'{k}={v}' for k, v in network.items() if k != 'type') or 'defaults'
        paper = row.paper
        lines.append(
            f'| {paper["row"]} | {row.test_set} | {network["type"]}({options}) | {param_cache[key] / 1e6:.3f}M '
            f'| {_number(paper.get("params_m"), 2)} | {_number(row.metrics.get("psnr"), 2)} '
            f'| {_number(paper.get("psnr"), 2)} | {_number(row.metrics.get("ssim"), 4)} '
            f'| {_number(paper.get("ssim"), 4)} | {_number(row.baseline.get("psnr"), 2)} | {row.status} |'
        )
    return '\n'.join(lines) + '\n'


def main(argv: list[str] | None = None) -> None:
    tables = available_tables()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--table', choices=sorted(tables), help='table to reproduce')
    parser.add_argument('--list', action='store_true', help='list the tables and their rows')
    parser.add_argument('--print-commands', action='store_true', help='print one shell job per training run')
    parser.add_argument('--nproc', type=int, default=0, help='train with torchrun on this many GPUs/processes')
    parser.add_argument('--retest', action='store_true', help='test again even when metrics.json is up to date')
    parser.add_argument('--out', type=Path, default=None, help='report path (default results/reproduce/<table>.md)')
    parser.add_argument('--force', action='store_true', help='replace an existing report')
    args = parser.parse_args(argv)

    if args.list:
        for name, folder in tables.items():
            print(f'{name}: {", ".join(path.stem for path in sorted(folder.glob("*.yml")))}')
        return
    if not args.table:
        parser.error('--table is required (or --list)')
    rows = load_rows(tables[args.table])
    launcher_prefix = (
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', str(args.nproc)] if args.nproc > 0 else []
    )
    if args.print_commands:
        print_commands(rows, launcher_prefix)
        return

    out = args.out or Path('results') / 'reproduce' / f'{args.table}.md'
    if out.exists() and not args.force:
        parser.error(f'{out} exists; pass --force to replace it')
    run_rows(rows, launcher_prefix, args.retest)
    report = markdown_report(args.table, rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding='utf-8')
    print(report)
    print(f'[reproduce] report written to {out}')


if __name__ == '__main__':
    main()

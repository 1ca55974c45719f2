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
import copy
import json
import os
import shlex
import statistics
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.archs import build_network  # noqa: E402

from basicsr_lfdn.archs.complexity import count_macs, count_params  # noqa: E402
from basicsr_lfdn.utils.options import prepare_for_phase, resolve_option_file, write_option_yaml  # noqa: E402

OPTIONS = REPO / 'options'
BUDGETS = OPTIONS / '_base_'
BUDGET_PREFIX = 'ablation_budget_'
TRAIN = REPO / 'basicsr_lfdn' / 'train.py'
TEST = REPO / 'basicsr_lfdn' / 'test.py'
MACS_SIZE = (720, 1280)  # (height, width) of the MACs column, as in docs/architecture.md
NO_VALUE = '–'


@dataclass
class Run:
    """One training run (one seed of one network under one recipe) and its test on the row's set."""

    option_file: Path  # the file train.py and test.py read
    opt: dict  # its resolved options
    missing: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)
    images: int = 0
    status: str = 'not run'

    @property
    def name(self) -> str:
        return self.opt['name']

    @property
    def test_name(self) -> str:
        return prepare_for_phase(self.opt, is_train=False)['name']

    @property
    def test_set(self) -> str:
        return test_set_of(self.opt)

    @property
    def network_file(self) -> Path:
        return Path('experiments') / self.name / 'models' / 'net_g_latest.pth'

    @property
    def metrics_file(self) -> Path:
        return Path('results') / self.test_name / 'metrics.json'


@dataclass
class Row:
    """One table row: its option file (published numbers under ``paper:``) and its runs, one per seed."""

    path: Path
    opt: dict
    runs: list[Run]

    @property
    def paper(self) -> dict:
        return self.opt['paper']

    @property
    def network(self) -> dict:
        return self.runs[0].opt['network_g']

    @property
    def test_set(self) -> str:
        return self.runs[0].test_set


@dataclass
class Budget:
    """A reduced-budget recipe: BasicSR options shared by every row, and the runner's ``ablation:`` settings."""

    name: str
    path: Path
    opt: dict
    test_sets: list[str]
    threads: int
    seeds: int
    seeds_per_row: dict[str, int]

    def describe(self) -> str:
        """One paragraph naming the data, crops, iterations, precision, test tiles and threads."""
        train = self.opt['datasets']['train']
        layers = ', '.join(Path(layer['dataroot_lq']).parent.name for layer in train.get('rain_layers', []))
        data = f'{train["name"]} ({train["dataroot_gt"]}' + (f' with the rain layers of {layers})' if layers else ')')
        tile = self.opt['val']['tile']
        tiles = f'{tile["size"]}-px tiles (overlap {tile["overlap"]})' if tile.get('size') else 'whole images'
        return (
            f'Budget `{self.name}` (`{_display(self.path)}`): {self.opt["train"]["total_iter"]} iterations of '
            f'{train["batch_size_per_gpu"]} × {train["gt_size"]}² crops for every row, data {data}, '
            f'amp {self.opt["train"].get("amp") or "fp32"}, {self.threads} thread{"s" * (self.threads > 1)} per run; '
            f'tested once per run on {", ".join(self.test_sets)} in {tiles}.'
        )


def test_set_of(opt: dict) -> str:
    """Name of the (first) set an option file is tested on."""
    return next(iter(prepare_for_phase(opt, is_train=False)['datasets'].values()))['name']


def _display(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def available_tables() -> dict[str, Path]:
    """'sensors-table6' -> options/sensors/table6, for every table folder that holds row files."""
    tables = {}
    for paper in ('icip', 'sensors'):
        for folder in sorted((OPTIONS / paper).glob('table*')):
            tables[f'{paper}-{folder.name}'] = folder
    return tables


def available_budgets() -> dict[str, Path]:
    """'cpu-3h' -> options/_base_/ablation_budget_cpu-3h.yml, for every budget file."""
    return {path.stem.removeprefix(BUDGET_PREFIX): path for path in sorted(BUDGETS.glob(f'{BUDGET_PREFIX}*.yml'))}


def load_budget(name_or_path: str) -> Budget:
    """A budget by name (``available_budgets``) or by the path of its YAML file."""
    path = available_budgets().get(name_or_path) or Path(name_or_path)
    if not path.is_file():
        raise ValueError(f'unknown budget {name_or_path!r}: choose one of {", ".join(available_budgets())} or a file')
    opt = resolve_option_file(path)
    settings = opt.pop('ablation', None)
    if not settings:
        raise ValueError(f'{path} has no "ablation:" block (test_sets, threads, seeds)')
    return Budget(
        name=path.stem.removeprefix(BUDGET_PREFIX),
        path=path.resolve(),
        opt=opt,
        test_sets=list(settings['test_sets']),
        threads=int(settings['threads']),
        seeds=int(settings['seeds']),
        seeds_per_row=dict(settings.get('seeds_per_row') or {}),
    )


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


def network_tag(network: dict) -> str:
    """``LFDN`` for the default network, ``LFDN_block-rfdb``, ``LFDN_num_blocks-1`` … for ablations."""
    options = [f'{key}-{value}' for key, value in sorted(network.items()) if key != 'type']
    return '_'.join([network['type'], *options])


def run_name(budget: str, network: dict, seed: int) -> str:
    """Experiment name of one seed of one network under a budget (independent of table and row)."""
    return f'ablation_{budget}_{network_tag(network)}_seed{seed}'


def budget_run_options(budget: Budget, network: dict, seed: int) -> dict:
    """The budget's options with the row's network, the run's name and ``manual_seed``; nothing else changes.

    Datasets: the budget's training set and its test sets named in ``test_sets``; no validation
    sets (the last network is tested, nothing is selected on validation).
    """
    opt = copy.deepcopy(budget.opt)
    tests = {key: value for key, value in opt['datasets'].items() if key.startswith('test')}
    kept = {key: value for key, value in tests.items() if value.get('name') in budget.test_sets}
    absent = set(budget.test_sets) - {value['name'] for value in kept.values()}
    if absent:
        raise ValueError(f'{budget.path}: no datasets.test* named {", ".join(sorted(absent))}')
    opt['datasets'] = {'train': opt['datasets']['train'], **kept}
    opt['network_g'] = copy.deepcopy(network)
    opt['name'] = run_name(budget.name, network, seed)
    opt['manual_seed'] = seed
    return opt


def write_run_options(opt: dict, path: Path) -> None:
    """Write a run's options; refuse when a trained run of that name used other options."""
    text = write_option_yaml(opt, path.with_suffix('.new')).read_text(encoding='utf-8')
    trained = (Path('experiments') / opt['name']).is_dir()
    if path.is_file() and path.read_text(encoding='utf-8') != text and trained:
        path.with_suffix('.new').unlink()
        raise SystemExit(
            f'{opt["name"]} was trained with other options ({path}); the budget changed since. Give the changed '
            f'budget a new name, or remove experiments/{opt["name"]} to train it again.'
        )
    path.with_suffix('.new').replace(path)


def _row_file(path: Path) -> dict:
    opt = resolve_option_file(path)
    if 'paper' not in opt:
        raise KeyError(f'{path} has no "paper:" entry with the published numbers')
    return opt


def load_rows(folder: Path, only: list[str] | None = None) -> list[Row]:
    """The table's rows under the paper's protocol: one run per row, the row file itself."""
    rows = []
    for path in sorted(folder.glob('*.yml')):
        if only and path.stem not in only:
            continue
        opt = _row_file(path)
        rows.append(Row(path=path, opt=opt, runs=[Run(option_file=path, opt=opt, missing=missing_paths(opt))]))
    return sorted(rows, key=lambda row: row.paper['order'])


def load_budget_rows(folder: Path, budget: Budget, out: Path, seeds: int | None, only: list[str] | None) -> list[Row]:
    """The table's rows tested on one of the budget's sets, each with one run per seed (options written to ``out``)."""
    rows = []
    for path in sorted(folder.glob('*.yml')):
        if only and path.stem not in only:
            continue
        opt = _row_file(path)
        if test_set_of(opt) not in budget.test_sets:
            continue
        count = seeds or budget.seeds_per_row.get(path.stem, budget.seeds)
        runs = []
        for seed in range(count):
            run_opt = budget_run_options(budget, opt['network_g'], seed)
            option_file = out / 'options' / f'{run_opt["name"]}.yml'
            write_run_options(run_opt, option_file)
            runs.append(Run(option_file=option_file, opt=run_opt, missing=missing_paths(run_opt)))
        rows.append(Row(path=path, opt=opt, runs=runs))
    return sorted(rows, key=lambda row: row.paper['order'])


# ----------------------------------------------------------------------------- running


def _train_command(run: Run, launcher_prefix: list[str]) -> list[str]:
    if launcher_prefix:
        return [*launcher_prefix, str(TRAIN), '-opt', str(run.option_file), '--launcher', 'pytorch', '--auto_resume']
    return [sys.executable, str(TRAIN), '-opt', str(run.option_file), '--auto_resume']


def _test_command(run: Run) -> list[str]:
    return [sys.executable, str(TEST), '-opt', str(run.option_file)]


def training_groups(rows: list[Row], seed_major: bool = False) -> dict[str, list[Run]]:
    """Runs by training name, each training once; ``seed_major``: seed 0 of every row first, then seed 1 …"""
    pairs = [(seed, index, run) for index, row in enumerate(rows) for seed, run in enumerate(row.runs)]
    if seed_major:
        pairs.sort(key=lambda pair: pair[:2])
    groups: dict[str, list[Run]] = {}
    for _, _, run in pairs:
        groups.setdefault(run.name, []).append(run)
    return groups


def print_commands(rows: list[Row], launcher_prefix: list[str], threads: int | None) -> None:
    """One line per training run: train once, then test every distinct test of it."""
    env = f'OMP_NUM_THREADS={threads} MKL_NUM_THREADS={threads} ' if threads else ''
    for name, group in training_groups(rows).items():
        missing = sorted({path for run in group for path in run.missing})
        tests = {run.test_name: run for run in group}.values()
        steps = [_train_command(group[0], launcher_prefix)] + [_test_command(run) for run in tests]
        prefix = f'# missing data: {", ".join(missing)}\n' if missing else ''
        print(f'{prefix}# {name}\n' + ' && '.join(env + shlex.join(step) for step in steps))


def read_results(run: Run) -> bool:
    """Take the run's metrics from an up-to-date ``metrics.json``; False when there is none."""
    if not (run.network_file.is_file() and run.metrics_file.is_file()):
        return False
    if run.metrics_file.stat().st_mtime < run.network_file.stat().st_mtime:
        return False
    results = json.loads(run.metrics_file.read_text(encoding='utf-8')).get(run.test_set)
    if results is None:
        return False
    run.metrics, run.baseline, run.images = results['metrics'], results.get('input_baseline', {}), results['images']
    run.status = 'measured'
    return True


@dataclass
class Executor:
    """Trains and tests runs as subprocesses, ``jobs`` at a time, each logging to ``log_dir/<run>.log``."""

    log_dir: Path
    launcher_prefix: list[str]
    threads: int | None  # OMP_NUM_THREADS / MKL_NUM_THREADS of each process; None: inherited
    retest: bool = False

    def _call(self, command: list[str], log: Path) -> bool:
        env = dict(os.environ)
        if self.threads:
            env.update(OMP_NUM_THREADS=str(self.threads), MKL_NUM_THREADS=str(self.threads))
        with open(log, 'a', encoding='utf-8') as handle:
            handle.write(f'$ {shlex.join(command)}\n')
            handle.flush()
            completed = subprocess.run(command, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
        return completed.returncode == 0

    def run_group(self, group: list[Run]) -> None:
        """Train the group's run unless finished, then run each of its tests that is not up to date."""
        tests: dict[str, list[Run]] = {}
        for run in group:
            if run.missing:
                run.status = f'not run: {run.missing[0]} missing'
            else:
                tests.setdefault(run.test_name, []).append(run)
        if not tests:
            return
        first = next(iter(tests.values()))[0]
        log = self.log_dir / f'{first.name}.log'
        if not first.network_file.is_file():
            print(f'[reproduce] training {first.name} (log: {log})', flush=True)
            if not self._call(_train_command(first, self.launcher_prefix), log):
                for runs in tests.values():
                    for run in runs:
                        run.status = f'training failed (see {log})'
                return
        for test_name, (run, *sharing) in tests.items():
            if self.retest or not read_results(run):
                print(f'[reproduce] testing {test_name}', flush=True)
                if not (self._call(_test_command(run), log) and read_results(run)):
                    run.status = f'test failed (see {log})'
            for other in sharing:
                other.metrics, other.baseline, other.images, other.status = (
                    run.metrics,
                    run.baseline,
                    run.images,
                    run.status,
                )

    def run_all(self, groups: dict[str, list[Run]], jobs: int, on_done: Callable[[], None]) -> None:
        """Every group, ``jobs`` at once; ``on_done`` after each (serialised)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        lock = threading.Lock()

        def work(group: list[Run]) -> None:
            self.run_group(group)
            with lock:
                on_done()

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for future in [pool.submit(work, group) for group in groups.values()]:
                future.result()


# ----------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Summary:
    """Measured values of one row over its seeds."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.values)

    @property
    def spread(self) -> float | None:
        """Sample standard deviation over seeds; None with fewer than two."""
        return statistics.stdev(self.values) if len(self.values) > 1 else None


def summarize(row: Row, metric: str) -> Summary | None:
    """The metric over the row's measured runs; None when no run is measured."""
    values = tuple(run.metrics[metric] for run in row.runs if metric in run.metrics)
    return Summary(values) if values else None


def verdict(measured: Summary | None, reference: Summary | None, published_gap: float | None) -> str:
    """Does the paper's claim (row minus default network = ``published_gap``) hold here?

    The measured gap is beyond noise when it exceeds the sum of the two rows' spreads (their
    mean ± spread intervals do not overlap). Then it *holds* when it has the paper's sign and is
    *reversed* when it has the other; otherwise it is *within noise*. A published gap of 0 claims
    no difference: a measured one beyond noise *differs*.
    """
    if measured is None or reference is None or published_gap is None:
        return NO_VALUE
    if measured.spread is None or reference.spread is None:
        return f'{NO_VALUE} (needs ≥ 2 seeds)'
    gap = measured.mean - reference.mean
    if abs(gap) <= measured.spread + reference.spread:
        return 'within noise'
    if published_gap == 0:
        return 'differs'
    return 'holds' if (gap > 0) == (published_gap > 0) else 'reversed'


def reference_row(rows: list[Row]) -> Row | None:
    """The row of the default network (no options but its type), against which the paper's gaps are read."""
    return next((row for row in rows if set(row.network) == {'type'}), None)


# ----------------------------------------------------------------------------- reports


@cache
def _complexity(network_key: str) -> tuple[int, float]:
    network = build_network(json.loads(network_key))
    return count_params(network), count_macs(network, *MACS_SIZE) / 1e9


def network_complexity(network: dict) -> tuple[int, float]:
    """Parameters and GMACs at 1280×720 of a network, measured (cached per network)."""
    return _complexity(json.dumps(network, sort_keys=True))


def _number(value: float | None, digits: int) -> str:
    return NO_VALUE if value is None else f'{value:.{digits}f}'


def _mean_spread(summary: Summary | None, digits: int) -> str:
    if summary is None:
        return NO_VALUE
    spread = '' if summary.spread is None else f' ± {summary.spread:.{digits}f}'
    return f'{summary.mean:.{digits}f}{spread}'


def measured_gap(row: Summary | None, reference: Summary | None) -> tuple[float | None, float | None]:
    """Row mean minus reference mean, and the noise it is judged against (sum of the two spreads)."""
    if row is None or reference is None:
        return None, None
    noise = None if row.spread is None or reference.spread is None else row.spread + reference.spread
    return row.mean - reference.mean, noise


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
        _number(paper.get('params_m'), 2),
        str(len(row.runs)),
        _mean_spread(report.psnr, 2),
        _mean_spread(report.ssim, 4),
        '0' if report.verdict == 'reference' else _gap(report.psnr, report.reference_psnr),
        _number(paper.get('psnr'), 2),
        _number(paper.get('ssim'), 4),
        '0' if report.verdict == 'reference' else _published_gap(report.published_gap),
        report.verdict,
        _number(baseline, 2),
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
        '| ' + ' | '.join(REPORT_COLUMNS) + ' |',
        '|' + '|'.join('---' if column in TEXT_COLUMNS else '---:' for column in REPORT_COLUMNS) + '|',
    ]
    lines += ['| ' + ' | '.join(_cells(report)) + ' |' for report in row_reports(rows)]
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
                'option_file': _display(row.path),
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


def report_name(table: str, budget: Budget | None) -> str:
    return f'{table}-{budget.name}.md' if budget else f'{table}.md'


# ----------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> None:
    tables = available_tables()
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


if __name__ == '__main__':
    main()

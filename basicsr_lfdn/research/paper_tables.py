"""The papers' tables as runs to train and test: one option file per row under ``options/<paper>/<table>/``.

Each row file states its published numbers under ``paper:``. Under the paper's protocol a row is
one run, the row file itself; under a reduced budget (``budgets``) it is one run per seed of the
budget's recipe with the row's network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from basicsr_lfdn.research.budgets import Budget, budget_run_options, write_run_options
from basicsr_lfdn.research.runs import OPTIONS_ROOT, latest_network, metrics_file
from basicsr_lfdn.utils.options import prepare_for_phase, resolve_option_file


def first_test_set(opt: dict) -> str:
    """Name of the (first) set an option file is tested on."""
    return next(iter(prepare_for_phase(opt, is_train=False)['datasets'].values()))['name']


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
        return first_test_set(self.opt)

    @property
    def network_file(self) -> Path:
        return latest_network(self.name)

    @property
    def metrics_file(self) -> Path:
        return metrics_file(self.test_name)


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


def available_tables() -> dict[str, Path]:
    """'sensors-table6' -> options/sensors/table6, for every table folder that holds row files."""
    tables = {}
    for paper in ('icip', 'sensors'):
        for folder in sorted((OPTIONS_ROOT / paper).glob('table*')):
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
        if first_test_set(opt) not in budget.test_sets:
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

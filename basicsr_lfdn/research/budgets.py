"""Reduced training budgets for the ablation tables: one complete BasicSR recipe that every row uses unchanged.

A budget is ``options/_base_/ablation_budget_<name>.yml``: data, crops, iterations, schedule,
precision and test tiles, plus an ``ablation:`` block the runner reads (test sets, threads per
process, seeds per row). A row contributes only its network; each seed is a separate run
``ablation_<budget>_<network>_seed<N>`` with ``manual_seed: N``, so rows with the same network
share their runs, across tables too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from basicsr_lfdn.research.runs import ABLATION_RUN_PREFIX, OPTIONS_ROOT, display_path
from basicsr_lfdn.utils.options import resolve_option_file, write_option_yaml

BUDGETS = OPTIONS_ROOT / '_base_'
BUDGET_PREFIX = 'ablation_budget_'


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
            f'Budget `{self.name}` (`{display_path(self.path)}`): {self.opt["train"]["total_iter"]} iterations of '
            f'{train["batch_size_per_gpu"]} × {train["gt_size"]}² crops for every row, data {data}, '
            f'amp {self.opt["train"].get("amp") or "fp32"}, {self.threads} thread{"s" * (self.threads > 1)} per run; '
            f'tested once per run on {", ".join(self.test_sets)} in {tiles}.'
        )


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


def network_tag(network: dict) -> str:
    """``LFDN`` for the default network, ``LFDN_block-rfdb``, ``LFDN_num_blocks-1`` … for ablations."""
    options = [f'{key}-{value}' for key, value in sorted(network.items()) if key != 'type']
    return '_'.join([network['type'], *options])


def run_name(budget: str, network: dict, seed: int) -> str:
    """Experiment name of one seed of one network under a budget (independent of table and row)."""
    return f'{ABLATION_RUN_PREFIX}{budget}_{network_tag(network)}_seed{seed}'


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

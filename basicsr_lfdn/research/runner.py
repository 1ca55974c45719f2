"""Training and testing the runs of a table: each training once, ``jobs`` at a time, reusing what is done.

A finished run (``experiments/<name>/models/net_g_latest.pth``) is reused, an interrupted one
continues (``--auto_resume``), and a test runs again only when its network is newer than its
``metrics.json``. Each run's output goes to ``<log_dir>/<run>.log``.
"""

from __future__ import annotations

import json
import shlex
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from basicsr_lfdn.research.paper_tables import Row, Run
from basicsr_lfdn.research.processes import run_logged
from basicsr_lfdn.research.runs import TEST_SCRIPT, TRAIN_SCRIPT


def training_command(run: Run, launcher_prefix: list[str]) -> list[str]:
    """``train.py`` on the run's options, resuming; through ``launcher_prefix`` (torchrun) when given."""
    options = ['-opt', str(run.option_file)]
    if launcher_prefix:
        return [*launcher_prefix, str(TRAIN_SCRIPT), *options, '--launcher', 'pytorch', '--auto_resume']
    return [sys.executable, str(TRAIN_SCRIPT), *options, '--auto_resume']


def testing_command(run: Run) -> list[str]:
    """``test.py`` on the run's options (BasicSR derives the test name and its results folder)."""
    return [sys.executable, str(TEST_SCRIPT), '-opt', str(run.option_file)]


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
        steps = [training_command(group[0], launcher_prefix)] + [testing_command(run) for run in tests]
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
            if not run_logged(training_command(first, self.launcher_prefix), log, self.threads).ok:
                for runs in tests.values():
                    for run in runs:
                        run.status = f'training failed (see {log})'
                return
        for test_name, (run, *sharing) in tests.items():
            if self.retest or not read_results(run):
                print(f'[reproduce] testing {test_name}', flush=True)
                if not (run_logged(testing_command(run), log, self.threads).ok and read_results(run)):
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

"""Training runs stopped at equal CPU time: the fair way to compare recipes on a shared CPU.

Wall time says little on a machine whose cores are shared with other jobs; CPU time of the training
process is what a recipe costs. Each run is ``python basicsr_lfdn/train.py -opt <file>`` in a child
process, stopped once the child has used ``cpu_minutes`` of CPU (its own threads, as the
``cpu_hours`` of its validation curve counts them). Runs wait in a queue and ``parallel`` of them
train at once.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

TRAIN_SCRIPT = Path(__file__).resolve().parents[1] / 'train.py'


@dataclass
class BudgetRun:
    """One child process and its CPU budget."""

    command: list[str]
    log: Path
    cpu_minutes: float
    process: subprocess.Popen | None = None
    cpu_s: float = 0.0
    stopped: bool = False  # True when the budget, not the run itself, ended it

    def start(self, threads: int) -> None:
        """Launch the child with ``threads`` OpenMP/MKL threads, its output appended to ``log``."""
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, 'a', encoding='utf-8') as handle:
            self.process = subprocess.Popen(self.command, stdout=handle, stderr=subprocess.STDOUT, env=env)

    def poll(self) -> bool:
        """Update ``cpu_s``; stop the child once over budget. True while it is still running."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            times = psutil.Process(self.process.pid).cpu_times()
        except psutil.NoSuchProcess:
            return False
        self.cpu_s = times.user + times.system
        if self.cpu_s >= self.cpu_minutes * 60:
            self.stopped = True
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            return False
        return True


def run_queue(runs: list[BudgetRun], parallel: int, threads: int, poll_s: float = 5.0) -> list[BudgetRun]:
    """Run every budgeted run, ``parallel`` at a time, until each is stopped or ends by itself."""
    if parallel < 1:
        raise ValueError(f'parallel must be at least 1, got {parallel}')
    waiting = list(runs)
    active: list[BudgetRun] = []
    while waiting or active:
        while waiting and len(active) < parallel:
            run = waiting.pop(0)
            run.start(threads)
            active.append(run)
        time.sleep(poll_s)
        active = [run for run in active if run.poll()]
    return runs


def main(argv: list[str] | None = None) -> int:
    """``scripts/cpu_budget_run.py -opt A.yml B.yml --cpu-minutes 15 --parallel 2``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-opt', nargs='+', required=True, type=Path, help='training option files, run in this order')
    parser.add_argument('--cpu-minutes', type=float, required=True, help='CPU budget of each run')
    parser.add_argument('--parallel', type=int, default=2, help='runs training at once (default 2)')
    parser.add_argument('--threads', type=int, default=1, help='threads per run (default 1)')
    parser.add_argument('--log-dir', type=Path, default=Path('experiments/cpu_budget_logs'))
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.opt if not path.is_file()]
    if missing:
        parser.error(f'option file(s) not found: {", ".join(missing)}')
    runs = [
        BudgetRun(
            [sys.executable, str(TRAIN_SCRIPT), '-opt', str(path), '--auto_resume'],
            args.log_dir / f'{path.stem}.log',
            args.cpu_minutes,
        )
        for path in args.opt
    ]
    for run in run_queue(runs, args.parallel, args.threads):
        how = 'stopped at its budget' if run.stopped else f'ended by itself (exit {run.process.returncode})'
        print(f'{run.log.stem}: {run.cpu_s / 60:.1f} CPU-min, {how}; log {run.log}')
    return 0 if all(run.stopped or run.process.returncode == 0 for run in runs) else 1

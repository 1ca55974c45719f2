"""Runs stopped at equal CPU time (``scripts/cpu_budget_run.py``): the budget counts CPU, not the wall clock."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from basicsr_lfdn.research.cpu_budget import BudgetRun, main, run_queue

BUSY = [sys.executable, '-c', 'while True: pass']
SLEEPY = [sys.executable, '-c', 'import time; time.sleep(30)']


def test_a_busy_run_is_stopped_once_it_has_used_its_cpu_budget(tmp_path: Path) -> None:
    run = BudgetRun(BUSY, tmp_path / 'busy.log', cpu_minutes=1.5 / 60)
    start = time.monotonic()
    run_queue([run], parallel=1, threads=1, poll_s=0.2)
    assert run.stopped and run.process.returncode != 0
    assert run.cpu_s >= 1.5
    assert time.monotonic() - start < 20


def test_a_sleeping_run_is_not_stopped_by_wall_time_and_one_that_ends_is_not_marked(tmp_path: Path) -> None:
    sleepy = BudgetRun(SLEEPY, tmp_path / 'sleepy.log', cpu_minutes=0.5 / 60)
    sleepy.start(threads=1)
    time.sleep(1.5)
    assert sleepy.poll() and not sleepy.stopped
    sleepy.process.kill()
    sleepy.process.wait()
    quick = BudgetRun([sys.executable, '-c', 'print("done")'], tmp_path / 'quick.log', cpu_minutes=1)
    run_queue([quick], parallel=1, threads=1, poll_s=0.2)
    assert not quick.stopped and quick.process.returncode == 0
    assert 'done' in (tmp_path / 'quick.log').read_text()


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match='parallel'):
        run_queue([], parallel=0, threads=1)
    with pytest.raises(SystemExit):
        main(['-opt', str(tmp_path / 'missing.yml'), '--cpu-minutes', '1'])

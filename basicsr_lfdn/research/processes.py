"""Training, testing and timing as child processes, each appending its output to a log file."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finished:
    """How a child process ended and what it cost."""

    returncode: int
    wall_s: float
    cpu_s: float  # user + system time of the child

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_logged(command: list[str], log: Path, threads: int | None, cwd: Path | None = None) -> Finished:
    """Run ``command`` with its output appended to ``log`` after a ``$ command`` line.

    ``threads`` sets ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` of the child (None: inherited), so
    that runs sharing a machine each get the cores they were planned with, whatever the shell says.
    """
    env = dict(os.environ)
    if threads:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    before = os.times()
    start = time.perf_counter()
    with open(log, 'a', encoding='utf-8') as handle:
        handle.write(f'$ {shlex.join(command)}\n')
        handle.flush()
        completed = subprocess.run(command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Finished(completed.returncode, time.perf_counter() - start, cpu)

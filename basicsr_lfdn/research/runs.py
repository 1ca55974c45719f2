"""Where the checkout keeps its option files and where BasicSR puts a run's networks, logs and test results.

Training writes ``experiments/<name>/`` (``train_<name>_<YYYYmmdd_HHMMSS>.log``, ``models/net_g_<iter>.pth``
and ``net_g_latest.pth``); testing writes ``results/<test name>/`` (``test_*.log``, ``metrics.json``).
Both folders are relative to the working directory the run was started from.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

# The research tools run from a source checkout (an editable install): the option files and
# docs/ they read sit beside the package.
REPO_ROOT = Path(__file__).resolve().parents[2]
OPTIONS_ROOT = REPO_ROOT / 'options'
TRAIN_SCRIPT = REPO_ROOT / 'basicsr_lfdn' / 'train.py'
TEST_SCRIPT = REPO_ROOT / 'basicsr_lfdn' / 'test.py'
ABLATION_RUN_PREFIX = 'ablation_'  # experiment names of the reduced-budget ablation runs
_CHECKPOINT = re.compile(r'net_g_(?P<iter>\d+)\.pth')
_LOG_STAMP = re.compile(r'_(\d{8}_\d{6})\.log$')


def display_path(path: Path) -> str:
    """``path`` relative to the checkout when it lies inside it (as the reports print it)."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def latest_network(name: str) -> Path:
    """The last network a training run saved."""
    return Path('experiments') / name / 'models' / 'net_g_latest.pth'


def metrics_file(test_name: str) -> Path:
    """The ``metrics.json`` that ``basicsr_lfdn/test.py`` writes for a test run."""
    return Path('results') / test_name / 'metrics.json'


def checkpoint_iteration(path: str | Path) -> int | None:
    """The iteration of a ``net_g_<iter>.pth`` file; None for any other name (``net_g_latest.pth``)."""
    match = _CHECKPOINT.fullmatch(Path(path).name)
    return int(match['iter']) if match else None


def checkpoints(experiment: Path) -> list[tuple[int, float, Path]]:
    """``(iteration, minutes since the run started, file)`` of every ``net_g_<iter>.pth``, by iteration.

    The start is the time stamp BasicSR puts in the first log's name (``train_<name>_<YYYYmmdd_HHMMSS>.log``,
    local time); a run resumed after a pause counts the pause too.
    """
    stamps = sorted(
        match.group(1) for path in experiment.glob('train_*.log') if (match := _LOG_STAMP.search(path.name))
    )
    if not stamps:
        raise FileNotFoundError(f'{experiment}: no train_*_<time>.log, is this a training run folder?')
    start = time.mktime(time.strptime(stamps[0], '%Y%m%d_%H%M%S'))
    found = []
    for path in (experiment / 'models').glob('net_g_*.pth'):
        iteration = checkpoint_iteration(path)
        if iteration is not None:
            found.append((iteration, (path.stat().st_mtime - start) / 60, path))
    if not found:
        raise FileNotFoundError(f'{experiment / "models"}: no net_g_<iter>.pth checkpoints')
    return sorted(found)


def find_test_logs(results_root: Path) -> list[Path]:
    """Every BasicSR test log under ``results_root``, by run folder, then by name.

    BasicSR names logs ``test_<name>_<YYYYmmdd_HHMMSS>.log``, so within a folder name order is time order.
    """
    return sorted(results_root.glob('**/test_*.log'), key=lambda path: (path.parent.name, path.name))


def is_ablation_run(name: str) -> bool:
    """Whether a run folder holds one seed of a reduced-budget ablation (reported by its table, not as a row)."""
    return name.startswith(ABLATION_RUN_PREFIX)

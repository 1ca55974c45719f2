"""Every script in scripts/ is a thin entry point: a few lines that run a ``main`` of the package."""

from __future__ import annotations

import importlib

import pytest

from tests.conftest import SCRIPTS, load_script

MAIN_OF_SCRIPT = {
    'leaderboard': 'basicsr_lfdn.research.leaderboard',
    'reproduce': 'basicsr_lfdn.research.reproduce',
    'budget_compare': 'basicsr_lfdn.research.budget_compare',
    'validation_curve': 'basicsr_lfdn.research.validation_curve',
    'comparison_figure': 'basicsr_lfdn.research.comparison_figure',
    'degradation_stats': 'basicsr_lfdn.research.degradation_stats',
    'benchmark': 'basicsr_lfdn.benchmark',
}
MAX_SCRIPT_LINES = 60


@pytest.mark.parametrize('name', sorted(MAIN_OF_SCRIPT))
def test_script_runs_the_package_main(name):
    assert load_script(name).main is importlib.import_module(MAIN_OF_SCRIPT[name]).main


def test_every_script_is_thin():
    sizes = {path.name: len(path.read_text(encoding='utf-8').splitlines()) for path in SCRIPTS.glob('*.py')}
    assert {name for name, lines in sizes.items() if lines > MAX_SCRIPT_LINES} == set(), sizes

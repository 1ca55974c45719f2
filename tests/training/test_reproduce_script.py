"""scripts/reproduce.py: rows without data are reported as not run, nothing is copied from the paper."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def reproduce(monkeypatch):
    """The script loaded as a module (registered first: its dataclass needs sys.modules)."""
    spec = importlib.util.spec_from_file_location('reproduce', REPO / 'scripts' / 'reproduce.py')
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, 'reproduce', module)
    spec.loader.exec_module(module)
    return module


def test_every_table_of_both_papers_is_available(reproduce):
    tables = reproduce.available_tables()
    assert sorted(tables) == sorted(
        [f'icip-table{n}' for n in range(1, 5)] + [f'sensors-table{n}' for n in range(2, 10)]
    )


def test_rows_without_data_are_reported_not_run_with_the_missing_path(reproduce, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reproduce.main(['--table', 'icip-table3'])
    report = (tmp_path / 'results' / 'reproduce' / 'icip-table3.md').read_text()
    rows = [line for line in report.splitlines() if line.startswith('| without') or line.startswith('| full')]
    assert len(rows) == 4
    for row in rows:
        cells = [cell.strip() for cell in row.strip('|').split('|')]
        assert cells[-1].startswith('not run: datasets/GoPro/')
        assert cells[5] == '–' and cells[7] == '–'  # measured PSNR / SSIM stay empty
        assert float(cells[6]) > 29  # the published PSNR, labelled as such
        assert cells[3].endswith('M')  # measured parameter count
    with pytest.raises(SystemExit):
        reproduce.main(['--table', 'icip-table3'])  # an existing report needs --force
    assert '--force' in capsys.readouterr().err


def test_print_commands_emits_one_job_per_training_run(reproduce, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reproduce.main(['--table', 'sensors-table2', '--print-commands'])
    jobs = [line for line in capsys.readouterr().out.splitlines() if not line.startswith('#')]
    assert len(jobs) == 1  # the four Table 2 rows share one Rain14000 training run
    assert jobs[0].count('train.py') == 1 and jobs[0].count('test.py') == 4

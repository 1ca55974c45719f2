"""The reproduction runner (``scripts/reproduce.py``, ``basicsr_lfdn.research``): rows without data are reported as
not run, nothing is copied from the paper; reduced budgets change every row alike, seeds are separate runs, verdicts
follow the stated rule."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from basicsr_lfdn.research import ablation_report, paper_tables, reproduce
from basicsr_lfdn.research.ablation_report import json_report, markdown_report
from basicsr_lfdn.research.budgets import load_budget, write_run_options
from basicsr_lfdn.research.paper_tables import available_tables, load_budget_rows
from basicsr_lfdn.research.verdicts import Summary, verdict
from basicsr_lfdn.utils.options import resolve_option_file

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / 'shared' / 'datasets'
TABLE6 = REPO / 'options' / 'sensors' / 'table6'
TABLE9 = REPO / 'options' / 'sensors' / 'table9'
THREE_SEEDS = {'rain100h_full', 'rain100h_no_mshf', 'rain100h_rfdb', 'rain100h_blocks4'}
FAKE_GMACS = 7.25


@pytest.fixture(autouse=True)
def fake_macs(monkeypatch):
    """MACs stubbed (a count at 1280×720 takes seconds per network), with an empty complexity cache around each test."""
    monkeypatch.setattr(ablation_report, 'count_macs', lambda network, height, width: FAKE_GMACS * 1e9)
    ablation_report.cached_complexity.cache_clear()
    yield
    ablation_report.cached_complexity.cache_clear()


def table_cells(report: str) -> list[dict[str, str]]:
    """The Markdown table of a report as one {column: cell} dict per row."""
    lines = [line for line in report.splitlines() if line.startswith('|')]
    header = [cell.strip() for cell in lines[0].strip('|').split('|')]
    return [dict(zip(header, (cell.strip() for cell in line.strip('|').split('|')))) for line in lines[2:]]


def budget_rows(tmp_path, budget='cpu-3h', seeds=None, tables=(TABLE6, TABLE9)):
    loaded = load_budget(budget)
    return loaded, [row for table in tables for row in load_budget_rows(table, loaded, tmp_path, seeds, None)]


def test_every_table_of_both_papers_is_available():
    tables = available_tables()
    assert sorted(tables) == sorted(
        [f'icip-table{n}' for n in range(1, 5)] + [f'sensors-table{n}' for n in range(2, 10)]
    )


def test_rows_without_data_are_reported_not_run_with_the_missing_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reproduce.main(['--table', 'icip-table3'])
    cells = table_cells((tmp_path / 'results' / 'reproduce' / 'icip-table3.md').read_text())
    assert len(cells) == 4
    for row in cells:
        assert row['status'].startswith('not run: datasets/GoPro/')
        assert row['PSNR (measured)'] == '–' and row['SSIM (measured)'] == '–'  # measured values stay empty
        assert float(row['PSNR (paper)']) > 29  # the published PSNR, labelled as such
        assert row['params (measured)'].endswith('M')  # measured parameter count
        assert row['GMACs 1280×720 (measured)'] == f'{FAKE_GMACS:.1f}'
    with pytest.raises(SystemExit):
        reproduce.main(['--table', 'icip-table3'])  # an existing report needs --force
    assert '--force' in capsys.readouterr().err


def test_print_commands_emits_one_job_per_training_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reproduce.main(['--table', 'sensors-table2', '--print-commands'])
    jobs = [line for line in capsys.readouterr().out.splitlines() if not line.startswith('#')]
    assert len(jobs) == 1  # the four Table 2 rows share one Rain14000 training run
    assert jobs[0].count('train.py') == 1 and jobs[0].count('test.py') == 4


# ----------------------------------------------------------------------------- budgets


def test_budget_gives_every_row_the_same_recipe_and_only_its_own_network(tmp_path):
    budget, rows = budget_rows(tmp_path)
    assert sorted(row.path.stem for row in rows) == sorted(
        [f'rain100h_{name}' for name in ('full', 'no_mshf', 'no_fusion', 'rfdb', 'cnn', 'none')]
        + [f'rain100h_blocks{n}' for n in range(1, 7)]
    )  # the GoPro rows are not derain rows: left out
    shipped_train = resolve_option_file(REPO / 'options' / '_base_' / 'derain_real_layers.yml')['datasets']['train']
    recipes = set()
    for row in rows:
        for run in row.runs:
            opt = run.opt
            assert opt['network_g'] == resolve_option_file(row.path)['network_g']  # the row's network, as filed
            assert opt['datasets']['train'] == {**shipped_train, 'gt_size': 128, 'batch_size_per_gpu': 8}
            assert [test['name'] for test in opt['datasets'].values() if test is not opt['datasets']['train']] == [
                'Rain100H'
            ]
            assert opt['datasets']['test_2']['dataroot_lq'] == '../shared/datasets/Rain100/Rain100H'
            assert opt['train']['total_iter'] == 330 and opt['train']['scheduler']['periods'] == [330]
            assert opt['train']['amp'] == 'auto'
            assert opt['val']['tile']['size'] == opt['datasets']['train']['gt_size']  # tiles = training crops
            assert opt['val']['metrics']['psnr']['test_y_channel'] is True
            assert 'ablation' not in opt and 'paper' not in opt
            rest = {key: value for key, value in opt.items() if key not in ('network_g', 'name', 'manual_seed')}
            recipes.add(json.dumps(rest, sort_keys=True))
            written = yaml.safe_load(run.option_file.read_text())
            assert written == opt
    assert len(recipes) == 1  # nothing but network, name and seed differs between rows
    assert budget.threads == 1


def test_smoke_budget_differs_from_cpu_3h_only_in_iterations_and_test_images(tmp_path):
    _, full = budget_rows(tmp_path / 'full', tables=(TABLE6,))
    _, smoke = budget_rows(tmp_path / 'smoke', budget='cpu-smoke', tables=(TABLE6,))
    big, small = full[0].runs[0].opt, smoke[0].runs[0].opt
    assert small['train']['total_iter'] == 3 and small['train']['scheduler']['periods'] == [3]
    assert small['datasets']['test_2']['meta_info_file'] == 'options/_base_/rain100h_smoke_pairs.txt'
    assert len((REPO / small['datasets']['test_2']['meta_info_file']).read_text().splitlines()) == 2
    for opt in (big, small):
        for section, key in (('train', 'total_iter'), ('train', 'scheduler'), ('logger', 'print_freq')):
            del opt[section][key]
        opt['datasets']['test_2'].pop('meta_info_file', None)
        del opt['name']
    assert big == small


def test_seeds_are_separate_named_runs_and_rows_with_one_network_share_them(tmp_path):
    _, rows = budget_rows(tmp_path)
    by_stem = {row.path.stem: row for row in rows}
    for stem, row in by_stem.items():
        assert len(row.runs) == (3 if stem in THREE_SEEDS else 2), stem
        assert [run.opt['manual_seed'] for run in row.runs] == list(range(len(row.runs)))
        assert [run.name.rsplit('_', 1)[1] for run in row.runs] == [f'seed{n}' for n in range(len(row.runs))]
        assert len({run.name for run in row.runs}) == len(row.runs)
    assert [run.name for run in by_stem['rain100h_full'].runs] == [run.name for run in by_stem['rain100h_blocks4'].runs]
    names = {run.name for row in rows for run in row.runs}
    assert len(names) == 25  # 3 + 3 + 3 + 2 + 2 + 2 (Table 6) + 5 × 2 (Table 9, 4 FDNB = full)
    _, overridden = budget_rows(tmp_path / 'one', seeds=1)
    assert all(len(row.runs) == 1 for row in overridden)


def test_a_changed_budget_never_reuses_a_trained_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    budget, rows = budget_rows(tmp_path, tables=(TABLE6,))
    run = rows[0].runs[0]
    (tmp_path / 'experiments' / run.name).mkdir(parents=True)
    write_run_options(run.opt, run.option_file)  # same options: fine
    changed = {**run.opt, 'train': {**run.opt['train'], 'total_iter': 331}}
    with pytest.raises(SystemExit, match='budget changed'):
        write_run_options(changed, run.option_file)
    assert yaml.safe_load(run.option_file.read_text()) == run.opt


# ----------------------------------------------------------------------------- verdicts and reports


@pytest.mark.parametrize(
    ('row', 'reference', 'published_gap', 'expected'),
    [
        ((21.0, 21.2), (22.0, 22.2, 22.4), -0.2, 'holds'),  # gap -1.1, noise 0.14 + 0.2
        ((21.0, 21.2), (22.0, 22.2, 22.4), +0.3, 'reversed'),
        ((22.0, 22.6), (22.0, 22.2, 22.4), -0.6, 'within noise'),  # gap +0.1 < 0.42 + 0.2
        ((21.5, 21.7), (22.0, 22.2, 22.4), -0.1, 'holds'),  # gap -0.6 > 0.34: the paper's size does not matter
        ((23.0, 23.2), (22.0, 22.2, 22.4), 0.0, 'differs'),
        ((21.0,), (22.0, 22.2, 22.4), -0.2, '– (needs ≥ 2 seeds)'),
        ((21.0, 21.2), (22.0, 22.2, 22.4), None, '–'),
    ],
)
def test_verdict_compares_the_gap_with_the_sum_of_spreads(row, reference, published_gap, expected):
    assert verdict(Summary(row), Summary(reference), published_gap) == expected


def test_a_gap_equal_to_the_noise_is_within_noise():
    reference = Summary((21.0, 22.0, 23.0))  # mean 22, spread 1 (exact in binary)
    assert verdict(Summary((19.0, 20.0, 21.0)), reference, -1.0) == 'within noise'  # gap -2 = 1 + 1
    assert verdict(Summary((18.75, 19.75, 20.75)), reference, -1.0) == 'holds'


MEASURED = {  # Rain100H PSNR per seed; SSIM = PSNR / 100 (no published figure looks like these)
    'rain100h_full': [22.01, 22.21, 22.41],
    'rain100h_no_mshf': [21.03, 21.23, 21.13],
    'rain100h_rfdb': [22.57, 22.97, 22.77],
    'rain100h_no_fusion': [22.19, 22.37],
    'rain100h_cnn': [20.55],  # one of two seeds measured
}


def test_report_keeps_measured_and_published_apart_and_states_verdicts(tmp_path):
    budget, rows = budget_rows(tmp_path, tables=(TABLE6,))
    for row in rows:
        for run, psnr in zip(row.runs, MEASURED.get(row.path.stem, [])):
            run.metrics, run.images, run.status = {'psnr': psnr, 'ssim': psnr / 100}, 100, 'measured'
            run.baseline = {'psnr': 13.55}
    report = markdown_report('sensors-table6', rows, budget)
    cells = {row['row']: row for row in table_cells(report)}
    published = {row.paper['row']: row.paper for row in rows}
    for label, row in cells.items():
        figures = [f'{published[label][key]:.2f}' for key in ('psnr', 'ssim') if key in published[label]]
        figures += [f'{published[label]["ssim"]:.4f}', f'{published[label]["params_m"]:.3f}']
        for column, cell in row.items():
            if '(measured)' in column:
                assert not any(figure in cell for figure in figures), (label, column, cell)
    full, no_mshf = cells['full LFDN (the default network)'], cells['without MSHF (strided-conv encoder)']
    assert full['PSNR (measured)'] == '22.21 ± 0.20' and full['verdict'] == 'reference'
    assert no_mshf['PSNR (measured)'] == '21.13 ± 0.10' and no_mshf['ΔPSNR vs default (measured)'] == '-1.08 ± 0.30'
    assert no_mshf['ΔPSNR vs default (paper)'] == '-0.20' and no_mshf['verdict'] == 'holds'
    assert cells['FDNB replaced by RFDB']['verdict'] == 'reversed'  # +0.56 > 0.40, paper -0.64
    assert cells['without ALFM/ACFM (concatenation)']['verdict'] == 'within noise'
    cnn = cells['FDNB replaced by CNN (residual conv blocks)']
    assert cnn['verdict'] == '– (needs ≥ 2 seeds)' and cnn['PSNR (measured)'] == '20.55'
    assert cnn['status'].startswith('1 of 2 runs measured')
    untouched = cells['without MSHF, FDNB and ALFM/ACFM']
    assert untouched['PSNR (measured)'] == untouched['SSIM (measured)'] == '–' and untouched['verdict'] == '–'
    assert untouched['PSNR (paper)'] == '27.36'
    assert '330 iterations of 8 × 128² crops for every row' in report and '128-px tiles' in report

    data = json_report('sensors-table6', rows, budget)
    entry = next(item for item in data['rows'] if item['row'] == 'without MSHF (strided-conv encoder)')
    assert entry['measured']['psnr'] == MEASURED['rain100h_no_mshf'] and entry['published']['psnr'] == 28.92
    assert entry['runs_planned'] == 3 and entry['params'] == 654591


def test_budget_runs_train_once_two_at_a_time_on_one_thread_and_are_reused(tmp_path, monkeypatch):
    """The subprocesses are faked: training writes net_g_latest.pth, testing a metrics.json."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paper_tables, 'missing_paths', lambda opt: [])
    monkeypatch.setenv('OMP_NUM_THREADS', '4')  # the runner must set one thread, whatever the shell says
    calls, active, peak, lock = [], [0], [0], threading.Lock()
    both_started = threading.Barrier(2, timeout=30)

    def fake_run(command, cwd, env, stdout, stderr, check):
        opt = yaml.safe_load(Path(command[command.index('-opt') + 1]).read_text())
        training = command[1].endswith('train.py')
        with lock:
            calls.append((Path(command[1]).name, opt['name'], env.get('OMP_NUM_THREADS'), command))
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            first_two = training and sum(call[0] == 'train.py' for call in calls) <= 2
        if first_two:
            both_started.wait()  # raises unless two trainings run at once
        if training:
            network = tmp_path / 'experiments' / opt['name'] / 'models' / 'net_g_latest.pth'
            network.parent.mkdir(parents=True)
            network.write_bytes(b'')
        else:
            results = tmp_path / 'results' / f'{opt["name"]}_Rain100H' / 'metrics.json'
            results.parent.mkdir(parents=True)
            psnr = 20.0 + opt['manual_seed'] / 10 + (opt['network_g'] == {'type': 'LFDN'})
            metrics = {'Rain100H': {'images': 100, 'metrics': {'psnr': psnr, 'ssim': 0.5}, 'input_baseline': {}}}
            results.write_text(json.dumps(metrics))
        with lock:
            active[0] -= 1
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, 'run', fake_run)
    rows = ['rain100h_full', 'rain100h_no_mshf', 'rain100h_blocks4']
    args = ['--table', 'sensors-table6', 'sensors-table9', '--budget', 'cpu-3h', '--rows', *rows, '--jobs', '2']
    reproduce.main([*args, '--out', 'out'])

    trained = [name for script, name, _, _ in calls if script == 'train.py']
    assert sorted(trained) == sorted(
        f'ablation_cpu-3h_{net}_seed{n}' for net in ('LFDN', 'LFDN_encoder-strided') for n in range(3)
    )
    assert [name[-5:] for name in trained[:2]] == ['seed0', 'seed0']  # seed 0 of every row first
    assert peak[0] == 2
    assert {threads for _, _, threads, _ in calls} == {'1'}
    assert all('--auto_resume' in command for script, _, _, command in calls if script == 'train.py')
    table9 = {row['row']: row for row in table_cells((tmp_path / 'out' / 'sensors-table9-cpu-3h.md').read_text())}
    assert table9['4 FDNB']['PSNR (measured)'] == '21.10 ± 0.10'  # the full row's three runs, reused
    assert table9['4 FDNB']['status'] == 'measured (3 runs × 100 images)'

    calls.clear()
    reproduce.main([*args, '--out', 'out', '--force'])
    assert calls == []  # finished runs with up-to-date metrics are reused


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason='needs ../shared/datasets')
def test_smoke_budget_trains_and_tests_one_row_on_the_real_data(tmp_path):
    """3 iterations, 2 Rain100H images, through the real train.py / test.py (cwd beside a shared/ link)."""
    (tmp_path / 'shared').symlink_to(SHARED.parent)
    work = tmp_path / 'work'
    work.mkdir()
    (work / 'options').symlink_to(REPO / 'options')
    command = [sys.executable, str(REPO / 'scripts' / 'reproduce.py'), '--table', 'sensors-table6']
    command += ['--budget', 'cpu-smoke', '--rows', 'rain100h_full', '--seeds', '1']
    result = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    cells = table_cells((work / 'results' / 'reproduce' / 'sensors-table6-cpu-smoke.md').read_text())
    assert cells[0]['status'] == 'measured (1 run × 2 images)'
    assert 5 < float(cells[0]['PSNR (measured)']) < 40 and cells[0]['input PSNR (measured)'] != '–'
    copied = work / 'experiments' / 'ablation_cpu-smoke_LFDN_seed0' / 'ablation_cpu-smoke_LFDN_seed0.yml'
    assert yaml.safe_load(copied.read_text())['manual_seed'] == 0

"""scripts/leaderboard.py merges fixture BasicSR test logs and score JSONs with the papers' published rows."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from basicsr_lfdn.scoring import ROW_KEYS, check_row

SCRIPT = Path(__file__).resolve().parents[2] / 'scripts' / 'leaderboard.py'
TINY_LFDN = {'type': 'LFDN', 'num_feat': 8, 'encoder_feat': 8, 'num_blocks': 1}

# The head of a BasicSR test log: banner, options dump (dict2str), network line, validation blocks.
VAL_TEMPLATE = """  val:[
    metrics:[
      psnr:[
        type: calculate_psnr
        crop_border: {crop}
        test_y_channel: {y_channel}
      ]
    ]
  ]
"""
LOG_TEMPLATE = """2025-01-01 12:00:00,000 INFO:
    ____                _       _____  ____
Version Information:
\tBasicSR: 1.4.2
2025-01-01 12:00:00,000 INFO:
  model_type: RestorationModel
  path:[
    pretrain_network_g: {checkpoint}
    strict_load_g: True
  ]
{val}  datasets:[
    test_1:[
      name: GoPro_test
      type: PairedRestorationDataset
    ]
    test_2:[
      name: Rain100H
      type: PairedRestorationDataset
    ]
  ]
  name: {name}
  network_g:[
{network_options}
  ]

2025-01-01 12:00:01,000 INFO: Network: {network}, with parameters: {params}
2025-01-01 12:00:02,000 INFO: Validation GoPro_test
\t # psnr: {psnr}
\t # ssim: 0.9012

2025-01-01 12:00:03,000 INFO: Validation Rain100H
\t # psnr: 27.5000\tBest: 27.5000 @ {name} iter
\t # ssim: 0.8800\tBest: 0.8800 @ {name} iter

"""


@pytest.fixture(scope='module')
def leaderboard():
    spec = importlib.util.spec_from_file_location('leaderboard', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules['leaderboard'] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def no_plot(leaderboard, monkeypatch):
    """Skip drawing in tests that only read the Markdown (a 14-panel figure takes seconds)."""
    calls = []
    monkeypatch.setattr(leaderboard, 'render_plot', lambda entries, datasets, path: calls.append(path))
    return calls


def write_log(
    root: Path,
    name: str,
    stamp: str,
    network: str,
    params: str,
    psnr: str,
    options: dict | None = None,
    y_channel: bool | None = None,
    crop: int = 0,
    checkpoint: str = 'experiments/x/models/net_g_latest.pth',
) -> None:
    """A log in ``root/name`` as lfdn-test writes it; ``y_channel`` None: no metric settings in it."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    network_options = '\n'.join(f'    {key}: {value}' for key, value in (options or {'type': network}).items())
    text = LOG_TEMPLATE.format(
        name=name,
        network=network,
        params=params,
        psnr=psnr,
        network_options=network_options,
        val='' if y_channel is None else VAL_TEMPLATE.format(y_channel=y_channel, crop=crop),
        checkpoint=checkpoint,
    )
    (folder / f'test_{name}_{stamp}.log').write_text(text, encoding='utf-8')


def score_row(leaderboard, **changes) -> dict:
    row = dict.fromkeys(ROW_KEYS)
    row.update(
        source='measured',
        name='LFDN (budget-derain, 12 CPU min)',
        network='LFDN',
        recipe='budget_derain_LFDN_12min',
        dataset='Rain100L',
        protocol={'y_channel': True, 'crop_border': 0, 'rounding': 'uint8'},
        num_images=100,
        num_missing=0,
        psnr=30.5,
        ssim=0.91,
        params=1540863,
        macs_g=105.0,
        latency_s=1.888,
        latency_device='cpu fp32 1280x720, 2 threads',
        iterations=1234,
        training='1234 it. of 8x128² on BSDS-clean + synthetic rain, 12.0 CPU min',
        provenance='scripts/budget_compare.py --table budget-derain',
    )
    row.update(changes)
    return row


def write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding='utf-8')
    return path


def run(leaderboard, tmp_path, *extra: str) -> tuple[int, Path]:
    md, png = tmp_path / 'board.md', tmp_path / 'board.png'
    code = leaderboard.main(['--output-md', str(md), '--output-png', str(png), *extra])
    return code, md


def section(table: str, dataset: str) -> str:
    return table.split(f'## {dataset}\n')[1].split('\n## ')[0]


def test_leaderboard_renders_measured_beside_published(leaderboard, tmp_path, no_plot):
    results = tmp_path / 'results'
    write_log(results, 'LFDN_GoPro', '20250101_120000', 'LFDN', '1,541,009', '29.0000')
    write_log(results, 'LFDN_GoPro', '20250102_120000', 'LFDN', '1,541,009', '30.1234')  # newer run wins
    write_log(results, 'EDSR_GoPro', '20250101_120000', 'EDSR', '1,370,000', '28.5000')

    code, md = run(leaderboard, tmp_path, '--results', str(results))

    assert code == 0
    table = md.read_text(encoding='utf-8')
    assert leaderboard.PROTOCOL_STATEMENT in table.split('## ')[0]  # stated once, above the tables
    gopro = section(table, 'GoPro')
    assert '| LFDN (LFDN_GoPro) | **measured** | 30.12 | 0.9012 | 1.54 | - | - | - | - | - | LFDN_GoPro |' in gopro
    assert '29.00' not in gopro
    assert '| EDSR (EDSR_GoPro) | **measured** | 28.50 |' in gopro
    assert '| LFDN (ours, Sensors) | *published* | 31.60 | 0.9320 | 1.55 | - | - | 0.029 | as published' in gopro
    assert 'ICIP 2021 (LMFN) Table 1' in gopro and 'Sensors 2021 (LFDN) Table 3' in gopro
    assert leaderboard.UNTIMED_FOOTNOTE in gopro  # untimed measured rows keep '-' and say how to get a time
    assert '| LFDN (LFDN_GoPro) | **measured** | 27.50 |' in section(table, 'Rain100H')
    assert no_plot == [tmp_path / 'board.png']


def test_log_rows_are_named_by_network_and_shortened_recipe(leaderboard, tmp_path, capsys):
    results = tmp_path / 'results'
    name = 'LFDN_real_derain_GoPro_test+Rain100H'  # lfdn-test appends the test sets
    checkpoint = 'experiments/e/models/net_g_5000.pth'
    write_log(results, name, '20250101_120000', 'LFDN', '1,541,009', '30.0', y_channel=True, checkpoint=checkpoint)
    (entry, *_) = leaderboard.collect_measured(results, ['GoPro', 'Rain100H'])
    assert entry.method == 'LFDN (LFDN_real_derain)'
    assert entry.recipe == 'LFDN_real_derain' and entry.provenance == name  # folder name, not a log path
    assert entry.options == {'type': 'LFDN'} and entry.params == 1541009 and entry.iterations == 5000
    assert leaderboard.shorten_experiment('LFDN_real_derain_Rain100L+Rain100H', ['Rain100L', 'Rain100H']) == (
        'LFDN_real_derain'
    )
    assert leaderboard.shorten_experiment('LFDN_demo', ['Rain100L']) == 'LFDN_demo'

    # the log's metric settings are checked against the task convention: Y channel is wrong for GoPro
    code, md = run(leaderboard, tmp_path, '--results', str(results), '--no-published')
    assert code == 0
    gopro = section(md.read_text(encoding='utf-8'), 'GoPro')
    assert '| LFDN (LFDN_real_derain) † | **measured** | 30.00 |' in gopro
    assert '† LFDN (LFDN_real_derain): scored with Y channel, crop border 0' in gopro
    assert 'LFDN (LFDN_real_derain) on GoPro was scored with Y channel' in capsys.readouterr().err


def test_score_json_rows_appear_with_their_names(leaderboard, tmp_path, capsys):
    scores = tmp_path / 'budget' / 'scores'
    write_json(scores / 'LFDN_Rain100L.json', score_row(leaderboard))
    write_json(
        scores / 'deeper' / 'LMFN_Rain100L.json', score_row(leaderboard, name='LMFN (budget-derain, 12 CPU min)')
    )
    write_json(tmp_path / 'budget' / 'x' / 'metrics.json', {'Rain100L': {'images': 100}})  # not a row: skipped
    deblur = score_row(leaderboard, name='mine', dataset='GoPro_test', protocol={'y_channel': True, 'crop_border': 0})
    deblur['protocol']['rounding'] = 'uint8'
    named = write_json(tmp_path / 'mine.json', deblur)

    argv = ['--results', str(tmp_path / 'none'), '--scores', str(scores.parent), str(named), '--no-published']
    code, md = run(leaderboard, tmp_path, *argv)

    assert code == 0
    table = md.read_text(encoding='utf-8')
    rain = section(table, 'Rain100L')
    assert (
        '| LFDN (budget-derain, 12 CPU min) | **measured** | 30.50 | 0.9100 | 1.54 | 105.0 | 1,234 | 1.888 '
        '| score JSON: cpu fp32 1280x720, 2 threads | 1234 it. of 8x128² on BSDS-clean + synthetic rain, 12.0 CPU min '
        '| LFDN_Rain100L.json |'
    ) in rain
    assert '| LMFN (budget-derain, 12 CPU min) | **measured** |' in rain
    assert leaderboard.UNTIMED_FOOTNOTE not in rain
    assert '| mine † | **measured** |' in section(table, 'GoPro')
    assert (tmp_path / 'board.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    captured = capsys.readouterr()
    assert 'skipped 1 JSON file(s) that are not measured rows' in captured.err
    assert 'mine on GoPro was scored with Y channel, crop border 0; deblur sets use RGB' in captured.err


def test_a_score_row_replaces_the_log_row_of_the_same_recipe(leaderboard, tmp_path):
    results = tmp_path / 'results'
    write_log(results, 'budget_derain_LFDN_12min_GoPro_test+Rain100H', '20250101_120000', 'LFDN', '1,540,863', '30')
    scores = write_json(tmp_path / 's.json', score_row(leaderboard, dataset='Rain100H', psnr=27.0))
    code, md = run(leaderboard, tmp_path, '--results', str(results), '--scores', str(scores), '--no-published')
    assert code == 0
    rain = section(md.read_text(encoding='utf-8'), 'Rain100H')
    assert 'LFDN (budget-derain, 12 CPU min)' in rain and 'LFDN (budget_derain_LFDN_12min)' not in rain
    assert 'LFDN (budget_derain_LFDN_12min)' in section(md.read_text(encoding='utf-8'), 'GoPro')


@pytest.mark.parametrize(
    ('content', 'message'),
    [
        ('{"source": "measured", "name": "x"}', 'not a measured-row JSON (missing keys: network, recipe'),
        ('{"source": "measured", ', 'not a readable JSON file'),
        ('[1, 2]', 'not a measured-row JSON (expected an object'),
    ],
)
def test_malformed_score_json_is_a_clear_error_naming_the_file(leaderboard, tmp_path, capsys, content, message):
    path = tmp_path / 'bad.json'
    path.write_text(content, encoding='utf-8')
    code, _ = run(leaderboard, tmp_path, '--scores', str(path))
    assert code == 2
    assert f'error: {path}: {message}' in capsys.readouterr().err


def test_score_json_with_wrong_types_or_extra_keys_is_refused(leaderboard, tmp_path):
    with pytest.raises(ValueError, match=r'bad\.json: .*psnr must be int or float or null'):
        check_row(score_row(leaderboard, psnr='30.1'), Path('bad.json'))
    with pytest.raises(ValueError, match='unknown keys: extra'):
        check_row({**score_row(leaderboard), 'extra': 1}, Path('bad.json'))
    with pytest.raises(ValueError, match='no such file or folder'):
        leaderboard.find_score_files([tmp_path / 'absent'])


def test_plot_draws_only_panels_with_points(leaderboard):
    import matplotlib.pyplot as plt

    entry = leaderboard.Entry
    entries = [
        entry('published', 'LFDN (ours, Sensors)', 'GoPro', 31.6, 0.93, 1.55, 0.029, 'paper', network='LFDN'),
        entry('published', 'Other', 'GoPro', 30.0, 0.92, 30.0, 1.6, 'paper'),
        entry('measured', 'LFDN (mine)', 'GoPro', 29.0, 0.9, 1.54, None, 'results'),  # untimed
        entry('measured', 'LMFN (mine)', 'Rain100L', 28.0, 0.9, 1.22, None, 'results'),  # only a size panel
        entry('published', 'No numbers', 'Rain100H', 20.0, 0.5, None, None, 'paper'),  # no panel at all
    ]
    figure = leaderboard.build_figure(entries, ['GoPro', 'Kohler', 'Rain100H', 'Rain100L'])
    try:
        titles = [axis.get_title() for axis in figure.axes]
        assert titles == ['GoPro: PSNR vs time', 'GoPro: PSNR vs size', 'Rain100L: PSNR vs size']
        time_panel, size_panel, _ = figure.axes
        assert len(time_panel.collections) == 2  # the untimed measured point is not drawn there ...
        assert len(size_panel.collections) == 3  # ... but is in the size panel
        legend = [text.get_text() for text in size_panel.get_legend().get_texts()]
        assert legend[0] == 'measured here' and all(label.startswith('published') for label in legend[1:])
        markers = {c.get_label(): c.get_facecolor()[0].tolist() for c in size_panel.collections}
        assert markers['measured here'] != markers["published: LMFN / LFDN (papers' hardware)"]
    finally:
        plt.close(figure)
    with pytest.raises(ValueError, match='nothing to plot'):
        leaderboard.build_figure(entries[-1:], ['Rain100H'])


def test_log_axes_have_plain_tick_labels(leaderboard):
    import matplotlib.pyplot as plt

    assert [leaderboard.plain_tick_label(v) for v in (0.5, 1.0, 2.0, 10.0, 0.019, 1500.0, 0.020000000000000004)] == [
        '0.5',
        '1',
        '2',
        '10',
        '0.019',
        '1500',
        '0.02',
    ]
    assert leaderboard.nice_log_limits(1.44, 1.61)[:2] == (1.0, 2.0)  # a narrow range still gets two ticks
    entry = leaderboard.Entry
    entries = [
        entry('measured', 'a', 'GoPro', 30.0, 0.9, 1.542, 0.8, 'r'),
        entry('measured', 'b', 'GoPro', 30.5, 0.9, 1.573, 1.1, 'r'),
    ]
    figure = leaderboard.build_figure(entries, ['GoPro'])
    try:
        figure.canvas.draw()
        for axis in figure.axes:
            labels = [label.get_text() for label in axis.get_xticklabels() if label.get_text()]
            assert labels and all(re.fullmatch(r'\d+(\.\d+)?', label) for label in labels), labels
            assert not any(label.get_text() for label in axis.xaxis.get_minorticklabels())
        assert '1' in [label.get_text() for label in figure.axes[1].get_xticklabels()]
    finally:
        plt.close(figure)


def test_benchmark_csv_times_rows_with_the_same_network_options(leaderboard, tmp_path, no_plot):
    results = tmp_path / 'results'
    write_log(results, 'LFDN_a', '20250101_120000', 'LFDN', '1,540,863', '30.0')
    write_log(results, 'LFDN_narrow', '20250101_120000', 'LFDN', '45,000', '29.0', options=TINY_LFDN)
    header = 'network,size,device,precision,threads,params,macs,latency_median_ms,error'
    line = '"{""type"": ""LFDN""}",1280x720,cpu,fp32,2,1540863,105000000000,1888.0,'
    (tmp_path / 'bench.csv').write_text(f'{header}\n{line}\n', encoding='utf-8')
    code, md = run(leaderboard, tmp_path, '--results', str(results), '--benchmark-csv', str(tmp_path / 'bench.csv'))
    assert code == 0
    gopro = section(md.read_text(encoding='utf-8'), 'GoPro')
    assert (
        '| LFDN (LFDN_a) | **measured** | 30.00 | 0.9012 | 1.54 | 105.0 | - | 1.888 | lfdn-benchmark CSV: cpu' in gopro
    )
    assert '| LFDN (LFDN_narrow) | **measured** | 29.00 | 0.9012 | 0.04 | - | - | - |' in gopro  # other options


def test_measure_latency_rebuilds_the_logged_network(leaderboard, tmp_path, capsys):
    from basicsr.archs import build_network

    from basicsr_lfdn.archs.complexity import count_params

    params = count_params(build_network(dict(TINY_LFDN)))
    results = tmp_path / 'results'
    write_log(results, 'LFDN_tiny', '20250101_120000', 'LFDN', f'{params:,}', '25.0', options=TINY_LFDN)
    write_log(results, 'LFDN_liar', '20250101_120000', 'LFDN', '999', '24.0', options=TINY_LFDN)
    argv = ['--results', str(results), '--no-published', '--measure-latency', '--latency-size', '32x24']
    code, md = run(leaderboard, tmp_path, *argv, '--latency-repeats', '1')
    assert code == 0
    gopro = section(md.read_text(encoding='utf-8'), 'GoPro')
    timed = re.search(
        r'\| LFDN \(LFDN_tiny\) \| \*\*measured\*\* \|.*\| ([\d.]+) \| --measure-latency: cpu fp32 32x24', gopro
    )
    assert timed and float(timed[1]) > 0
    assert '| LFDN (LFDN_liar) | **measured** | 24.00 | 0.9012 | 0.00 | - | - | - | - |' in gopro
    captured = capsys.readouterr()
    assert 'measuring CPU latency of 1 network(s) at 32x24: fp32' in captured.out
    assert 'LFDN (LFDN_liar) (GoPro): {"encoder_feat": 8' in captured.err
    assert f'builds {params:,} parameters, the row says 999; not timed' in captured.err


def test_published_file_holds_every_table_row(leaderboard):
    entries, datasets = leaderboard.load_published(leaderboard.DEFAULT_PUBLISHED)
    per_table = {}
    for entry in entries:
        per_table[entry.provenance] = per_table.get(entry.provenance, 0) + 1
    assert per_table == {
        'ICIP 2021 (LMFN) Table 1': 10,
        'ICIP 2021 (LMFN) Table 2': 8,
        'Sensors 2021 (LFDN) Table 2': 8 * 4,
        'Sensors 2021 (LFDN) Table 3': 12,
        'Sensors 2021 (LFDN) Table 4': 8,
        'Sensors 2021 (LFDN) Table 5': 7,
    }
    assert set(datasets) == {e.dataset for e in entries}
    assert leaderboard.load_dataset_tasks(leaderboard.DEFAULT_PUBLISHED) == {
        'GoPro': 'deblur',
        'Kohler': 'deblur',
        'HIDE': 'deblur',
        'Rain100H': 'derain',
        'Rain100L': 'derain',
        'Rain14000': 'derain',
        'Test100': 'derain',
    }


def test_dataset_names_from_logs_map_to_paper_datasets(leaderboard):
    known = ['GoPro', 'Kohler', 'HIDE', 'Rain100H', 'Rain100L', 'Rain14000', 'Test100']
    assert leaderboard.canonical_dataset('GoPro_test', known) == 'GoPro'
    assert leaderboard.canonical_dataset('Köhler', known) == 'Kohler'
    assert leaderboard.canonical_dataset('rain100L-val', known) == 'Rain100L'
    assert leaderboard.canonical_dataset('RainTest100', known) == 'Test100'
    assert leaderboard.canonical_dataset('MyPhotos', known) == 'MyPhotos'

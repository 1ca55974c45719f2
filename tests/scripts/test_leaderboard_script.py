"""The leaderboard (``scripts/leaderboard.py``, ``basicsr_lfdn.research``) merges fixture BasicSR test logs and
score JSONs with the papers' published rows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from basicsr_lfdn.research import leaderboard
from basicsr_lfdn.research.ablation_gaps import load_ablations
from basicsr_lfdn.research.basicsr_logs import collect_measured, shorten_experiment
from basicsr_lfdn.research.entries import Entry, canonical_dataset
from basicsr_lfdn.research.figure_style import nice_log_limits, plain_tick_label, spread_labels
from basicsr_lfdn.research.leaderboard_figure import build_figure
from basicsr_lfdn.research.leaderboard_table import PROTOCOL_STATEMENT, UNTIMED_FOOTNOTE
from basicsr_lfdn.research.published import DEFAULT_PUBLISHED, load_dataset_tasks, load_published
from basicsr_lfdn.research.rows import ROW_KEYS, check_row, find_row_files

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


@pytest.fixture
def no_plot(monkeypatch):
    """Skip drawing in tests that only read the Markdown (drawing takes seconds)."""
    calls = []
    monkeypatch.setattr(leaderboard, 'render_plot', lambda entries, datasets, path, ablations: calls.append(path))
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


def score_row(**changes) -> dict:
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


def run(tmp_path, *extra: str) -> tuple[int, Path]:
    """The leaderboard on the given rows only (no model cards, unless ``extra`` names a folder of them)."""
    md, png = tmp_path / 'board.md', tmp_path / 'board.png'
    cards = [] if '--cards' in extra else ['--cards', str(tmp_path / 'no-cards')]
    code = leaderboard.main(['--output-md', str(md), '--output-png', str(png), *cards, *extra])
    return code, md


def section(table: str, dataset: str) -> str:
    return table.split(f'## {dataset}\n')[1].split('\n## ')[0]


def test_leaderboard_renders_measured_beside_published(tmp_path, no_plot):
    results = tmp_path / 'results'
    write_log(results, 'LFDN_GoPro', '20250101_120000', 'LFDN', '1,541,009', '29.0000')
    write_log(results, 'LFDN_GoPro', '20250102_120000', 'LFDN', '1,541,009', '30.1234')  # newer run wins
    write_log(results, 'EDSR_GoPro', '20250101_120000', 'EDSR', '1,370,000', '28.5000')

    code, md = run(tmp_path, '--results', str(results))

    assert code == 0
    table = md.read_text(encoding='utf-8')
    assert PROTOCOL_STATEMENT in table.split('## ')[0]  # stated once, above the tables
    gopro = section(table, 'GoPro')
    assert '| LFDN (LFDN_GoPro) | **measured** | 30.12 | 0.9012 | 1.54 | - | - | - | - | - | LFDN_GoPro |' in gopro
    assert '29.00' not in gopro
    assert '| EDSR (EDSR_GoPro) | **measured** | 28.50 |' in gopro
    assert '| LFDN (ours, Sensors) | *published* | 31.60 | 0.9320 | 1.55 | - | - | 0.029 | as published' in gopro
    assert 'ICIP 2021 (LMFN) Table 1' in gopro and 'Sensors 2021 (LFDN) Table 3' in gopro
    assert UNTIMED_FOOTNOTE in gopro  # untimed measured rows keep '-' and say how to get a time
    assert '| LFDN (LFDN_GoPro) | **measured** | 27.50 |' in section(table, 'Rain100H')
    assert no_plot == [tmp_path / 'board.png']


def test_log_rows_are_named_by_network_and_shortened_recipe(tmp_path, capsys):
    results = tmp_path / 'results'
    name = 'LFDN_real_derain_GoPro_test+Rain100H'  # lfdn-test appends the test sets
    checkpoint = 'experiments/e/models/net_g_5000.pth'
    write_log(results, name, '20250101_120000', 'LFDN', '1,541,009', '30.0', y_channel=True, checkpoint=checkpoint)
    (entry, *_) = collect_measured(results, ['GoPro', 'Rain100H'])
    assert entry.method == 'LFDN (LFDN_real_derain)'
    assert entry.recipe == 'LFDN_real_derain' and entry.provenance == name  # folder name, not a log path
    assert entry.options == {'type': 'LFDN'} and entry.params == 1541009 and entry.iterations == 5000
    assert shorten_experiment('LFDN_real_derain_Rain100L+Rain100H', ['Rain100L', 'Rain100H']) == ('LFDN_real_derain')
    assert shorten_experiment('LFDN_demo', ['Rain100L']) == 'LFDN_demo'

    # the log's metric settings are checked against the task convention: Y channel is wrong for GoPro
    code, md = run(tmp_path, '--results', str(results), '--no-published')
    assert code == 0
    gopro = section(md.read_text(encoding='utf-8'), 'GoPro')
    assert '| LFDN (LFDN_real_derain) † | **measured** | 30.00 |' in gopro
    assert '† LFDN (LFDN_real_derain): scored with Y channel, crop border 0' in gopro
    assert 'LFDN (LFDN_real_derain) on GoPro was scored with Y channel' in capsys.readouterr().err


def test_score_json_rows_appear_with_their_names(tmp_path, capsys):
    scores = tmp_path / 'budget' / 'scores'
    write_json(scores / 'LFDN_Rain100L.json', score_row())
    write_json(scores / 'deeper' / 'LMFN_Rain100L.json', score_row(name='LMFN (budget-derain, 12 CPU min)'))
    write_json(tmp_path / 'budget' / 'x' / 'metrics.json', {'Rain100L': {'images': 100}})  # not a row: skipped
    deblur = score_row(name='mine', dataset='GoPro_test', protocol={'y_channel': True, 'crop_border': 0})
    deblur['protocol']['rounding'] = 'uint8'
    named = write_json(tmp_path / 'mine.json', deblur)

    argv = ['--results', str(tmp_path / 'none'), '--scores', str(scores.parent), str(named)]
    code, md = run(tmp_path, *argv)

    assert code == 0
    table = md.read_text(encoding='utf-8')
    rain = section(table, 'Rain100L')
    assert (
        '| LFDN (budget-derain, 12 CPU min) | **measured** | 30.50 | 0.9100 | 1.54 | 105.0 | 1,234 | 1.888 '
        '| score JSON: cpu fp32 1280x720, 2 threads | 1234 it. of 8x128² on BSDS-clean + synthetic rain, 12.0 CPU min '
        '| LFDN_Rain100L.json |'
    ) in rain
    assert '| LMFN (budget-derain, 12 CPU min) | **measured** |' in rain
    assert UNTIMED_FOOTNOTE not in rain
    assert '| mine † | **measured** |' in section(table, 'GoPro')
    assert (tmp_path / 'board.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    captured = capsys.readouterr()
    assert 'skipped 1 JSON file(s) that are not measured rows' in captured.err
    assert 'mine on GoPro was scored with Y channel, crop border 0; deblur sets use RGB' in captured.err


def test_a_score_row_replaces_the_log_row_of_the_same_recipe(tmp_path):
    results = tmp_path / 'results'
    write_log(results, 'budget_derain_LFDN_12min_GoPro_test+Rain100H', '20250101_120000', 'LFDN', '1,540,863', '30')
    scores = write_json(tmp_path / 's.json', score_row(dataset='Rain100H', psnr=27.0))
    code, md = run(tmp_path, '--results', str(results), '--scores', str(scores), '--no-published')
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
def test_malformed_score_json_is_a_clear_error_naming_the_file(tmp_path, capsys, content, message):
    path = tmp_path / 'bad.json'
    path.write_text(content, encoding='utf-8')
    code, _ = run(tmp_path, '--scores', str(path))
    assert code == 2
    assert f'error: {path}: {message}' in capsys.readouterr().err


def test_score_json_with_wrong_types_or_extra_keys_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r'bad\.json: .*psnr must be int or float or null'):
        check_row(score_row(psnr='30.1'), Path('bad.json'))
    with pytest.raises(ValueError, match='unknown keys: extra'):
        check_row({**score_row(), 'extra': 1}, Path('bad.json'))
    with pytest.raises(ValueError, match='no such file or folder'):
        find_row_files([tmp_path / 'absent'])


def point(source, method, dataset, psnr, time_s, network=None):
    return Entry(source, method, dataset, psnr, 0.9, 1.5, time_s, 'r', network=network)


def ablation_json(path: Path, table: str, measured: dict[str, tuple[float, float | None]]) -> Path:
    """A scripts/reproduce.py report JSON: rows 'full' (reference), 'a', 'b'; ``measured``: row -> (gap, noise)."""
    rows = []
    for name, published in (('full', 0.0), ('a (strided)', -0.2), ('b', -1.1)):
        gap, noise = measured.get(name, (None, None))
        runs = [22.0, 22.1] if gap is not None else []
        rows.append(
            {
                'row': name,
                'test_set': 'Rain100H',
                'measured': {'runs': [], 'psnr': runs, 'ssim': runs},
                'gap_vs_reference': {'measured': gap, 'noise': noise, 'published': published},
            }
        )
    return write_json(path, {'table': table, 'budget': 'cpu-3h', 'reference_row': 'full', 'rows': rows})


def test_figure_has_at_most_four_panels_and_none_with_fewer_than_three_points(tmp_path):
    import matplotlib.pyplot as plt

    datasets = ['GoPro', 'Kohler', 'HIDE', 'Rain100H', 'Rain100L', 'Test100']
    entries = [
        point('published', f'M{i} [{i}]', dataset, 20 + i, 0.1 * (i + 1))
        for dataset in datasets[:3]
        for i in range(5 if dataset == 'Kohler' else 4)
    ]
    entries += [point('published', 'DMPHN [12]', 'GoPro', 25.0, 1.0)]
    entries += [point('published', 'DMPHN [7]', 'GoPro', 25.0, 1.0)]  # the same point, other paper
    entries += [point('published', f'R{i}', 'Rain100H', 20 + i, 0.1 * (i + 1)) for i in range(2)]
    entries += [point('measured', 'LFDN (mine)', 'Rain100H', 24.0, 3.0)]  # 3 timed points: a panel
    entries += [point('measured', 'LMFN (mine)', 'Rain100H', 23.0, None)]  # untimed: a level
    entries += [point('published', f'L{i}', 'Rain100L', 20 + i, 1.0) for i in range(2)]  # too few
    ablations = load_ablations([ablation_json(tmp_path / 't6.json', 'sensors-table6', {})])
    figure = build_figure(entries, datasets, ablations)
    try:
        titles = [axis.get_title() for axis in figure.axes]
        assert len(titles) == 4  # measured sets first, then the most points: Rain100H, GoPro (5), Kohler (5)
        assert titles[:3] == [f'{name}: PSNR vs time per image' for name in ('Rain100H', 'GoPro', 'Kohler')]
        assert titles[3].startswith('Ablations on Rain100H')
        rain, gopro = figure.axes[:2]
        assert len(rain.collections) == 3 and len(gopro.collections) == 5  # the two DMPHN rows are one point
        assert [text.get_text() for text in gopro.texts].count('DMPHN') == 1
        assert [line.get_ydata()[0] for line in rain.lines if line.get_linestyle() == '--'] == [23.0]
        assert 'LMFN (mine), not timed' in [text.get_text() for text in rain.texts]
        star = next(c for c in rain.collections if c.get_offsets()[0][1] == 24.0)
        dot = next(c for c in rain.collections if c.get_offsets()[0][1] == 20.0)
        assert star.get_facecolor()[0].tolist() != dot.get_facecolor()[0].tolist()
        legend = [text.get_text() for text in figure.legends[0].get_texts()]
        assert legend[0].startswith('measured here') and legend[1].startswith('published')
    finally:
        plt.close(figure)
    with pytest.raises(ValueError, match='nothing to plot'):
        build_figure(entries[-2:], ['Rain100L'])


def drawn_ticks(axis, which: str) -> list:
    """Tick labels inside the view limits (matplotlib keeps undrawn ones for ticks just outside)."""
    low, high = sorted(getattr(axis, f'get_{which}lim')())
    labels, locations = getattr(axis, f'get_{which}ticklabels')(), getattr(axis, f'get_{which}ticks')()
    return [label for label, at in zip(labels, locations) if low <= at <= high]


def test_labels_never_overlap_each_other_or_other_text(tmp_path):
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    published, datasets = load_published(DEFAULT_PUBLISHED)
    crowd = [
        point('measured', f'Net{i} (budget-derain, 6 CPU min, long name)', 'Rain100H', 15 + i / 20, 5 + i)
        for i in range(6)
    ]
    crowd += [point('measured', f'LFDN (real_{i})', 'Rain100H', 24 + i / 10, None) for i in range(2)]
    tables = [
        ablation_json(tmp_path / 't6.json', 'sensors-table6', {'a (strided)': (-0.9, 0.3)}),
        ablation_json(tmp_path / 't9.json', 'sensors-table9', {}),
    ]
    figure = build_figure(published + crowd, datasets, load_ablations(tables))
    try:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        assert len(figure.axes[0].texts) == 7 + 8  # Rain100H: 7 timed published points, 6 + 2 measured
        texts = [text for axis in figure.axes for text in axis.texts] + list(figure.legends[0].get_texts())
        for axis in figure.axes:
            texts += [axis.title, axis.xaxis.label, axis.yaxis.label, *drawn_ticks(axis, 'x'), *drawn_ticks(axis, 'y')]
        # the text's own box (an annotation's box would include its leader line)
        boxes = [(text.get_text(), Text.get_window_extent(text, renderer)) for text in texts if text.get_text()]
        page = figure.bbox
        for index, (name, box) in enumerate(boxes):
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, name
            for other, other_box in boxes[index + 1 :]:
                width = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
                height = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
                assert min(width, height) <= 0.5, f'{name!r} overlaps {other!r}'
    finally:
        plt.close(figure)


def test_ablation_panel_draws_published_and_measured_gaps_apart(tmp_path):
    import matplotlib.pyplot as plt

    measured = ablation_json(tmp_path / 't6.json', 'sensors-table6', {'a (strided)': (-0.9, 0.3), 'b': (0.4, None)})
    pending = ablation_json(tmp_path / 't9.json', 'sensors-table9', {})
    figure = build_figure([], [], load_ablations([measured, pending]))
    try:
        (axis,) = figure.axes
        labels = [label.get_text() for label in axis.get_yticklabels()]
        assert labels == ['T6: a (n = 2)', 'T6: b (n = 2)', 'T9: a', 'T9: b']  # no reference row, no "(…)"
        hatched = sorted(round(patch.get_width(), 3) for patch in axis.patches if patch.get_hatch())
        solid = sorted(round(patch.get_width(), 3) for patch in axis.patches if not patch.get_hatch())
        assert hatched == [-1.1, -1.1, -0.2, -0.2]  # published gaps of both tables
        assert solid == [-0.9, 0.4]  # measured gaps only where measured
        assert sum(container.has_xerr for container in axis.containers if hasattr(container, 'has_xerr')) == 1
        assert [text.get_text().strip() for text in axis.texts] == ['not yet measured'] * 2
    finally:
        plt.close(figure)


def test_a_malformed_ablation_json_is_a_clear_error(tmp_path, capsys):
    path = write_json(tmp_path / 'bad.json', {'table': 'sensors-table6', 'rows': []})
    code, _ = run(tmp_path, '--ablations', str(path))
    assert code == 2
    assert f'error: {path}: not a scripts/reproduce.py report JSON' in capsys.readouterr().err


def test_ablation_runs_are_left_out_of_the_rows(tmp_path, capsys):
    results = tmp_path / 'results'
    write_log(results, 'ablation_cpu-3h_LFDN_seed0_Rain100H', '20250101_120000', 'LFDN', '1,540,863', '22.0')
    write_log(results, 'LFDN_real_derain_Rain100H', '20250101_120000', 'LFDN', '1,540,863', '24.0')
    recipes = {entry.recipe for entry in collect_measured(results, ['GoPro', 'Rain100H'])}
    assert recipes == {'LFDN_real_derain_Rain100H'}
    assert '1 ablation run(s) left out' in capsys.readouterr().err


def test_spread_labels_keeps_order_and_distance_inside_the_range():
    assert spread_labels([0.2, 0.8], 0.05) == [0.2, 0.8]  # no conflict: at the targets
    targets = [0.5, 0.51, 0.49, 0.01, 0.0, 0.99]
    placed = spread_labels(targets, 0.05)
    heights = [placed[i] for i in sorted(range(len(targets)), key=lambda i: targets[i])]
    assert heights == sorted(heights) and all(b - a >= 0.05 - 1e-9 for a, b in zip(heights, heights[1:]))
    assert 0.0 <= min(placed) and max(placed) <= 1.0


def test_log_axes_have_plain_tick_labels():
    import matplotlib.pyplot as plt

    assert [plain_tick_label(v) for v in (0.5, 1.0, 2.0, 10.0, 0.019, 1500.0, 0.020000000000000004)] == [
        '0.5',
        '1',
        '2',
        '10',
        '0.019',
        '1500',
        '0.02',
    ]
    assert nice_log_limits(1.44, 1.61)[:2] == (1.0, 2.0)  # a narrow range still gets two ticks
    entries = [point('measured', name, 'GoPro', 30.0, t) for name, t in (('a', 0.8), ('b', 1.1), ('c', 1.3))]
    figure = build_figure(entries, ['GoPro'])
    try:
        figure.canvas.draw()
        (axis,) = figure.axes
        labels = [label.get_text() for label in axis.get_xticklabels() if label.get_text()]
        assert labels and all(re.fullmatch(r'\d+(\.\d+)?', label) for label in labels), labels
        assert not any(label.get_text() for label in axis.xaxis.get_minorticklabels())
        assert '1' in labels
    finally:
        plt.close(figure)


def test_benchmark_csv_times_rows_with_the_same_network_options(tmp_path, no_plot):
    results = tmp_path / 'results'
    write_log(results, 'LFDN_a', '20250101_120000', 'LFDN', '1,540,863', '30.0')
    write_log(results, 'LFDN_narrow', '20250101_120000', 'LFDN', '45,000', '29.0', options=TINY_LFDN)
    header = 'network,size,device,precision,threads,params,macs,latency_median_ms,error'
    line = '"{""type"": ""LFDN""}",1280x720,cpu,fp32,2,1540863,105000000000,1888.0,'
    (tmp_path / 'bench.csv').write_text(f'{header}\n{line}\n', encoding='utf-8')
    code, md = run(tmp_path, '--results', str(results), '--benchmark-csv', str(tmp_path / 'bench.csv'))
    assert code == 0
    gopro = section(md.read_text(encoding='utf-8'), 'GoPro')
    assert (
        '| LFDN (LFDN_a) | **measured** | 30.00 | 0.9012 | 1.54 | 105.0 | - | 1.888 | lfdn-benchmark CSV: cpu' in gopro
    )
    assert '| LFDN (LFDN_narrow) | **measured** | 29.00 | 0.9012 | 0.04 | - | - | - |' in gopro  # other options


def test_measure_latency_rebuilds_the_logged_network(tmp_path, capsys):
    from basicsr.archs import build_network

    from basicsr_lfdn.archs.complexity import count_params

    params = count_params(build_network(dict(TINY_LFDN)))
    results = tmp_path / 'results'
    write_log(results, 'LFDN_tiny', '20250101_120000', 'LFDN', f'{params:,}', '25.0', options=TINY_LFDN)
    write_log(results, 'LFDN_liar', '20250101_120000', 'LFDN', '999', '24.0', options=TINY_LFDN)
    argv = ['--results', str(results), '--no-published', '--measure-latency', '--latency-size', '32x24']
    code, md = run(tmp_path, *argv, '--latency-repeats', '1')
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


def test_published_file_holds_every_table_row():
    entries, datasets = load_published(DEFAULT_PUBLISHED)
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
    assert load_dataset_tasks(DEFAULT_PUBLISHED) == {
        'GoPro': 'deblur',
        'Kohler': 'deblur',
        'HIDE': 'deblur',
        'Rain100H': 'derain',
        'Rain100L': 'derain',
        'Rain14000': 'derain',
        'Test100': 'derain',
    }


def test_dataset_names_from_logs_map_to_paper_datasets():
    known = ['GoPro', 'Kohler', 'HIDE', 'Rain100H', 'Rain100L', 'Rain14000', 'Test100']
    assert canonical_dataset('GoPro_test', known) == 'GoPro'
    assert canonical_dataset('Köhler', known) == 'Kohler'
    assert canonical_dataset('rain100L-val', known) == 'Rain100L'
    assert canonical_dataset('RainTest100', known) == 'Test100'
    assert canonical_dataset('MyPhotos', known) == 'MyPhotos'

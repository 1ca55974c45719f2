"""Leaderboard: measured results beside the published numbers of both papers.

Usage::

    python scripts/leaderboard.py --results results --scores results/budget-derain/scores \\
        --benchmark-csv benchmark.csv --ablations results/reproduce/sensors-table6-cpu-3h.json \\
        --output-md leaderboard.md --output-png leaderboard.png

Measured rows come from two places:

- the logs BasicSR's test pipeline writes (``results/<name>/test_*.log``, any BasicSR model: ours or
  e.g. an EDSR/NAFNet run on the same sets). From each log it takes the options dump at its head
  (experiment name, ``network_g``, test sets, metric settings), the parameter count
  (``Network: LFDN, with parameters: 1,541,009``) and every validation block (``Validation GoPro``
  followed by ``\\t # psnr: 31.6000`` lines). A row is named ``<network> (<experiment>)`` without
  the ``_<test sets>`` suffix ``lfdn-test`` appends; the newest log of an experiment wins. The
  per-seed runs of ``scripts/reproduce.py --budget`` (``ablation_*``) are not rows;
- measured-row JSONs (``--scores``: files, or folders searched recursively) as written by
  ``lfdn-score --json`` and ``scripts/budget_compare.py``, named as the JSON says.

Measured times come from the score JSON, an ``lfdn-benchmark`` CSV (``--benchmark-csv``: matched by
the network options of the log, else by network type and parameter count) or are measured in this
run (``--measure-latency``: CPU, fp32, 1280×720, with ``basicsr_lfdn.benchmark``). Published rows
come from ``docs/published_results.yaml`` (paper, table and row of each number). Every row of the
output says which of the two it is.

The plot has at most four panels: PSNR against time per image for up to three datasets (those
with measured rows first, each with at least three timed points; measured points are red stars,
published ones dots and squares; measured rows without a time are dashed PSNR levels; every point
is named in a column beside its panel, never on top of another name), and, with ``--ablations``
(the report JSONs of ``scripts/reproduce.py``), the ablation rows as bars of their PSNR gap to the
default network, published beside measured (± the seed spread), or "not yet measured".
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import math
import re
import statistics
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from basicsr_lfdn.inference.runtime import parse_size
from basicsr_lfdn.scoring import check_row

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PUBLISHED = REPO_ROOT / 'docs' / 'published_results.yaml'
REFERENCE_SIZE = (720, 1280)  # (height, width) of the MACs column and of --measure-latency

PROTOCOL_STATEMENT = (
    "Measured rows: PSNR/SSIM by BasicSR's calculate_psnr/calculate_ssim on uint8 images, "
    'Y channel (BT.601) for deraining sets and RGB for deblurring sets, no border crop'
)
UNTIMED_FOOTNOTE = (
    "Measured rows with '-' in time (s) were not timed: pass `--benchmark-csv` (an lfdn-benchmark CSV) "
    'or `--measure-latency` (times them on this machine in the same run).'
)

_VALIDATION_BLOCK = re.compile(r'Validation (?P<dataset>[^\n]+?)\s*\n(?P<body>(?:[ \t]+# [^\n]*(?:\n|$))+)')
_METRIC_LINE = re.compile(r'# (?P<metric>\w+): (?P<value>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf))')
_NETWORK_LINE = re.compile(r'Network: (?P<cls>[^,\n]+), with parameters: (?P<params>[\d,]+)')
_TOP_NAME_LINE = re.compile(r'^ {2}name: (?P<name>\S+)\s*$', re.MULTILINE)
_LOG_LINE = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+ \w+:(?P<message>.*)$')
_OPTION_OPEN = re.compile(r'^(?P<indent> +)(?P<key>[\w.-]+):\[$')
_OPTION_VALUE = re.compile(r'^(?P<indent> +)(?P<key>[\w.-]+): ?(?P<value>.*)$')
_OPTION_CLOSE = re.compile(r'^ +\]$')
ABLATION_RUN_PREFIX = 'ablation_'  # experiment names of scripts/reproduce.py --budget
_CHECKPOINT_ITER = re.compile(r'net_g_(?P<iter>\d+)\.pth$')


@dataclass
class Entry:
    """One leaderboard row: a method's scores on one dataset, measured here or published."""

    source: str  # 'measured' or 'published'
    method: str
    dataset: str
    psnr: float | None
    ssim: float | None
    params_m: float | None
    time_s: float | None
    provenance: str  # results folder, score JSON file name, or "paper Table N"
    network: str | None = None
    time_note: str = ''  # how the time was measured
    macs_g: float | None = None  # at 1280×720
    iterations: int | None = None
    training: str | None = None
    recipe: str | None = None
    options: dict | None = None  # network_g options, when known (rebuilds the network for timing)
    params: int | None = None  # exact parameter count, when known
    protocol: dict | None = None  # y_channel / crop_border of the scores, when known
    protocol_warning: str = ''  # set when the protocol differs from the dataset's task convention


def canonical_dataset(name: str, known: list[str]) -> str:
    """Map a log's dataset name (e.g. 'GoPro_test', 'Rain100H-val') to a known dataset key.

    The longest known key contained in the normalized name wins ('rain100h' before 'rain100').
    Unknown names are kept as they are.
    """
    normalized = re.sub(r'[^a-z0-9]', '', name.lower().replace('ö', 'o'))
    matches = [key for key in known if re.sub(r'[^a-z0-9]', '', key.lower()) in normalized]
    return max(matches, key=len) if matches else name


def load_published(path: Path) -> tuple[list[Entry], list[str]]:
    """Entries of the published-results file and its dataset names (in file order)."""
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    datasets = list(data['datasets'])
    entries = []
    for row in data['rows']:
        paper = 'ICIP 2021 (LMFN)' if row['paper'] == 'ICIP' else 'Sensors 2021 (LFDN)'
        entries.append(
            Entry(
                source='published',
                method=row['method'],
                dataset=row['dataset'],
                psnr=row.get('psnr'),
                ssim=row.get('ssim'),
                params_m=row.get('params_m'),
                time_s=row.get('time_s'),
                provenance=f'{paper} Table {row["table"]}',
                network=row.get('network'),
                time_note="as published (the paper's hardware)" if row.get('time_s') is not None else '',
            )
        )
    return entries, datasets


def load_dataset_tasks(path: Path) -> dict[str, str]:
    """``{dataset: 'derain' | 'deblur'}`` from the published-results file."""
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    return {name: spec.get('task') for name, spec in data['datasets'].items() if isinstance(spec, dict)}


# ----------------------------------------------------------------------------- BasicSR test logs


def _option_value(text: str) -> Any:
    """A value as BasicSR's ``dict2str`` printed it (Python literal, else the bare string)."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def _parse_option_lines(lines: list[str]) -> dict:
    root: dict = {}
    stack = [root]
    for line in lines:
        if _OPTION_CLOSE.match(line):
            if len(stack) > 1:
                stack.pop()
        elif match := _OPTION_OPEN.match(line):
            child: dict = {}
            stack[-1][match['key']] = child
            stack.append(child)
        elif match := _OPTION_VALUE.match(line):
            stack[-1][match['key']] = _option_value(match['value'].strip())
    return root


def parse_logged_options(text: str) -> dict:
    """The options BasicSR dumps (``dict2str``) at the head of a log, as a nested dict; {} if none."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        match = _LOG_LINE.match(line)
        if not match or match['message'].strip():
            continue
        block = []
        for follow in lines[start + 1 :]:
            if _LOG_LINE.match(follow):
                break
            block.append(follow)
        options = _parse_option_lines(block)
        if 'network_g' in options or 'name' in options:
            return options
    return {}


def shorten_experiment(name: str, test_sets: list[str]) -> str:
    """The option name without the ``_<test sets joined by +>`` suffix ``lfdn-test`` appends."""
    suffix = '_' + '+'.join(test_sets)
    return name[: -len(suffix)] if test_sets and name.endswith(suffix) and len(name) > len(suffix) else name


def method_name(network: str | None, recipe: str | None) -> str:
    """``LFDN (LFDN_real_derain)``; just the network when the recipe says nothing more."""
    if network and recipe and recipe != network:
        return f'{network} ({recipe})'
    return network or recipe or 'unknown'


def _logged_protocol(options: dict) -> dict | None:
    metrics = options.get('val', {}).get('metrics', {}) if isinstance(options.get('val'), dict) else {}
    psnr = metrics.get('psnr') if isinstance(metrics, dict) else None
    crop_border = psnr.get('crop_border', 0) if isinstance(psnr, dict) else None
    if not isinstance(crop_border, int):
        return None
    return {'y_channel': bool(psnr.get('test_y_channel', False)), 'crop_border': crop_border}


def parse_test_log(path: Path, known_datasets: list[str]) -> list[Entry]:
    """Measured entries of one BasicSR test log (one per validation block)."""
    text = path.read_text(encoding='utf-8', errors='replace')
    options = parse_logged_options(text)
    network_match = _NETWORK_LINE.search(text)
    network = network_match['cls'].split(' - ')[-1].strip() if network_match else None
    params = int(network_match['params'].replace(',', '')) if network_match else None
    network_options = options.get('network_g')
    if not (isinstance(network_options, dict) and 'type' in network_options):
        network_options = None
    network = network or (network_options or {}).get('type')
    if isinstance(options.get('name'), str):
        experiment = options['name']
    else:
        name_match = _TOP_NAME_LINE.search(text)
        experiment = name_match['name'] if name_match else path.parent.name
    blocks = list(_VALIDATION_BLOCK.finditer(text))
    datasets = options.get('datasets') if isinstance(options.get('datasets'), dict) else {}
    test_sets = [
        str(spec['name'])
        for key, spec in datasets.items()
        if key.startswith('test') and isinstance(spec, dict) and 'name' in spec
    ] or [block['dataset'] for block in blocks]
    recipe = shorten_experiment(experiment, test_sets)
    checkpoint = str((options.get('path') or {}).get('pretrain_network_g') or '')
    iteration = _CHECKPOINT_ITER.search(checkpoint)
    entries = []
    for block in blocks:
        metrics = {m['metric'].lower(): float(m['value']) for m in _METRIC_LINE.finditer(block['body'])}
        entries.append(
            Entry(
                source='measured',
                method=method_name(network, recipe),
                dataset=canonical_dataset(block['dataset'], known_datasets),
                psnr=metrics.get('psnr'),
                ssim=metrics.get('ssim'),
                params_m=params / 1e6 if params is not None else None,
                time_s=None,
                provenance=path.parent.name,
                network=network,
                iterations=int(iteration['iter']) if iteration else None,
                recipe=recipe,
                options=dict(network_options) if network_options else None,
                params=params,
                protocol=_logged_protocol(options),
            )
        )
    return entries


def collect_measured(results_root: Path, known_datasets: list[str]) -> list[Entry]:
    """Measured entries under ``results_root``; for each experiment and dataset the newest log wins.

    BasicSR names logs ``test_<name>_<YYYYMMDD_HHMMSS>.log``, so name order is time order. The
    runs of ``scripts/reproduce.py --budget`` (``ablation_*``, one per seed) are left out: their
    report JSONs go to ``--ablations``.
    """
    latest: dict[tuple[str, str], Entry] = {}
    logs = sorted(results_root.glob('**/test_*.log'), key=lambda p: (p.parent.name, p.name))
    ablation_runs = {log.parent.name for log in logs if log.parent.name.startswith(ABLATION_RUN_PREFIX)}
    for log in logs:
        if log.parent.name not in ablation_runs:
            for entry in parse_test_log(log, known_datasets):
                latest[(entry.method, entry.dataset)] = entry
    if ablation_runs:
        print(f'note: {len(ablation_runs)} ablation run(s) left out of the rows (see --ablations)', file=sys.stderr)
    return list(latest.values())


# ----------------------------------------------------------------------------- score JSONs


def find_score_files(paths: list[Path]) -> list[tuple[Path, bool]]:
    """``(file, named explicitly)`` for each ``--scores`` argument; folders give their ``*.json`` (recursive)."""
    files = []
    for path in paths:
        if path.is_dir():
            files += [(found, False) for found in sorted(path.rglob('*.json')) if found.is_file()]
        elif path.is_file():
            files.append((path, True))
        else:
            raise ValueError(f'--scores {path}: no such file or folder')
    return files


def entry_from_row(row: dict, path: Path, known_datasets: list[str]) -> Entry:
    """A measured entry from a checked score row (``path`` becomes its source)."""
    latency_note = ''
    if row['latency_s'] is not None:
        latency_note = f'score JSON: {row["latency_device"]}' if row['latency_device'] else 'score JSON'
    return Entry(
        source='measured',
        method=row['name'],
        dataset=canonical_dataset(row['dataset'], known_datasets),
        psnr=row['psnr'],
        ssim=row['ssim'],
        params_m=row['params'] / 1e6 if row['params'] is not None else None,
        time_s=row['latency_s'],
        provenance=path.name,
        network=row['network'],
        time_note=latency_note,
        macs_g=row['macs_g'],
        iterations=row['iterations'],
        training=row['training'],
        recipe=row['recipe'],
        params=row['params'],
        protocol=row['protocol'],
    )


def collect_scores(paths: list[Path], known_datasets: list[str]) -> list[Entry]:
    """Measured entries of the ``--scores`` JSONs; ``ValueError`` naming the file for a malformed one.

    Files found in folders that are not measured rows at all (no ``"source": "measured"``, e.g. a
    ``metrics.json``) are skipped with a note; named files must be measured rows.
    """
    entries: dict[tuple[str, str], tuple[Entry, Path]] = {}
    skipped = []
    for path, explicit in find_score_files(paths):
        try:
            row = json.loads(path.read_text(encoding='utf-8'))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            if not explicit:
                skipped.append(path)
                continue
            raise ValueError(f'{path}: not a readable JSON file ({error})') from error
        if not explicit and not (isinstance(row, dict) and row.get('source') == 'measured'):
            skipped.append(path)
            continue
        check_row(row, path)
        entry = entry_from_row(row, path, known_datasets)
        key = (entry.method, entry.dataset)
        if key in entries:
            print(
                f'warning: {path} repeats {entry.method} on {entry.dataset} of {entries[key][1]}; kept {path}',
                file=sys.stderr,
            )
        entries[key] = (entry, path)
    if skipped:
        names = ', '.join(map(str, skipped))
        print(f'note: skipped {len(skipped)} JSON file(s) that are not measured rows: {names}', file=sys.stderr)
    return [entry for entry, _ in entries.values()]


def merge_measured(logged: list[Entry], scored: list[Entry]) -> list[Entry]:
    """Log rows plus score rows; a log row whose recipe and dataset a score row also has is dropped."""
    covered = {(e.recipe, e.dataset) for e in scored if e.recipe}
    kept = [e for e in logged if (e.recipe, e.dataset) not in covered]
    if len(kept) < len(logged):
        dropped = len(logged) - len(kept)
        print(f'note: {dropped} log row(s) replaced by score JSONs of the same recipe and dataset', file=sys.stderr)
    return kept + scored


def _protocol_text(protocol: dict) -> str:
    channel = 'Y channel' if protocol.get('y_channel') else 'RGB'
    return f'{channel}, crop border {protocol.get("crop_border", 0)}'


def check_protocols(entries: list[Entry], tasks: dict[str, str]) -> None:
    """Mark (and warn on stderr about) measured rows not scored by their dataset's task convention."""
    for entry in entries:
        task = tasks.get(entry.dataset)
        if entry.source != 'measured' or entry.protocol is None or task not in ('derain', 'deblur'):
            continue
        expected = {'y_channel': task == 'derain', 'crop_border': 0}
        actual = {'y_channel': bool(entry.protocol.get('y_channel')), 'crop_border': entry.protocol.get('crop_border')}
        rounding = entry.protocol.get('rounding', 'uint8')
        if actual != expected or rounding != 'uint8':
            entry.protocol_warning = _protocol_text(entry.protocol) + (
                f', rounding {rounding}' if rounding != 'uint8' else ''
            )
            print(
                f'warning: {entry.provenance}: {entry.method} on {entry.dataset} was scored with '
                f'{entry.protocol_warning}; {task} sets use {_protocol_text(expected)} (row marked †)',
                file=sys.stderr,
            )


# ----------------------------------------------------------------------------- times


def _options_key(options: dict) -> str:
    return json.dumps(options, sort_keys=True, default=str)


def attach_benchmark_times(entries: list[Entry], csv_path: Path, precision: str = 'fp32') -> None:
    """Give untimed measured entries the median latency of their network from an lfdn-benchmark CSV.

    A row whose network options are known takes the CSV row with the same options; one that knows
    only the network class takes a row of that type with the same parameter count (1280×720 rows
    first). MACs are taken too when the CSV row is at 1280×720.
    """
    with open(csv_path, newline='', encoding='utf-8') as handle:
        rows = [row for row in csv.DictReader(handle) if not row['error'] and row['precision'] == precision]
    rows.sort(key=lambda row: row['size'] != '1280x720')
    by_options: dict[str, dict] = {}
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        network = json.loads(row['network'])
        by_options.setdefault(_options_key(network), row)
        by_type.setdefault(network['type'], []).append(row)
    for entry in entries:
        if entry.source != 'measured' or entry.time_s is not None:
            continue
        if entry.options:
            row = by_options.get(_options_key(entry.options))
        else:
            candidates = [
                r
                for r in by_type.get(entry.network or '', [])
                if entry.params is None or int(r['params']) == entry.params
            ]
            row = candidates[0] if candidates else None
        if row is None:
            continue
        entry.time_s = float(row['latency_median_ms']) / 1000
        entry.time_note = (
            f'lfdn-benchmark CSV: {row["device"]} {row["precision"]} {row["size"]}, {row["threads"]} threads'
        )
        if entry.macs_g is None and row['size'] == '1280x720' and row.get('macs'):
            entry.macs_g = float(row['macs']) / 1e9


def measure_latencies(
    entries: list[Entry],
    height: int = REFERENCE_SIZE[0],
    width: int = REFERENCE_SIZE[1],
    warmup: int = 1,
    repeats: int = 3,
) -> None:
    """Time untimed measured entries on the CPU (fp32, torch's default threads) with lfdn-benchmark's code.

    The network is rebuilt from the log's ``network_g`` options, or (score rows) from the network
    class alone when that reproduces the row's parameter count; rows that cannot be rebuilt keep no
    time. MACs are counted too when the size is 1280×720 (the MACs column's size).
    """
    groups: dict[str, tuple[dict, list[Entry]]] = {}
    for entry in entries:
        if entry.source != 'measured' or entry.time_s is not None:
            continue
        options = entry.options
        if options is None and entry.network and entry.params is not None:
            options = {'type': entry.network}
        if options is None:
            print(f'note: {entry.method}: network options unknown, not timed (rebuild needs them)', file=sys.stderr)
            continue
        groups.setdefault(_options_key(options), (options, []))[1].append(entry)
    if not groups:
        return

    if str(REPO_ROOT) not in sys.path:  # a checkout without pip install
        sys.path.append(str(REPO_ROOT))
    import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

    # isort: split
    import torch

    from basicsr_lfdn.archs.complexity import count_macs, count_params
    from basicsr_lfdn.benchmark import BenchConfig, build_benchmark_network, run_worker

    print(
        f'measuring CPU latency of {len(groups)} network(s) at {width}x{height}: fp32, '
        f'{torch.get_num_threads()} torch threads (default), warm-up {warmup}, repeats {repeats}',
        flush=True,
    )
    for key, (options, group) in groups.items():
        try:
            network = build_benchmark_network(options, None)
        except Exception as error:  # any registry or constructor error: report, keep '-'
            print(f'note: {key}: cannot build the network ({error}); not timed', file=sys.stderr)
            continue
        params = count_params(network)
        for entry in group:
            if entry.params not in (None, params):
                print(
                    f'note: {entry.method} ({entry.dataset}): {key} builds {params:,} parameters, the row says '
                    f'{entry.params:,}; not timed',
                    file=sys.stderr,
                )
        group = [entry for entry in group if entry.params in (None, params)]
        if not group:
            continue
        macs_g = count_macs(network, height, width) / 1e9 if (height, width) == REFERENCE_SIZE else None
        del network
        config = BenchConfig(
            label=key,
            network=options,
            weights=None,
            height=height,
            width=width,
            device='cpu',
            precision='fp32',
            channels_last=False,
            compile=False,
            tile=0,
            tile_overlap=0,
            threads=None,  # torch's default
            batch=1,
            warmup=warmup,
            repeats=repeats,
        )
        try:
            result = run_worker(config)
        except Exception as error:  # a failed forward pass leaves the rows untimed
            print(f'note: {key}: timing failed ({type(error).__name__}: {error}); not timed', file=sys.stderr)
            continue
        latency = statistics.median(result.latencies_ms) / 1000
        threads = f'{result.threads} thread{"s" if result.threads != 1 else ""}'
        note = f'--measure-latency: cpu fp32 {width}x{height}, {threads}, median of {repeats}'
        print(f'{key}: {latency:.3f} s', flush=True)
        for entry in group:
            entry.time_s, entry.time_note = latency, note
            if entry.macs_g is None:
                entry.macs_g = macs_g
            if entry.params is None:
                entry.params, entry.params_m = params, params / 1e6


# ----------------------------------------------------------------------------- Markdown


def _cell(value: float | None, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    if isinstance(value, float) and math.isinf(value):
        return 'inf'
    return f'{value:.{digits}f}'


def render_markdown(entries: list[Entry], datasets: list[str]) -> str:
    """One table per dataset, best PSNR first; measured and published rows labelled."""
    lines = [
        '# Leaderboard',
        '',
        'Rows marked **measured** were computed by this project (BasicSR test logs or score JSONs; '
        'times measured on the stated device). Rows marked *published* are copied from the papers, '
        'with their own hardware and image sizes; they were not re-measured.',
    ]
    if any(e.source == 'measured' for e in entries):
        lines += ['', PROTOCOL_STATEMENT + '.']
    for dataset in datasets:
        rows = [entry for entry in entries if entry.dataset == dataset]
        if not rows:
            continue
        rows.sort(key=lambda e: (-(e.psnr if e.psnr is not None else -math.inf), e.source))
        lines += [
            '',
            f'## {dataset}',
            '',
            '| method | measured / published | PSNR (dB) | SSIM | params (M) | GMACs (1280×720) | iterations '
            '| time (s) | time measured how | training | source |',
            '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
        ]
        for e in rows:
            label = '**measured**' if e.source == 'measured' else '*published*'
            method = f'{e.method} †' if e.protocol_warning else e.method
            iterations = f'{e.iterations:,}' if e.iterations is not None else '-'
            lines.append(
                f'| {method} | {label} | {_cell(e.psnr, 2)} | {_cell(e.ssim, 4)} | {_cell(e.params_m, 2)} '
                f'| {_cell(e.macs_g, 1)} | {iterations} | {_cell(e.time_s, 3)} | {e.time_note or "-"} '
                f'| {e.training or "-"} | {e.provenance} |'
            )
        notes = [
            f'† {e.method}: scored with {e.protocol_warning}, not by the convention above.'
            for e in rows
            if e.protocol_warning
        ]
        if any(e.source == 'measured' and e.time_s is None for e in rows):
            notes.append(UNTIMED_FOOTNOTE)
        if notes:
            lines += ['', *notes]
    return '\n'.join(lines) + '\n'


# ----------------------------------------------------------------------------- plot

_STYLES = {  # category: (legend label, marker, colour, size)
    'measured': ('measured here (time: this CPU)', '*', 'tab:red', 150),
    'ours': ("published LMFN / LFDN (time: the papers' GPU)", 'o', 'tab:blue', 42),
    'other': ("published, other methods (time: the papers' hardware)", 's', 'tab:gray', 30),
}
_LABEL_COLOURS = {'measured': 'firebrick', 'ours': 'tab:blue', 'other': '0.25'}
PUBLISHED_BAR = {'facecolor': 'white', 'edgecolor': 'tab:blue', 'hatch': '///'}
MEASURED_BAR = 'tab:red'
MAX_TIME_PANELS = 3  # plus one ablation panel: at most four
MIN_POINTS = 3  # a dataset with fewer timed points gets no panel (the Markdown lists it)
LABEL_FONT = 7.5  # points
_INCH = {  # figure layout: time panels in a row, each with its label column; the ablation panel below
    'left': 0.8,
    'panel_w': 3.4,
    'label_w': 2.9,
    'panel_h': 4.0,
    'top': 1.05,  # figure legend
    'gap': 0.6,  # below the time panels' axis labels
    'row_h': 0.3,  # per ablation bar pair
    'ablation_left': 3.2,  # room for the row names
    'ablation_bottom': 0.75,
}


@dataclass
class AblationBar:
    """One ablation row: its PSNR gap to the default network, published and measured."""

    label: str
    published_gap: float | None
    measured_gap: float | None
    noise: float | None  # sum of the two rows' seed spreads (None: fewer than two seeds)
    runs: int


@dataclass
class AblationTable:
    """One ``scripts/reproduce.py`` report JSON: its rows other than the default network's."""

    short: str  # 'T6'
    reference: str  # the default network's row
    budget: str | None
    test_set: str
    bars: list[AblationBar]


def _category(entry: Entry) -> str:
    if entry.source == 'measured':
        return 'measured'
    return 'ours' if entry.network else 'other'


def plain_tick_label(value: float, position: int | None = None) -> str:
    """A log-axis tick as a plain number: ``0.5``, ``1``, ``2``, ``10``, ``1500`` (no ×10ⁿ)."""
    if not math.isfinite(value) or value <= 0:
        return ''
    return f'{Decimal(f"{value:.6g}"):f}'


def nice_log_limits(low: float, high: float) -> tuple[float, float, tuple[float, ...]]:
    """Axis limits on the 1-2-5 sequence (decades for wide ranges) around [low, high], and the tick subs."""
    subs = (1.0,) if math.log10(high / low) > 2.5 else (1.0, 2.0, 5.0)
    first, last = math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1
    ticks = [float(Decimal(sub) * Decimal(10) ** k) for k in range(first, last + 1) for sub in subs]
    lower = max((t for t in ticks if t <= low / 1.15), default=low / 2)
    upper = min((t for t in ticks if t >= high * 1.15), default=high * 2)
    return lower, upper, subs


def configure_log_axis(axis: Axes, values: list[float]) -> None:
    """Log x axis with nice limits, plain major tick labels and no minor tick labels."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    lower, upper, subs = nice_log_limits(min(values), max(values))
    axis.set_xscale('log')
    axis.set_xlim(lower, upper)
    axis.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.xaxis.set_major_formatter(FuncFormatter(plain_tick_label))
    axis.xaxis.set_minor_formatter(NullFormatter())


def short_method(method: str) -> str:
    """The method without its reference numbers: ``DMPHN [7]`` and ``DMPHN [12]`` are both ``DMPHN``."""
    return re.sub(r'\s*\[\d+\]', '', method)


def _clipped(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + '…'


def time_panels(entries: list[Entry], datasets: list[str]) -> list[tuple[str, list[Entry], list[Entry]]]:
    """``(dataset, timed points, untimed measured rows)`` of the 'PSNR vs time' panels, at most three.

    A dataset needs ``MIN_POINTS`` timed points. Datasets with measured rows come first, then those
    with more points. A published method that two papers list with the same numbers is one point.
    """
    candidates = []
    for position, dataset in enumerate(datasets):
        scored = [e for e in entries if e.dataset == dataset and e.psnr is not None and math.isfinite(e.psnr)]
        timed, seen = [], set()
        for entry in scored:
            key = (entry.source, short_method(entry.method), entry.psnr, entry.time_s)
            if entry.time_s is not None and entry.time_s > 0 and key not in seen:
                timed.append(entry)
                seen.add(key)
        untimed = [e for e in scored if e.source == 'measured' and not (e.time_s and e.time_s > 0)]
        if len(timed) >= MIN_POINTS:
            measured = sum(e.source == 'measured' for e in scored)
            candidates.append(((-measured, -len(timed), position), dataset, timed, untimed))
    candidates.sort(key=lambda candidate: candidate[0])
    return [(dataset, timed, untimed) for _, dataset, timed, untimed in candidates[:MAX_TIME_PANELS]]


def spread_labels(targets: list[float], gap: float, low: float = 0.0, high: float = 1.0) -> list[float]:
    """Label heights as near their ``targets`` as possible, at least ``gap`` apart, inside [low, high].

    Top-down, each label goes at its target or one gap below the label above it; if that pushes
    the last one below ``low``, bottom-up passes lift them again. The order of the targets is kept.
    """
    if not targets:
        return []
    gap = min(gap, (high - low) / max(len(targets) - 1, 1))
    order = sorted(range(len(targets)), key=lambda index: -targets[index])
    heights = []
    for index in order:
        ceiling = heights[-1] - gap if heights else high
        heights.append(min(targets[index], ceiling))
    floor = low
    for position in reversed(range(len(heights))):
        heights[position] = max(heights[position], floor)
        floor = heights[position] + gap
    placed = [0.0] * len(targets)
    for index, height in zip(order, heights):
        placed[index] = height
    return placed


def _draw_time_panel(axis: Axes, dataset: str, timed: list[Entry], untimed: list[Entry]) -> None:
    """Points by category, each named in a column right of the axes with a leader line; untimed rows as levels."""
    for entry in sorted(timed, key=lambda e: e.source == 'measured'):
        category = _category(entry)
        _, marker, colour, size = _STYLES[category]
        measured = category == 'measured'
        axis.scatter(
            entry.time_s,
            entry.psnr,
            marker=marker,
            s=size,
            color=colour,
            edgecolors='black' if measured else 'none',
            linewidths=0.5,
            zorder=3 if measured else 2,
        )
    for entry in untimed:
        axis.axhline(entry.psnr, color=_STYLES['measured'][2], linestyle='--', linewidth=0.9, zorder=1)
    configure_log_axis(axis, [e.time_s for e in timed])
    levels = [e.psnr for e in timed + untimed]
    margin = max(0.5, 0.06 * (max(levels) - min(levels)))
    axis.set_ylim(min(levels) - margin, max(levels) + margin)
    axis.set_title(f'{dataset}: PSNR vs time per image')
    axis.set_xlabel('time per image (s, log scale)')
    axis.tick_params(axis='x', pad=6)  # clear of a y tick label at the bottom edge
    axis.set_ylabel('PSNR (dB)')
    axis.grid(True, alpha=0.3)

    figure_height_pt = axis.get_position().height * axis.figure.get_figheight() * 72
    low, high = axis.get_ylim()
    labelled = [(e, e.time_s, _clipped(short_method(e.method))) for e in timed]
    labelled += [(e, None, _clipped(f'{e.method}, not timed')) for e in untimed]
    gap = 1.3 * LABEL_FONT / figure_height_pt
    heights = spread_labels([(e.psnr - low) / (high - low) for e, _, _ in labelled], gap)
    for (entry, x, text), height in zip(labelled, heights):
        anchor = (x, entry.psnr) if x is not None else (1.0, (entry.psnr - low) / (high - low))
        axis.annotate(
            text,
            xy=anchor,
            xycoords='data' if x is not None else 'axes fraction',
            xytext=(1.05, height),
            textcoords='axes fraction',
            fontsize=LABEL_FONT,
            color=_LABEL_COLOURS[_category(entry)],
            va='center',
            annotation_clip=False,
            arrowprops={'arrowstyle': '-', 'color': '0.65', 'linewidth': 0.6, 'shrinkA': 0, 'shrinkB': 3},
        )


def load_ablations(paths: list[Path]) -> list[AblationTable]:
    """The tables of ``scripts/reproduce.py`` report JSONs; ``ValueError`` naming a malformed file."""
    tables = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding='utf-8'))
            bars = [
                AblationBar(
                    label=re.sub(r'\s*\(.*\)$', '', row['row']),
                    published_gap=row['gap_vs_reference']['published'],
                    measured_gap=row['gap_vs_reference']['measured'],
                    noise=row['gap_vs_reference']['noise'],
                    runs=len(row['measured']['psnr']),
                )
                for row in data['rows']
                if row['row'] != data['reference_row']
            ]
            number = re.fullmatch(r'\w+-table(\d+)', data['table'])
            tables.append(
                AblationTable(
                    short=f'T{number[1]}' if number else data['table'],
                    reference=data['reference_row'],
                    budget=data['budget'],
                    test_set=data['rows'][0]['test_set'],
                    bars=bars,
                )
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as error:
            raise ValueError(f'{path}: not a scripts/reproduce.py report JSON ({error!r})') from error
    return tables


def _draw_ablation_panel(axis: Axes, tables: list[AblationTable]) -> None:
    """Horizontal bars of ΔPSNR per ablation row: published (hatched) beside measured (± seed spread)."""
    labels, offsets, ends = [], [], [0.0]
    position = 0.0
    for table in tables:
        for bar in table.bars:
            offsets.append(-position)
            labels.append(f'{table.short}: {bar.label}' + (f' (n = {bar.runs})' if bar.runs else ''))
            if bar.published_gap is not None:
                axis.barh(-position + 0.2, bar.published_gap, height=0.38, **PUBLISHED_BAR)
                ends.append(bar.published_gap)
            if bar.measured_gap is None:
                axis.text(0, -position - 0.2, ' not yet measured', va='center', fontsize=LABEL_FONT, color='0.4')
            else:
                noise = bar.noise or 0.0
                axis.barh(
                    -position - 0.2, bar.measured_gap, height=0.38, color=MEASURED_BAR, xerr=bar.noise, capsize=2.5
                )
                ends += [bar.measured_gap - noise, bar.measured_gap + noise]
            position += 1
        position += 0.6  # space between tables
    axis.set_yticks(offsets, labels, fontsize=8)
    axis.axvline(0, color='black', linewidth=0.8)
    span = max(ends) - min(ends) or 1.0
    axis.set_xlim(min(ends) - 0.05 * span, max(ends) + 0.25 * span)  # room right of 0 for "not yet measured"
    axis.set_ylim(-position + 0.2, 0.8)
    axis.set_xlabel("ΔPSNR (dB); the measured bar's error bar is the sum of the two rows' seed spreads")
    references = '; '.join(f'{table.short} vs "{table.reference}"' for table in tables)
    budgets = ', '.join(sorted({f'budget {table.budget}' if table.budget else 'paper protocol' for table in tables}))
    axis.set_title(
        f'Ablations on {tables[0].test_set}: each row minus the default network ({references}).\n'
        f"Measured here at {budgets}; published: the papers' full training",
        fontsize=9,
    )
    axis.grid(True, axis='x', alpha=0.3)


def build_figure(entries: list[Entry], datasets: list[str], ablations: list[AblationTable] | None = None) -> Figure:
    """At most four panels: 'PSNR vs time' for up to three datasets (``time_panels``) and the ablations.

    Each time panel names its points in a label column to its right (labels spread so they never
    overlap, leader lines to the points); measured rows without a time are dashed PSNR levels.
    ``ValueError`` when there is nothing to draw.
    """
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    panels = time_panels(entries, datasets)
    ablations = [table for table in ablations or [] if table.bars]
    if not panels and not ablations:
        raise ValueError(f'nothing to plot: no dataset has {MIN_POINTS} timed points and no ablation table was given')
    size = _INCH
    column_w = size['panel_w'] + size['label_w']
    ablation_h = sum(len(table.bars) + 0.6 for table in ablations) * size['row_h'] if ablations else 0.0
    width = size['left'] + max(len(panels), 2) * column_w
    time_h = size['panel_h'] + size['gap'] if panels else 0.0
    height = size['top'] + time_h + (ablation_h + size['ablation_bottom'] + 0.4 if ablations else 0.0)

    def inches(left: float, bottom: float, w: float, h: float) -> list[float]:
        return [left / width, bottom / height, w / width, h / height]

    figure = plt.figure(figsize=(width, height))
    for index, (dataset, timed, untimed) in enumerate(panels):
        left, bottom = size['left'] + index * column_w, height - size['top'] - size['panel_h']
        _draw_time_panel(
            figure.add_axes(inches(left, bottom, size['panel_w'], size['panel_h'])), dataset, timed, untimed
        )
    if ablations:
        left = size['ablation_left']
        axis = figure.add_axes(inches(left, size['ablation_bottom'], width - left - 0.4, ablation_h))
        _draw_ablation_panel(axis, ablations)
    handles = [
        Line2D([], [], marker=marker, color=colour, linestyle='', markersize=math.sqrt(size_) * 0.8, label=label)
        for label, marker, colour, size_ in _STYLES.values()
    ]
    handles.append(Line2D([], [], color='tab:red', linestyle='--', label='measured here, not timed (PSNR level)'))
    if ablations:
        handles += [
            Patch(**PUBLISHED_BAR, label='ablation: published gap'),
            Patch(color=MEASURED_BAR, label='ablation: measured gap'),
        ]
    figure.legend(handles=handles, loc='upper center', ncol=3, fontsize=8, frameon=False)
    return figure


def render_plot(
    entries: list[Entry], datasets: list[str], path: Path, ablations: list[AblationTable] | None = None
) -> None:
    """Save ``build_figure`` as a PNG."""
    import matplotlib.pyplot as plt

    figure = build_figure(entries, datasets, ablations)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


# ----------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--results', type=Path, default=Path('results'), help='BasicSR results folder')
    parser.add_argument(
        '--scores', type=Path, nargs='+', default=[], help='measured-row JSONs (lfdn-score, budget runner) or folders'
    )
    parser.add_argument('--published', type=Path, default=DEFAULT_PUBLISHED, help='published-results YAML')
    parser.add_argument('--benchmark-csv', type=Path, help='lfdn-benchmark CSV for measured times')
    parser.add_argument(
        '--measure-latency', action='store_true', help='time untimed measured rows on this CPU (fp32, 1280x720)'
    )
    parser.add_argument('--latency-size', type=parse_size, default=REFERENCE_SIZE, help='WxH for --measure-latency')
    parser.add_argument('--latency-repeats', type=int, default=3, help='timed runs per network (after 1 warm-up)')
    parser.add_argument('--output-md', type=Path, default=Path('leaderboard.md'))
    parser.add_argument('--output-png', type=Path, default=Path('leaderboard.png'))
    parser.add_argument('--no-published', action='store_true', help='measured rows only')
    parser.add_argument(
        '--ablations', type=Path, nargs='+', default=[], help='scripts/reproduce.py report JSONs (ablation panel)'
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Write the Markdown leaderboard and the plot; 2 when a score JSON or CSV is unusable."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.latency_repeats < 1:
        parser.error('--latency-repeats must be at least 1')
    published, datasets = load_published(args.published)
    tasks = load_dataset_tasks(args.published)
    logged = collect_measured(args.results, datasets) if args.results.is_dir() else []
    if not args.results.is_dir():
        print(f'note: {args.results} does not exist; no BasicSR test logs read', file=sys.stderr)
    try:
        scored = collect_scores(args.scores, datasets)
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    try:
        ablations = load_ablations(args.ablations)
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    measured = merge_measured(logged, scored)
    check_protocols(measured, tasks)
    if args.benchmark_csv:
        try:
            attach_benchmark_times(measured, args.benchmark_csv)
        except (OSError, KeyError, ValueError) as error:
            print(f'error: --benchmark-csv {args.benchmark_csv}: {error}', file=sys.stderr)
            return 2
    if args.measure_latency:
        measure_latencies(measured, *args.latency_size, warmup=1, repeats=args.latency_repeats)
    entries = measured + ([] if args.no_published else published)
    datasets += sorted({e.dataset for e in measured} - set(datasets))
    table = render_markdown(entries, datasets)
    args.output_md.parent.mkdir(parents=True, exist_ok=True)
    args.output_md.write_text(table, encoding='utf-8')
    outputs = [str(args.output_md)]
    try:
        render_plot(entries, datasets, args.output_png, ablations)
        outputs.append(str(args.output_png))
    except ValueError as error:
        print(f'note: no plot written: {error}', file=sys.stderr)
    print(table)
    print(f'{len(measured)} measured and {len(entries) - len(measured)} published rows; wrote {" and ".join(outputs)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

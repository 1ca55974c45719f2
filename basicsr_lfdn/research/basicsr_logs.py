"""Measured entries from the logs BasicSR's test pipeline writes (``results/<name>/test_*.log``).

Any BasicSR model's log works (ours, or e.g. an EDSR/NAFNet run on the same sets). From each log
this takes the options dump at its head (experiment name, ``network_g``, test sets, metric
settings), the parameter count (``Network: LFDN, with parameters: 1,541,009``) and every
validation block (``Validation GoPro`` followed by ``\\t # psnr: 31.6000`` lines).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

from basicsr_lfdn.research.entries import Entry, canonical_dataset
from basicsr_lfdn.research.runs import checkpoint_iteration, find_test_logs, is_ablation_run

_VALIDATION_BLOCK = re.compile(r'Validation (?P<dataset>[^\n]+?)\s*\n(?P<body>(?:[ \t]+# [^\n]*(?:\n|$))+)')
_METRIC_LINE = re.compile(r'# (?P<metric>\w+): (?P<value>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|nan|inf))')
_NETWORK_LINE = re.compile(r'Network: (?P<cls>[^,\n]+), with parameters: (?P<params>[\d,]+)')
_TOP_NAME_LINE = re.compile(r'^ {2}name: (?P<name>\S+)\s*$', re.MULTILINE)
_LOG_LINE = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d+ \w+:(?P<message>.*)$')
_OPTION_OPEN = re.compile(r'^(?P<indent> +)(?P<key>[\w.-]+):\[$')
_OPTION_VALUE = re.compile(r'^(?P<indent> +)(?P<key>[\w.-]+): ?(?P<value>.*)$')
_OPTION_CLOSE = re.compile(r'^ +\]$')


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
                iterations=checkpoint_iteration(checkpoint),
                recipe=recipe,
                options=dict(network_options) if network_options else None,
                params=params,
                protocol=_logged_protocol(options),
            )
        )
    return entries


def collect_measured(results_root: Path, known_datasets: list[str]) -> list[Entry]:
    """Measured entries under ``results_root``; for each experiment and dataset the newest log wins.

    The per-seed runs of the reduced-budget ablations (``ablation_*``) are left out: their report
    JSONs are the leaderboard's ``--ablations``.
    """
    latest: dict[tuple[str, str], Entry] = {}
    logs = find_test_logs(results_root)
    ablation_runs = {log.parent.name for log in logs if is_ablation_run(log.parent.name)}
    for log in logs:
        if log.parent.name not in ablation_runs:
            for entry in parse_test_log(log, known_datasets):
                latest[(entry.method, entry.dataset)] = entry
    if ablation_runs:
        print(f'note: {len(ablation_runs)} ablation run(s) left out of the rows (see --ablations)', file=sys.stderr)
    return list(latest.values())

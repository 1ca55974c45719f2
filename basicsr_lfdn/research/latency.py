"""Times of measured leaderboard entries: from an ``lfdn-benchmark`` CSV, or measured in the same run."""

from __future__ import annotations

import csv
import json
import statistics
import sys
from pathlib import Path

from basicsr_lfdn.research.entries import Entry

REFERENCE_SIZE = (720, 1280)  # (height, width) of the MACs column and of --measure-latency


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


def _timing_groups(entries: list[Entry]) -> dict[str, tuple[dict, list[Entry]]]:
    """Untimed measured entries by the network options that rebuild them (one timing per network)."""
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
    return groups


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
    groups = _timing_groups(entries)
    if not groups:
        return
    import torch

    from basicsr_lfdn.archs.complexity import count_macs, count_params
    from basicsr_lfdn.benchmark.config import BenchConfig
    from basicsr_lfdn.benchmark.worker import build_benchmark_network, run_worker

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

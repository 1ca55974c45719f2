"""Leaderboard entries: one method's scores on one dataset, measured here or published, and the checks
that measured entries get (one row per method and dataset, scored by their dataset's convention)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from basicsr_lfdn.research.rows import read_row_files


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
    ``metrics.json``) are skipped with a note; named files must be measured rows. Of two rows of
    one method and dataset the later file wins, with a warning.
    """
    found = read_row_files(paths)
    entries: dict[tuple[str, str], tuple[Entry, Path]] = {}
    for row, path in found.rows:
        entry = entry_from_row(row, path, known_datasets)
        key = (entry.method, entry.dataset)
        if key in entries:
            print(
                f'warning: {path} repeats {entry.method} on {entry.dataset} of {entries[key][1]}; kept {path}',
                file=sys.stderr,
            )
        entries[key] = (entry, path)
    if found.skipped:
        names = ', '.join(map(str, found.skipped))
        print(f'note: skipped {len(found.skipped)} JSON file(s) that are not measured rows: {names}', file=sys.stderr)
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

"""The measured-row format shared by ``lfdn-score``, the equal-budget runner and the leaderboard.

A measured row is one JSON object per method and test set: the keys ``ROW_KEYS`` (null where
unknown), with the scoring protocol under ``protocol``. ``check_row`` says what is wrong with a
file, ``write_row_json`` writes one atomically, ``read_row_files`` collects them from files and
folders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from basicsr_lfdn.research.json_files import write_text_atomically

ROW_KEYS = (
    'source',
    'name',
    'network',
    'recipe',
    'dataset',
    'protocol',
    'num_images',
    'num_missing',
    'psnr',
    'ssim',
    'params',
    'macs_g',
    'latency_s',
    'latency_device',
    'iterations',
    'training',
    'provenance',
)
PROTOCOL_KEYS = ('y_channel', 'crop_border', 'rounding')
_NUMBER = (int, float)
_ROW_TYPES: dict[str, tuple[tuple[type, ...], bool]] = {  # key: (accepted types, may be null)
    'source': ((str,), False),
    'name': ((str,), False),
    'network': ((str,), True),
    'recipe': ((str,), True),
    'dataset': ((str,), False),
    'protocol': ((dict,), False),
    'num_images': ((int,), False),
    'num_missing': ((int,), False),
    'psnr': (_NUMBER, True),
    'ssim': (_NUMBER, True),
    'params': ((int,), True),
    'macs_g': (_NUMBER, True),
    'latency_s': (_NUMBER, True),
    'latency_device': ((str,), True),
    'iterations': ((int,), True),
    'training': ((str,), True),
    'provenance': ((str,), False),
}


def check_row(row: Any, path: str | Path) -> None:
    """Raise ``ValueError`` naming ``path`` unless ``row`` is a measured row of the shared format."""
    if not isinstance(row, dict):
        raise ValueError(f'{path}: not a measured-row JSON (expected an object with keys {", ".join(ROW_KEYS)})')
    missing, unknown = [k for k in ROW_KEYS if k not in row], sorted(set(row) - set(ROW_KEYS))
    if missing or unknown:
        details = [f'missing keys: {", ".join(missing)}'] if missing else []
        details += [f'unknown keys: {", ".join(unknown)}'] if unknown else []
        raise ValueError(f'{path}: not a measured-row JSON ({"; ".join(details)})')
    problems = []
    for key, (types, nullable) in _ROW_TYPES.items():
        value = row[key]
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            kinds = ' or '.join(t.__name__ for t in types) + (' or null' if nullable else '')
            problems.append(f'{key} must be {kinds}, got {value!r}')
    if row['source'] != 'measured':
        problems.append(f"source must be 'measured', got {row['source']!r}")
    protocol = row['protocol']
    if isinstance(protocol, dict) and sorted(protocol) != sorted(PROTOCOL_KEYS):
        problems.append(f'protocol must have the keys {", ".join(PROTOCOL_KEYS)}, got {", ".join(protocol)}')
    if problems:
        raise ValueError(f'{path}: not a measured-row JSON ({"; ".join(problems)})')


def write_row_json(row: dict, path: Path, force: bool = False) -> None:
    """Write a measured row as JSON atomically (temporary file + rename); existing files need ``force``.

    The text is strict JSON (no NaN/Infinity); missing or unknown keys are refused.
    """
    path = Path(path)
    check_row(row, path)
    if path.exists() and not force:
        raise FileExistsError(f'{path} exists; pass --force to replace it')
    write_text_atomically(path, json.dumps({key: row[key] for key in ROW_KEYS}, indent=2, allow_nan=False) + '\n')


def find_row_files(paths: list[Path]) -> list[tuple[Path, bool]]:
    """``(file, named explicitly)`` for each argument; folders give their ``*.json`` (recursive)."""
    files = []
    for path in paths:
        if path.is_dir():
            files += [(found, False) for found in sorted(path.rglob('*.json')) if found.is_file()]
        elif path.is_file():
            files.append((path, True))
        else:
            raise ValueError(f'--scores {path}: no such file or folder')
    return files


@dataclass
class RowFiles:
    """The measured rows found, each with its file, and the JSON files found in folders that are not rows."""

    rows: list[tuple[dict, Path]] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def read_row_files(paths: list[Path]) -> RowFiles:
    """Every measured row of the files and folders ``paths``, checked; ``ValueError`` naming a malformed file.

    A JSON file found in a folder that is not a measured row at all (no ``"source": "measured"``,
    e.g. a ``metrics.json``) is skipped; a file named explicitly must be a measured row.
    """
    found = RowFiles()
    for path, explicit in find_row_files(paths):
        try:
            row = json.loads(path.read_text(encoding='utf-8'))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            if not explicit:
                found.skipped.append(path)
                continue
            raise ValueError(f'{path}: not a readable JSON file ({error})') from error
        if not explicit and not (isinstance(row, dict) and row.get('source') == 'measured'):
            found.skipped.append(path)
            continue
        check_row(row, path)
        found.rows.append((row, path))
    return found

"""The ablation report JSONs of ``scripts/reproduce.py`` read back as PSNR gaps to the default network."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


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

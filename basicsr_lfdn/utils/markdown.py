"""Markdown tables and number cells, as every report of the project writes them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

RIGHT = '---:'
LEFT = '---'


def table_row(cells: Iterable[str]) -> str:
    """``| a | b | c |``."""
    return '| ' + ' | '.join(cells) + ' |'


def separator(alignments: Iterable[str]) -> str:
    """The line under the header: ``|---|---:|`` from ``LEFT`` / ``RIGHT`` per column."""
    return '|' + '|'.join(alignments) + '|'


def table(header: Sequence[str], alignments: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Header, separator and one line per row (no blank line around them)."""
    return [table_row(header), separator(alignments), *(table_row(row) for row in rows)]


def number_cell(value: float | None, digits: int, missing: str = '-', thousands: bool = False) -> str:
    """``value`` with ``digits`` decimals (and ``,`` between thousands); ``missing`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f'{value:,.{digits}f}' if thousands else f'{value:.{digits}f}'

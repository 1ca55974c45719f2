"""Markdown cells and tables, as every report of the project writes them."""

import math

from basicsr_lfdn.utils.markdown import LEFT, RIGHT, number_cell, table


def test_number_cells_mark_missing_values_and_keep_infinity():
    assert number_cell(31.8557, 2) == '31.86'
    assert number_cell(1422.4, 1, thousands=True) == '1,422.4'
    assert number_cell(None, 2) == number_cell(math.nan, 2) == '-'
    assert number_cell(None, 2, missing='–') == '–'
    assert number_cell(math.inf, 2) == 'inf'  # an image identical to its target


def test_a_table_is_header_separator_and_rows():
    assert table(['network', 'PSNR'], [LEFT, RIGHT], [['LFDN', '31.86']]) == [
        '| network | PSNR |',
        '|---|---:|',
        '| LFDN | 31.86 |',
    ]

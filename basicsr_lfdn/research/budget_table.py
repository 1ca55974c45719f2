"""The equal-budget table: one line per network, PSNR / SSIM on every test set beside size, cost and speed."""

from __future__ import annotations

from basicsr_lfdn.utils.markdown import LEFT, RIGHT, number_cell, table


def render_table(table_name: str, rows: list[dict]) -> str:
    """Markdown of the measured rows (one per network and test set), networks in the order of ``rows``."""
    datasets = sorted({row['dataset'] for row in rows})
    header = ['network', 'params (M)', 'GMACs 1280×720', 'CPU latency 1280×720 (s)', 'iterations']
    header += [f'{dataset} PSNR / SSIM' for dataset in datasets]
    by_network: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_network.setdefault(row['network'], {})[row['dataset']] = row
    lines = []
    for network, per_set in by_network.items():
        first = next(iter(per_set.values()))
        lines.append(
            [
                network,
                f'{first["params"] / 1e6:.2f}',
                number_cell(first['macs_g'], 1),
                number_cell(first['latency_s'], 2),
                str(first['iterations']),
                *(f'{per_set[d]["psnr"]:.2f} / {per_set[d]["ssim"]:.4f}' if d in per_set else '-' for d in datasets),
            ]
        )
    alignments = [LEFT] + [RIGHT] * (len(header) - 1)
    return f'# {table_name}\n\n' + '\n'.join(table(header, alignments, lines)) + '\n'

"""The papers' published numbers (``docs/published_results.yaml``) as leaderboard entries."""

from __future__ import annotations

from pathlib import Path

import yaml

from basicsr_lfdn.research.entries import Entry
from basicsr_lfdn.research.runs import REPO_ROOT

DEFAULT_PUBLISHED = REPO_ROOT / 'docs' / 'published_results.yaml'


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

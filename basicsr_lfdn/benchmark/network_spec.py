"""The networks ``lfdn-benchmark`` measures: ``--network`` arguments and the papers' ablation rows."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def parse_network_spec(spec: str) -> tuple[str, dict, str | None]:
    """``(label, network options, checkpoint or None)`` for one ``--network`` argument.

    Accepts a registered name, a YAML/JSON file, an inline YAML/JSON dict, or a ``.pth`` file.
    """
    path = Path(spec)
    if path.suffix in ('.pth', '.pt') and path.is_file():
        from basicsr_lfdn.utils.checkpoint import load_checkpoint

        network = load_checkpoint(path).get('network_g')
        if not isinstance(network, dict):
            raise ValueError(f'--network {spec}: checkpoint carries no network_g; give a YAML with the options')
        return f'{network["type"]} ({path.name})', dict(network), str(path)
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding='utf-8'))
        label = path.stem
    elif spec.lstrip().startswith('{'):
        loaded = yaml.safe_load(spec)
        label = None
    else:
        from basicsr.utils.registry import ARCH_REGISTRY

        if spec not in ARCH_REGISTRY:
            raise ValueError(f'--network {spec}: not a file, an inline dict, nor a registered network name')
        return spec, {'type': spec}, None
    if not isinstance(loaded, dict):
        raise ValueError(f'--network {spec}: expected a mapping')
    network = loaded.get('network_g', loaded)
    if not isinstance(network, dict) or 'type' not in network:
        raise ValueError(f'--network {spec}: no network dict with a type')
    if label is None:
        options = ', '.join(f'{k}={v}' for k, v in network.items() if k != 'type')
        label = f'{network["type"]}({options})'
    return label, dict(network), None


def ablation_networks() -> list[tuple[str, dict, None]]:
    """One entry per distinct network of the papers' rows (fixed θ/α rows cost the same: kept once)."""
    from basicsr_lfdn.archs.complexity import ABLATION_ROWS

    seen: dict[str, str] = {}
    entries = []
    for row in ABLATION_ROWS:
        key = json.dumps({k: v for k, v in row.network.items() if k not in ('theta', 'alpha')}, sort_keys=True)
        if key in seen:
            continue
        seen[key] = row.row
        entries.append((f'{row.table}: {row.row}', dict(row.network), None))
    return entries

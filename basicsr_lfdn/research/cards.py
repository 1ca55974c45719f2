"""Leaderboard rows of the shipped weights, read from their model cards (``basicsr_lfdn/pretrained/*.json``).

A card is written by ``scripts/ship_weights.py`` after ``lfdn-test`` has measured the shipped file, so its
``metrics`` are the figures a user gets; reading them keeps the leaderboard's shipped rows current in a
fresh clone, where no ``results/`` folder exists.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from basicsr_lfdn.research.entries import Entry, canonical_dataset

CARD_KEYS = ('task', 'network_g', 'params', 'recipe', 'metrics', 'protocol', 'training', 'hardware')


def parse_protocol(text: str) -> dict:
    """The card's protocol sentence as the ``Entry.protocol`` dict (Y channel or RGB, border crop, rounding)."""
    crop = re.search(r'crop border (\d+)', text)
    return {
        'y_channel': 'Y channel' in text,
        'crop_border': int(crop.group(1)) if crop else 0 if 'no border crop' in text else None,
        'rounding': 'uint8' if 'uint8' in text else 'float',
    }


def training_text(card: dict) -> str:
    """How the shipped weights were trained, in one cell: the last stage, and the ladder when there is one."""
    training = card['training']
    text = (
        f'{training["iterations"]:,} it. of {training["crops"]} ({training["loss"]}, {training["optimiser"]}), '
        f'{card["hardware"]}, wall time {training["wall_time"]}'
    )
    ladder = card.get('ladder')
    if ladder:
        hours = sum(stage['hours'] for stage in ladder)
        text = f'last of {len(ladder)} ladder stages ({hours:.2f} CPU-hours in all): {text}'
    return text


def entries_from_card(card: dict, path: Path, known_datasets: list[str]) -> list[Entry]:
    """One measured entry per test set of ``card``; ``ValueError`` naming ``path`` for a card missing a key."""
    missing = [key for key in CARD_KEYS if key not in card]
    if missing:
        raise ValueError(f'{path}: model card lacks {", ".join(missing)}')
    network = card['network_g']['type']
    return [
        Entry(
            source='measured',
            method=f'{network} (shipped {card["task"]} weights)',
            dataset=canonical_dataset(dataset, known_datasets),
            psnr=scores['psnr'],
            ssim=scores.get('ssim'),
            params_m=card['params'] / 1e6,
            time_s=None,
            provenance=f'model card {path.name}',
            network=network,
            training=training_text(card),
            recipe=card['recipe'],
            options=card['network_g'],
            params=card['params'],
            protocol=parse_protocol(card['protocol']),
        )
        for dataset, scores in card['metrics'].items()
    ]


def collect_cards(folder: Path, known_datasets: list[str]) -> list[Entry]:
    """Entries of every model card (``*.json`` beside a ``.pth`` of the same name) in ``folder``."""
    entries = []
    for path in sorted(folder.glob('*.json')):
        if not path.with_suffix('.pth').is_file():
            continue
        try:
            card = json.loads(path.read_text(encoding='utf-8'))
        except json.JSONDecodeError as error:
            raise ValueError(f'{path}: not a readable model card ({error})') from error
        entries += entries_from_card(card, path, known_datasets)
    return entries

"""A model card names the chain of ladder stages its weights came from (``ship_weights.py --ladder``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from basicsr_lfdn.pretrained.shipping import ladder_stages


def test_the_chain_is_the_networks_stages_in_order(tmp_path: Path) -> None:
    record = tmp_path / 'ladder.json'
    stage = {'clock': 'process CPU time', 'points': [{'iter': 250, 'cpu_hours': 0.2}]}
    record.write_text(
        json.dumps(
            {
                'LFDN': {
                    'stages': [
                        {**stage, 'label': 'stage 1', 'recipe': 'a.yml', 'hours': 1.5},
                        {**stage, 'label': 'stage 2', 'recipe': 'b.yml', 'hours': 0.5},
                    ]
                },
                'LMFN': {'stages': [{**stage, 'label': 'other', 'recipe': 'c.yml', 'hours': 2.0}]},
            }
        )
    )
    assert ladder_stages(record, 'LFDN') == [
        {'label': 'stage 1', 'recipe': 'a.yml', 'hours': 1.5},
        {'label': 'stage 2', 'recipe': 'b.yml', 'hours': 0.5},
    ]
    with pytest.raises(SystemExit, match='no stages of RCAN'):
        ladder_stages(record, 'RCAN')

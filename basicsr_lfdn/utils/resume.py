"""Loading training states for resume on any device.

BasicSR 1.4.2 loads ``*.state`` files with ``map_location=storage.cuda(...)``, which fails on a
machine without a GPU, and with full unpickling. Here a state is loaded on the CPU with
``weights_only=True``; ``Optimizer.load_state_dict`` moves its tensors to the parameters' device.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from basicsr.utils import check_resume

from basicsr_lfdn.utils.checkpoint import load_checkpoint

_STATE_NAME = re.compile(r'^(\d+)\.state$')


def latest_state_file(states_dir: str | os.PathLike) -> Path | None:
    """The ``<iter>.state`` file with the highest iteration (temp files of unfinished saves are ignored)."""
    states_dir = Path(states_dir)
    if not states_dir.is_dir():
        return None
    found = [(int(match.group(1)), path) for path in states_dir.iterdir() if (match := _STATE_NAME.match(path.name))]
    return max(found)[1] if found else None


def load_resume_state(opt: dict[str, Any]) -> dict[str, Any] | None:
    """Drop-in for ``basicsr.train.load_resume_state``: find, load (CPU, weights_only) and check a state.

    With ``--auto_resume`` the newest state of ``experiments/<name>/training_states`` is used;
    otherwise ``path.resume_state`` if set. ``check_resume`` then points ``pretrain_network_g`` at
    the network file saved at the same iteration.
    """
    if opt['auto_resume']:
        state_path = latest_state_file(Path('experiments') / opt['name'] / 'training_states')
        if state_path is not None:
            opt['path']['resume_state'] = str(state_path)
    else:
        state_path = opt['path'].get('resume_state')
    if not state_path:
        return None
    resume_state = load_checkpoint(state_path)
    check_resume(opt, resume_state['iter'])
    return resume_state

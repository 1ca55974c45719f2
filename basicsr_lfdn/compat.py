"""The one place where basicsr-lfdn adapts BasicSR 1.4.2 to current PyTorch / torchvision.

BasicSR 1.4.2 (the newest release on PyPI) imports
``torchvision.transforms.functional_tensor.rgb_to_grayscale`` at import time. That private
module was removed in torchvision 0.17, so ``import basicsr`` fails on any current install.
The function still exists publicly as ``torchvision.transforms.functional.rgb_to_grayscale``
with the same signature, so we register a tiny alias module under the old name before BasicSR
is imported. Nothing in site-packages is edited.

This module must be imported before anything imports ``basicsr``; ``basicsr_lfdn/__init__``
does that first.
"""

from __future__ import annotations

import importlib.util
import sys
import types

_LEGACY_MODULE = 'torchvision.transforms.functional_tensor'


def install_torchvision_alias() -> None:
    """Make ``torchvision.transforms.functional_tensor`` importable again (idempotent)."""
    if _LEGACY_MODULE in sys.modules:
        return
    try:
        if importlib.util.find_spec(_LEGACY_MODULE) is not None:
            return
    except ModuleNotFoundError:
        pass
    from torchvision.transforms import functional

    alias = types.ModuleType(_LEGACY_MODULE)
    alias.__doc__ = 'Alias created by basicsr_lfdn.compat for BasicSR 1.4.2 (torchvision >= 0.17).'
    alias.rgb_to_grayscale = functional.rgb_to_grayscale
    sys.modules[_LEGACY_MODULE] = alias


install_torchvision_alias()

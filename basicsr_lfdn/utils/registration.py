"""Auto-import of plugin modules so that their ``@*_REGISTRY.register()`` decorators run.

BasicSR discovers its own ``*_arch.py`` / ``*_dataset.py`` / ``*_model.py`` / ``*_loss.py``
files by scanning its package folders; this does the same for the plugin's folders.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType


def import_modules_with_suffix(package: str, package_file: str, suffix: str) -> list[ModuleType]:
    """Import every ``<name><suffix>.py`` beside ``package_file`` as ``<package>.<name><suffix>``."""
    folder = Path(package_file).resolve().parent
    names = sorted(path.stem for path in folder.glob(f'*{suffix}.py'))
    return [importlib.import_module(f'{package}.{name}') for name in names]

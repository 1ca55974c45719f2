"""The optional ``deploy`` packages (openvino, nncf, onnxruntime): are they installed, and import them or say why not.

Kept apart from the backends and the quantisation so that both can use it without importing
each other.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from types import ModuleType

INSTALL_HINT = "pip install 'basicsr-lfdn[deploy]' (from a checkout: pip install -e '.[deploy]')"


class MissingBackendError(RuntimeError):
    """A backend's Python package is not installed; the message is one line naming what to install."""


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` for ``purpose`` (e.g. ``'--backend openvino'``), or fail saying what to install."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        message = f"{purpose} needs the '{module}' package, which is not installed: {INSTALL_HINT}"
        raise MissingBackendError(message) from error


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (cheap: no start-up cost).

    A module set to None in ``sys.modules`` (how tests hide a package) counts as missing.
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def package_version(distribution: str) -> str:
    """Installed version of a distribution (e.g. ``'nncf'``), ``'none'`` when it is not installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return 'none'

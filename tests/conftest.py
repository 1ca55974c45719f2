"""Imports the plugin before any test module imports BasicSR (see basicsr_lfdn/compat.py)."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import basicsr_lfdn  # noqa: F401

SCRIPTS = Path(__file__).resolve().parents[1] / 'scripts'


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` imported as module ``name`` (registered first: dataclasses need sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module

"""Imports the plugin before any test module imports BasicSR (see basicsr_lfdn/compat.py)."""

import basicsr_lfdn  # noqa: F401

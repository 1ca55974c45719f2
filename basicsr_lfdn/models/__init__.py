"""Registers every ``*_model.py`` module of this folder with BasicSR on import."""

from basicsr_lfdn.utils.registration import import_modules_with_suffix

_modules = import_modules_with_suffix(__name__, __file__, '_model')

"""basicsr-lfdn: LMFN (ICIP 2021) and LFDN (Sensors 2021) as a BasicSR plugin.

Importing the package registers its networks, datasets, losses and models in BasicSR's
registries. ``compat`` runs first because BasicSR 1.4.2 cannot be imported on current
torchvision without it.
"""

# isort: off
from basicsr_lfdn import compat  # noqa: F401  (must precede every basicsr import)
from basicsr_lfdn import archs, data, losses, models  # noqa: F401
# isort: on

__version__ = '0.1.0'

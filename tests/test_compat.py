"""BasicSR 1.4.2 imports on current torchvision once basicsr_lfdn is imported (no site-packages edits)."""

import subprocess
import sys


def test_basicsr_imports_after_the_plugin_in_a_fresh_interpreter():
    code = (
        'import basicsr_lfdn, basicsr, torchvision.transforms.functional as F;'
        'from basicsr.data.degradations import rgb_to_grayscale;'
        'assert rgb_to_grayscale is F.rgb_to_grayscale;'
        'from basicsr.utils.registry import ARCH_REGISTRY;'
        "ARCH_REGISTRY.get('LFDN'); ARCH_REGISTRY.get('LMFN')"
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

"""Example uploads for the demo page, made at start-up like the demo data: no download, no benchmark image.

Each example is one of scikit-image's bundled photos degraded by the demo data's own degradation
for its task (:data:`basicsr_lfdn.data.demo_data.TASKS`: rain streaks, or camera-shake blur with
sensor noise) under the demo data's seed, so every start writes the same files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from basicsr_lfdn.data.degradations import degrade, rng_for
from basicsr_lfdn.data.demo_data import TASK_SEEDS, TASKS, load_photo
from basicsr_lfdn.inference.image_io import ImageMeta, write_image

# (photo, task), shown in this order under the upload box.
EXAMPLES = (('chelsea', 'derain'), ('coffee', 'derain'), ('astronaut', 'deblur'))


def write_examples(folder: Path) -> list[tuple[Path, str]]:
    """Write the degraded example photos into ``folder`` as PNG; returns ``(path, task)`` per example."""
    written = []
    for index, (photo, task) in enumerate(EXAMPLES):
        kind, config = TASKS[task]
        clean = load_photo(photo)[:, :, ::-1].astype(np.float32) / 255.0
        degraded = degrade(clean, kind, rng_for(TASK_SEEDS[task], index), config)
        path = folder / f'{photo}_{kind}.png'
        write_image(path, degraded, ImageMeta(dtype=np.dtype(np.uint8), grayscale=False, alpha=None))
        written.append((path, task))
    return written

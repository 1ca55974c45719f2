"""The demo's one temporary folder: everything the server writes lives in it and goes with it.

Layout under ``lfdn-demo-XXXX/`` (in the system's temporary folder, ``$TMPDIR``)::

    gradio/     Gradio's uploads and the copies of results it serves (GRADIO_TEMP_DIR)
    examples/   the example photos, written at start-up
    jobs/N/     the files of restore N; removed when the next restore starts (by then
                Gradio has copied what it serves into gradio/)

Gradio's own copies older than ``CACHE_AGE_S`` are deleted while the server runs
(``gr.Blocks(delete_cache=...)``), and the whole folder when the server stops.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

CACHE_AGE_S = 3600  # Gradio's uploads and served results are kept an hour...
CACHE_SWEEP_S = 600  # ...and swept every ten minutes


class Workspace:
    """A fresh temporary folder, Gradio's temporary folder while in use, removed on exit.

    Use as a context manager: entering points Gradio (``GRADIO_TEMP_DIR``) at ``gradio/`` so
    uploads land here; leaving removes the folder and restores the previous setting. Enter it
    before Gradio is imported: some of Gradio's modules read ``GRADIO_TEMP_DIR`` once, on import.
    """

    def __init__(self, parent: str | os.PathLike | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix='lfdn-demo-', dir=parent))
        self.gradio = self.root / 'gradio'
        self.examples = self.root / 'examples'
        self.jobs = self.root / 'jobs'
        self._numbers = itertools.count(1)
        self._previous_gradio_dir: str | None = None

    def __enter__(self) -> Workspace:
        for folder in (self.gradio, self.examples, self.jobs):
            folder.mkdir()
        self._previous_gradio_dir = os.environ.get('GRADIO_TEMP_DIR')
        os.environ['GRADIO_TEMP_DIR'] = str(self.gradio)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._previous_gradio_dir is None:
            os.environ.pop('GRADIO_TEMP_DIR', None)
        else:
            os.environ['GRADIO_TEMP_DIR'] = self._previous_gradio_dir
        shutil.rmtree(self.root, ignore_errors=True)

    def new_job(self) -> Path:
        """An empty folder for the next restore; the folders of earlier restores are removed."""
        for old in self.jobs.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        folder = self.jobs / str(next(self._numbers))
        folder.mkdir()
        return folder

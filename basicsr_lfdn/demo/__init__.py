"""``lfdn-demo``: a local web page that restores uploaded photos with the shipped weights.

Modules, one concern each:

* :mod:`~basicsr_lfdn.demo.engine`: checks an upload and restores it (no web code), reusing
  ``lfdn-restore``'s reading, tiling, predictors and writing, so the page's PNG equals its output;
* :mod:`~basicsr_lfdn.demo.workspace`: the one temporary folder holding uploads, examples and results;
* :mod:`~basicsr_lfdn.demo.examples`: example photos degraded like the demo data (scikit-image photos);
* :mod:`~basicsr_lfdn.demo.app`: the Gradio page (upload, options, before/after slider, downloads);
* :mod:`~basicsr_lfdn.demo.cli`: the ``lfdn-demo`` command.

Gradio is the optional ``demo`` extra: ``pip install 'basicsr-lfdn[demo]'``.
"""

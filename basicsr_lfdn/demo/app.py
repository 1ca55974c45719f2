"""The Gradio page of ``lfdn-demo``: upload photos, choose the weights and backend, compare, download.

The page holds no restoration logic: the restore button hands the uploads to
:class:`~basicsr_lfdn.demo.engine.Restorer` one after the other, shows each file's outcome in the
message box (a bad file gets a one-line reason and the others are still restored), the first
restored pair in the before/after slider (a drop-down picks another) and every full-resolution
PNG as a download. Restores go through Gradio's queue one at a time (``concurrency_limit=1``):
a second visitor waits in the queue with the position shown, and the CPU is never shared by two
restores.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from basicsr_lfdn.demo.engine import RestoreError, RestoreOptions, Restorer, available_backends
from basicsr_lfdn.demo.workspace import CACHE_AGE_S, CACHE_SWEEP_S, Workspace
from basicsr_lfdn.inference.backends import BACKEND_PRECISIONS
from basicsr_lfdn.inference.image_io import IMAGE_EXTENSIONS
from basicsr_lfdn.pretrained import DEFAULT_NETWORK, SHIPPED

TITLE = 'LMFN / LFDN photo restoration'
INTRO = (
    f'# {TITLE}\n'
    'Upload one or several photos, pick the task, and press **Restore**. Drag the slider to compare '
    'before and after; the restored PNGs are full resolution, with the depth, grayscale and transparency '
    "of the upload. The networks run on this computer's CPU with the weights shipped with `basicsr-lfdn` "
    '(trained on real photos with synthetic rain or blur).'
)
NO_UPLOAD = 'Upload one or more images first.'
# (slider pair: before, after) per restored file name, kept per visitor for the "Show" drop-down.
Pairs = dict[str, tuple[str, str]]


def _network_choices(task: str) -> gr.Dropdown:
    networks = list(SHIPPED[task])
    return gr.Dropdown(choices=networks, value=networks[0])


def _precision_choices(backend: str) -> gr.Dropdown:
    precisions = list(BACKEND_PRECISIONS[backend])
    return gr.Dropdown(choices=precisions, value=precisions[0])


def _show(name: str | None, pairs: Pairs) -> tuple[str, str] | None:
    return pairs.get(name) if name else None


def summary_line(restored: int, total: int, options: RestoreOptions, seconds: float) -> str:
    """The first line of the message box, e.g. ``Restored 1 of 2 images (LFDN derain, torch fp32) in 1.4 s.``"""
    noun = 'image' if total == 1 else 'images'
    return f'Restored {restored} of {total} {noun} ({options.describe()}) in {seconds:.1f} s.'


def build_app(restorer: Restorer, workspace: Workspace, examples: list[tuple[Path, str]]) -> gr.Blocks:
    """The page, its queue set to run one restore at a time; ``workspace`` must be entered already."""

    def restore(
        files: list[str] | None,
        task: str,
        network: str,
        backend: str,
        precision: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's way of asking for a progress bar)
    ) -> tuple[str, tuple[str, str] | None, list[str] | None, gr.Dropdown, Pairs]:
        if not files:
            return NO_UPLOAD, None, None, gr.Dropdown(choices=[], value=None), {}
        start = time.perf_counter()
        options = RestoreOptions(task, network, backend, precision)
        progress(0, desc=f'loading the network ({options.describe()})')
        try:
            restorer.predictor(options)
        except RestoreError as error:
            return f'✗ {error}', None, None, gr.Dropdown(choices=[], value=None), {}
        job = workspace.new_job()
        lines, downloads, pairs = [], [], {}
        for index, upload in enumerate(map(Path, files), start=1):

            def on_tile(done: int, total: int, name: str = upload.name, index: int = index) -> None:
                progress((done, total), desc=f'{name} ({index}/{len(files)}): tile', unit='tiles')

            try:
                result = restorer.restore(upload, options, job / str(index), on_tile)
            except RestoreError as error:
                lines.append(f'✗ {error}')
                continue
            width, height = result.size
            notes = ''.join(f'; {note}' for note in result.notes)
            lines.append(f'✓ {result.name}: {width}×{height} restored as {result.download.name}{notes}')
            downloads.append(str(result.download))
            pairs[f'{index}. {result.name}'] = (str(result.before), str(result.after))
        header = summary_line(len(downloads), len(files), options, time.perf_counter() - start)
        first = next(iter(pairs), None)
        return (
            '\n'.join([header, *lines]),
            _show(first, pairs),
            downloads or None,
            gr.Dropdown(choices=list(pairs), value=first),
            pairs,
        )

    backends = available_backends()
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(CACHE_SWEEP_S, CACHE_AGE_S)) as app:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column():
                files = gr.File(
                    label='Photos',
                    file_count='multiple',
                    file_types=list(IMAGE_EXTENSIONS),
                    elem_id='lfdn-upload',
                )
                task = gr.Radio(sorted(SHIPPED), value='derain', label='Task', elem_id='lfdn-task')
                network = gr.Dropdown(
                    list(SHIPPED['derain']), value=DEFAULT_NETWORK, label='Network', elem_id='lfdn-network'
                )
                with gr.Row():
                    backend = gr.Dropdown(backends, value=backends[0], label='Backend', elem_id='lfdn-backend')
                    precision = gr.Dropdown(
                        list(BACKEND_PRECISIONS[backends[0]]), value='fp32', label='Precision', elem_id='lfdn-precision'
                    )
                run = gr.Button('Restore', variant='primary', elem_id='lfdn-run')
                gr.Examples(
                    examples=[[[str(path)], example_task] for path, example_task in examples],
                    inputs=[files, task],
                    example_labels=[f'{path.stem} ({example_task})' for path, example_task in examples],
                    cache_examples=False,
                )
            with gr.Column():
                slider = gr.ImageSlider(
                    label='Before / after',
                    type='filepath',
                    format='png',
                    interactive=False,
                    buttons=['fullscreen'],
                    elem_id='lfdn-slider',
                )
                shown = gr.Dropdown(choices=[], label='Show', elem_id='lfdn-shown')
                downloads = gr.File(
                    label='Restored PNGs (full resolution)',
                    file_count='multiple',
                    interactive=False,
                    elem_id='lfdn-downloads',
                )
                status = gr.Textbox(label='Messages', lines=4, interactive=False, elem_id='lfdn-status')
        pairs = gr.State({})

        task.change(_network_choices, task, network, queue=False)
        backend.change(_precision_choices, backend, precision, queue=False)
        shown.change(_show, [shown, pairs], slider, queue=False)
        run.click(
            restore,
            [files, task, network, backend, precision],
            [status, slider, downloads, shown, pairs],
            show_progress_on=slider,
            concurrency_limit=1,
            concurrency_id='restore',
        )
    return app.queue(default_concurrency_limit=1)

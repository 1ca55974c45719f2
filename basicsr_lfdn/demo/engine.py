"""Restore one uploaded file for the demo page, or say in one line why it cannot be restored.

Everything a restore does comes from ``lfdn-restore``: the predictor is the one
:func:`basicsr_lfdn.inference.restore.build_predictor` builds for ``lfdn-restore --task ...
--network ... --backend ... --precision ...`` (OpenVINO models and their int8 quantisation come
from its model cache), the file is read with :func:`~basicsr_lfdn.inference.image_io.read_image`,
run tile by tile with :func:`~basicsr_lfdn.utils.tiling.tiled_forward` at ``lfdn-restore``'s
default tile and overlap, and written with :func:`~basicsr_lfdn.inference.image_io.write_image`.
So the PNG a visitor downloads is the file ``lfdn-restore`` writes for the same input and choices
(bit depth, grayscale and alpha kept). What the page adds: a size check before decoding (an upload
over ``max_pixels`` is refused from its header, so it never fills the memory), a smallest size,
8-bit previews for the before/after slider, and a callback per tile for the progress bar.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from basicsr_lfdn.inference.backends import BACKEND_PRECISIONS, MissingBackendError, Predictor
from basicsr_lfdn.inference.deps import installed
from basicsr_lfdn.inference.image_io import ImageMeta, ImageReadError, read_image, write_image
from basicsr_lfdn.inference.restore import build_parser as restore_parser
from basicsr_lfdn.inference.restore import build_predictor as restore_predictor
from basicsr_lfdn.pretrained import SHIPPED
from basicsr_lfdn.utils.tiling import _tile_starts, tiled_forward

# lfdn-restore's own defaults, so that the page and the command give the same image.
TILE = restore_parser().get_default('tile')
TILE_OVERLAP = restore_parser().get_default('tile_overlap')

DEFAULT_MAX_PIXELS = 25_000_000  # a 6144×4096 photo: about 2 GB of working memory at most
MIN_SIDE = 16  # smaller images hold too little to restore (a 1×1 upload is a mistake, not a photo)
PREVIEW_SIDE = 1600  # longest side of the slider's 8-bit previews; the download keeps full size
PREDICTORS_KEPT = 2  # loaded (task, network, backend, precision) predictors kept in memory

PredictorFactory = Callable[['RestoreOptions', 'int | None', int], Predictor]
TileCallback = Callable[[int, int], None]


class RestoreError(ValueError):
    """An upload or a choice the page cannot restore; the message is one line for the visitor."""


@dataclass(frozen=True)
class RestoreOptions:
    """What the visitor chose: shipped weights (task, network) and the CPU backend and precision."""

    task: str
    network: str
    backend: str
    precision: str

    def describe(self) -> str:
        """E.g. ``'LFDN derain, torch fp32'``."""
        return f'{self.network} {self.task}, {self.backend} {self.precision}'


@dataclass
class Restored:
    """One restored upload: the full-resolution file, the slider's previews and notes for the visitor."""

    name: str
    size: tuple[int, int]
    download: Path
    before: Path
    after: Path
    notes: list[str] = field(default_factory=list)


def available_backends() -> list[str]:
    """The package's CPU backends whose Python packages are installed (torch always is)."""
    return [name for name in BACKEND_PRECISIONS if name == 'torch' or installed(name)]


def build_predictor(options: RestoreOptions, threads: int | None, tile: int = TILE) -> Predictor:
    """The predictor ``lfdn-restore --task ... --network ... --backend ... --precision ...`` runs on the CPU.

    ``lfdn-restore`` builds it from its parsed command line, so this parses one (a placeholder input
    and output, never read: only the predictor is used); every other option keeps its default.
    """
    argv = ['--task', options.task, '--network', options.network, '--backend', options.backend]
    argv += ['--precision', options.precision, '--tile', str(tile), '--output', 'unused', 'unused']
    if threads:
        argv += ['--threads', str(threads)]
    return restore_predictor(restore_parser().parse_args(argv), torch.device('cpu'))


def tile_count(height: int, width: int, tile: int, overlap: int) -> int:
    """How many times :func:`~basicsr_lfdn.utils.tiling.tiled_forward` calls the network on an image."""
    if tile <= 0 or (tile >= height and tile >= width):
        return 1
    stride = tile - overlap
    return len(_tile_starts(height, min(tile, height), stride)) * len(_tile_starts(width, min(tile, width), stride))


def too_large(name: str, what: str, max_pixels: int) -> RestoreError:
    """The refusal of an image over ``max_pixels``; ``what`` describes its size."""
    return RestoreError(
        f"{name}: {what} is over this server's limit of {max_pixels / 1e6:.1f} megapixels "
        '(lfdn-demo --max-pixels); downscale it, or restore it with lfdn-restore'
    )


def check_size(name: str, width: int, height: int, max_pixels: int) -> None:
    """Raise :class:`RestoreError` when a ``width``×``height`` image is too small or too large for the page."""
    if width * height > max_pixels:
        raise too_large(name, f'{width}×{height} pixels ({width * height / 1e6:.1f} megapixels)', max_pixels)
    if min(width, height) < MIN_SIDE:
        raise RestoreError(
            f'{name}: {width}×{height} pixels is too small to restore (at least {MIN_SIDE}×{MIN_SIDE} pixels)'
        )


def check_header(path: Path, name: str, max_pixels: int) -> None:
    """Check the size in the file's header before its pixels are decoded (a huge image is refused cheaply).

    Files whose header Pillow cannot parse are left to ``read_image``, which names the problem.
    """
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Image.DecompressionBombError as error:
        bomb = 2 * Image.MAX_IMAGE_PIXELS / 1e6  # Pillow refuses sizes over twice its warning limit
        raise too_large(name, f'the image (over {bomb:.0f} megapixels by its header)', max_pixels) from error
    except (OSError, ValueError, SyntaxError):
        return
    check_size(name, width, height, max_pixels)


def write_preview(path: Path, rgb: np.ndarray) -> None:
    """An 8-bit RGB PNG of an H×W×3 float image, its longest side at most ``PREVIEW_SIDE``."""
    height, width = rgb.shape[:2]
    scale = PREVIEW_SIDE / max(height, width)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    write_image(path, rgb, ImageMeta(dtype=np.dtype(np.uint8), grayscale=False, alpha=None))


def describe_form(meta: ImageMeta, width: int, height: int) -> list[str]:
    """Notes telling the visitor what the download keeps of an unusual input."""
    notes = []
    if meta.dtype == np.uint16:
        notes.append('16-bit: the PNG keeps 16 bits per channel (the slider shows 8)')
    if meta.alpha is not None:
        notes.append('transparency: the alpha channel is kept as uploaded')
    if meta.grayscale:
        notes.append('grayscale: restored and saved as grayscale')
    if max(width, height) > PREVIEW_SIDE:
        notes.append(f'the slider shows a preview {PREVIEW_SIDE} pixels wide at most; the PNG is full size')
    return notes


class Restorer:
    """Restores uploads with cached predictors; one restore at a time (the page queues the others).

    Args:
        max_pixels: largest width × height accepted.
        threads: CPU threads (``lfdn-restore --threads``); None: the backend's default.
        tile, overlap: tiling as ``lfdn-restore --tile/--tile-overlap``.
        factory: builds a predictor for a choice (tests pass a stand-in).
    """

    def __init__(
        self,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        threads: int | None = None,
        tile: int = TILE,
        overlap: int = TILE_OVERLAP,
        factory: PredictorFactory = build_predictor,
    ) -> None:
        if tile < 0 or overlap < 0 or (tile and overlap >= tile):
            raise ValueError(f'need 0 <= tile overlap < tile (got {overlap}, {tile})')
        self.max_pixels = max_pixels
        self.threads = threads
        self.tile = tile
        self.overlap = overlap
        self.factory = factory
        self._predictors: OrderedDict[RestoreOptions, Predictor] = OrderedDict()

    def predictor(self, options: RestoreOptions) -> Predictor:
        """The predictor for ``options``, built on first use; the least recently used ones are dropped."""
        if options.task not in SHIPPED or options.network not in SHIPPED[options.task]:
            raise RestoreError(f'no shipped {options.task} weights for {options.network}')
        if options.backend not in available_backends() or options.precision not in BACKEND_PRECISIONS[options.backend]:
            raise RestoreError(f'{options.backend} {options.precision} is not available on this server')
        if options not in self._predictors:
            try:
                self._predictors[options] = self.factory(options, self.threads, self.tile)
            except (MissingBackendError, OSError, RuntimeError, ValueError) as error:
                raise RestoreError(f'{options.describe()}: could not load the network: {error}') from error
            while len(self._predictors) > PREDICTORS_KEPT:
                self._predictors.popitem(last=False)
        self._predictors.move_to_end(options)
        return self._predictors[options]

    def restore(self, upload: Path, options: RestoreOptions, folder: Path, on_tile: TileCallback) -> Restored:
        """Restore ``upload`` into ``folder`` (created): ``<stem>_restored.png`` plus two previews.

        ``on_tile(done, total)`` is called after each tile. Raises :class:`RestoreError` naming the
        file when it is not an image, too small or too large, or the restore fails.
        """
        name = upload.name
        check_header(upload, name, self.max_pixels)
        try:
            rgb, meta = read_image(upload)
        except ImageReadError as error:
            raise RestoreError(f'{name}: {str(error).removeprefix(f"{upload}: ")}') from error
        height, width = rgb.shape[:2]
        check_size(name, width, height, self.max_pixels)
        predict = self.predictor(options)
        total = tile_count(height, width, self.tile, self.overlap)
        done = 0

        def counted(batch: torch.Tensor) -> torch.Tensor:
            nonlocal done
            output = predict(batch)
            done += 1
            on_tile(done, total)
            return output

        try:
            restored = tiled_forward(counted, torch.from_numpy(rgb).permute(2, 0, 1)[None], self.tile, self.overlap)
            result = restored[0].permute(1, 2, 0).cpu().numpy()
            folder.mkdir(parents=True, exist_ok=True)
            download = folder / f'{upload.stem}_restored.png'
            write_image(download, result, meta)
            before, after = folder / 'before.png', folder / 'after.png'
            write_preview(before, rgb)
            write_preview(after, result)
        except (MemoryError, OSError, RuntimeError) as error:
            raise RestoreError(f'{name}: the restore failed: {error}') from error
        return Restored(name, (width, height), download, before, after, describe_form(meta, width, height))

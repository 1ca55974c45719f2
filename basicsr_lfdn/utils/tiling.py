"""Tiled inference with overlap blending, so that any image size runs in bounded memory."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor


def _tile_starts(length: int, tile: int, stride: int) -> list[int]:
    """Start offsets covering ``[0, length)`` with windows of ``tile``; the last one ends at ``length``."""
    starts = list(range(0, max(length - tile, 0) + 1, stride))
    if starts[-1] + tile < length:
        starts.append(length - tile)
    return starts


def _axis_weights(length: int, overlap: int, ramp_start: bool, ramp_end: bool) -> Tensor:
    """Blend weights along one axis of a window, ramping only at edges shared with a neighbour.

    The outer quarter of the overlap gets weight 0 (those pixels see the window's zero
    padding), the middle half ramps linearly to 1. Neighbours overlap by at least ``overlap``
    pixels, so every pixel keeps a positive total weight and, for a network whose receptive
    radius is at most ``overlap // 4``, the blend equals a full pass exactly.
    """
    dead = overlap // 4
    ramp = max(overlap - 2 * dead, 1)
    distance = torch.arange(length, dtype=torch.float32)
    weights = torch.ones(length)
    if ramp_start:
        weights = torch.minimum(weights, ((distance - dead + 1) / (ramp + 1)).clamp(0, 1))
    if ramp_end:
        weights = torch.minimum(weights, ((length - 1 - distance - dead + 1) / (ramp + 1)).clamp(0, 1))
    return weights


@torch.no_grad()
def tiled_forward(model: Callable[[Tensor], Tensor], x: Tensor, tile: int, overlap: int) -> Tensor:
    """Run ``model`` on overlapping ``tile``×``tile`` windows of ``x`` and blend the results.

    Args:
        model: maps B×C×h×w to B×C'×h×w (same spatial size, e.g. a restoration network).
        x: B×C×H×W input.
        tile: window size in pixels; ``tile <= 0`` or a tile covering the whole image means one
            full pass.
        overlap: pixels shared by neighbouring windows; outputs are blended over this width
            (see ``_axis_weights``), which removes border effects of local networks exactly
            and hides seams of networks with global statistics.

    Returns:
        B×C'×H×W output. Peak memory is that of one window plus the output accumulators.
    """
    _, _, height, width = x.shape
    if tile <= 0 or (tile >= height and tile >= width):
        return model(x)
    if not 0 <= overlap < tile:
        raise ValueError(f'tile overlap must satisfy 0 <= overlap < tile, got overlap={overlap}, tile={tile}')
    tile_h, tile_w = min(tile, height), min(tile, width)
    stride = tile - overlap
    output: Tensor | None = None
    weight_sum = torch.zeros(1, 1, height, width, device=x.device, dtype=torch.float32)
    tops, lefts = _tile_starts(height, tile_h, stride), _tile_starts(width, tile_w, stride)
    for top in tops:
        rows = _axis_weights(tile_h, overlap, top > 0, top + tile_h < height)
        for left in lefts:
            cols = _axis_weights(tile_w, overlap, left > 0, left + tile_w < width)
            window = (rows[:, None] * cols[None, :]).to(x.device)[None, None]
            patch = model(x[:, :, top : top + tile_h, left : left + tile_w]).float()
            if output is None:
                output = torch.zeros(x.shape[0], patch.shape[1], height, width, device=x.device, dtype=torch.float32)
            output[:, :, top : top + tile_h, left : left + tile_w] += patch * window
            weight_sum[:, :, top : top + tile_h, left : left + tile_w] += window
    return (output / weight_sum).to(x.dtype)

"""Shared machinery of every ``lfdn-prep`` subcommand: find, validate, write, crop, LMDB, summary.

Each benchmark module only knows its publisher's layout and turns it into :class:`Pair` lists per
split; everything else (checking every image before anything is written, PNG output, sub-image
cropping, BasicSR LMDBs, ``--force`` / ``--skip-bad`` rules, the summary line) lives here once.

Output of one split (``<out>/<split>``)::

    input/<key>.png          degraded image (BasicSR 'lq')
    target/<key>.png         clean image (BasicSR 'gt')
    meta_info.txt            '<key>.png (h,w,c)' per pair, BasicSR's meta-info format
    input.lmdb, target.lmdb  with --lmdb, built by basicsr.utils.lmdb_util.make_lmdb_from_imgs
    skipped.txt              with --skip-bad, the pairs that were left out and why
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Callable, TypeVar

import cv2
import numpy as np
from tqdm import tqdm

IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')
PNG_END = b'IEND\xaeB`\x82'
JPEG_END = b'\xff\xd9'
_KEY_UNSAFE = re.compile(r'[^A-Za-z0-9_-]+')

T = TypeVar('T')
R = TypeVar('R')


class PrepError(Exception):
    """A problem with the user's input or options; the message names the file or option."""


@dataclass(frozen=True)
class Pair:
    """One degraded/clean pair found in a downloaded layout.

    ``key`` becomes the output file stem (``<key>.png``) and the LMDB key, so it must be unique in
    its split and free of dots (BasicSR's LMDB reader cuts keys at the first dot). ``subset`` names
    an optional sub-list (e.g. HIDE's close-ups) written as ``meta_info_<subset>.txt``.
    """

    key: str
    input_path: Path
    target_path: Path
    subset: str | None = None


@dataclass(frozen=True)
class BadPair:
    """A pair that failed validation, with the reason (naming the file)."""

    pair: Pair
    reason: str


def sanitize_key(name: str) -> str:
    """Turn a source file stem into a safe output key: every run of other characters becomes '_'."""
    return _KEY_UNSAFE.sub('_', name).strip('_')


def is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS


def list_images(folder: Path) -> list[Path]:
    """Images directly inside ``folder``, sorted by name; a missing folder is a clear error."""
    if not folder.is_dir():
        raise PrepError(f'expected folder not found: {folder}')
    return sorted(path for path in folder.iterdir() if is_image(path))


def index_by_stem(paths: Iterable[Path], what: str) -> dict[str, Path]:
    """Map file stem -> path; two files with one stem (e.g. a.png and a.jpg) is an error."""
    index: dict[str, Path] = {}
    for path in paths:
        if path.stem in index:
            raise PrepError(f'two {what} files share the name {path.stem!r}: {index[path.stem]} and {path}')
        index[path.stem] = path
    return index


def pairs_by_stem(input_dir: Path, target_dir: Path, subset: str | None = None) -> list[Pair]:
    """Pair ``input_dir/<stem>.*`` with ``target_dir/<stem>.*`` (extensions may differ).

    A stem present on one side only yields a pair whose other path is ``<dir>/<stem>.*`` (any
    extension), so validation reports it as a missing counterpart.
    """
    inputs = index_by_stem(list_images(input_dir), f'input ({input_dir})')
    targets = index_by_stem(list_images(target_dir), f'target ({target_dir})')
    pairs = []
    for stem in sorted(set(inputs) | set(targets)):
        input_path = inputs.get(stem, input_dir / f'{stem}.*')
        target_path = targets.get(stem, target_dir / f'{stem}.*')
        pairs.append(Pair(sanitize_key(stem), input_path, target_path, subset))
    return pairs


def check_unique_keys(pairs: Sequence[Pair], split: str) -> None:
    """Output names must be unique within a split (GoPro frame names repeat across sequences)."""
    seen: dict[str, Pair] = {}
    for pair in pairs:
        if not pair.key:
            raise PrepError(f'{split}: empty output name for {pair.input_path}')
        if pair.key in seen:
            raise PrepError(
                f'{split}: two pairs map to the output name {pair.key}.png: '
                f'{seen[pair.key].input_path} and {pair.input_path}'
            )
        seen[pair.key] = pair


def decode_image(path: Path) -> np.ndarray:
    """Read an image as H×W×3 uint8 BGR, rejecting missing, truncated and undecodable files.

    OpenCV silently returns a partly grey picture for a cut-off JPEG, so the end markers of PNG
    (IEND chunk) and JPEG (EOI) files are checked explicitly.
    """
    if not path.is_file():
        raise PrepError(f'missing file: {path}')
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == '.png' and not data.endswith(PNG_END):
        raise PrepError(f'truncated PNG (no IEND chunk at the end): {path}')
    if suffix in ('.jpg', '.jpeg') and not data.rstrip(b'\x00').endswith(JPEG_END):
        raise PrepError(f'truncated JPEG (no end-of-image marker): {path}')
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise PrepError(f'unreadable image: {path}')
    return image


def check_pair(pair: Pair, min_size: int = 0) -> tuple[Pair, str | None]:
    """Validate one pair; returns (pair, None) or (pair, reason naming the file)."""
    try:
        if not pair.input_path.is_file():
            return pair, f'missing input for target {pair.target_path}: {pair.input_path}'
        if not pair.target_path.is_file():
            return pair, f'missing target for input {pair.input_path}: {pair.target_path}'
        lq = decode_image(pair.input_path)
        gt = decode_image(pair.target_path)
    except PrepError as error:
        return pair, str(error)
    if lq.shape != gt.shape:
        return pair, (
            f'size mismatch: input {pair.input_path} is {lq.shape[1]}x{lq.shape[0]}, '
            f'target {pair.target_path} is {gt.shape[1]}x{gt.shape[0]}'
        )
    if min(gt.shape[:2]) < min_size:
        return pair, f'{pair.target_path} is {gt.shape[1]}x{gt.shape[0]}, smaller than --crop {min_size}'
    return pair, None


def parallel_map(func: Callable[[T], R], items: Sequence[T], workers: int, desc: str) -> list[R]:
    """``func`` over ``items`` with a progress bar; ``workers > 1`` uses a process pool (order kept)."""
    if workers <= 1 or len(items) < 2:
        return [func(item) for item in tqdm(items, desc=desc, unit='pair', leave=False)]
    with Pool(min(workers, len(items))) as pool:
        return list(tqdm(pool.imap(func, items, chunksize=4), total=len(items), desc=desc, unit='pair', leave=False))


def crop_positions(length: int, crop: int, step: int) -> list[int]:
    """Top-left offsets of crops of size ``crop`` every ``step`` pixels, the last one flush with the border.

    Unlike a plain ``range`` the far border is always covered, so no pixels are thrown away.
    """
    positions = list(range(0, length - crop + 1, step))
    if positions[-1] + crop < length:
        positions.append(length - crop)
    return positions


@dataclass(frozen=True)
class WriteJob:
    """What a writer process needs for one pair (picklable)."""

    pair: Pair
    input_dir: Path
    target_dir: Path
    crop: int
    step: int
    png_compression: int


def write_pair(job: WriteJob) -> list[tuple[str, tuple[int, int, int]]]:
    """Write one pair (whole, or cut into ``crop``-sized sub-images) as PNG; returns (name, shape) rows."""
    lq = decode_image(job.pair.input_path)
    gt = decode_image(job.pair.target_path)
    params = [cv2.IMWRITE_PNG_COMPRESSION, job.png_compression]
    if job.crop <= 0:
        pieces = [(job.pair.key, lq, gt)]
    else:
        height, width = gt.shape[:2]
        pieces = []
        for top in crop_positions(height, job.crop, job.step):
            for left in crop_positions(width, job.crop, job.step):
                window = (slice(top, top + job.crop), slice(left, left + job.crop))
                pieces.append((f'{job.pair.key}_s{len(pieces) + 1:03d}', lq[window], gt[window]))
    rows = []
    for name, lq_piece, gt_piece in pieces:
        file_name = f'{name}.png'
        for folder, image in ((job.input_dir, lq_piece), (job.target_dir, gt_piece)):
            if not cv2.imwrite(str(folder / file_name), np.ascontiguousarray(image), params):
                raise PrepError(f'could not write {folder / file_name}')
        rows.append((file_name, gt_piece.shape))
    return rows


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob('*') if path.is_file())


def human_size(num_bytes: float) -> str:
    for unit in ('B', 'KiB', 'MiB', 'GiB'):
        if num_bytes < 1024 or unit == 'GiB':
            return f'{num_bytes:.1f} {unit}' if unit != 'B' else f'{int(num_bytes)} B'
        num_bytes /= 1024
    raise AssertionError('unreachable')


def write_meta_info(path: Path, rows: Sequence[tuple[str, tuple[int, int, int]]]) -> None:
    """BasicSR meta-info format: '<name> (h,w,c)' per line."""
    path.write_text(''.join(f'{name} ({h},{w},{c})\n' for name, (h, w, c) in rows), encoding='utf-8')


def build_lmdbs(split_dir: Path, names: Sequence[str], png_compression: int) -> None:
    """``input.lmdb`` and ``target.lmdb`` beside the folders, with identical keys (the file stems).

    The PNGs were encoded at ``png_compression`` and BasicSR re-encodes at the same level, so a
    value read back from the LMDB equals the bytes of the PNG file.
    """
    import basicsr_lfdn  # noqa: F401  (installs the torchvision alias basicsr 1.4.2 needs)

    # isort: split
    from basicsr.utils.lmdb_util import make_lmdb_from_imgs

    keys = [Path(name).stem for name in names]
    for side in ('input', 'target'):
        folder = split_dir / side
        map_size = 2 * folder_size(folder) + (64 << 20)
        make_lmdb_from_imgs(
            str(folder),
            str(split_dir / f'{side}.lmdb'),
            list(names),
            keys,
            compress_level=png_compression,
            map_size=map_size,
        )


@dataclass(frozen=True)
class SplitResult:
    split: str
    written: int
    images: int
    skipped: int
    size_bytes: int
    path: Path


def check_output_free(split_dir: Path, force: bool) -> None:
    if split_dir.exists() and any(split_dir.iterdir()) and not force:
        raise PrepError(f'output already exists: {split_dir} (pass --force to replace it)')


def check_not_overlapping(split_dir: Path, pairs: Sequence[Pair]) -> None:
    """Refuse to write (or --force delete) a folder that holds source images."""
    resolved = split_dir.resolve()
    for pair in pairs[:1] + pairs[-1:]:
        for source in (pair.input_path, pair.target_path):
            if resolved == source.resolve().parent or resolved in source.resolve().parents:
                raise PrepError(f'output {split_dir} contains the source image {source}; choose another --out')


def prepare_splits(splits: dict[str, list[Pair]], args: argparse.Namespace, label: str) -> list[SplitResult]:
    """Validate every pair of every split, then write them; nothing is written if anything is wrong.

    Args:
        splits: split name -> pairs found in the downloaded layout.
        args: parsed common options (out, force, skip_bad, lmdb, crop, step, workers, png_compression).
        label: subcommand name for messages.
    """
    out = Path(args.out)
    crop, step = args.crop or 0, args.step or args.crop or 0
    plans: dict[str, tuple[list[Pair], list[BadPair]]] = {}
    for split, pairs in splits.items():
        if not pairs:
            raise PrepError(f'{label}: no image pairs found for split {split!r}')
        check_unique_keys(pairs, split)
        split_dir = out / split
        check_output_free(split_dir, args.force)
        check_not_overlapping(split_dir, pairs)
        min_size = crop if split == 'train' else 0
        checked = parallel_map(_Checker(min_size), pairs, args.workers, f'check {split}')
        bad = [BadPair(pair, reason) for pair, reason in checked if reason is not None]
        plans[split] = ([pair for pair, reason in checked if reason is None], bad)
    all_bad = [bad for _, bads in plans.values() for bad in bads]
    if all_bad and not args.skip_bad:
        listing = '\n  '.join(bad.reason for bad in all_bad[:20])
        more = f'\n  ... and {len(all_bad) - 20} more' if len(all_bad) > 20 else ''
        raise PrepError(
            f'{len(all_bad)} bad pair(s), nothing written (pass --skip-bad to leave them out):\n  {listing}{more}'
        )

    results = []
    for split, (good, bad) in plans.items():
        if not good:
            raise PrepError(f'{label}: every pair of split {split!r} is bad; nothing to write')
        split_crop = crop if split == 'train' else 0
        results.append(_write_split(out / split, good, bad, split_crop, step, args))
    for result in results:
        print(
            f'{label} {result.split}: {result.written} pairs written'
            + (f' as {result.images} sub-images' if result.images != result.written else '')
            + f', {result.skipped} skipped, '
            f'{human_size(result.size_bytes)} -> {result.path}'
        )
    return results


class _Checker:
    """Picklable ``check_pair`` with a fixed minimum size (for process pools)."""

    def __init__(self, min_size: int) -> None:
        self.min_size = min_size

    def __call__(self, pair: Pair) -> tuple[Pair, str | None]:
        return check_pair(pair, self.min_size)


def _write_split(
    split_dir: Path, good: list[Pair], bad: list[BadPair], crop: int, step: int, args: argparse.Namespace
) -> SplitResult:
    """Write into a hidden sibling folder, then swap it in, so a crash never leaves half a split."""
    staging = split_dir.parent / f'.{split_dir.name}.partial'
    if staging.exists():
        shutil.rmtree(staging)
    (staging / 'input').mkdir(parents=True)
    (staging / 'target').mkdir()
    jobs = [WriteJob(pair, staging / 'input', staging / 'target', crop, step, args.png_compression) for pair in good]
    rows_per_pair = parallel_map(write_pair, jobs, args.workers, f'write {split_dir.name}')
    rows = sorted(row for rows in rows_per_pair for row in rows)
    write_meta_info(staging / 'meta_info.txt', rows)
    subsets = sorted({pair.subset for pair in good if pair.subset})
    for subset in subsets:
        keys = {pair.key for pair in good if pair.subset == subset}
        subset_rows = [row for row in rows if _pair_key(row[0], crop) in keys]
        write_meta_info(staging / f'meta_info_{subset}.txt', subset_rows)
    if bad:
        (staging / 'skipped.txt').write_text(''.join(f'{item.reason}\n' for item in bad), encoding='utf-8')
        print(f'skipped {len(bad)} bad pair(s) of {split_dir.name}, listed in {split_dir / "skipped.txt"}:')
        for item in bad:
            print(f'  {item.reason}')
    if args.lmdb:
        build_lmdbs(staging, [name for name, _ in rows], args.png_compression)
    if split_dir.exists():
        shutil.rmtree(split_dir)
    os.replace(staging, split_dir)
    return SplitResult(split_dir.name, len(good), len(rows), len(bad), folder_size(split_dir), split_dir)


def _pair_key(file_name: str, crop: int) -> str:
    stem = Path(file_name).stem
    return stem.rsplit('_s', 1)[0] if crop > 0 else stem

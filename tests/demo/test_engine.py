"""The demo's restore step: same image as lfdn-restore, a progress call per tile, a message per bad upload."""

import struct
import sys
import zlib

import cv2
import numpy as np
import pytest
import torch

from basicsr_lfdn.demo import engine
from basicsr_lfdn.demo.engine import RestoreError, RestoreOptions, Restorer
from basicsr_lfdn.inference import restore as restore_cli

DERAIN = RestoreOptions('derain', 'LFDN', 'torch', 'fp32')
MAX_PIXELS = 100_000


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header claiming an 8-bit RGB image of this size, followed by a few bytes of pixel data."""
    header = png_chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
    return b'\x89PNG\r\n\x1a\n' + header + png_chunk(b'IDAT', zlib.compress(bytes(64))) + png_chunk(b'IEND', b'')


@pytest.fixture(scope='module')
def restorer():
    return Restorer(max_pixels=MAX_PIXELS)


def ignore_tiles(done, total):
    pass


def test_download_is_lfdn_restores_output(restorer, rainy_png, tmp_path):
    result = restorer.restore(rainy_png, DERAIN, tmp_path / 'demo', ignore_tiles)
    assert (
        restore_cli.main(
            [
                str(rainy_png),
                '-o',
                str(tmp_path / 'cli'),
                '--task',
                'derain',
                '--backend',
                'torch',
                '--precision',
                'fp32',
            ]
        )
        == 0
    )
    ours = cv2.imread(str(result.download), cv2.IMREAD_UNCHANGED)
    theirs = cv2.imread(str(tmp_path / 'cli' / 'rainy.png'), cv2.IMREAD_UNCHANGED)
    assert result.download.name == 'rainy_restored.png'
    assert np.array_equal(ours, theirs)
    assert not np.array_equal(ours, cv2.imread(str(rainy_png))), 'the network changed nothing'
    assert result.size == (128, 96) and result.notes == []
    for preview in (result.before, result.after):
        assert cv2.imread(str(preview)).shape == (96, 128, 3)


def test_progress_is_reported_per_tile(rainy_png, tmp_path):
    calls = []
    restorer = Restorer(tile=64, overlap=16, factory=lambda options, threads, tile: lambda batch: batch)
    restorer.restore(rainy_png, DERAIN, tmp_path, lambda done, total: calls.append((done, total)))
    # 96×128 in 64-pixel tiles with 16 pixels overlap: 2 rows × 3 columns
    assert calls == [(done, 6) for done in range(1, 7)]


@pytest.mark.parametrize(
    ('height', 'width', 'tile', 'overlap', 'expected'),
    [
        (96, 128, 64, 16, 6),
        (96, 128, 0, 0, 1),
        (96, 128, 512, 32, 1),
        (1080, 1920, 512, 32, 12),
        (100, 700, 512, 32, 2),
    ],
)
def test_tile_count_matches_the_calls_of_tiled_forward(height, width, tile, overlap, expected):
    calls = []

    def model(batch):
        calls.append(batch.shape)
        return batch

    engine.tiled_forward(model, torch.zeros(1, 3, height, width), tile, overlap)
    assert engine.tile_count(height, width, tile, overlap) == len(calls) == expected


@pytest.mark.parametrize(
    ('name', 'message'),
    [
        ('corrupt', 'corrupt.png: not a readable image (corrupt or unsupported format)'),
        ('text', 'text.png: not a readable image (corrupt or unsupported format)'),
        ('dot', 'dot.png: 1×1 pixels is too small to restore (at least 16×16 pixels)'),
        ('big', "big.png: 400×300 pixels (0.1 megapixels) is over this server's limit of 0.1 megapixels"),
    ],
)
def test_a_bad_upload_gets_a_message_naming_it(restorer, bad_uploads, tmp_path, name, message):
    with pytest.raises(RestoreError) as caught:
        restorer.restore(bad_uploads[name], DERAIN, tmp_path, ignore_tiles)
    assert str(caught.value).startswith(message)
    assert not tmp_path.joinpath('big_restored.png').exists()


@pytest.mark.parametrize(('width', 'height'), [(100_000, 100_000), (400, 300)])
def test_a_large_image_is_refused_from_its_header_before_decoding(restorer, tmp_path, monkeypatch, width, height):
    # 10^10 pixels is also over Pillow's decompression-bomb limit; 400×300 only over the server's.
    upload = tmp_path / 'huge.png'
    upload.write_bytes(png_claiming(width, height))

    def no_decoding(path):
        raise AssertionError('the pixels of an image over the limit were decoded')

    monkeypatch.setattr(engine, 'read_image', no_decoding)
    with pytest.raises(RestoreError, match=r"^huge\.png: .* is over this server's limit of 0\.1 megapixels"):
        restorer.restore(upload, DERAIN, tmp_path, ignore_tiles)


def test_sixteen_bit_and_transparent_uploads_keep_their_form(restorer, bad_uploads, tmp_path):
    deep = restorer.restore(bad_uploads['deep'], DERAIN, tmp_path / 'deep', ignore_tiles)
    restored = cv2.imread(str(deep.download), cv2.IMREAD_UNCHANGED)
    assert restored.dtype == np.uint16 and restored.shape == (96, 128, 3)
    assert deep.notes == ['16-bit: the PNG keeps 16 bits per channel (the slider shows 8)']
    assert cv2.imread(str(deep.after), cv2.IMREAD_UNCHANGED).dtype == np.uint8

    rgba = restorer.restore(bad_uploads['rgba'], DERAIN, tmp_path / 'rgba', ignore_tiles)
    restored = cv2.imread(str(rgba.download), cv2.IMREAD_UNCHANGED)
    uploaded = cv2.imread(str(bad_uploads['rgba']), cv2.IMREAD_UNCHANGED)
    assert restored.shape == (96, 128, 4) and np.array_equal(restored[:, :, 3], uploaded[:, :, 3])
    assert rgba.notes == ['transparency: the alpha channel is kept as uploaded']


def test_previews_of_a_large_image_are_downscaled(tmp_path):
    calls = []
    restorer = Restorer(factory=lambda options, threads, tile: lambda batch: (calls.append(1), batch)[1])
    upload = tmp_path / 'wide.png'
    cv2.imwrite(str(upload), np.full((40, 2000, 3), 128, np.uint8))
    result = restorer.restore(upload, DERAIN, tmp_path / 'out', ignore_tiles)
    assert cv2.imread(str(result.download)).shape == (40, 2000, 3)
    assert cv2.imread(str(result.after)).shape == (32, 1600, 3)
    assert result.notes == ['the slider shows a preview 1600 pixels wide at most; the PNG is full size']
    assert len(calls) == engine.tile_count(40, 2000, engine.TILE, engine.TILE_OVERLAP) == 2  # 2000 px, 1024-px windows


def test_predictors_are_built_once_and_the_oldest_dropped(tmp_path):
    built = []

    def factory(options, threads, tile):
        built.append(options.network)
        return lambda batch: batch

    restorer = Restorer(factory=factory)
    lfdn, lmfn, deblur = (
        DERAIN,
        RestoreOptions('derain', 'LMFN', 'torch', 'fp32'),
        RestoreOptions('deblur', 'LFDN', 'torch', 'fp32'),
    )
    for options in (lfdn, lmfn, lfdn, deblur, lfdn, lmfn):
        restorer.predictor(options)
    # kept two: lmfn was the least recently used when deblur came, so it is built again
    assert built == ['LFDN', 'LMFN', 'LFDN', 'LMFN']


@pytest.mark.parametrize(
    ('options', 'message'),
    [
        (RestoreOptions('deblur', 'LMFN', 'torch', 'fp32'), 'no shipped deblur weights for LMFN'),
        (RestoreOptions('derain', 'LFDN', 'onnxruntime', 'bf16'), 'onnxruntime bf16 is not available'),
        (RestoreOptions('derain', 'LFDN', 'torch', 'int8'), 'torch int8 is not available'),
        (RestoreOptions('derain', 'LFDN', 'tensorrt', 'fp32'), 'tensorrt fp32 is not available'),
    ],
)
def test_choices_the_server_cannot_run_are_refused(options, message):
    with pytest.raises(RestoreError, match=message):
        Restorer().predictor(options)


def test_a_network_that_fails_to_load_is_a_message(rainy_png, tmp_path):
    def factory(options, threads, tile):
        raise RuntimeError('out of memory')

    with pytest.raises(RestoreError, match=r'^LFDN derain, torch fp32: could not load the network: out of memory'):
        Restorer(factory=factory).restore(rainy_png, DERAIN, tmp_path, ignore_tiles)


def test_a_restore_that_fails_is_a_message(rainy_png, tmp_path):
    def factory(options, threads, tile):
        def predict(batch):
            raise RuntimeError('DefaultCPUAllocator: not enough memory')

        return predict

    with pytest.raises(RestoreError, match=r'^rainy\.png: the restore failed: DefaultCPUAllocator'):
        Restorer(factory=factory).restore(rainy_png, DERAIN, tmp_path, ignore_tiles)


def test_backends_offered_are_the_installed_cpu_backends(monkeypatch):
    assert engine.available_backends() == ['torch', 'onnxruntime', 'openvino']  # the test extra has them all
    monkeypatch.setitem(sys.modules, 'openvino', None)  # how the package's tests hide an optional package
    assert engine.available_backends() == ['torch', 'onnxruntime']
    with pytest.raises(RestoreError, match='openvino fp32 is not available on this server'):
        Restorer().predictor(RestoreOptions('derain', 'LFDN', 'openvino', 'fp32'))

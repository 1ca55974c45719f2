"""The demo page in a real browser: headless Chromium (Debian's) driven by Playwright against ``lfdn-demo``.

The server runs as its own process, as a visitor would meet it (default host, a small
``--max-pixels`` so that an over-limit upload stays small), in an empty working folder and with its
own ``TMPDIR``, so the last test can check that it wrote nothing outside its temporary folder and
removed that folder when stopped.

Set ``LFDN_DEMO_SCREENSHOT=docs/figures/demo_page.png`` to save the README's screenshot of the page
after a restore; normal runs write nothing into the repository.
"""

import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest

from basicsr_lfdn.inference import restore as restore_cli

sync_api = pytest.importorskip('playwright.sync_api', reason="Playwright is not installed (pip install -e '.[test]')")
pytest.importorskip('gradio', reason="the demo's Gradio is not installed (pip install -e '.[test]')")

CHROMIUM = os.environ.get('LFDN_CHROMIUM') or shutil.which('chromium')
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed: .ci/run installs Debian's chromium; by hand: apt-get install chromium",
)
# Headless Chromium as root on a machine without network access (see the machine notes).
CHROMIUM_FLAGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
MAX_PIXELS = 100_000
# Upper bounds for a busy machine; on a quiet 2-core machine an upload or a restore takes about a second.
TIMEOUT_MS = 180_000
STATUS = '#lfdn-status textarea'


class DemoServer:
    """``lfdn-demo`` in a subprocess, in an empty working folder with its own temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.cwd, self.tmp = folder / 'cwd', folder / 'tmp'
        self.cwd.mkdir()
        self.tmp.mkdir()
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            self.port = probe.getsockname()[1]
        self.url = f'http://127.0.0.1:{self.port}/'
        self.log = folder / 'server.log'
        command = [sys.executable, '-m', 'basicsr_lfdn.demo.cli', '--port', str(self.port)]
        with open(self.log, 'w') as log:
            self.process = subprocess.Popen(
                [*command, '--max-pixels', str(MAX_PIXELS)],
                cwd=self.cwd,
                env={**os.environ, 'TMPDIR': str(self.tmp)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_serving(self, timeout: float = 300.0) -> None:  # ~15 s on a quiet 2-core machine
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f'lfdn-demo exited with {self.process.returncode}:\n{self.log.read_text()}')
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        pytest.fail(f'lfdn-demo did not answer within {timeout:.0f} s:\n{self.log.read_text()}')

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:  # the folder is removed at once; the interpreter's exit takes a few seconds more
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """The server, started; ``page`` waits until it answers (the browser starts in the meantime)."""
    demo = DemoServer(tmp_path_factory.mktemp('demo'))
    try:
        yield demo
    finally:
        demo.stop()


@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    home = tmp_path_factory.mktemp('browser-home')  # Chromium's own files stay out of the real home
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, env={**os.environ, 'HOME': str(home)}
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(server, browser):
    server.wait_until_serving()
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={'width': 1100, 'height': 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url)
    yield page
    context.close()


def upload(page, *files: Path) -> None:
    """Choose ``files`` in the upload box and wait until the page lists them all as uploaded."""
    page.locator('#lfdn-upload input[type=file]').set_input_files([str(file) for file in files])
    sync_api.expect(page.locator('#lfdn-upload [data-testid="download-link"]')).to_have_count(len(files))


def restore(page, expected_summary: str) -> str:
    """Press Restore and return the message box once its first line is ``expected_summary``."""
    page.click('#lfdn-run')
    summary = re.compile('^' + re.escape(expected_summary))
    sync_api.expect(page.locator(STATUS)).to_have_value(summary)
    return page.locator(STATUS).input_value()


def psnr(first: np.ndarray, second: np.ndarray) -> float:
    mse = np.mean((first.astype(np.float64) - second.astype(np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def test_page_restores_an_upload_like_lfdn_restore(page, rainy_png, tmp_path):
    upload(page, rainy_png)
    status = restore(page, 'Restored 1 of 1 image (LFDN derain, torch fp32)')
    assert 'rainy.png: 128×96 restored as rainy_restored.png' in status

    slider = page.locator('#lfdn-slider img')
    sync_api.expect(slider).to_have_count(2)
    page.wait_for_function("[...document.querySelectorAll('#lfdn-slider img')].every(img => img.naturalWidth === 128)")
    sources = slider.evaluate_all('images => images.map(image => image.src)')
    assert [source.rsplit('/', 1)[-1] for source in sources] == ['before.png', 'after.png']

    with page.expect_download() as download:
        page.locator('#lfdn-downloads [data-testid="download-link"]').click()
    assert download.value.suggested_filename == 'rainy_restored.png'
    downloaded = tmp_path / 'downloaded.png'
    download.value.save_as(downloaded)

    cli = [str(rainy_png), '-o', str(tmp_path / 'cli'), '--task', 'derain', '--backend', 'torch', '--precision', 'fp32']
    assert restore_cli.main(cli) == 0
    page_png = cv2.imread(str(downloaded), cv2.IMREAD_UNCHANGED)
    cli_png = cv2.imread(str(tmp_path / 'cli' / 'rainy.png'), cv2.IMREAD_UNCHANGED)
    assert page_png.shape == cli_png.shape == (96, 128, 3)
    assert psnr(page_png, cli_png) >= 50.0
    assert psnr(page_png, cv2.imread(str(rainy_png))) < 50.0, 'the download is the upload, not a restore'

    screenshot = os.environ.get('LFDN_DEMO_SCREENSHOT')
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)


def test_a_corrupt_file_is_answered_and_the_next_upload_works(page, rainy_png, bad_uploads):
    upload(page, bad_uploads['corrupt'])
    status = restore(page, 'Restored 0 of 1 image')
    assert 'corrupt.png: not a readable image (corrupt or unsupported format)' in status
    sync_api.expect(page.locator('#lfdn-downloads [data-testid="download-link"]')).to_have_count(0)

    page.get_by_role('button', name='Clear').click()
    upload(page, rainy_png)
    status = restore(page, 'Restored 1 of 1 image')
    assert 'rainy.png: 128×96 restored as rainy_restored.png' in status
    sync_api.expect(page.locator('#lfdn-downloads [data-testid="download-link"]')).to_have_count(1)


def test_every_bad_input_gets_its_message_and_the_rest_is_restored(page, bad_uploads):
    names = ['text', 'dot', 'big', 'deep', 'rgba']
    upload(page, *(bad_uploads[name] for name in names))
    status = restore(page, 'Restored 2 of 5 images')
    for line in (
        'text.png: not a readable image (corrupt or unsupported format)',
        'dot.png: 1×1 pixels is too small to restore (at least 16×16 pixels)',
        "big.png: 400×300 pixels (0.1 megapixels) is over this server's limit of 0.1 megapixels",
        'deep.png: 128×96 restored as deep_restored.png; 16-bit: the PNG keeps 16 bits per channel',
        'rgba.png: 128×96 restored as rgba_restored.png; transparency: the alpha channel is kept as uploaded',
    ):
        assert line in status
    links = page.locator('#lfdn-downloads [data-testid="download-link"]')
    sync_api.expect(links).to_have_count(2)
    assert links.evaluate_all('links => links.map(link => link.download)') == ['deep_restored.png', 'rgba_restored.png']


def test_the_server_listens_locally_and_cleans_up_when_stopped(server):
    server.wait_until_serving()
    assert f'Running on local URL:  http://127.0.0.1:{server.port}' in server.log.read_text()
    assert server.stop() == 0
    assert list(server.tmp.iterdir()) == [], 'the temporary folder was left behind'
    assert list(server.cwd.iterdir()) == [], 'the server wrote into its working folder'

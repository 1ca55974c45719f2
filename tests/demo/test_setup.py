"""The demo's command line, temporary folder and examples."""

import os
import subprocess
import sys
import tempfile
from importlib.metadata import entry_points

import cv2
import numpy as np

from basicsr_lfdn.data.demo_data import load_photo
from basicsr_lfdn.demo.cli import build_parser
from basicsr_lfdn.demo.examples import EXAMPLES, write_examples
from basicsr_lfdn.demo.workspace import Workspace


def test_lfdn_demo_is_installed_with_help():
    (script,) = [point for point in entry_points(group='console_scripts') if point.name == 'lfdn-demo']
    assert script.value == 'basicsr_lfdn.demo.cli:main'
    result = subprocess.run(
        [sys.executable, '-m', 'basicsr_lfdn.demo.cli', '--help'], capture_output=True, text=True, check=True
    )
    for option in ('--host', '--port', '--share', '--max-pixels', '--tile', '--threads'):
        assert option in result.stdout


def test_the_page_is_private_by_default():
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.share, args.max_pixels) == ('127.0.0.1', 7860, False, 25_000_000)
    assert build_parser().parse_args(['--host', '0.0.0.0', '--port', '8080', '--share']).share


def test_bad_numbers_are_refused_before_serving(capsys):
    from basicsr_lfdn.demo.cli import main

    assert main(['--max-pixels', '0']) == 2
    assert main(['--tile', '64', '--tile-overlap', '64']) == 2
    assert 'error: need 0 <= tile overlap < tile (got 64, 64)' in capsys.readouterr().err


def test_workspace_holds_gradios_files_and_is_removed(tmp_path, monkeypatch):
    monkeypatch.setenv('GRADIO_TEMP_DIR', 'before')
    with Workspace(tmp_path) as workspace:
        assert workspace.root.parent == tmp_path and workspace.root.name.startswith('lfdn-demo-')
        assert os.environ['GRADIO_TEMP_DIR'] == str(workspace.gradio) and workspace.gradio.is_dir()
        first = workspace.new_job()
        (first / 'result.png').write_bytes(b'png')
        second = workspace.new_job()
        assert not first.exists() and second.is_dir() and list(second.iterdir()) == []
    assert list(tmp_path.iterdir()) == []
    assert os.environ['GRADIO_TEMP_DIR'] == 'before'


def test_examples_are_degraded_scikit_image_photos_made_the_same_every_time(tmp_path):
    (tmp_path / 'a').mkdir()
    (tmp_path / 'b').mkdir()
    first, second = write_examples(tmp_path / 'a'), write_examples(tmp_path / 'b')
    assert [(path.name, task) for path, task in first] == [
        ('chelsea_rain.png', 'derain'),
        ('coffee_rain.png', 'derain'),
        ('astronaut_blur.png', 'deblur'),
    ]
    for (path, _), (again, _), (photo, _) in zip(first, second, EXAMPLES):
        assert path.read_bytes() == again.read_bytes()
        degraded, clean = cv2.imread(str(path)).astype(np.float32), load_photo(photo).astype(np.float32)
        assert degraded.shape == clean.shape
        assert 1.0 < np.abs(degraded - clean).mean() < 40.0, f'{path.name} is not a degraded {photo}'


def test_without_gradio_the_command_says_what_to_install(tmp_path, monkeypatch, capsys):
    from basicsr_lfdn.demo.cli import main

    monkeypatch.setitem(sys.modules, 'gradio', None)  # as if the demo extra were not installed
    monkeypatch.delitem(sys.modules, 'basicsr_lfdn.demo.app', raising=False)
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    assert main([]) == 2
    assert "pip install 'basicsr-lfdn[demo]'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [], 'the temporary folder was left behind'

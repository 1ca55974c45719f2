"""Two visitors pressing Restore at once: the restores run one after the other, both answered."""

import socket
import threading
import time

import pytest

pytest.importorskip('gradio', reason="the demo's Gradio is not installed (pip install -e '.[test]')")
from gradio_client import Client, handle_file  # noqa: E402

from basicsr_lfdn.demo.app import build_app  # noqa: E402
from basicsr_lfdn.demo.engine import Restorer  # noqa: E402
from basicsr_lfdn.demo.examples import write_examples  # noqa: E402
from basicsr_lfdn.demo.workspace import Workspace  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def test_one_restore_runs_at_a_time_and_the_others_queue(rainy_png, tmp_path):
    lock, active, peak, calls = threading.Lock(), 0, 0, 0

    def slow_identity(options, threads, tile):
        def predict(batch):
            nonlocal active, peak, calls
            with lock:
                active, calls = active + 1, calls + 1
                peak = max(peak, active)
            time.sleep(0.5)
            with lock:
                active -= 1
            return batch

        return predict

    with Workspace(tmp_path) as workspace:
        app = build_app(Restorer(factory=slow_identity), workspace, write_examples(workspace.examples))
        app.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
        try:
            # generous timeouts: on a busy machine the in-process server shares the CPU with everything else
            client = Client(
                app.local_url,
                verbose=False,
                download_files=False,
                analytics_enabled=False,
                httpx_kwargs={'timeout': 120},
            )
            try:
                upload = [handle_file(str(rainy_png))]
                jobs = [client.submit(upload, 'derain', 'LFDN', 'torch', 'fp32', api_name='/restore') for _ in range(3)]
                messages = [job.result(timeout=120)[0] for job in jobs]
            finally:
                client.close()
        finally:
            app.close()
    assert calls == 3, 'each request restores its image once'
    assert peak == 1, 'two restores ran at the same time'
    assert all(message.startswith('Restored 1 of 1 image (LFDN derain, torch fp32)') for message in messages)

"""``lfdn-demo``: serve the restore page on this computer.

Examples::

    lfdn-demo                          # http://127.0.0.1:7860, this computer only
    lfdn-demo --host 0.0.0.0 --port 8080 --max-pixels 12000000

The page listens on 127.0.0.1 unless ``--host`` says otherwise; ``--share`` (a public Gradio
link) is off unless asked for. Uploads, examples and results live in one temporary folder that is
removed when the server stops (Ctrl+C or SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

import torch

from basicsr_lfdn.demo.engine import DEFAULT_MAX_PIXELS, TILE, TILE_OVERLAP, Restorer
from basicsr_lfdn.demo.examples import write_examples
from basicsr_lfdn.demo.workspace import Workspace

INSTALL_HINT = "pip install 'basicsr-lfdn[demo]' (from a checkout: pip install -e '.[demo]')"
MAX_UPLOAD = '200mb'  # per file; a 25-megapixel 16-bit PNG is about 150 MB


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``lfdn-demo``."""
    parser = argparse.ArgumentParser(
        prog='lfdn-demo', description='A web page that restores (derains / deblurs) uploaded photos.'
    )
    parser.add_argument('--host', default='127.0.0.1', help='address to listen on (default 127.0.0.1: this computer)')
    parser.add_argument('--port', type=int, default=7860, help='port to listen on (default 7860)')
    parser.add_argument('--share', action='store_true', help='also publish a public gradio.live link (default off)')
    parser.add_argument(
        '--max-pixels',
        type=int,
        default=DEFAULT_MAX_PIXELS,
        help=f'largest width x height accepted; bigger uploads get a message (default {DEFAULT_MAX_PIXELS:,})',
    )
    parser.add_argument('--tile', type=int, default=TILE, help=f'tile size in pixels; 0 = whole image (default {TILE})')
    parser.add_argument(
        '--tile-overlap', type=int, default=TILE_OVERLAP, help=f'overlap between tiles (default {TILE_OVERLAP})'
    )
    parser.add_argument('--threads', type=int, help="CPU threads (default: the backend's default)")
    return parser


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server as Ctrl+C does, so the temporary folder is removed."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lfdn-demo``; serves until interrupted, then removes its temporary folder."""
    args = build_parser().parse_args(argv)
    if args.max_pixels < 1:
        print(f'error: --max-pixels must be positive (got {args.max_pixels})', file=sys.stderr)
        return 2
    try:
        restorer = Restorer(args.max_pixels, args.threads, args.tile, args.tile_overlap)
    except ValueError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.threads:
        torch.set_num_threads(args.threads)
    signal.signal(signal.SIGTERM, _stop)
    # The workspace comes first: Gradio reads GRADIO_TEMP_DIR when its modules are imported.
    with Workspace() as workspace:
        try:
            from basicsr_lfdn.demo.app import build_app  # Gradio (the demo extra) is imported only here
        except ImportError as error:
            print(f'error: lfdn-demo needs Gradio ({error}): {INSTALL_HINT}', file=sys.stderr)
            return 2
        app = build_app(restorer, workspace, write_examples(workspace.examples))
        print(f'lfdn-demo: temporary files in {workspace.root} (removed on exit)', flush=True)
        app.launch(
            server_name=args.host,
            server_port=args.port,
            share=args.share,
            max_file_size=MAX_UPLOAD,
            run_history=False,  # Gradio would otherwise keep every visitor's runs (uploads included) in the browser
        )
    return 0


if __name__ == '__main__':
    sys.exit(main())

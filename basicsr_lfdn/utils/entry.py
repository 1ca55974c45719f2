"""Shared start-up of ``basicsr_lfdn/train.py`` and ``basicsr_lfdn/test.py``.

Both run BasicSR's own pipelines (``basicsr.train.train_pipeline`` / ``basicsr.test.test_pipeline``)
with three adaptations, applied only inside these entry points (importing the package changes
nothing in BasicSR):

* the ``-opt`` file is resolved (``_base_`` inheritance, phase selection, demo data) and BasicSR
  receives a temporary merged copy with the same file name;
* ``init_dist`` picks gloo without a GPU and reads torchrun's variables
  (:mod:`basicsr_lfdn.utils.dist`);
* resume states load on the CPU with ``weights_only=True`` (:mod:`basicsr_lfdn.utils.resume`).

Experiments, logs and results go under the current working directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import basicsr.train
import basicsr.utils.options

from basicsr_lfdn.utils.checkpoint import CheckpointMismatchError
from basicsr_lfdn.utils.dist import init_dist
from basicsr_lfdn.utils.options import (
    ensure_requested_demo_data,
    prepare_for_phase,
    resolve_option_file,
    write_option_yaml,
)
from basicsr_lfdn.utils.resume import load_resume_state


def _option_path(argv: Sequence[str]) -> str:
    """The ``-opt`` value, read the way BasicSR's parser will read it."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('-opt', type=str, required=True, help='Path to option YAML file.')
    known, _ = parser.parse_known_args(list(argv))
    return known.opt


def _replace_option_path(argv: Sequence[str], new_path: str) -> list[str]:
    args = list(argv)
    for index, arg in enumerate(args):
        if arg == '-opt':
            args[index + 1] = new_path
            return args
        if arg.startswith('-opt='):
            args[index] = f'-opt={new_path}'
            return args
    raise ValueError('-opt missing from the command line')


@contextmanager
def _basicsr_patched() -> Iterator[None]:
    """Swap BasicSR's CUDA-only ``init_dist`` and ``load_resume_state`` for ours while a pipeline runs."""
    saved = basicsr.utils.options.init_dist, basicsr.train.load_resume_state
    basicsr.utils.options.init_dist = init_dist
    basicsr.train.load_resume_state = load_resume_state
    try:
        yield
    finally:
        basicsr.utils.options.init_dist, basicsr.train.load_resume_state = saved


def run_pipeline(pipeline: Callable[[str], None], is_train: bool, argv: Sequence[str] | None = None) -> None:
    """Resolve ``-opt``, then run a BasicSR pipeline with the experiments root at the working directory."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if {'-h', '--help'} & set(argv):  # BasicSR's own parser prints the options and exits
        sys.argv = [sys.argv[0], *argv]
        basicsr.utils.options.parse_options(os.getcwd(), is_train=is_train)
    option_path = Path(_option_path(argv))
    opt = prepare_for_phase(resolve_option_file(option_path), is_train=is_train)
    ensure_requested_demo_data(opt)
    with tempfile.TemporaryDirectory(prefix='lfdn_opt_') as tmp_dir:
        merged = write_option_yaml(opt, Path(tmp_dir) / option_path.name)
        saved_argv = sys.argv
        sys.argv = [saved_argv[0], *_replace_option_path(argv, str(merged))]
        try:
            with _basicsr_patched():
                pipeline(os.getcwd())
        except CheckpointMismatchError as error:
            raise SystemExit(f'error: {error}') from None
        finally:
            sys.argv = saved_argv

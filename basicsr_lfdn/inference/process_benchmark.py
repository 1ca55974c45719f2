"""Whole-process benchmark of ``lfdn-restore``: what a user waits for, start-up and model cache included.

Example (the table of docs/benchmark.md, "Whole-process restore")::

    python scripts/restore_benchmark.py --task derain --threads 2 --workloads 10x1280x720 1x3840x2160 \\
        --configs torch:fp32 torch:bf16 onnxruntime:fp32 openvino:fp32 openvino:bf16 openvino:int8 \\
        --output-json whole_process.json --output-md whole_process.md

Each run is a fresh ``python -m basicsr_lfdn.inference.restore`` process on a folder of generated
photos (scikit-image's sample photos resized to the workload size, with the task's synthetic
degradation, JPEG), timed from its start to its exit (wall time), to the first output file
(first image), with its peak resident memory (``ru_maxrss`` of that child; Linux). For OpenVINO,
``cold`` runs with an empty model cache (``$LFDN_CACHE_DIR``: conversion, NNCF quantisation and
compilation happen in the run) and ``warm`` with the cache of that cold run; PyTorch and ONNX
Runtime keep no model cache, so they have warm runs only. Figures are medians over ``--repeats``
warm runs. ``--frame`` adds each configuration's latency on one whole 1280×720 frame (no tiles)
in a fresh process, after one warm-up: the engine alone, as ``lfdn-benchmark`` measures it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from basicsr_lfdn.data.degradations import degrade, rng_for
from basicsr_lfdn.inference.cache import CACHE_ENV
from basicsr_lfdn.inference.choice import cpu_description
from basicsr_lfdn.inference.image_io import read_image
from basicsr_lfdn.inference.quantize import BUILTIN_PHOTOS, TASK_DEGRADATION, builtin_photo_folder

FRAME_PREFIX = 'FRAME_RESULT '


def parse_workload(text: str) -> tuple[int, int, int]:
    """``'10x1280x720'`` as ``(count, width, height)``."""
    try:
        count, width, height = (int(part) for part in text.lower().split('x'))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f'expected COUNTxWIDTHxHEIGHT, got {text!r}') from error
    return count, width, height


def parse_config(text: str) -> tuple[str, str]:
    """``'openvino:int8'`` as ``('openvino', 'int8')``."""
    backend, _, precision = text.partition(':')
    if not precision:
        raise argparse.ArgumentTypeError(f'expected BACKEND:PRECISION, got {text!r}')
    return backend, precision


def make_photos(folder: Path, count: int, width: int, height: int, task: str, seed: int = 0) -> list[Path]:
    """``count`` degraded photos of ``width``×``height`` (JPEG, quality 95) in ``folder``, seeded."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        clean, _ = read_image(builtin_photo_folder() / BUILTIN_PHOTOS[index % len(BUILTIN_PHOTOS)])
        scale = max(width / clean.shape[1], height / clean.shape[0])
        resized = cv2.resize(clean, (round(clean.shape[1] * scale), round(clean.shape[0] * scale)))
        top, left = (resized.shape[0] - height) // 2, (resized.shape[1] - width) // 2
        crop = np.ascontiguousarray(resized[top : top + height, left : left + width])
        degraded = degrade(crop, TASK_DEGRADATION[task], rng_for(seed, index))
        path = folder / f'photo_{index:02d}.jpg'
        cv2.imwrite(str(path), np.rint(degraded[:, :, ::-1] * 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 95])
        paths.append(path)
    return paths


def restore_command(inputs: Path, output: Path, args: argparse.Namespace, backend: str, precision: str) -> list[str]:
    """The ``lfdn-restore`` command line of one run."""
    command = [sys.executable, '-m', 'basicsr_lfdn.inference.restore', str(inputs), '-o', str(output)]
    command += ['--task', args.task, '--network', args.network, '--backend', backend, '--precision', precision]
    return command + (['--threads', str(args.threads)] if args.threads else [])


def timed_run(command: list[str], output: Path, cache: Path, log: Path) -> dict:
    """Run ``command`` once: wall time, time to the first file in ``output``, peak RSS (MiB) and exit code."""
    output.mkdir(parents=True)
    env = {**os.environ, CACHE_ENV: str(cache)}
    with open(log, 'ab') as handle:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
        first = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            now = time.perf_counter() - start
            if first is None and any(not path.name.startswith('.') for path in output.iterdir()):
                first = now
            if pid:
                break
            time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f'{" ".join(command)} exited with {process.returncode}; see {log}')
    return {'wall_s': now, 'first_image_s': first, 'peak_rss_mib': usage.ru_maxrss / 1024}


def median_row(runs: list[dict]) -> dict:
    """Median of each figure over ``runs``, with the number of runs."""
    keys = ('wall_s', 'first_image_s', 'peak_rss_mib')
    return {key: statistics.median(run[key] for run in runs) for key in keys} | {'runs': len(runs)}


def frame_worker(payload: str) -> None:
    """``--frame-worker JSON``: median latency of one whole 1280×720 frame through ``lfdn-restore``'s predictor."""
    import torch

    from basicsr_lfdn.inference.restore import build_parser, build_predictor

    request = json.loads(payload)
    argv = ['-', '-o', '-', '--task', request['task'], '--network', request['network'], '--tile', '0']
    argv += ['--backend', request['backend'], '--precision', request['precision']]
    args = build_parser().parse_args(argv + (['--threads', str(request['threads'])] if request['threads'] else []))
    if args.threads:
        torch.set_num_threads(args.threads)
    predict = build_predictor(args, torch.device('cpu'))
    frame = torch.rand(1, 3, 720, 1280, generator=torch.Generator().manual_seed(0))
    predict(frame)
    times = []
    for _ in range(request['repeats']):
        start = time.perf_counter()
        predict(frame)
        times.append(time.perf_counter() - start)
    print(FRAME_PREFIX + json.dumps({'frame_ms': 1000 * statistics.median(times), 'repeats': len(times)}))


def frame_latency(args: argparse.Namespace, backend: str, precision: str, cache: Path) -> dict:
    """:func:`frame_worker` in a fresh process (with the warm ``cache``)."""
    request = {'task': args.task, 'network': args.network, 'backend': backend, 'precision': precision}
    request |= {'threads': args.threads, 'repeats': args.frame}
    command = [sys.executable, '-m', 'basicsr_lfdn.inference.process_benchmark', '--frame-worker', json.dumps(request)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, CACHE_ENV: str(cache)})
    for line in done.stdout.splitlines():
        if line.startswith(FRAME_PREFIX):
            return json.loads(line[len(FRAME_PREFIX) :])
    raise RuntimeError(f'frame latency of {backend} {precision} failed: {done.stderr.strip()[-500:]}')


def run_benchmark(args: argparse.Namespace, work: Path) -> dict:
    """Every configuration × workload (cold once where a model cache exists, then warm runs); returns the results.

    With ``--output-json``, the results so far are written after every configuration, so a run
    that is cut short (e.g. by a time limit) keeps what it measured.
    """
    rows: list[dict] = []
    results = {'cpu': cpu_description(), 'threads': args.threads, 'task': args.task, 'network': args.network}
    results['rows'] = rows
    for count, width, height in args.workloads:
        inputs = work / f'inputs_{count}x{width}x{height}'
        make_photos(inputs, count, width, height, args.task)
        for backend, precision in args.configs:
            cache = work / f'cache_{backend}_{precision}_{width}x{height}'
            shutil.rmtree(cache, ignore_errors=True)
            label = f'{backend} {precision} {count}x{width}x{height}'
            runs: dict[str, list[dict]] = {'cold': [], 'warm': []}
            phases = (['cold'] if backend == 'openvino' else []) + ['warm'] * args.repeats
            for index, phase in enumerate(phases):
                output = work / f'out_{backend}_{precision}_{width}x{height}_{index}'
                command = restore_command(inputs, output, args, backend, precision)
                runs[phase].append(timed_run(command, output, cache, work / 'restore.log'))
                shutil.rmtree(output)
                print(f'{label} {phase}: ' + json.dumps(runs[phase][-1]), flush=True)
            for phase, measured in runs.items():
                if measured:
                    row = {'backend': backend, 'precision': precision, 'workload': f'{count}x{width}x{height}'}
                    rows.append(row | {'cache': phase, **median_row(measured)})
            if args.frame and (width, height) == args.workloads[0][1:]:
                frame = frame_latency(args, backend, precision, cache)
                rows.append({'backend': backend, 'precision': precision, 'workload': 'frame', **frame})
                print(f'{label} frame: {json.dumps(frame)}', flush=True)
            if args.output_json:
                args.output_json.write_text(json.dumps(results, indent=2) + '\n', encoding='utf-8')
    return results


def render_markdown(results: list[dict]) -> str:
    """The whole-process table (and the frame latencies, when measured) of one or more result files."""
    first = results[0]
    lines = [
        f'{first["network"]} {first["task"]}, {first["threads"] or "default"} threads, {first["cpu"]}.',
        '',
        '| backend | precision | workload | model cache | wall time (s) | first image (s) | peak RSS (MiB) | runs |',
        '|---|---|---|---|---:|---:|---:|---:|',
    ]
    rows = [row for result in results for row in result['rows']]
    for row in (row for row in rows if row['workload'] != 'frame'):
        lines.append(
            f'| {row["backend"]} | {row["precision"]} | {row["workload"]} | {row["cache"]} | {row["wall_s"]:.2f} '
            f'| {row["first_image_s"]:.2f} | {row["peak_rss_mib"]:,.0f} | {row["runs"]} |'
        )
    frames = [row for row in rows if row['workload'] == 'frame']
    if frames:
        lines += ['', '| backend | precision | one 1280×720 frame (ms, median) | runs |', '|---|---|---:|---:|']
        lines += [f'| {r["backend"]} | {r["precision"]} | {r["frame_ms"]:,.0f} | {r["repeats"]} |' for r in frames]
    return '\n'.join(lines) + '\n'


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``scripts/restore_benchmark.py``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--task', default='derain', choices=sorted(TASK_DEGRADATION))
    parser.add_argument('--network', default='LFDN')
    parser.add_argument('--threads', type=int, default=2, help='--threads of lfdn-restore (0: its default)')
    parser.add_argument('--workloads', nargs='+', type=parse_workload, default=[(10, 1280, 720), (1, 3840, 2160)])
    parser.add_argument('--configs', nargs='+', type=parse_config, default=[('torch', 'fp32'), ('openvino', 'int8')])
    parser.add_argument('--repeats', type=int, default=3, help='warm runs per configuration and workload')
    parser.add_argument('--frame', type=int, default=0, help='timed 1280x720 frames per configuration (0: none)')
    parser.add_argument('--work-dir', type=Path, help='inputs, outputs and caches (default: a temporary folder)')
    parser.add_argument('--output-json', type=Path, help='write the results here')
    parser.add_argument('--output-md', type=Path, help='write the markdown table here')
    parser.add_argument('--from-json', nargs='+', type=Path, help='only render these result files (no runs)')
    parser.add_argument('--frame-worker', help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``scripts/restore_benchmark.py``."""
    args = build_parser().parse_args(argv)
    if args.frame_worker:
        frame_worker(args.frame_worker)
        return 0
    if args.from_json:
        results = [json.loads(path.read_text(encoding='utf-8')) for path in args.from_json]
    else:
        with tempfile.TemporaryDirectory(prefix='lfdn_restore_benchmark_') as temporary:
            work = args.work_dir or Path(temporary)
            results = [run_benchmark(args, work)]
    table = render_markdown(results)
    print(table)
    if args.output_md:
        args.output_md.write_text(table, encoding='utf-8')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""One network of the equal-budget comparison: calibrate its step time, train, test and time it.

Every option file of ``options/budget/<task>/`` is one network; all inherit one recipe (data,
degradation, loss, crops, optimiser, cosine schedule), so they differ only in the network and in
how many iterations fit in the budget. Each step writes its result file; a rerun skips what exists
and continues a killed training. The budget counts CPU seconds, not wall seconds, so networks
trained while the machine does other work still get equal shares.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from basicsr.archs import build_network
from basicsr.data import build_dataset
from basicsr.losses import build_loss

from basicsr_lfdn.archs.complexity import count_params
from basicsr_lfdn.research.json_files import read_json, write_json
from basicsr_lfdn.research.processes import run_logged
from basicsr_lfdn.research.rows import write_row_json
from basicsr_lfdn.research.runs import OPTIONS_ROOT, REPO_ROOT, TEST_SCRIPT, TRAIN_SCRIPT, metrics_file
from basicsr_lfdn.utils.options import resolve_option_file, write_option_yaml

TABLES = {'budget-derain': OPTIONS_ROOT / 'budget' / 'derain'}
TASK_OF_TABLE = {'budget-derain': 'derain'}
Y_CHANNEL_TASKS = {'derain'}


def calibrate_step_seconds(opt: dict, threads: int, steps: int = 4) -> float:
    """Median CPU seconds of one training step of ``opt``'s network on one batch of its data."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    train_opt = {**opt['datasets']['train'], 'phase': 'train', 'scale': 1}
    dataset = build_dataset(train_opt)
    items = [dataset[index] for index in range(train_opt['batch_size_per_gpu'])]
    lq = torch.stack([item['lq'] for item in items])
    gt = torch.stack([item['gt'] for item in items])
    memory_format = torch.channels_last if opt.get('channels_last') else torch.contiguous_format
    network = build_network(dict(opt['network_g'])).train()
    for param in network.parameters():
        if param.dim() == 4:
            param.data = param.data.contiguous(memory_format=memory_format)
    lq, gt = lq.contiguous(memory_format=memory_format), gt.contiguous(memory_format=memory_format)
    optimizer = torch.optim.Adam(network.parameters(), lr=opt['train']['optim_g']['lr'])
    loss_fn = build_loss(dict(opt['train']['pixel_opt']))
    amp = opt['train'].get('amp')
    dtype = {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(amp, torch.float32)
    times = []
    for step in range(steps + 1):
        start = time.process_time()
        with torch.autocast('cpu', dtype=dtype, enabled=amp is not None):
            loss = loss_fn(network(lq).float(), gt)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step:  # the first step allocates and is not typical
            times.append(time.process_time() - start)
    return statistics.median(times)


def run_checked(command: list[str], log: Path, threads: int) -> tuple[float, float]:
    """Run ``command`` from the checkout, output appended to ``log``; (wall s, CPU s), or exit naming the log."""
    finished = run_logged(command, log, threads, cwd=REPO_ROOT)
    if not finished.ok:
        raise SystemExit(f'failed (exit {finished.returncode}): {" ".join(command)}; see {log}')
    return finished.wall_s, finished.cpu_s


def measure_complexity(network_opt: dict, out: Path, threads: int, repeats: int) -> dict:
    """Parameters, MACs and median fp32 CPU latency at 1280×720 from ``lfdn-benchmark`` (a fresh process)."""
    csv_path = out / 'latency.csv'
    if not csv_path.is_file():
        spec = json.dumps(network_opt)
        command = [sys.executable, '-m', 'basicsr_lfdn.benchmark', '--network', spec, '--size', '1280x720']
        command += ['--threads', str(threads), '--warmup', '1', '--repeats', str(repeats), '--matmul-size', '0']
        command += ['--output-csv', str(csv_path)]
        run_checked(command, out / 'run.log', threads)
    with open(csv_path, newline='', encoding='utf-8') as handle:
        row = next(csv.DictReader(handle))
    if row['error']:
        raise SystemExit(f'latency measurement failed: {row["error"]}')
    return {
        'params': int(row['params']),
        'macs_g': float(row['macs']) / 1e9 if row['macs'] else None,
        'latency_s': float(row['latency_median_ms']) / 1000,
        'device': f'{row["device"]} fp32, {row["threads"]} threads',
    }


def training_data(opt: dict) -> str:
    """What the recipe trains on, in a few words: the clean photos and the kind of rain added."""
    train = opt['datasets']['train']
    clean = Path(str(train['dataroot_gt'])).name
    return f'{clean} + real rain layers' if train.get('rain_layers') else f'{clean} + synthetic rain'


def _calibrate(opt: dict, out: Path, args: argparse.Namespace) -> dict:
    """The step time and iteration count of ``calibration.json``, measured once per run folder."""
    calibration = read_json(out / 'calibration.json')
    if calibration is None:
        step_s = calibrate_step_seconds(opt, args.threads)
        total_iter = max(1, int(args.budget_min * 60 / step_s))
        calibration = {'step_cpu_s': step_s, 'total_iter': total_iter, 'budget_min': args.budget_min}
        write_json(out / 'calibration.json', calibration)
    if calibration['budget_min'] != args.budget_min:
        raise SystemExit(f'{out} was calibrated for {calibration["budget_min"]} min; use another --out')
    return calibration


def run_network(option_file: Path, table: str, args: argparse.Namespace) -> list[dict]:
    """Calibrate, train, test and time one network; returns its measured rows (one per test set)."""
    opt = resolve_option_file(option_file)
    name = opt['name'] = f'{opt["name"]}_{args.budget_min:g}min'  # runs of other budgets never collide
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    network_type = opt['network_g']['type']

    calibration = _calibrate(opt, out, args)
    total_iter = calibration['total_iter']
    print(f'{name}: {calibration["step_cpu_s"]:.2f} CPU s per step -> {total_iter} iterations', flush=True)

    opt['train']['total_iter'] = total_iter
    opt['train']['scheduler']['periods'] = [total_iter]
    opt['datasets'] = {key: value for key, value in opt['datasets'].items() if not key.startswith('val')}
    opt['val'] = {'val_freq': 10**9, 'metrics': opt['val']['metrics'], 'tile': {'size': 0, 'overlap': 0}}
    opt['logger']['save_checkpoint_freq'] = max(50, total_iter // 10)
    option_path = write_option_yaml(opt, out / f'{name}.yml')

    training = read_json(out / 'training.json')
    if training is None:
        command = [sys.executable, str(TRAIN_SCRIPT), '-opt', str(option_path), '--auto_resume']
        wall_s, cpu_s = run_checked(command, out / 'run.log', args.threads)
        training = {'wall_s': wall_s, 'cpu_s': cpu_s, 'iterations': total_iter}
        write_json(out / 'training.json', training)

    test_names = '+'.join(dataset['name'] for key, dataset in opt['datasets'].items() if key.startswith('test'))
    results = REPO_ROOT / metrics_file(f'{name}_{test_names}')
    metrics = read_json(results)
    if metrics is None:
        command = [sys.executable, str(TEST_SCRIPT), '-opt', str(option_path)]
        run_checked(command, out / 'run.log', args.test_threads)
        metrics = read_json(results)
        if metrics is None:
            raise SystemExit(f'lfdn-test wrote no metrics.json in {results.parent}; see {out / "run.log"}')

    if args.skip_latency and not (out / 'latency.csv').is_file():
        complexity = {'params': count_params(build_network(dict(opt['network_g']))), 'macs_g': None}
        complexity.update(latency_s=None, device=None)
    else:
        complexity = measure_complexity(opt['network_g'], out, args.test_threads, args.latency_repeats)
    task = TASK_OF_TABLE[table]
    rows = []
    for dataset, result in metrics.items():
        row = {
            'source': 'measured',
            'name': f'{network_type} ({table}, {args.budget_min:g} CPU min)',
            'network': network_type,
            'recipe': name,
            'dataset': dataset,
            'protocol': {'y_channel': task in Y_CHANNEL_TASKS, 'crop_border': 0, 'rounding': 'uint8'},
            'num_images': result['images'],
            'num_missing': 0,
            'psnr': result['metrics']['psnr'],
            'ssim': result['metrics']['ssim'],
            'params': complexity['params'],
            'macs_g': complexity['macs_g'],
            'latency_s': complexity['latency_s'],
            'latency_device': complexity['device'],
            'iterations': training['iterations'],
            'training': (
                f'{training["iterations"]} it. of 8x128² on {training_data(opt)} = {args.budget_min:g} CPU min '
                f'of training steps at {calibration["step_cpu_s"]:.2f} CPU s/step ({args.threads} thread)'
            ),
            'provenance': f'scripts/budget_compare.py --table {table}',
        }
        write_row_json(row, args.out / 'scores' / f'{name}_{dataset}.json', force=True)
        rows.append(row)
    return rows

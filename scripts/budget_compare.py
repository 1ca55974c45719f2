"""Equal-budget comparison: LFDN, LMFN and BasicSR's own networks trained for the same CPU time.

    python scripts/budget_compare.py --table budget-derain --budget-min 10

Every option file of ``options/budget/<task>/`` is one network; all inherit one recipe (data,
degradation, loss, crops, optimiser, cosine schedule), so they differ only in the network and in
how many iterations fit in the budget. Per network, in turn:

1. **calibrate**: the CPU time of one training step (forward, loss, backward, Adam; median of a
   few steps on one batch of the recipe's data, ``--threads`` threads) sets
   ``total_iter = budget / step time``;
2. **train** with BasicSR's pipeline (``lfdn-train --auto_resume``) on that many iterations;
3. **test** with ``lfdn-test`` on the recipe's test sets;
4. **latency**: ``lfdn-benchmark`` at 1280×720 (fp32) in the same run;
5. one measured-row JSON per test set (``<out>/scores/``, read by ``scripts/leaderboard.py
   --scores``) and the table ``<out>/<table>.md`` of every row measured so far (``--report``
   writes only the table).

Each step writes its result file; a rerun skips what exists and continues a killed training, so
the whole comparison is one resumable command. The budget counts CPU seconds, not wall seconds,
so networks trained while the machine does other work still get equal shares.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import basicsr_lfdn  # noqa: E402,F401  (registers the plugin; must precede basicsr imports)

# isort: split
import torch  # noqa: E402
from basicsr.archs import build_network  # noqa: E402
from basicsr.data import build_dataset  # noqa: E402
from basicsr.losses import build_loss  # noqa: E402

from basicsr_lfdn.archs.complexity import count_params  # noqa: E402
from basicsr_lfdn.scoring import write_row_json  # noqa: E402
from basicsr_lfdn.utils.options import resolve_option_file, write_option_yaml  # noqa: E402

TABLES = {'budget-derain': REPO / 'options' / 'budget' / 'derain'}
TASK_OF_TABLE = {'budget-derain': 'derain'}
Y_CHANNEL_TASKS = {'derain'}


def read_json(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding='utf-8')) if path.is_file() else None


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix('.tmp')
    tmp.write_text(json.dumps(data, indent=2) + '\n', encoding='utf-8')
    os.replace(tmp, path)


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


def run_logged(command: list[str], log: Path, threads: int) -> tuple[float, float]:
    """Run ``command`` with its output appended to ``log``; returns (wall s, CPU s of the child)."""
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads), 'MKL_NUM_THREADS': str(threads)}
    before = os.times()
    start = time.perf_counter()
    with open(log, 'a', encoding='utf-8') as handle:
        handle.write(f'$ {" ".join(command)}\n')
        handle.flush()
        completed = subprocess.run(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)
    after = os.times()
    if completed.returncode:
        raise SystemExit(f'failed (exit {completed.returncode}): {" ".join(command)}; see {log}')
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.perf_counter() - start, cpu


def measure_complexity(network_opt: dict, out: Path, threads: int, repeats: int) -> dict:
    """Parameters, MACs and median fp32 CPU latency at 1280×720 from ``lfdn-benchmark`` (a fresh process)."""
    csv_path = out / 'latency.csv'
    if not csv_path.is_file():
        spec = json.dumps(network_opt)
        command = [sys.executable, '-m', 'basicsr_lfdn.benchmark', '--network', spec, '--size', '1280x720']
        command += ['--threads', str(threads), '--warmup', '1', '--repeats', str(repeats), '--matmul-size', '0']
        command += ['--output-csv', str(csv_path)]
        run_logged(command, out / 'run.log', threads)
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


def run_network(option_file: Path, table: str, args: argparse.Namespace) -> list[dict]:
    """Calibrate, train, test and time one network; returns its measured rows (one per test set)."""
    opt = resolve_option_file(option_file)
    name = opt['name'] = f'{opt["name"]}_{args.budget_min:g}min'  # runs of other budgets never collide
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    network_type = opt['network_g']['type']

    calibration = read_json(out / 'calibration.json')
    if calibration is None:
        step_s = calibrate_step_seconds(opt, args.threads)
        total_iter = max(1, int(args.budget_min * 60 / step_s))
        calibration = {'step_cpu_s': step_s, 'total_iter': total_iter, 'budget_min': args.budget_min}
        write_json(out / 'calibration.json', calibration)
    if calibration['budget_min'] != args.budget_min:
        raise SystemExit(f'{out} was calibrated for {calibration["budget_min"]} min; use another --out')
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
        command = [sys.executable, str(REPO / 'basicsr_lfdn' / 'train.py'), '-opt', str(option_path), '--auto_resume']
        wall_s, cpu_s = run_logged(command, out / 'run.log', args.threads)
        training = {'wall_s': wall_s, 'cpu_s': cpu_s, 'iterations': total_iter}
        write_json(out / 'training.json', training)

    test_names = '+'.join(dataset['name'] for key, dataset in opt['datasets'].items() if key.startswith('test'))
    results_dir = REPO / 'results' / f'{name}_{test_names}'
    metrics = read_json(results_dir / 'metrics.json')
    if metrics is None:
        command = [sys.executable, str(REPO / 'basicsr_lfdn' / 'test.py'), '-opt', str(option_path)]
        run_logged(command, out / 'run.log', args.test_threads)
        metrics = read_json(results_dir / 'metrics.json')
        if metrics is None:
            raise SystemExit(f'lfdn-test wrote no metrics.json in {results_dir}; see {out / "run.log"}')

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


def training_data(opt: dict) -> str:
    """What the recipe trains on, in a few words: the clean photos and the kind of rain added."""
    train = opt['datasets']['train']
    clean = Path(str(train['dataroot_gt'])).name
    return f'{clean} + real rain layers' if train.get('rain_layers') else f'{clean} + synthetic rain'


def render_table(table: str, rows: list[dict]) -> str:
    datasets = sorted({row['dataset'] for row in rows})
    header = '| network | params (M) | GMACs 1280×720 | CPU latency 1280×720 (s) | iterations | '
    header += ' | '.join(f'{d} PSNR / SSIM' for d in datasets) + ' |'
    lines = [header, '|---|---:|---:|---:|---:|' + '---:|' * len(datasets)]
    by_network: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_network.setdefault(row['network'], {})[row['dataset']] = row
    for network, per_set in by_network.items():
        first = next(iter(per_set.values()))
        cells = [f'{per_set[d]["psnr"]:.2f} / {per_set[d]["ssim"]:.4f}' if d in per_set else '-' for d in datasets]
        macs = '-' if first['macs_g'] is None else f'{first["macs_g"]:.1f}'
        latency = '-' if first['latency_s'] is None else f'{first["latency_s"]:.2f}'
        lines.append(
            f'| {network} | {first["params"] / 1e6:.2f} | {macs} | {latency} '
            f'| {first["iterations"]} | ' + ' | '.join(cells) + ' |'
        )
    return f'# {table}\n\n' + '\n'.join(lines) + '\n'


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--table', choices=sorted(TABLES), default='budget-derain')
    parser.add_argument('--budget-min', type=float, default=10.0, help='CPU minutes of training steps per network')
    parser.add_argument('--threads', type=int, default=1, help='torch threads while training')
    parser.add_argument('--test-threads', type=int, default=2, help='torch threads while testing and timing')
    parser.add_argument('--latency-repeats', type=int, default=3)
    parser.add_argument('--report', action='store_true', help='only tabulate the rows measured so far')
    parser.add_argument('--skip-latency', action='store_true', help='time the networks in a later, quieter rerun')
    parser.add_argument('--networks', nargs='*', help='option file stems to run (default: all of the table)')
    parser.add_argument('--out', type=Path, default=None, help='default results/<table>')
    args = parser.parse_args(argv)
    args.out = (args.out or REPO / 'results' / args.table).resolve()
    os.chdir(REPO)  # the recipes name their data relative to the repository root
    files = sorted(TABLES[args.table].glob('*.yml'))
    if args.networks:
        unknown = set(args.networks) - {path.stem for path in files}
        if unknown:
            parser.error(f'--networks {sorted(unknown)} not in {TABLES[args.table]}')
        by_stem = {path.stem: path for path in files}
        files = [by_stem[stem] for stem in args.networks]
    missing = [p for p in ('../shared/datasets/BSDS-clean', '../shared/datasets/Rain100') if not (REPO / p).is_dir()]
    if missing:
        raise SystemExit(f'data not found: {", ".join(missing)} (run from a checkout beside ../shared/datasets)')
    if not args.report:
        for option_file in files:
            run_network(option_file, args.table, args)
    rows = [json.loads(path.read_text(encoding='utf-8')) for path in sorted((args.out / 'scores').glob('*.json'))]
    order = {path.stem: index for index, path in enumerate(sorted(TABLES[args.table].glob('*.yml')))}
    rows.sort(key=lambda row: (order.get(row['network'].lower(), len(order)), row['dataset']))
    report = render_table(args.table, rows)
    (args.out / f'{args.table}.md').write_text(report, encoding='utf-8')
    print(report)


if __name__ == '__main__':
    main()

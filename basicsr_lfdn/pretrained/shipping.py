"""Ship a trained checkpoint as ``lfdn-restore --task <task>``'s default weights, with its model card.

The logic of ``scripts/ship_weights.py`` (run from a checkout, beside ``../shared/datasets``):

1. The checkpoint (default: the recipe's ``experiments/<name>/models/net_g_latest.pth``) is stored
   as a bf16 state dict with its network options in ``basicsr_lfdn/pretrained/<name>.pth``, where
   the name follows the task and the recipe's network (``lfdn_derain``, ``lmfn_derain``, …;
   at most 4 MiB; ``--force`` to replace).
2. ``lfdn-test`` evaluates exactly the shipped file on the recipe's test sets, once: these are the
   figures of the README and the model card.
3. The pairs CI re-measures (:data:`basicsr_lfdn.pretrained.REGRESSION`) are scored with
   :func:`basicsr_lfdn.inference.evaluate.evaluate_pairs`, the code the test uses.
4. int8 against fp32 on the same test sets (:mod:`basicsr_lfdn.inference.int8_card`), which
   ``--precision auto`` reads; ``--no-int8`` leaves it out, ``--measure-int8 CARD.json`` redoes
   only this part for cards already shipped.
5. ``<name>.json`` and ``<name>.md`` (model card: data, degradations, schedule, metrics, int8, sha256).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import torch
from basicsr.data import build_dataset

from basicsr_lfdn.archs.complexity import count_params
from basicsr_lfdn.inference.evaluate import evaluate_dataset, evaluate_pairs
from basicsr_lfdn.inference.int8_card import measure_int8, render_int8
from basicsr_lfdn.pretrained import (
    PRETRAINED_DIR,
    REGRESSION,
    SHARP_INPUT_MAX_LOSS,
    SHIPPED,
    model_card,
    regression_pairs,
    sha256_of,
    shipped_name,
    shipped_weights,
)
from basicsr_lfdn.utils.checkpoint import atomic_torch_save, build_network_from_checkpoint, load_checkpoint
from basicsr_lfdn.utils.options import prepare_for_phase, resolve_option_file

REPO = PRETRAINED_DIR.parents[1]
DATA = REPO.parent / 'shared' / 'datasets'
MAX_BYTES = 4 * 2**20


def write_bf16(checkpoint_path: Path, param_key: str, target: Path, force: bool) -> dict:
    """Store the checkpoint's weights as bf16 with its network options; returns the network options."""
    if target.exists() and not force:
        raise SystemExit(f'{target} exists; pass --force to replace it')
    checkpoint = load_checkpoint(checkpoint_path)
    state = checkpoint.get(param_key) or checkpoint['params']
    network_g = checkpoint.get('network_g')
    if not network_g:
        raise SystemExit(f'{checkpoint_path} carries no network_g options')
    bf16 = {key: value.to(torch.bfloat16) if value.is_floating_point() else value for key, value in state.items()}
    atomic_torch_save({'params': bf16, 'network_g': network_g}, target)
    target.chmod(0o644)  # package data: readable by every user of an installed copy
    size = target.stat().st_size
    if size > MAX_BYTES:
        target.unlink()
        raise SystemExit(f'{target.name} would be {size} bytes, above the 4 MiB limit')
    return network_g


def run_lfdn_test(recipe: Path, weights: Path) -> dict:
    """``lfdn-test`` of the recipe with ``weights``; returns its metrics.json."""
    opt = prepare_for_phase(resolve_option_file(recipe), is_train=False)
    command = [sys.executable, str(REPO / 'basicsr_lfdn' / 'test.py'), '-opt', str(recipe)]
    command += ['--force_yml', f'path:pretrain_network_g={weights}']
    subprocess.run(command, cwd=REPO, check=True)
    return json.loads((REPO / 'results' / opt['name'] / 'metrics.json').read_text(encoding='utf-8'))


def sharp_input_check(recipe_opt: dict, network: torch.nn.Module, y_channel: bool) -> dict | None:
    """Score the network on the recipe's unblurred validation photos (a ``val*`` set named BSDS-sharp).

    Returns ``{'val_key', 'psnr', 'input_psnr', 'images'}``, or None when the recipe has no such set.
    """
    for key, dataset_opt in sorted(recipe_opt['datasets'].items()):
        if key.startswith('val') and dataset_opt['name'] == 'BSDS-sharp':
            dataset = build_dataset({**dataset_opt, 'phase': 'val', 'scale': 1})
            return {'val_key': key, **evaluate_dataset(network, dataset, y_channel)}
    return None


def regression_section(task: str, network: torch.nn.Module, recipe_opt: dict, data: Path) -> dict:
    """The figures CI re-measures: the pairs of :data:`REGRESSION` and, for deblurring, the sharp photos."""
    regression = REGRESSION[task]
    remeasured = {}
    for dataset in regression['datasets']:
        pairs = regression_pairs(task, dataset, data)
        measured = evaluate_pairs(network, pairs, regression['y_channel'])
        remeasured[dataset] = {
            'pairs': [f'{lq.name} {gt.name}' for lq, gt in pairs],
            'psnr': measured['psnr'],
            'ssim': measured['ssim'],
        }
    section = {'y_channel': regression['y_channel'], 'datasets': remeasured}
    sharp = sharp_input_check(recipe_opt, network, regression['y_channel'])
    if sharp:
        section['sharp_input'] = sharp
        if sharp['psnr'] < sharp['input_psnr'] - SHARP_INPUT_MAX_LOSS:
            print(f'WARNING: sharp photos lose {sharp["input_psnr"] - sharp["psnr"]:.2f} dB through these weights')
    return section


def write_card(card: dict, folder: Path = PRETRAINED_DIR) -> None:
    """Write ``<name>.json`` and its rendering ``<name>.md`` in ``folder``, and print the rendering."""
    (folder / f'{card["name"]}.json').write_text(json.dumps(card, indent=2) + '\n', encoding='utf-8')
    (folder / f'{card["name"]}.md').write_text(render_card(card), encoding='utf-8')
    print(render_card(card))


def remeasure_regression(task: str, network_type: str, data: Path) -> None:
    """Rewrite only the card's regression section of the shipped file, e.g. after REGRESSION changed."""
    card = model_card(task, network_type)
    weights = shipped_weights(task, network_type)
    if sha256_of(weights) != card['sha256']:
        raise SystemExit(f'{weights} does not match its model card (sha256); ship it again instead')
    card['regression'] = regression_section(
        task, build_network_from_checkpoint(weights), resolve_option_file(REPO / card['recipe']), data
    )
    write_card(card)


def remeasure_int8(card_path: Path, data: Path, threads: int | None = None) -> dict:
    """Measure int8 against fp32 for the weights beside ``card_path`` and write the card's ``int8`` block."""
    if not card_path.is_file():
        raise SystemExit(f'--measure-int8 {card_path}: no such model card')
    card = json.loads(card_path.read_text(encoding='utf-8'))
    try:
        block = measure_int8(card, card_path.with_suffix('.pth'), data, threads)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f'--measure-int8 {card_path}: {error}') from error
    card = json.loads(card_path.read_text(encoding='utf-8'))  # as it is now: it may have changed meanwhile
    if card['sha256'] != block['sha256']:
        raise SystemExit(f'--measure-int8 {card_path}: the card was replaced during the measurement; run it again')
    card['int8'] = block
    write_card(card, card_path.parent)
    return block


def training_summary(recipe_opt: dict) -> dict:
    """Iterations, schedule, data and degradation of the recipe, and the wall time from its training log."""
    train = recipe_opt['train']
    dataset = recipe_opt['datasets']['train']
    logs = sorted((REPO / 'experiments' / recipe_opt['name']).glob('train_*.log'))
    consumed = None
    for log in logs:
        match = re.search(r'End of training\. Time consumed: (\S+)', log.read_text(encoding='utf-8'))
        consumed = match[1] if match else consumed
    data = (
        f'{dataset["dataroot_gt"]} (held out: {dataset.get("holdout")}, excluded: {dataset.get("exclude")}), '
        f'synthetic {dataset["degradation"]}'
    )
    for spec in dataset.get('rain_layers') or []:
        data += f' + real rain layers of {spec["dataroot_lq"]} {spec["names"]}'
    return {
        'data': data,
        'degradation_opt': dataset.get('degradation_opt'),
        'crops': f'{dataset["batch_size_per_gpu"]} x {dataset["gt_size"]}^2',
        'iterations': train['total_iter'],
        'optimiser': f'Adam lr {train["optim_g"]["lr"]}, {train["scheduler"]["type"]}',
        'loss': ' + '.join(
            f'{loss["loss_weight"]} x {loss["type"]}' for loss in (train['pixel_opt'], train.get('fft_opt')) if loss
        ),
        'amp': train.get('amp'),
        'wall_time': consumed,
    }


def ladder_stages(record_path: Path, network: str) -> list[dict]:
    """The chain of training stages of ``network`` in a ladder record (``scripts/ladder_curve.py``)."""
    record = json.loads(record_path.read_text(encoding='utf-8')) if record_path.is_file() else {}
    stages = (record.get(network) or {}).get('stages')
    if not stages:
        raise SystemExit(f'--ladder {record_path}: no stages of {network} (add them with scripts/ladder_curve.py add)')
    return [{'label': stage['label'], 'recipe': stage['recipe'], 'hours': stage['hours']} for stage in stages]


def render_card(card: dict) -> str:
    """The model card for people (``<name>.md``) from the card's data."""
    lines = [
        f'# Model card: {card["name"]} ({card["task"]})',
        '',
        f'- file: `{card["file"]}`, {card["size_bytes"]:,} bytes, bf16, sha256 `{card["sha256"]}`',
        f'- network: `{json.dumps(card["network_g"])}`, {card["params"]:,} parameters',
        f'- recipe: `{card["recipe"]}`; hardware: {card["hardware"]}',
        f'- checkpoint: `{card["source_checkpoint"]}`, {card["selection"]}',
    ]
    if card.get('ladder'):
        chain = ' → '.join(
            f'{stage["label"]} (`{stage["recipe"]}`, {stage["hours"]:.2f} h)' for stage in card['ladder']
        )
        lines.append(f'- ladder (each stage warm-started from the one before; hours of one CPU thread): {chain}')
    for key, value in card['training'].items():
        lines.append(f'- {key}: `{json.dumps(value)}`' if isinstance(value, dict) else f'- {key}: {value}')
    lines += ['', '| test set | images | input PSNR / SSIM | output PSNR / SSIM |', '|---|---:|---:|---:|']
    for dataset, result in card['metrics'].items():
        base = result.get('input_baseline') or {}
        base_cell = f'{base["psnr"]:.2f} / {base["ssim"]:.4f}' if base else '-'
        lines.append(f'| {dataset} | {result["images"]} | {base_cell} | {result["psnr"]:.2f} / {result["ssim"]:.4f} |')
    remeasured = '; '.join(
        f'{len(result["pairs"])} {dataset} pairs: {result["psnr"]:.2f} dB / {result["ssim"]:.4f}'
        for dataset, result in card['regression']['datasets'].items()
    )
    sharp = card['regression'].get('sharp_input')
    if sharp:
        lines += [
            '',
            f'Sharp photos ({sharp["images"]} held-back BSDS photos with sensor noise only, no blur): '
            f'input {sharp["input_psnr"]:.2f} dB, output {sharp["psnr"]:.2f} dB '
            f'({sharp["psnr"] - sharp["input_psnr"]:+.2f} dB; at most -{SHARP_INPUT_MAX_LOSS} dB allowed).',
        ]
    lines += [
        '',
        f'Measured once with `lfdn-test` on the shipped file ({card["protocol"]}). CI re-measures {remeasured}.',
        'Trained on BSDS-clean photos with synthetic degradations (and, for deraining, real rain layers), not on '
        "the papers' training sets (GoPro, Rain14000), so these figures do not reproduce the papers' protocol.",
    ]
    if card.get('int8'):
        lines += render_int8(card['int8'])
    return '\n'.join(lines) + '\n'


def ship(args: argparse.Namespace) -> None:
    """Store the checkpoint as bf16, test it, and write its model card (with int8 unless ``--no-int8``)."""
    recipe_opt = resolve_option_file(args.recipe)
    checkpoint = args.checkpoint or REPO / 'experiments' / recipe_opt['name'] / 'models' / 'net_g_latest.pth'
    name = shipped_name(args.task, recipe_opt['network_g']['type'])
    target = PRETRAINED_DIR / f'{name}.pth'
    network_g = write_bf16(checkpoint, args.param_key, target, args.force)
    metrics = run_lfdn_test(args.recipe, target)
    network = build_network_from_checkpoint(target)
    regression = REGRESSION[args.task]
    card = {
        'task': args.task,
        'name': name,
        'file': f'basicsr_lfdn/pretrained/{target.name}',
        'size_bytes': target.stat().st_size,
        'sha256': sha256_of(target),
        'network_g': network_g,
        'params': count_params(network),
        'recipe': str(args.recipe),
        'source_checkpoint': f'{os.path.relpath(checkpoint.resolve(), REPO)} [{args.param_key}]',
        'hardware': args.hardware,
        'selection': args.selection,
        'training': training_summary(recipe_opt),
        'protocol': 'BasicSR calculate_psnr/ssim on uint8, no border crop, '
        + ('Y channel (BT.601)' if regression['y_channel'] else 'RGB'),
        'metrics': {
            dataset: {**result['metrics'], 'images': result['images'], 'input_baseline': result['input_baseline']}
            for dataset, result in metrics.items()
        },
        'regression': regression_section(args.task, network, recipe_opt, args.data),
    }
    if args.ladder:
        card['ladder'] = ladder_stages(args.ladder, recipe_opt['network_g']['type'])
    write_card(card)
    if not args.no_int8:
        remeasure_int8(PRETRAINED_DIR / f'{name}.json', args.data, args.threads)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``scripts/ship_weights.py``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--task', choices=sorted(SHIPPED), help='required unless --measure-int8')
    parser.add_argument(
        '--recipe',
        type=Path,
        help='the option file the checkpoint was trained with (required unless --remeasure-regression)',
    )
    parser.add_argument('--checkpoint', type=Path, help='default experiments/<name>/models/net_g_latest.pth')
    parser.add_argument('--param-key', default='params')
    parser.add_argument('--hardware', default='2-core CPU, bf16 autocast')
    parser.add_argument('--selection', default='the last checkpoint', help='how the checkpoint was chosen')
    parser.add_argument(
        '--ladder',
        type=Path,
        help="ladder record (docs/measured/ladder_<task>.json): the card lists the network's stages",
    )
    parser.add_argument('--data', type=Path, default=DATA, help='the shared datasets folder')
    parser.add_argument('--force', action='store_true')
    parser.add_argument('--threads', type=int, help='CPU threads of the int8 measurement (default: all)')
    parser.add_argument('--no-int8', action='store_true', help='leave the int8 measurement out of a new card')
    parser.add_argument(
        '--remeasure-regression',
        metavar='NETWORK',
        help="only re-measure what CI checks for the shipped NETWORK's --task file (metrics and weights unchanged)",
    )
    parser.add_argument(
        '--measure-int8',
        nargs='+',
        type=Path,
        metavar='CARD',
        help="only measure int8 against fp32 on these cards' test sets and write their int8 blocks",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``scripts/ship_weights.py``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f'real test data not found at {args.data}')
    if args.measure_int8:
        for card_path in args.measure_int8:
            remeasure_int8(card_path, args.data, args.threads)
        return
    if args.task is None:
        parser.error('--task is required')
    if args.remeasure_regression:
        remeasure_regression(args.task, args.remeasure_regression, args.data)
        return
    if args.recipe is None:
        parser.error('--recipe is required')
    ship(args)

"""Validation rounds on record: the curve against CPU time, the best checkpoint, and both across a resume."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.metrics import calculate_psnr
from basicsr.models import build_model
from basicsr.utils import tensor2img
from torch.utils.data import DataLoader, Dataset

from basicsr_lfdn.models.validation_record import CpuClock, ValidationRecord
from basicsr_lfdn.utils.checkpoint import load_checkpoint

SELECT = {'mean_of': ['heavy', 'light'], 'metric': 'psnr', 'max_loss': {'dry': 0.5}, 'max_worst_loss': {'dry': 2.0}}


def _round(
    record: ValidationRecord,
    iteration: int,
    heavy: float,
    light: float,
    dry: float,
    saved: list,
    dry_worst: float = 0.5,
) -> dict:
    """Report three sets (dry input at 40 dB, its worst photo ``dry_worst`` dB below its input); return the round."""
    hours = 3600.0 * iteration

    def save() -> None:
        saved.append(iteration)

    record.add(iteration, 'heavy', {'psnr': heavy}, {'psnr': 14.0}, {}, hours, save)
    record.add(iteration, 'dry', {'psnr': dry}, {'psnr': 40.0}, {'psnr': dry_worst}, hours, save)
    return record.add(iteration, 'light', {'psnr': light}, {'psnr': 27.0}, {}, hours, save)


def _curve(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_best_is_the_highest_mean_among_rounds_that_leave_dry_photos_alone(tmp_path: Path) -> None:
    record = ValidationRecord(str(tmp_path), ['heavy', 'light', 'dry'], SELECT)
    saved: list[int] = []
    assert _round(record, 1, 20.0, 30.0, 39.9, saved)['score'] == pytest.approx(25.0)
    assert _round(record, 2, 24.0, 31.0, 39.0, saved)['eligible'] is False  # dry photos lost 1 dB: not kept
    _round(record, 3, 21.0, 30.0, 39.6, saved)  # eligible, 25.5 > 25.0
    _round(record, 4, 20.5, 30.0, 40.0, saved)  # eligible, 25.25 < 25.5
    assert _round(record, 5, 30.0, 30.0, 40.0, saved, dry_worst=2.5)['eligible'] is False  # one photo lost 2.5 dB
    assert saved == [1, 3]
    best = json.loads((tmp_path / 'best.json').read_text())
    assert (best['iter'], best['score']) == (3, pytest.approx(25.5))
    curve = _curve(tmp_path / 'validation_curve.jsonl')
    assert [row['iter'] for row in curve] == [1, 2, 3, 4, 5]
    assert curve[1]['cpu_hours'] == pytest.approx(2.0)
    assert curve[1]['heavy'] == {'psnr': 24.0, 'psnr_input': 14.0}
    assert curve[4]['dry']['psnr_worst_loss'] == 2.5


def test_a_resumed_run_keeps_its_best_and_only_a_better_round_replaces_it(tmp_path: Path) -> None:
    saved: list[int] = []
    _round(ValidationRecord(str(tmp_path), ['heavy', 'light', 'dry'], SELECT), 1, 22.0, 30.0, 40.0, saved)
    resumed = ValidationRecord(str(tmp_path), ['heavy', 'light', 'dry'], SELECT)
    _round(resumed, 2, 21.0, 30.0, 40.0, saved)
    assert saved == [1]
    _round(resumed, 3, 23.0, 30.0, 40.0, saved)
    assert saved == [1, 3]


def test_a_round_is_written_only_when_every_set_has_reported(tmp_path: Path) -> None:
    record = ValidationRecord(str(tmp_path), ['heavy', 'light', 'dry'], None)
    assert record.add(1, 'heavy', {'psnr': 20.0}, {}, {}, 0.0, lambda: None) is None
    assert not (tmp_path / 'validation_curve.jsonl').exists()
    record.add(1, 'light', {'psnr': 30.0}, {}, {}, 0.0, lambda: None)
    assert 'score' not in record.add(1, 'dry', {'psnr': 40.0}, {}, {}, 0.0, lambda: None)


def test_selection_naming_an_unknown_set_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\['Rain13K'\], which are not validation sets"):
        ValidationRecord(str(tmp_path), ['heavy', 'light'], {'mean_of': ['heavy', 'Rain13K']})


def test_cpu_clock_continues_from_the_recorded_seconds() -> None:
    clock = CpuClock()
    clock.resume_from(7200.0)
    start = clock.seconds()
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        pass
    assert 7200.0 <= start < 7200.1
    assert clock.seconds() - start >= 0.05


def _psnr_of(model, pairs: Dataset, index: int) -> float:
    """PSNR of the model's restoration of one pair, computed here independently of the validation loop."""
    item = pairs[index]
    model.feed_data({'lq': item['lq'][None], 'gt': item['gt'][None]})
    model.test()
    return calculate_psnr(tensor2img([model.output.cpu()]), tensor2img([item['gt']]), 0)


class _Pairs(Dataset):
    def __init__(self, name: str, seed: int) -> None:
        self.opt = {'name': name}
        generator = torch.Generator().manual_seed(seed)
        self.gt = torch.rand(2, 3, 24, 24, generator=generator)
        self.lq = (self.gt + 0.1 * torch.rand(2, 3, 24, 24, generator=generator)).clamp(0, 1)

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> dict:
        return {'lq': self.lq[index], 'gt': self.gt[index], 'lq_path': f'{index}.png', 'gt_path': f'{index}.png'}


def test_training_validation_writes_the_curve_and_the_best_weights(model_opt: dict) -> None:
    model_opt['datasets'] = {'val': {'name': 'a'}, 'val_2': {'name': 'b'}}
    model_opt['val']['select_best'] = {'mean_of': ['a', 'b']}
    model = build_model(model_opt)
    model.save_training_state(0, 7)
    state = torch.load(Path(model_opt['path']['training_states'], '7.state'), weights_only=False)
    assert state['cpu_seconds'] > 0
    for name, seed in (('a', 0), ('b', 1)):
        model.validation(DataLoader(_Pairs(name, seed), batch_size=1), 7, tb_logger=None, save_img=False)
    root = Path(model_opt['path']['experiments_root'])
    (row,) = _curve(root / 'validation_curve.jsonl')
    assert row['score'] == pytest.approx((model.metric_results['psnr'] + row['a']['psnr']) / 2)
    pairs = _Pairs('a', 0)
    losses = [
        calculate_psnr(tensor2img([pairs.lq[index]]), tensor2img([pairs.gt[index]]), 0) - _psnr_of(model, pairs, index)
        for index in range(2)
    ]
    assert row['a']['psnr_worst_loss'] == pytest.approx(max(losses), abs=1e-6)
    best = load_checkpoint(root / 'models' / 'net_g_best.pth')['params']
    weights = model.get_bare_model(model.net_g).state_dict()
    assert all(torch.equal(best[key], weights[key]) for key in weights)


def test_a_second_validation_without_a_step_between_is_skipped(model_opt: dict, basicsr_log: list[str]) -> None:
    model_opt['datasets'] = {'val': {'name': 'a'}}
    model = build_model(model_opt)
    loader = DataLoader(_Pairs('a', 0), batch_size=1)
    model.validation(loader, 300, tb_logger=None, save_img=False)
    model.validation(loader, 302, tb_logger=None, save_img=False)  # BasicSR's extra one after the last iteration
    assert 'Validation of a skipped: no step since the last one.' in basicsr_log
    model.feed_data({'lq': torch.rand(1, 3, 16, 16), 'gt': torch.rand(1, 3, 16, 16)})
    model.optimize_parameters(303)
    model.validation(loader, 303, tb_logger=None, save_img=False)
    curve = _curve(Path(model_opt['path']['experiments_root']) / 'validation_curve.jsonl')
    assert [row['iter'] for row in curve] == [300, 303]

"""A training run's validation rounds on record: the curve against CPU time, and its best checkpoint.

A *round* is the validation of every ``val*`` set at one iteration. Each finished round is appended
to ``<experiment>/validation_curve.jsonl`` as ``{"iter", "cpu_hours", "<set>": {metric: value}}``,
with the CPU time the run has used so far, summed over resumed processes (the training state keeps
it), so a run that continues across sessions plots as one curve against CPU-hours. Iterations
re-run after a resume are appended again; readers keep the last line of each iteration.

With ``val.select_best`` the round also decides which weights are the run's best::

    val:
      select_best:
        mean_of: [RainTrainH-val, Rain13K-val]   # score: mean of the metric over these sets
        metric: psnr
        max_loss: {BSDS-dry-val: 0.5}            # a round is eligible only if the output of each
                                                 # named set is at most this far below its input
        max_worst_loss: {BSDS-dry-val: 2.0}      # ... and no single image of the set is more than
                                                 # this far below its own input

The best eligible round's weights go to ``models/net_g_best.pth`` and its figures to
``best.json`` (read back on resume, so a resumed run keeps its best).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from typing import Any

from basicsr.utils import get_root_logger


class CpuClock:
    """CPU seconds used by this training run: this process plus what earlier processes recorded."""

    def __init__(self) -> None:
        self.offset = 0.0

    def seconds(self) -> float:
        """CPU time of the run so far (this process's threads; loader workers excluded, ~1 % here)."""
        return self.offset + time.process_time()

    def resume_from(self, recorded: float) -> None:
        """Continue counting from the CPU seconds a training state recorded."""
        self.offset = recorded - time.process_time()


class ValidationRecord:
    """Collects one round of per-set metrics, logs it to the curve file and keeps the best weights.

    Args:
        experiment_root: the run's folder (``experiments/<name>``).
        set_names: names of all validation sets; a round is complete when each has reported.
        select_opt: ``val.select_best`` (see the module docstring) or None.
    """

    def __init__(self, experiment_root: str, set_names: list[str], select_opt: dict[str, Any] | None) -> None:
        self.curve_path = os.path.join(experiment_root, 'validation_curve.jsonl')
        self.best_path = os.path.join(experiment_root, 'best.json')
        self.set_names = set(set_names)
        self.select_opt = dict(select_opt) if select_opt else None
        if self.select_opt:
            named = (
                set(self.select_opt.get('mean_of') or [])
                | set(self.select_opt.get('max_loss') or {})
                | set(self.select_opt.get('max_worst_loss') or {})
            )
            if not self.select_opt.get('mean_of'):
                raise ValueError('val.select_best needs mean_of: the validation sets whose mean is the score')
            unknown = named - self.set_names
            if unknown:
                raise ValueError(
                    f'val.select_best names {sorted(unknown)}, which are not validation sets ({sorted(self.set_names)})'
                )
        self.round: dict[str, dict[str, float]] = {}
        self.round_iter: int | None = None
        self.best = self._read_best()

    def _read_best(self) -> dict[str, Any] | None:
        if not os.path.isfile(self.best_path):
            return None
        with open(self.best_path, encoding='utf-8') as handle:
            return json.load(handle)

    def add(
        self,
        current_iter: int,
        set_name: str,
        metrics: dict[str, float],
        input_metrics: dict[str, float],
        image_worst_losses: dict[str, float],
        cpu_seconds: float,
        save_best: Callable[[], None],
    ) -> dict[str, Any] | None:
        """Record one set's metrics; when the round is complete, write it and return it (else None).

        ``input_metrics`` are the set's metrics of the unrestored inputs, ``image_worst_losses`` the
        largest drop of one image below its own input (see :func:`worst_losses`).
        """
        if self.round_iter != current_iter:
            self.round, self.round_iter = {}, current_iter
        self.round[set_name] = {
            **metrics,
            **{f'{name}_input': value for name, value in input_metrics.items()},
            **{f'{name}_worst_loss': value for name, value in image_worst_losses.items()},
        }
        if set(self.round) != self.set_names:
            return None
        entry: dict[str, Any] = {'iter': current_iter, 'cpu_hours': round(cpu_seconds / 3600, 4), **self.round}
        if self.select_opt:
            entry['score'], entry['eligible'] = self._score(self.round)
            if entry['eligible'] and (self.best is None or entry['score'] > self.best['score']):
                save_best()
                self.best = entry
                _write_json_atomically(self.best_path, entry)
                entry['best'] = True
        with open(self.curve_path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(entry) + '\n')
        score = f', score {entry["score"]:.4f}' if 'score' in entry else ''
        best = ' (new best: models/net_g_best.pth)' if entry.get('best') else ''
        hours = entry['cpu_hours']
        get_root_logger().info(f'Validation round at iter {current_iter}: {hours:.3f} CPU-hours{score}{best}')
        return entry

    def _score(self, round_: dict[str, dict[str, float]]) -> tuple[float, bool]:
        metric = self.select_opt.get('metric', 'psnr')
        names = self.select_opt['mean_of']
        score = sum(round_[name][metric] for name in names) / len(names)
        eligible = all(
            round_[name][f'{metric}_input'] - round_[name][metric] <= float(limit)
            for name, limit in (self.select_opt.get('max_loss') or {}).items()
        ) and all(
            round_[name].get(f'{metric}_worst_loss', math.inf) <= float(limit)
            for name, limit in (self.select_opt.get('max_worst_loss') or {}).items()
        )
        return score, eligible


def worst_losses(input_values: dict[str, list[float]], output_values: dict[str, list[float]]) -> dict[str, float]:
    """Per metric, the largest ``input - output`` over the images of a set (higher-is-better metrics).

    Args:
        input_values: metric name -> one value per image for the unrestored inputs.
        output_values: metric name -> one value per image, same order, for the restored images.

    Returns:
        Metric name -> worst loss in the metric's unit (negative when every image improved); only
        metrics with both lists of equal length.
    """
    return {
        name: max(before - after for before, after in zip(input_values[name], outputs, strict=True))
        for name, outputs in output_values.items()
        if outputs and len(input_values.get(name, [])) == len(outputs)
    }


def _write_json_atomically(path: str, content: dict[str, Any]) -> None:
    temporary = f'{path}.tmp'
    with open(temporary, 'w', encoding='utf-8') as handle:
        json.dump(content, handle, indent=1)
    os.replace(temporary, path)

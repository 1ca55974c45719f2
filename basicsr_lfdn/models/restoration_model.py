"""Image restoration model (deblurring, deraining) on top of BasicSR's ``SRModel``.

``SRModel`` already provides the network, pretrained loading, the pixel/perceptual losses, Adam,
the schedulers, EMA (``train.ema_decay``) and the metric bookkeeping. This class adds only what
restoration training needs beyond it:

* mixed precision: ``train.amp: bf16 | fp16 | auto`` (``torch.autocast`` on CPU or CUDA; fp16 uses
  a ``GradScaler`` whose state is saved with the training state; auto = bf16 only where it is
  faster, see :func:`fast_amp`);
* a frequency-domain term beside the pixel loss (``train.fft_opt``, e.g. ``FFTLoss``);
* ``channels_last: true`` memory format;
* gradient clipping (``train.grad_clip_norm``) and a guard that skips any step whose loss or
  gradient is not finite, with a log line, on all ranks at once;
* θ and α of the fusion modules (``net.fusion_scalars()``) in the text log and TensorBoard;
* DistributedDataParallel on CPU (gloo) as well as on GPUs;
* validation on any image size (the networks pad internally) or tiled (``val.tile: {size,
  overlap}``) so that memory stays bounded, the input-vs-target baseline of each validation set
  logged once, comparison strips input | output | target (``val.num_strips``) and, when testing,
  ``metrics.json`` in the results folder;
* network files ``{'params', ['params_ema'], 'network_g'}`` and training states written
  atomically (temp file + rename), so a killed run resumes from its last complete checkpoint.
"""

from __future__ import annotations

import json
import math
import os
from collections import OrderedDict
from os import path as osp
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
import torch.distributed as dist
from basicsr.losses import build_loss
from basicsr.metrics import calculate_metric
from basicsr.models.sr_model import SRModel
from basicsr.utils import get_root_logger, imwrite, tensor2img
from basicsr.utils.dist_util import master_only
from basicsr.utils.registry import MODEL_REGISTRY
from torch import Tensor, nn
from torch.nn.parallel import DataParallel, DistributedDataParallel

from basicsr_lfdn.models.validation_record import CpuClock, ValidationRecord, worst_losses
from basicsr_lfdn.utils.checkpoint import atomic_torch_save, load_checkpoint, load_fitting_state
from basicsr_lfdn.utils.tiling import tiled_forward

if TYPE_CHECKING:
    from torch.utils.data import DataLoader
    from torch.utils.tensorboard import SummaryWriter

_AMP_DTYPES = {'bf16': torch.bfloat16, 'fp16': torch.float16}


def fast_amp(device: torch.device) -> str | None:
    """'bf16' where bf16 autocast is faster than fp32, else None (fp32); the choice of ``amp: auto``.

    On CPU bf16 pays only with AMX tiles: measured on an AVX-512-bf16 Xeon without AMX, a LFDN
    training step took 1.33x longer in bf16 than in fp32 (docs/training.md).
    """
    if device.type == 'cuda':
        return 'bf16' if torch.cuda.is_bf16_supported() else None
    amx = getattr(torch.cpu, '_is_amx_tile_supported', None)
    return 'bf16' if device.type == 'cpu' and amx is not None and amx() else None


def _plain(value: Any) -> Any:
    """Option dicts (OrderedDict from BasicSR's YAML loader) as plain dicts/lists for a checkpoint."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@MODEL_REGISTRY.register()
class RestorationModel(SRModel):
    """Paired restoration model: degraded ``lq`` (N×3×H×W in [0, 1]) → restored, compared with ``gt``."""

    def model_to_device(self, net: nn.Module) -> nn.Module:
        """Move to the device (channels_last if asked) and wrap in DDP, with ``device_ids`` only on GPU."""
        net = net.to(self.device)
        if self.opt.get('channels_last', False):
            # Module.to(memory_format=...) rejects the 5-D Conv3d weight of ACFM; convert 4-D ones only.
            for param in net.parameters():
                if param.dim() == 4:
                    param.data = param.data.contiguous(memory_format=torch.channels_last)
        if self.opt['dist']:
            device_ids = [torch.cuda.current_device()] if self.device.type == 'cuda' else None
            return DistributedDataParallel(
                net, device_ids=device_ids, find_unused_parameters=self.opt.get('find_unused_parameters', False)
            )
        if self.opt['num_gpu'] > 1:
            return DataParallel(net)
        return net

    def init_training_settings(self) -> None:
        """SRModel's losses, optimiser, scheduler and EMA, plus AMP, clipping and the skip counter."""
        train_opt = self.opt['train']
        amp = train_opt.get('amp')
        if amp not in (None, False, 'auto', *_AMP_DTYPES):
            raise ValueError(f'train.amp must be bf16, fp16, auto or absent, got {amp!r}')
        if amp == 'auto':
            amp = fast_amp(self.device)
            get_root_logger().info(f'train.amp auto: {amp or "fp32"} on {self.device.type}.')
        self.amp_dtype = _AMP_DTYPES.get(amp) if amp else None
        self.grad_scaler = torch.amp.GradScaler(self.device.type, enabled=self.amp_dtype == torch.float16)
        self.grad_clip_norm = float(train_opt.get('grad_clip_norm') or 0.0)
        self.skipped_steps = 0
        self.steps_taken = 0
        self.validated_after: dict[str, int] = {}  # set name -> steps_taken when it was last validated
        super().init_training_settings()
        self.cri_fft = build_loss(train_opt['fft_opt']).to(self.device) if train_opt.get('fft_opt') else None
        if self.amp_dtype is not None:
            get_root_logger().info(f'Mixed precision training: {amp} on {self.device.type}.')
        self.cpu_clock = CpuClock()
        val_sets = [opt['name'] for key, opt in (self.opt.get('datasets') or {}).items() if key.startswith('val')]
        select_opt = (self.opt.get('val') or {}).get('select_best')
        root = self.opt['path'].get('experiments_root')
        self.validation_record = ValidationRecord(root, val_sets, select_opt) if val_sets and root else None

    def feed_data(self, data: dict[str, Tensor]) -> None:
        """Take ``lq`` (and ``gt`` when present), N×3×H×W, onto the device."""
        memory_format = torch.channels_last if self.opt.get('channels_last', False) else torch.contiguous_format
        self.lq = data['lq'].to(self.device).contiguous(memory_format=memory_format)
        if 'gt' in data:
            self.gt = data['gt'].to(self.device).contiguous(memory_format=memory_format)

    def _losses(self) -> tuple[Tensor, OrderedDict]:
        """Sum of the configured losses on ``self.output`` (computed in float32) and their parts."""
        output = self.output.float()
        loss_dict = OrderedDict()
        total = output.new_zeros(())
        if self.cri_pix:
            loss_dict['l_pix'] = self.cri_pix(output, self.gt)
            total = total + loss_dict['l_pix']
        if self.cri_fft:
            loss_dict['l_fft'] = self.cri_fft(output, self.gt)
            total = total + loss_dict['l_fft']
        if self.cri_perceptual:
            percep, style = self.cri_perceptual(output, self.gt)
            for name, value in (('l_percep', percep), ('l_style', style)):
                if value is not None:
                    loss_dict[name] = value
                    total = total + value
        return total, loss_dict

    def _finite_on_all_ranks(self, value: Tensor) -> bool:
        """True when ``value`` is finite on every process (all ranks then skip or step together)."""
        flag = torch.isfinite(value.detach()).all().to(self.device, torch.float32).reshape(1)
        if self.opt['dist']:
            dist.all_reduce(flag, op=dist.ReduceOp.MIN)
        return bool(flag.item())

    def _skip_step(self, current_iter: int, reason: str, loss_dict: OrderedDict) -> None:
        self.skipped_steps += 1
        self.optimizer_g.zero_grad(set_to_none=True)
        get_root_logger().warning(
            f'iter {current_iter}: {reason}; skipped this optimisation step '
            f'(weights unchanged, {self.skipped_steps} skipped so far).'
        )
        self.log_dict = self.reduce_loss_dict(loss_dict)

    def optimize_parameters(self, current_iter: int) -> None:
        """One step: forward under autocast, finite check, (scaled) backward, clipping, Adam, EMA."""
        self.optimizer_g.zero_grad(set_to_none=True)
        with torch.autocast(
            self.device.type, dtype=self.amp_dtype or torch.float32, enabled=self.amp_dtype is not None
        ):
            self.output = self.net_g(self.lq)
        l_total, loss_dict = self._losses()
        if not self._finite_on_all_ranks(l_total):
            self._skip_step(current_iter, f'non-finite loss {l_total.item()}', loss_dict)
            return

        self.grad_scaler.scale(l_total).backward()
        params = [param for param in self.net_g.parameters() if param.requires_grad]
        self.grad_scaler.unscale_(self.optimizer_g)
        max_norm = self.grad_clip_norm if self.grad_clip_norm > 0 else math.inf
        grad_norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        if not self.grad_scaler.is_enabled() and not self._finite_on_all_ranks(grad_norm):
            self._skip_step(current_iter, f'non-finite gradient norm {grad_norm.item()}', loss_dict)
            return
        self.grad_scaler.step(self.optimizer_g)
        self.grad_scaler.update()
        self.steps_taken += 1

        loss_dict['grad_norm'] = grad_norm.detach().float()
        self.log_dict = self.reduce_loss_dict(loss_dict)
        self.log_dict.update(self.fusion_scalars())
        if self.ema_decay > 0:
            self.model_ema(decay=self.ema_decay)

    def fusion_scalars(self) -> dict[str, float]:
        """θ (ALFM) and α (ACFM) of the trained network, empty for concatenation fusion."""
        net = self.get_bare_model(self.net_g)
        return dict(net.fusion_scalars()) if hasattr(net, 'fusion_scalars') else {}

    def test(self) -> None:
        """Restore ``self.lq`` with the EMA network if any; tiled when ``val.tile.size`` > 0."""
        net = self.net_g_ema if hasattr(self, 'net_g_ema') else self.get_bare_model(self.net_g)
        tile_opt = (self.opt.get('val') or {}).get('tile') or {}
        was_training = net.training
        net.eval()
        with torch.no_grad():
            self.output = tiled_forward(net, self.lq, int(tile_opt.get('size', 0)), int(tile_opt.get('overlap', 0)))
        net.train(was_training)

    def nondist_validation(
        self, dataloader: DataLoader, current_iter: int | str, tb_logger: SummaryWriter | None, save_img: bool
    ) -> None:
        """Validate on one set: metrics, the input baseline (first time), strips, restored images."""
        dataset_name = dataloader.dataset.opt['name']
        if self.opt['is_train'] and self.validated_after.get(dataset_name) == self.steps_taken:
            # BasicSR validates once more after the last iteration, usually on unchanged weights.
            get_root_logger().info(f'Validation of {dataset_name} skipped: no step since the last one.')
            return
        if self.opt['is_train']:
            self.validated_after[dataset_name] = self.steps_taken
        val_opt = self.opt['val']
        metric_opts = val_opt.get('metrics') or {}
        num_strips = int(val_opt.get('num_strips', 3))
        if not hasattr(self, 'input_baselines'):
            self.input_baselines: dict[str, dict[str, float]] = {}
        need_baseline = bool(metric_opts) and dataset_name not in self.input_baselines
        if metric_opts:
            self._initialize_best_metric_results(dataset_name)
        if not hasattr(self, 'input_image_metrics'):
            self.input_image_metrics: dict[str, dict[str, list[float]]] = {}
        image_metrics: dict[str, list[float]] = {name: [] for name in metric_opts}
        baseline: dict[str, list[float]] = {name: [] for name in metric_opts}

        count = 0
        for index, val_data in enumerate(dataloader):
            img_name = osp.splitext(osp.basename(val_data['lq_path'][0]))[0]
            self.feed_data(val_data)
            self.test()
            lq_img = tensor2img([self.lq.detach().cpu()])
            sr_img = tensor2img([self.output.detach().cpu()])
            gt_img = tensor2img([self.gt.detach().cpu()]) if hasattr(self, 'gt') else None
            for name, metric_opt in metric_opts.items():
                if gt_img is None:
                    raise ValueError(f'validation set {dataset_name} has no targets (gt) for metric {name}')
                image_metrics[name].append(calculate_metric({'img': sr_img, 'img2': gt_img}, metric_opt))
                if need_baseline:
                    baseline[name].append(calculate_metric({'img': lq_img, 'img2': gt_img}, metric_opt))
            if save_img:
                imwrite(sr_img, self._image_path(dataset_name, img_name, current_iter))
            if index < num_strips:
                self._save_strip(lq_img, sr_img, gt_img, dataset_name, img_name, current_iter, tb_logger)
            del self.lq, self.output
            if hasattr(self, 'gt'):
                del self.gt
            count += 1

        if not metric_opts or count == 0:
            return
        self.metric_results = {name: sum(values) / count for name, values in image_metrics.items()}
        for name, value in self.metric_results.items():
            self._update_best_metric_result(dataset_name, name, value, current_iter)
        if need_baseline:
            self.input_image_metrics[dataset_name] = baseline
            self.input_baselines[dataset_name] = {name: sum(values) / count for name, values in baseline.items()}
            self._log_input_baseline(dataset_name, tb_logger)
        self._log_validation_metric_values(current_iter, dataset_name, tb_logger)
        if self.opt['is_train'] and getattr(self, 'validation_record', None) is not None:
            worst = worst_losses(self.input_image_metrics.get(dataset_name, {}), image_metrics)
            self._record_round(current_iter, dataset_name, worst)
        if tb_logger:
            for name, value in self.fusion_scalars().items():
                tb_logger.add_scalar(f'fusion/{name}', value, current_iter)
        if not self.opt['is_train']:
            self._write_metrics_json(dataset_name, count)

    def _record_round(self, current_iter: int, dataset_name: str, worst: dict[str, float]) -> None:
        """Add this set to the validation round (curve file, best weights as models/net_g_best.pth)."""
        has_ema = hasattr(self, 'net_g_ema')
        nets = [self.net_g, self.net_g_ema] if has_ema else self.net_g
        keys = ['params', 'params_ema'] if has_ema else 'params'
        self.validation_record.add(
            current_iter,
            dataset_name,
            dict(self.metric_results),
            self.input_baselines.get(dataset_name, {}),
            worst,
            self.cpu_clock.seconds(),
            lambda: self.save_network(nets, 'net_g', 'best', param_key=keys),
        )

    def _image_path(self, dataset_name: str, img_name: str, current_iter: int | str) -> str:
        """BasicSR's layout: visualization/<img>/<img>_<iter>.png (train), visualization/<set>/... (test)."""
        visualization = self.opt['path']['visualization']
        if self.opt['is_train']:
            return osp.join(visualization, img_name, f'{img_name}_{current_iter}.png')
        suffix = self.opt['val'].get('suffix') or self.opt['name']
        return osp.join(visualization, dataset_name, f'{img_name}_{suffix}.png')

    def _save_strip(
        self,
        lq_img: np.ndarray,
        sr_img: np.ndarray,
        gt_img: np.ndarray,
        dataset_name: str,
        img_name: str,
        current_iter: int | str,
        tb_logger: SummaryWriter | None,
    ) -> None:
        """Write input | output | target side by side (H×3W×3 BGR uint8) and add it to TensorBoard."""
        panels = [lq_img, sr_img] + ([gt_img] if gt_img is not None else [])
        strip = np.concatenate(panels, axis=1)
        imwrite(
            strip, osp.join(self.opt['path']['visualization'], 'strips', dataset_name, f'{img_name}_{current_iter}.png')
        )
        if tb_logger and isinstance(current_iter, int):
            tb_logger.add_image(
                f'strips/{dataset_name}/{img_name}', strip[:, :, ::-1].copy(), current_iter, dataformats='HWC'
            )

    def _log_input_baseline(self, dataset_name: str, tb_logger: SummaryWriter | None) -> None:
        """Log the metrics of the degraded input itself, so the gain of the network is visible."""
        values = self.input_baselines[dataset_name]
        text = ', '.join(f'{name}: {value:.4f}' for name, value in values.items())
        get_root_logger().info(f'Input baseline {dataset_name} (degraded input vs target): {text}')
        if tb_logger:
            for name, value in values.items():
                tb_logger.add_scalar(f'metrics/{dataset_name}/{name}_input', value, 0)

    @master_only
    def _write_metrics_json(self, dataset_name: str, count: int) -> None:
        """Add this set's results to ``<results>/metrics.json`` (read by scripts/reproduce.py)."""
        path = osp.join(self.opt['path']['results_root'], 'metrics.json')
        results = {}
        if osp.isfile(path):
            with open(path, encoding='utf-8') as handle:
                results = json.load(handle)
        results[dataset_name] = {
            'images': count,
            'metrics': dict(self.metric_results),
            'input_baseline': self.input_baselines.get(dataset_name, {}),
            'network': self.opt['path'].get('pretrain_network_g'),
        }
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump(results, handle, indent=2)
        get_root_logger().info(f'Metrics {dataset_name}: ' + json.dumps(results[dataset_name]['metrics']))

    def load_network(self, net: nn.Module, load_path: str, strict: bool = True, param_key: str = 'params') -> None:
        """BasicSR's loader, but CPU/``weights_only`` and, when strict, one line on a checkpoint that does not fit."""
        if not strict:
            super().load_network(net, load_path, strict=False, param_key=param_key)
            return
        checkpoint = load_checkpoint(load_path)
        key = param_key if param_key in checkpoint else 'params' if 'params' in checkpoint else None
        state = checkpoint[key] if key else checkpoint
        get_root_logger().info(f'Loading {type(self.get_bare_model(net)).__name__} from {load_path} [{key}].')
        load_fitting_state(self.get_bare_model(net), state, load_path)

    @master_only
    def save_network(
        self, net: nn.Module | list[nn.Module], net_label: str, current_iter: int, param_key: str | list[str] = 'params'
    ) -> None:
        """Atomically write ``{'params', ['params_ema'], 'network_g'}`` to models/<label>_<iter>.pth."""
        label = 'latest' if current_iter == -1 else current_iter
        nets = net if isinstance(net, list) else [net]
        keys = param_key if isinstance(param_key, list) else [param_key]
        if len(nets) != len(keys):
            raise ValueError('save_network: one param_key per network is required')
        checkpoint: dict[str, Any] = {}
        for net_, key in zip(nets, keys):
            state = self.get_bare_model(net_).state_dict()
            checkpoint[key] = OrderedDict((name.removeprefix('module.'), value.cpu()) for name, value in state.items())
        checkpoint['network_g'] = _plain(self.opt['network_g'])
        atomic_torch_save(checkpoint, osp.join(self.opt['path']['models'], f'{net_label}_{label}.pth'))

    @master_only
    def save_training_state(self, epoch: int, current_iter: int) -> None:
        """Atomically write optimiser, scheduler and grad-scaler states to training_states/<iter>.state."""
        if current_iter == -1:
            return
        state = {
            'epoch': epoch,
            'iter': current_iter,
            'optimizers': [optimizer.state_dict() for optimizer in self.optimizers],
            'schedulers': [scheduler.state_dict() for scheduler in self.schedulers],
        }
        if self.grad_scaler.is_enabled():
            state['grad_scaler'] = self.grad_scaler.state_dict()
        state['cpu_seconds'] = self.cpu_clock.seconds()
        atomic_torch_save(state, osp.join(self.opt['path']['training_states'], f'{current_iter}.state'))

    def resume_training(self, resume_state: dict[str, Any]) -> None:
        """Restore optimisers and schedulers (BasicSR) and the fp16 grad scaler."""
        super().resume_training(resume_state)
        if self.grad_scaler.is_enabled() and 'grad_scaler' in resume_state:
            self.grad_scaler.load_state_dict(resume_state['grad_scaler'])
        self.cpu_clock.resume_from(float(resume_state.get('cpu_seconds', 0.0)))

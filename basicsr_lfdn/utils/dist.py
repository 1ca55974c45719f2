"""Distributed initialisation that also works without a GPU.

BasicSR 1.4.2's ``init_dist`` always uses NCCL and calls ``torch.cuda.set_device``, so a CPU-only
machine (or a CI runner) cannot start ``--launcher pytorch``. This version picks NCCL when CUDA is
available and gloo otherwise, reads the variables torchrun exports (RANK, LOCAL_RANK, WORLD_SIZE,
MASTER_ADDR, MASTER_PORT) and, for Slurm, derives them from SLURM_* first.
"""

from __future__ import annotations

import os
import subprocess

import torch
import torch.distributed as dist


def default_backend() -> str:
    """NCCL when this process can use a GPU, gloo otherwise."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def _bind_local_gpu(local_rank: int) -> None:
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank % torch.cuda.device_count())


def _export_slurm_environment(port: int | None) -> None:
    """Translate Slurm's task variables into the ones ``init_process_group`` reads."""
    proc_id = int(os.environ['SLURM_PROCID'])
    ntasks = int(os.environ['SLURM_NTASKS'])
    node_list = os.environ['SLURM_NODELIST']
    local_id = int(os.environ.get('SLURM_LOCALID', proc_id % max(torch.cuda.device_count(), 1)))
    master = subprocess.run(
        ['scontrol', 'show', 'hostname', node_list], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    os.environ['MASTER_ADDR'] = master
    if port is not None:
        os.environ['MASTER_PORT'] = str(port)
    os.environ.setdefault('MASTER_PORT', '29500')
    os.environ['WORLD_SIZE'] = str(ntasks)
    os.environ['RANK'] = str(proc_id)
    os.environ['LOCAL_RANK'] = str(local_id)


def init_dist(launcher: str, backend: str | None = None, port: int | None = None, **kwargs) -> None:
    """Start the default process group for ``--launcher pytorch`` (torchrun) or ``slurm``.

    Args:
        launcher: 'pytorch' or 'slurm'.
        backend: 'nccl' or 'gloo'; None picks NCCL with CUDA, gloo without.
        port: master port for Slurm (``dist_params.port`` in the options); torchrun sets its own.
        kwargs: passed on to ``torch.distributed.init_process_group``.
    """
    if launcher == 'slurm':
        _export_slurm_environment(port)
    elif launcher != 'pytorch':
        raise ValueError(f'unknown launcher {launcher!r}; use pytorch (torchrun) or slurm')
    missing = [name for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT') if name not in os.environ]
    if missing:
        raise RuntimeError(f'--launcher {launcher} needs the environment variables {missing}; start with torchrun')
    backend = backend or default_backend()
    if backend == 'nccl' and not torch.cuda.is_available():
        raise RuntimeError('dist backend nccl needs CUDA; use gloo (the default without a GPU)')
    _bind_local_gpu(int(os.environ.get('LOCAL_RANK', 0)))
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, **kwargs)

"""Every option file resolves through its _base_ chain and builds what it claims.

Each paper-table row file builds the network its ``paper:`` row describes, checked against what
the row's label says (module types) and docs/architecture.md's measured parameter column, not
against the file's own ``network_g``. Every file builds its datasets (pointed at tiny fixture
trees, input and target the right way round) and a training model; every row file follows the
papers' protocol (RGB metrics for deblurring, Y channel for deraining, Adam 1e-4, MSE).
"""

from __future__ import annotations

import collections
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

import basicsr_lfdn  # noqa: F401  (registers the plugin; must precede basicsr imports)

# isort: split
from basicsr.archs import build_network
from basicsr.archs.arch_util import Upsample
from basicsr.data import build_dataset
from basicsr.models import build_model
from basicsr.utils.registry import ARCH_REGISTRY
from torch import nn

from basicsr_lfdn.archs.complexity import count_params
from basicsr_lfdn.archs.distillation import FDNB, RFDB, ConvBlock
from basicsr_lfdn.archs.fusion import ACFM, ALFM
from basicsr_lfdn.archs.lfdn_arch import LFDN
from basicsr_lfdn.archs.lmfn_arch import LMFN
from basicsr_lfdn.archs.mshf import MSHF, BilinearUp, StridedEncoder
from basicsr_lfdn.utils.options import demo_roots, prepare_for_phase, resolve_option_file

REPO = Path(__file__).resolve().parents[2]
OPTIONS = REPO / 'options'
OPTION_FILES = sorted(path for path in OPTIONS.rglob('*.yml') if '_base_' not in path.parts)
ROW_FILES = [path for path in OPTION_FILES if path.relative_to(OPTIONS).parts[0] in ('sensors', 'icip')]
EXPECTED_ROWS = {
    'Sensors Table 2': 4,
    'Sensors Table 3': 1,
    'Sensors Table 4': 1,
    'Sensors Table 5': 1,
    'Sensors Table 6': 12,
    'Sensors Table 7': 14,
    'Sensors Table 8': 12,
    'Sensors Table 9': 12,
    'ICIP Table 1': 1,
    'ICIP Table 2': 1,
    'ICIP Table 3': 4,
    'ICIP Table 4': 6,
}


def _label(path: Path) -> str:
    return str(path.relative_to(OPTIONS))


def _check_each(paths: list[Path], check) -> None:
    """Run ``check(path)`` on every file and report every failing file at once, by name."""
    failures = {}
    for path in paths:
        try:
            check(path)
        except Exception as error:  # collected, then reported together
            failures[_label(path)] = f'{type(error).__name__}: {error}'
    assert not failures, '\n'.join(f'{label}: {message}' for label, message in failures.items())


# What each row label of the papers describes, written from the papers' wording: the network of
# the paper (ICIP: LMFN with RFDBs and the bilinear MSHF; Sensors: LFDN with FDNBs and the
# pixel-shuffle MSHF), with what the ablation removes or replaces.
@dataclass(frozen=True)
class Described:
    network: type
    block: type
    encoder: type = MSHF
    fusion: tuple[type, type] = (ALFM, ACFM)
    num_blocks: int = 4
    theta: float | None = None  # None: learned (starts at 0)
    alpha: float | None = None


ABLATIONS = {
    'without MSHF': {'encoder': StridedEncoder},
    'without distillation block': {'block': ConvBlock},
    'without ALFM/ACFM': {'fusion': (nn.Identity, nn.Identity)},
    'FDNB replaced by RFDB': {'block': RFDB},
    'FDNB replaced by CNN': {'block': ConvBlock},
    'without MSHF, FDNB and ALFM/ACFM': {
        'encoder': StridedEncoder,
        'block': ConvBlock,
        'fusion': (nn.Identity, nn.Identity),
    },
}
UNCHANGED = re.compile(r'(full (LMFN|LFDN)|(LMFN|LFDN) on \w+|(theta|alpha) learned)')


def describe(table: str, row: str) -> tuple[Described, tuple[str, str]]:
    """The network a row describes and its row in docs/architecture.md's parameter table."""
    icip = table.startswith('ICIP')
    network, block = (LMFN, RFDB) if icip else (LFDN, FDNB)
    full_row = ('ICIP Table 3', 'full LMFN') if icip else ('Sensors Table 6', 'full LFDN')
    label = row.split(' (')[0]
    if label in ABLATIONS:
        return Described(network, **{'block': block, **ABLATIONS[label]}), (table, label)
    if match := re.fullmatch(r'(\d) (RFDB|FDNB)', label):
        assert match[2] == block.__name__, row
        return Described(network, block, num_blocks=int(match[1])), (table, label)
    if match := re.fullmatch(r'(theta|alpha) = (-?\d+(\.\d+)?)', label):
        return Described(network, block, **{match[1]: float(match[2])}), (table, row)
    assert UNCHANGED.fullmatch(label), f'row {row!r} of {table} describes no network this test knows'
    return Described(network, block), full_row


def documented_params() -> dict[tuple[str, str], str]:
    """(paper table, row) -> measured parameters ('1.541M') of docs/architecture.md's table."""
    text = (REPO / 'docs' / 'architecture.md').read_text(encoding='utf-8')
    table = text.split('<!-- params-table -->')[1].split('<!-- /params-table -->')[0]
    rows = {}
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        rows[(cells[0], cells[1])] = cells[3]
    return rows


def assert_builds_what_is_described(net: nn.Module, described: Described) -> None:
    assert type(net) is described.network, type(net).__name__
    assert type(net.encoder) is described.encoder, type(net.encoder).__name__
    if described.encoder is MSHF:  # ICIP fuses scales by bilinear up-sampling, Sensors by pixel shuffle
        up = BilinearUp if described.network is LMFN else Upsample
        assert all(type(module) is up for module in net.encoder.up), net.encoder.up
    kinds = [type(block) for block in net.blocks]
    assert kinds == [described.block] * described.num_blocks, kinds
    assert (type(net.alfm), type(net.acfm)) == described.fusion
    for module, name in ((net.alfm, 'theta'), (net.acfm, 'alpha')):
        if isinstance(module, (ALFM, ACFM)):
            scale, fixed = getattr(module, name), getattr(described, name)
            assert scale.requires_grad is (fixed is None), f'{name} learnable: {scale.requires_grad}'
            assert scale.item() == np.float32(0.0 if fixed is None else fixed), f'{name} = {scale.item()}'


def test_every_table_row_has_its_option_file():
    tables = collections.Counter(resolve_option_file(path)['paper']['table'] for path in ROW_FILES)
    assert dict(tables) == EXPECTED_ROWS


def test_every_row_builds_the_network_its_paper_row_describes():
    params_table = documented_params()

    def check(path: Path) -> None:
        opt = resolve_option_file(path)
        described, doc_row = describe(opt['paper']['table'], opt['paper']['row'])
        net = build_network(dict(opt['network_g']))
        assert_builds_what_is_described(net, described)
        assert f'{count_params(net) / 1e6:.3f}M' == params_table[doc_row], (count_params(net), doc_row)

    _check_each(ROW_FILES, check)


def module_tree(net: nn.Module) -> list[tuple[str, str, tuple[int, ...]]]:
    """Every module's name and type, and every parameter's name and shape."""
    modules = [(name, type(module).__name__, ()) for name, module in net.named_modules()]
    return modules + [(name, 'parameter', tuple(param.shape)) for name, param in net.named_parameters()]


def test_each_ablation_argument_changes_the_module_tree():
    """Against the default network of each paper, every argument value builds another tree."""
    small = {'num_feat': 8, 'encoder_feat': 8}
    arguments = [
        ('encoder', 'strided'),
        ('block', 'conv'),
        ('block', 'rfdb'),
        ('block', 'fdnb'),
        ('fusion', 'concat'),
        ('num_blocks', 3),
        ('num_feat', 16),
        ('encoder_feat', 16),
    ]
    for arch, default_block in (('LFDN', 'fdnb'), ('LMFN', 'rfdb')):
        default = module_tree(build_network({'type': arch, **small}))
        for name, value in arguments:
            if (name, value) == ('block', default_block):
                continue
            changed = module_tree(build_network({'type': arch, **small, name: value}))
            assert changed != default, f'{arch}({name}={value!r}) builds the default network'
    lfdn = build_network({'type': 'LFDN', **small})
    norms = {'instance': (nn.GroupNorm, 4), 'layer': (nn.GroupNorm, 1), 'batch': (nn.BatchNorm2d, None)}
    norms['none'] = (nn.Identity, None)
    for norm, (kind, groups) in norms.items():
        net = build_network({'type': 'LFDN', **small, 'norm': norm})
        layers = [layer for block in net.blocks for layer in block.norms]
        assert all(type(layer) is kind and getattr(layer, 'num_groups', None) == groups for layer in layers), norm
    fixed = build_network({'type': 'LFDN', **small, 'theta': 0.002, 'alpha': 0.3})
    assert (fixed.alfm.theta.requires_grad, fixed.acfm.alpha.requires_grad) == (False, False)
    assert (lfdn.alfm.theta.requires_grad, lfdn.acfm.alpha.requires_grad) == (True, True)


def _fixture_tree(root: Path, size: int) -> Path:
    """Two size×size input/target pairs."""
    rng = np.random.default_rng(0)
    for side in ('input', 'target'):
        (root / side).mkdir(parents=True, exist_ok=True)
        for index in range(2):
            cv2.imwrite(str(root / side / f'{index}.png'), rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
    return root


def _point_at_fixtures(opt: dict, tmp_path: Path) -> dict:
    """Replace every dataset's roots by a fixture tree (48×48, training: one crop), finish them as BasicSR would."""
    opt = copy.deepcopy(opt)
    for phase, dataset in opt['datasets'].items():
        tree = _fixture_tree(tmp_path / dataset['name'] / phase, dataset.get('gt_size', 48) if phase == 'train' else 48)
        dataset.update(
            dataroot_gt=str(tree / 'target'),
            dataroot_lq=str(tree / 'input'),
            meta_info_file=None,
            phase=phase.split('_')[0],
            scale=1,
            build_demo=False,
        )
        dataset.pop('holdout', None)  # the fixture tree holds two photos, too few to split,
        dataset.pop('exclude', None)  # and none of the photos a file may leave out
    return opt


def _as_tensor(path: str) -> torch.Tensor:
    """An image file as BasicSR's datasets should give it: RGB, C×H×W, float in [0, 1]."""
    return torch.from_numpy(cv2.imread(path)[:, :, ::-1].transpose(2, 0, 1) / 255.0).float()


def test_every_option_file_builds_its_datasets_the_right_way_round(tmp_path):
    def check(path: Path) -> None:
        opt = resolve_option_file(path)
        assert opt['model_type'] == 'RestorationModel'
        if path.relative_to(OPTIONS).parts[0] == 'budget':  # the equal-budget runs also train BasicSR's networks
            assert opt['network_g']['type'] in ARCH_REGISTRY
        else:
            assert opt['network_g']['type'] in ('LFDN', 'LMFN')
        root = tmp_path / _label(path)
        train_opt = _point_at_fixtures(prepare_for_phase(opt, is_train=True), root)
        test_opt = _point_at_fixtures(prepare_for_phase(opt, is_train=False), root)
        train_sets = sorted(key.split('_')[0] for key in train_opt['datasets'])
        assert train_sets[0] == 'train' and set(train_sets[1:]) == {'val'}
        assert test_opt['datasets'] and all(key.startswith('test') for key in test_opt['datasets'])
        crop = train_opt['datasets']['train']['gt_size']
        item = build_dataset(train_opt['datasets']['train'])[0]
        assert item['lq'].shape == item['gt'].shape == (3, crop, crop)
        evaluated = [dataset for key, dataset in train_opt['datasets'].items() if key != 'train']
        for dataset_opt in evaluated + list(test_opt['datasets'].values()):
            item = build_dataset(dataset_opt)[0]
            size = round(48 * dataset_opt.get('zoom_range', [1, 1])[0])  # fixed-zoom sets resize the 48-px fixture
            assert item['lq'].shape == (3, size, size)
            if dataset_opt['type'] != 'PairedRestorationDataset':  # synthetic sets degrade the target on the fly
                continue
            assert Path(item['lq_path']).parent.name == 'input' and Path(item['gt_path']).parent.name == 'target'
            torch.testing.assert_close(item['lq'], _as_tensor(item['lq_path']))
            torch.testing.assert_close(item['gt'], _as_tensor(item['gt_path']))

    _check_each(OPTION_FILES, check)


def test_every_row_follows_its_literature_protocol():
    def check(path: Path) -> None:
        opt = resolve_option_file(path)
        assert 20.0 < opt['paper']['psnr'] < 35.0
        deraining = _label(path).startswith('sensors/table2/') or path.stem.startswith('rain100h')
        assert (opt['datasets']['train']['name'] == 'Rain14000') is deraining
        for metric in opt['val']['metrics'].values():
            assert metric['test_y_channel'] is deraining
            assert metric['crop_border'] == 0
        train = opt['train']
        assert train['optim_g'] == {'type': 'Adam', 'lr': 1e-4, 'weight_decay': 1e-4, 'betas': [0.9, 0.999]}
        assert train['scheduler'] == {'type': 'MultiStepLR', 'milestones': [500000], 'gamma': 0.1}
        assert train['pixel_opt']['type'] == 'MSELoss'

    _check_each(ROW_FILES, check)


def test_each_distinct_network_builds_a_training_model_that_keeps_the_image_size():
    """One option file per network structure (fixed θ / α values differ only in a number)."""
    seen: dict[str, Path] = {}
    for path in OPTION_FILES:
        network = resolve_option_file(path)['network_g']
        structure = {key: ('fixed' if key in ('theta', 'alpha') else value) for key, value in network.items()}
        seen.setdefault(repr(sorted(structure.items())), path)

    def check(path: Path) -> None:
        opt = prepare_for_phase(resolve_option_file(path), is_train=True)
        opt.update(num_gpu=0, dist=False, rank=0, world_size=1, is_train=True)
        model = build_model(opt)
        model.feed_data({'lq': torch.rand(1, 3, 32, 40)})
        model.test()
        assert model.output.shape == (1, 3, 32, 40)

    _check_each(list(seen.values()), check)


def test_equal_budget_networks_start_on_the_image_scale():
    """Every network of the equal-budget table starts with outputs on the [0, 1] scale of its data.

    BasicSR's RIDNet defaults (img_range 255, ImageNet mean) add about 114 to every pixel of a [0, 1]
    image, which a few hundred Adam steps cannot unlearn; a budget row must not start there.
    """
    torch.manual_seed(0)
    image = torch.rand(1, 3, 24, 24)

    def check(path: Path) -> None:
        network = build_network(copy.deepcopy(resolve_option_file(path)['network_g'])).eval()
        with torch.no_grad():
            offset = (network(image) - image).abs().mean().item()
        assert offset < 0.5, f'starts {offset:.2f} away from its input'

    _check_each(sorted((OPTIONS / 'budget').rglob('*.yml')), check)


def test_demo_options_build_their_demo_data_and_run_on_cpu():
    for name in ('lfdn_demo_derain.yml', 'lfdn_demo_deblur.yml'):
        opt = resolve_option_file(OPTIONS / 'demo' / name)
        assert opt['num_gpu'] == 0
        assert demo_roots(opt) == [Path('datasets/Demo')]
        task = 'derain' if 'derain' in name else 'deblur'
        assert all(f'Demo/{task}/' in dataset['dataroot_gt'] for dataset in opt['datasets'].values())
        assert all(metric['test_y_channel'] is (task == 'derain') for metric in opt['val']['metrics'].values())

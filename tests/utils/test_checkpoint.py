"""Checkpoint files are written atomically, loaded safely and carry their network."""

import pytest
import torch

import basicsr_lfdn  # noqa: F401
from basicsr_lfdn.utils import checkpoint
from basicsr_lfdn.utils.checkpoint import atomic_torch_save, build_network_from_checkpoint, load_checkpoint

NETWORK = {'type': 'LFDN', 'num_feat': 8, 'encoder_feat': 8, 'num_blocks': 1}


def test_network_is_rebuilt_from_what_the_file_carries(tmp_path):
    source = build_network_from_checkpoint_free(NETWORK)
    path = tmp_path / 'net_g.pth'
    atomic_torch_save({'params': source.state_dict(), 'network_g': NETWORK}, path)
    rebuilt = build_network_from_checkpoint(path)
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(x), source.eval()(x))


def build_network_from_checkpoint_free(opt):
    from basicsr.archs import build_network

    return build_network(dict(opt))


def test_file_without_network_options_needs_them(tmp_path):
    path = tmp_path / 'plain.pth'
    torch.save({'params': build_network_from_checkpoint_free(NETWORK).state_dict()}, path)
    with pytest.raises(ValueError, match='plain.pth carries no network options'):
        build_network_from_checkpoint(path)
    assert build_network_from_checkpoint(path, network_opt=NETWORK) is not None


def test_missing_and_unreadable_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        load_checkpoint(tmp_path / 'nope.pth')
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(b'not a checkpoint')
    with pytest.raises(RuntimeError, match='broken.pth'):
        load_checkpoint(broken)


def test_an_interrupted_save_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / 'state.pth'
    atomic_torch_save({'iter': 1}, path)

    def dying_save(obj, handle):
        handle.write(b'partial')
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint.torch, 'save', dying_save)
    with pytest.raises(KeyboardInterrupt):
        atomic_torch_save({'iter': 2}, path)
    monkeypatch.undo()
    assert load_checkpoint(path) == {'iter': 1}
    assert [p.name for p in tmp_path.iterdir()] == ['state.pth']


def test_checkpoint_of_another_network_stops_with_one_line(tmp_path):
    other = dict(NETWORK, num_blocks=2)
    path = tmp_path / 'two_blocks.pth'
    atomic_torch_save({'params': build_network_from_checkpoint_free(other).state_dict()}, path)
    with pytest.raises(checkpoint.CheckpointMismatchError) as caught:
        build_network_from_checkpoint(path, network_opt=NETWORK)
    message = str(caught.value)
    assert '\n' not in message and 'two_blocks.pth does not fit LFDN' in message
    assert '0 missing keys' in message and 'unexpected keys (' in message
    unexpected = int(message.split(', ')[1].split(' unexpected')[0].split()[-1])
    assert unexpected > 3 and message.count('...') == 1  # counted, first few named


def test_other_shapes_are_counted():
    small = build_network_from_checkpoint_free(NETWORK)
    wide = build_network_from_checkpoint_free(dict(NETWORK, num_feat=16))
    problem = checkpoint.state_dict_mismatch(small, wide.state_dict())
    assert problem.startswith('0 missing keys, 0 unexpected keys, ') and 'of another shape' in problem
    assert checkpoint.state_dict_mismatch(small, small.state_dict()) is None


def _outputs(network, x):
    with torch.no_grad():
        return network.eval()(x)


def test_ema_weights_ddp_prefixes_and_bare_state_dicts_load_the_saved_network(tmp_path):
    plain, ema = (build_network_from_checkpoint_free(NETWORK) for _ in range(2))
    x = torch.rand(1, 3, 24, 24)
    ddp = {f'module.{key}': value for key, value in ema.state_dict().items()}  # as DDP saves it
    path = tmp_path / 'both.pth'
    atomic_torch_save({'params': plain.state_dict(), 'params_ema': ddp, 'network_g': NETWORK}, path)
    torch.testing.assert_close(_outputs(build_network_from_checkpoint(path), x), _outputs(plain, x))
    torch.testing.assert_close(
        _outputs(build_network_from_checkpoint(path, param_key='params_ema'), x), _outputs(ema, x)
    )

    only_params = tmp_path / 'params_only.pth'
    atomic_torch_save({'params': plain.state_dict(), 'network_g': NETWORK}, only_params)
    fallback = build_network_from_checkpoint(only_params, param_key='params_ema')
    torch.testing.assert_close(_outputs(fallback, x), _outputs(plain, x))

    bare = tmp_path / 'bare.pth'
    atomic_torch_save(ema.state_dict(), bare)
    torch.testing.assert_close(_outputs(build_network_from_checkpoint(bare, network_opt=NETWORK), x), _outputs(ema, x))


class _Payload:
    """Not a tensor: unpickling it would run arbitrary code."""


def test_files_that_are_not_a_dict_of_tensors_are_refused_by_name(tmp_path):
    pickled = tmp_path / 'pickled.pth'
    torch.save({'params': _Payload()}, pickled)
    with pytest.raises(RuntimeError, match='cannot read checkpoint .*pickled.pth'):
        load_checkpoint(pickled)
    listed = tmp_path / 'listed.pth'
    torch.save([torch.zeros(1)], listed)
    with pytest.raises(ValueError, match=r'listed.pth holds a list, expected a dict of tensors'):
        load_checkpoint(listed)


def test_mismatch_names_missing_keys_and_the_first_three_only():
    network = build_network_from_checkpoint_free(NETWORK)
    state = network.state_dict()
    keys = list(state)
    missing_one = {key: value for key, value in state.items() if key != keys[0]}
    assert checkpoint.state_dict_mismatch(network, missing_one) == f'1 missing keys ({keys[0]}), 0 unexpected keys'
    three_extra = {**state, 'a': torch.zeros(1), 'b': torch.zeros(1), 'c': torch.zeros(1)}
    assert checkpoint.state_dict_mismatch(network, three_extra) == '0 missing keys, 3 unexpected keys (a, b, c)'
    four_extra = {**three_extra, 'd': torch.zeros(1)}
    assert checkpoint.state_dict_mismatch(network, four_extra) == '0 missing keys, 4 unexpected keys (a, b, c, ...)'
    wide = build_network_from_checkpoint_free(dict(NETWORK, num_feat=16)).state_dict()
    shown = checkpoint.state_dict_mismatch(network, wide).split('of another shape (')[1]
    assert shown.count(' vs ') == 2 and shown.endswith(', ...)')

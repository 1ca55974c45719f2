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

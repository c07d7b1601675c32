"""nn.utils: gradient clipping and parameter/vector conversion, against PyTorch and NumPy."""
import math

import numpy as np
import pytest

import cytorch
from cytorch import nn
from conftest import assert_close, np_of

RNG = np.random.default_rng(99)


def _params(lib, grads):
    ps = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(*g.shape))
        p.grad = lib.tensor(g)
        ps.append(p)
    return ps


GRADS = [RNG.standard_normal((3, 4)).astype(np.float32), RNG.standard_normal(5).astype(np.float32),
         RNG.standard_normal((2, 2, 2)).astype(np.float32)]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    c, t = _params(cytorch, GRADS), _params(torch, GRADS)
    nc = nn.utils.clip_grad_norm_(c, max_norm, norm_type=norm_type)
    nt = torch.nn.utils.clip_grad_norm_(t, max_norm, norm_type=norm_type)
    assert nc.dim() == 0
    assert_close(nc, nt.numpy(), rtol=1e-5)
    for pc, pt in zip(c, t):
        assert_close(pc.grad, pt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_clip_grad_norm_vs_numpy_and_edge_cases():
    c = _params(cytorch, GRADS)
    total = math.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in GRADS))
    n = nn.utils.clip_grad_norm_(iter(c), 1.0)            # a generator works
    assert abs(float(n) - total) < 1e-4 * total
    assert abs(float(nn.utils.get_total_norm([p.grad for p in c])) - 1.0) < 1e-4
    single = _params(cytorch, GRADS[:1])[0]
    nn.utils.clip_grad_norm_(single, 0.1)                 # one tensor, not a list
    assert abs(float(single.grad.norm()) - 0.1) < 1e-5
    assert float(nn.utils.clip_grad_norm_([nn.Parameter(cytorch.ones(2))], 1.0)) == 0.0   # no grads
    bad = _params(cytorch, [np.array([1.0, np.inf], np.float32)])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)
    assert math.isinf(float(nn.utils.clip_grad_norm_(bad, 1.0, foreach=True)))
    with pytest.warns(FutureWarning):
        nn.utils.clip_grad_norm(_params(cytorch, GRADS), 1.0)


def test_get_total_norm_and_clip_with_norm_match_torch(torch):
    c, t = _params(cytorch, GRADS), _params(torch, GRADS)
    tc = nn.utils.get_total_norm([p.grad for p in c], 3.0)
    tt = torch.nn.utils.get_total_norm([p.grad for p in t], 3.0)
    assert_close(tc, tt.numpy(), rtol=1e-5)
    nn.utils.clip_grads_with_norm_(c, 0.3, tc)
    torch.nn.utils.clip_grads_with_norm_(t, 0.3, tt)
    for pc, pt in zip(c, t):
        assert_close(pc.grad, pt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_clip_grad_value_matches_torch(torch):
    c, t = _params(cytorch, GRADS), _params(torch, GRADS)
    assert nn.utils.clip_grad_value_(c, 0.5) is None
    torch.nn.utils.clip_grad_value_(t, 0.5)
    for pc, pt in zip(c, t):
        assert_close(pc.grad, pt.grad.numpy())
        assert float(pc.grad.abs().max()) <= 0.5


def test_clip_grad_in_training_loop():
    m = nn.Linear(4, 3)
    (m(cytorch.ones(2, 4)) * 100).sum().backward()
    nn.utils.clip_grad_norm_(m.parameters(), max_norm=1.0)
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in m.parameters()))
    assert abs(norm - 1.0) < 1e-4


def test_parameters_to_vector_roundtrip():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    v = nn.utils.parameters_to_vector(m.parameters())
    expected = np.concatenate([np_of(p).ravel() for p in m.parameters()])
    assert_close(v, expected)
    assert not v.requires_grad or v.grad_fn is not None
    new = cytorch.arange(v.numel(), dtype=cytorch.float32)
    nn.utils.vector_to_parameters(new, m.parameters())
    assert_close(nn.utils.parameters_to_vector(m.parameters()), np_of(new))
    assert_close(m[0].weight, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert isinstance(m[0].weight, nn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        nn.utils.vector_to_parameters([1.0], m.parameters())


def test_parameters_to_vector_matches_torch(torch):
    t = torch.nn.Linear(3, 2)
    c = nn.Linear(3, 2)
    c.load_state_dict({k: cytorch.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    assert_close(nn.utils.parameters_to_vector(c.parameters()),
                 torch.nn.utils.parameters_to_vector(t.parameters()).detach().numpy())

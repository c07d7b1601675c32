"""Lazy modules (LazyLinear, LazyConv*/LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*) and
UninitializedParameter/UninitializedBuffer, against PyTorch's behaviour: shapes inferred at the
first forward, the class they become, state_dict save/load while uninitialised, optimizers made
before the first forward, errors."""
import copy

import numpy as np
import pytest

import cytorch
from cytorch import nn
from cytorch.nn.parameter import UninitializedParameter, UninitializedBuffer, is_lazy
from conftest import assert_close, np_of

# (lazy class name, constructor args, kwargs, input shape)
CASES = [
    ("LazyLinear", (3,), {}, (5, 7)),
    ("LazyConv1d", (6, 3), {"groups": 2}, (2, 4, 9)),
    ("LazyConv2d", (4, 3), {"padding": 1, "bias": False}, (2, 3, 6, 6)),
    ("LazyConv2d", (4, 3), {}, (3, 6, 6)),                       # unbatched
    ("LazyConv3d", (2, 2), {"stride": 2}, (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2, "output_padding": 1}, (2, 2, 5)),
    ("LazyConvTranspose2d", (6, 3), {"groups": 3}, (1, 3, 4, 4)),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 3, 3, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (6, 3)),
    ("LazyBatchNorm1d", (), {"affine": False}, (6, 3, 4)),
    ("LazyBatchNorm2d", (), {"track_running_stats": False}, (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (), {"bias": False}, (4, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"affine": False, "track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), {"momentum": 0.3}, (2, 3, 2, 3, 2)),
]


def _sd_summary(sd):
    return [(k, "lazy" if type(v).__name__.startswith("Uninitialized") else tuple(v.shape)) for k, v in sd.items()]


@pytest.mark.filterwarnings("ignore:input's size at dim=1 does not match num_features")
@pytest.mark.parametrize("case", range(len(CASES)))
def test_infer_and_become_vs_torch(torch, case):
    name, args, kw, shape = CASES[case]
    a = getattr(torch.nn, name)(*args, **kw)
    b = getattr(nn, name)(*args, **kw)
    assert repr(b) == repr(a)
    assert _sd_summary(b.state_dict()) == _sd_summary(a.state_dict())
    assert b.has_uninitialized_params() == a.has_uninitialized_params()
    x = np.random.default_rng(case).standard_normal(shape).astype(np.float32)
    a(torch.tensor(x))
    yb = b(cytorch.tensor(x))
    assert type(b).__name__ == type(a).__name__ == getattr(torch.nn, name).cls_to_become.__name__
    assert type(b) is getattr(nn, name).cls_to_become
    assert repr(b) == repr(a)
    assert _sd_summary(b.state_dict()) == _sd_summary(a.state_dict())
    assert not any(is_lazy(t) for t in b.state_dict().values())
    assert not hasattr(b, "_initialize_hook")
    # the same weights give PyTorch's output (in train mode; running stats updated the same way)
    a.load_state_dict({k: torch.tensor(np_of(v)) for k, v in b.state_dict().items()})
    b.train()
    a.train()
    yb = b(cytorch.tensor(x))
    ya = a(torch.tensor(x))
    assert_close(yb, ya.detach().numpy(), rtol=1e-4, atol=1e-5)
    for k, v in b.state_dict().items():
        assert_close(v, a.state_dict()[k].numpy(), rtol=1e-5, atol=1e-6)


def test_initialisation_runs_reset_parameters():
    m = nn.LazyConv2d(8, 3)
    m(cytorch.randn(2, 4, 5, 5))
    w = np_of(m.weight)
    bound = 1 / np.sqrt(4 * 9)     # kaiming_uniform(a=sqrt(5)) on fan_in 36
    assert np.abs(w).max() <= bound and np.abs(w).max() > bound / 2
    bn = nn.LazyBatchNorm2d()
    bn.eval()
    bn(cytorch.randn(2, 3, 4, 4))     # eval mode on the first call: running stats 0 / 1
    assert_close(bn.weight, np.ones(3, np.float32))
    assert_close(bn.bias, np.zeros(3, np.float32))
    assert_close(bn.running_mean, np.zeros(3, np.float32))
    assert_close(bn.running_var, np.ones(3, np.float32))
    assert int(bn.num_batches_tracked) == 0
    m = nn.LazyLinear(3, dtype=cytorch.float64)
    assert m(cytorch.randn(2, 4, dtype=cytorch.float64)).dtype == cytorch.float64


def test_sequential_of_lazy_layers(torch):
    m = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(5))
    y = m(cytorch.randn(2, 3, 6, 6))
    assert y.shape == (2, 5)
    ref = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                              torch.nn.Flatten(), torch.nn.Linear(64, 5))
    assert repr(m) == repr(ref)


def test_optimizer_made_before_first_forward():
    # as in PyTorch: the optimizer holds the uninitialised parameters, which materialise in place
    for opt_cls in (cytorch.optim.SGD, cytorch.optim.Adam):
        m = nn.LazyLinear(3)
        opt = opt_cls(m.parameters(), lr=0.1)
        assert all(is_lazy(p) for p in opt.param_groups[0]["params"])
        x = cytorch.randn(4, 2)
        m(x).sum().backward()
        before = np_of(m.weight)
        opt.step()
        assert opt.param_groups[0]["params"][0] is m.weight
        assert type(m.weight) is nn.Parameter
        assert not np.allclose(np_of(m.weight), before)


def test_state_dict_round_trips(torch):
    # uninitialised -> uninitialised: stays lazy, keys match
    a = nn.LazyBatchNorm2d()
    b = nn.LazyBatchNorm2d()
    assert str(b.load_state_dict(a.state_dict())) == "<All keys matched successfully>"
    assert type(b.running_mean) is UninitializedBuffer and type(b.weight) is UninitializedParameter
    # initialised -> uninitialised: parameters materialise with the stored values; the module
    # stays Lazy* until its first forward (then becomes the plain class), as in PyTorch
    src = nn.Linear(4, 3)
    m = nn.LazyLinear(3)
    m.load_state_dict(src.state_dict())
    assert type(m) is nn.LazyLinear and type(m.weight) is nn.Parameter and m.in_features == 0
    assert_close(m.weight, np_of(src.weight))
    m(cytorch.randn(2, 4))
    assert type(m) is nn.Linear and m.in_features == 4
    m = nn.LazyLinear(3)
    m.load_state_dict(src.state_dict())
    with pytest.raises(AssertionError, match="in_features inferred from input: 5"):
        m(cytorch.randn(2, 5))
    c = nn.LazyConv2d(4, 3)
    c.load_state_dict(nn.Conv2d(2, 4, 3).state_dict())
    c(cytorch.randn(1, 2, 5, 5))
    tc = torch.nn.LazyConv2d(4, 3)
    tc.load_state_dict(torch.nn.Conv2d(2, 4, 3).state_dict())
    tc(torch.randn(1, 2, 5, 5))
    assert repr(c) == repr(tc)        # PyTorch leaves in_channels at 0 here; so does cytorch
    bn = nn.LazyBatchNorm1d()
    ref = nn.BatchNorm1d(3)
    ref.running_mean.fill_(2.0)
    bn.load_state_dict(ref.state_dict())
    assert_close(bn.running_mean, np.full(3, 2.0, np.float32))
    # uninitialised -> initialised: PyTorch's error
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        nn.Linear(4, 3).load_state_dict(nn.LazyLinear(3).state_dict())


def test_uninitialized_tensors():
    p = UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad
    with pytest.raises(RuntimeError, match="Can't access the shape"):
        p.shape
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.requires_grad
    b = UninitializedBuffer()
    assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad
    b.materialize((2,), dtype=cytorch.float64)
    assert type(b) is cytorch.Tensor and b.dtype == cytorch.float64
    m = nn.LazyConv2d(4, 3)
    m2 = copy.deepcopy(m)
    assert type(m2.weight) is UninitializedParameter and m2.weight is not m.weight
    m2(cytorch.randn(1, 2, 5, 5))
    assert is_lazy(m.weight) and type(m2) is nn.Conv2d


def test_errors(torch):
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(4, 3)(cytorch.randn(2, 3, 4, 4, 4))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv1d(6, 3, groups=4)(cytorch.randn(1, 6, 8))
    with pytest.raises(ValueError, match="Only \"zeros\" padding mode"):
        nn.LazyConvTranspose2d(4, 3, padding_mode="reflect")
    # an unbatched instance norm input takes dim 1 as num_features, as in PyTorch: then fails
    with pytest.raises(ValueError, match=r"expected input's size at dim=0 to match num_features \(5\)"):
        nn.LazyInstanceNorm1d()(cytorch.randn(3, 5))

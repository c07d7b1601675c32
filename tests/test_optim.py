"""cytorch.optim: trajectories vs PyTorch, NumPy references, state_dict round trips, errors."""
import copy
import itertools
import warnings

import numpy as np
import pytest

import cytorch
import cytorch.optim as optim
from conftest import np_of

STEPS = 60


# ---------------------------------------------------------------- a small network in both libraries

def _mlp(lib, seed=0):
    class MLP(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = lib.nn.Linear(6, 12)
            self.fc2 = lib.nn.Linear(12, 3)

        def forward(self, x):
            return self.fc2(self.fc1(x).tanh())

    model = MLP()
    rng = np.random.default_rng(seed)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32) * 0.5))
    return model


def _data(lib, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 6)).astype(np.float32)
    y = rng.standard_normal((32, 3)).astype(np.float32)
    return lib.from_numpy(x), lib.from_numpy(y)


def _groups(model, split, lr):
    """All parameters in one group, or the two layers in two groups (the second at lr / 2)."""
    if not split:
        return list(model.parameters())
    return [{"params": list(model.fc1.parameters())},
            {"params": list(model.fc2.parameters()), "lr": lr / 2}]


def _train(lib, model, opt, x, y, steps, sched=None, sign=1):
    """steps of (zero_grad, loss, backward, step); returns the parameters after each step.
    sign=-1 gives the negated loss (for maximize=True, so the training stays the same)."""
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean() * sign
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        history.append([p.detach().numpy().copy() for p in model.parameters()])
    return history


def _close(a, b, tol, msg=""):
    """|a - b| <= tol * max(1, max|b|) elementwise: float32 rounding differences (PyTorch's kernels
    use FMA) grow through the network's dynamics in proportion to the tensor's scale."""
    scale = max(1.0, float(np.abs(b).max()) if b.size else 1.0)
    np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale, err_msg=msg)


def _compare(torch, name, kwargs, split=False, steps=STEPS, tol=1e-4):
    lr = kwargs.get("lr", 1e-2)
    results = []
    for lib in (cytorch, torch):
        model = _mlp(lib)
        x, y = _data(lib)
        opt = getattr(lib.optim, name)(_groups(model, split, lr), **kwargs)
        results.append(_train(lib, model, opt, x, y, steps, sign=-1 if kwargs.get("maximize") else 1))
    for step, (ours, theirs) in enumerate(zip(*results)):
        for a, b in zip(ours, theirs):
            _close(a, b, tol, f"{name} {kwargs} step {step}")


def _combos(**options):
    keys = list(options)
    return [dict(zip(keys, vals)) for vals in itertools.product(*options.values())]


SGD_CASES = [c for c in _combos(lr=[0.05], momentum=[0, 0.9], dampening=[0, 0.1], nesterov=[False, True],
                                weight_decay=[0, 0.01], maximize=[False, True])
             if not (c["nesterov"] and (c["momentum"] == 0 or c["dampening"] != 0))]
ADAM_CASES = _combos(lr=[1e-2], amsgrad=[False, True], weight_decay=[0, 0.1], maximize=[False, True])
CASES = (
    [("SGD", c) for c in SGD_CASES]
    + [("Adam", c) for c in ADAM_CASES]
    + [("Adam", dict(lr=2e-3, betas=(0.3, 0.9), eps=1e-3, decoupled_weight_decay=True, weight_decay=0.1))]
    + [("AdamW", c) for c in ADAM_CASES]
    + [("RMSprop", c) for c in _combos(lr=[1e-2], centered=[False, True], momentum=[0, 0.9],
                                       weight_decay=[0, 0.1], maximize=[False, True])]
    + [("RMSprop", dict(lr=1e-2, alpha=0.3))]
    + [("Adagrad", c) for c in _combos(lr=[0.05], lr_decay=[0, 0.01], weight_decay=[0, 0.1],
                                       initial_accumulator_value=[0, 0.1], maximize=[False, True])]
    + [("Adadelta", c) for c in _combos(lr=[1.0], rho=[0.9, 0.5], weight_decay=[0, 0.1], maximize=[False, True])]
    + [("Adamax", c) for c in _combos(lr=[2e-3], betas=[(0.9, 0.999), (0.5, 0.99)], weight_decay=[0, 0.1],
                                      maximize=[False, True])]
    + [("NAdam", c) for c in _combos(lr=[1e-2], weight_decay=[0, 0.1], decoupled_weight_decay=[False, True],
                                     momentum_decay=[4e-3, 0.1], maximize=[False, True])]
    + [("RAdam", c) for c in _combos(lr=[1e-2], weight_decay=[0, 0.1], decoupled_weight_decay=[False, True],
                                     maximize=[False, True])]
    + [("Rprop", c) for c in _combos(lr=[1e-2], etas=[(0.5, 1.2), (0.3, 1.5)], step_sizes=[(1e-6, 50), (1e-3, 0.02)],
                                     maximize=[False, True])]
    + [("ASGD", c) for c in _combos(lr=[1e-2], lambd=[1e-4, 0.1], t0=[1e6, 10], weight_decay=[0, 0.1],
                                    maximize=[False, True])]
)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_vs_torch(torch, name, kwargs):
    _compare(torch, name, kwargs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "Rprop", "ASGD"])
def test_trajectory_two_groups_vs_torch(torch, name):
    kwargs = {"lr": 1.0} if name == "Adadelta" else {"lr": 1e-2}
    if name == "SGD":
        kwargs["momentum"] = 0.9
    _compare(torch, name, kwargs, split=True)


def test_tensor_lr_and_betas_vs_torch(torch):
    results = []
    for lib in (cytorch, torch):
        model = _mlp(lib)
        x, y = _data(lib)
        opt = lib.optim.Adam(model.parameters(), lr=lib.tensor(0.01),
                             betas=(lib.tensor(0.8), lib.tensor(0.99)))
        results.append(_train(lib, model, opt, x, y, 30))
    for a, b in zip(results[0][-1], results[1][-1]):
        _close(a, b, 1e-4)


# ---------------------------------------------------------------- NumPy references (no PyTorch needed)

def _stream(n, steps, seed=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), [rng.standard_normal(n) for _ in range(steps)]


def _run_ours(cls, p0, grads, **kw):
    p = cytorch.tensor(p0, requires_grad=True)
    opt = cls([p], **kw)
    for g in grads:
        p.grad = cytorch.tensor(g)
        opt.step()
    return np_of(p.detach())


def _np_sgd(p, grads, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    p = p.copy()
    buf = None
    for g in grads:
        g = -g if maximize else g
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def _np_adam(p, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, decoupled=False):
    p = p.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    vmax = np.zeros_like(p)
    for t, g in enumerate(grads, 1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = m + (1 - betas[0]) * (g - m)
        v = betas[1] * v + (1 - betas[1]) * g * g
        vmax = np.maximum(vmax, v)
        den = np.sqrt(vmax if amsgrad else v) / np.sqrt(1 - betas[1] ** t) + eps
        p = p - lr / (1 - betas[0] ** t) * m / den
    return p


@pytest.mark.parametrize("kw", [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9, dampening=0.3),
                                dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05),
                                dict(lr=0.1, momentum=0.5, maximize=True)])
def test_sgd_vs_numpy(kw):
    p0, grads = _stream(50, 40)
    np.testing.assert_allclose(_run_ours(optim.SGD, p0, grads, **kw), _np_sgd(p0, grads, **kw), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("kw", [dict(lr=0.01), dict(lr=0.01, amsgrad=True), dict(lr=0.01, weight_decay=0.1),
                                dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3)])
def test_adam_adamw_vs_numpy(kw):
    p0, grads = _stream(50, 40)
    np.testing.assert_allclose(_run_ours(optim.Adam, p0, grads, **kw), _np_adam(p0, grads, **kw), rtol=1e-10,
                               atol=1e-12)
    kw = dict(kw, weight_decay=kw.get("weight_decay", 0.01))
    np.testing.assert_allclose(_run_ours(optim.AdamW, p0, grads, **kw), _np_adam(p0, grads, decoupled=True, **kw),
                               rtol=1e-10, atol=1e-12)


def test_float32_follows_float64_reference():
    p0, grads = _stream(1000, 30)
    p = cytorch.tensor(p0.astype(np.float32), requires_grad=True)
    opt = optim.Adam([p], lr=0.01)
    for g in grads:
        p.grad = cytorch.tensor(g.astype(np.float32))
        opt.step()
    np.testing.assert_allclose(np_of(p.detach()), _np_adam(p0, grads, lr=0.01), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- layouts and dtypes

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "Rprop", "ASGD"]


def _kwargs(name):
    return {"SGD": dict(lr=0.1, momentum=0.9), "Adadelta": dict(lr=1.0)}.get(name, dict(lr=0.01))


@pytest.mark.parametrize("name", ALL)
def test_non_contiguous_param_matches_contiguous(name):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((8, 6)).astype(np.float32)
    grads = [rng.standard_normal((6, 8)).astype(np.float32) for _ in range(5)]
    big = cytorch.tensor(base)
    view = big.t()                                   # a transposed view: strided
    view.requires_grad_(True)
    plain = cytorch.tensor(base.T.copy(), requires_grad=True)
    ov = getattr(optim, name)([view], **_kwargs(name))
    op = getattr(optim, name)([plain], **_kwargs(name))
    v0 = view._version
    for g in grads:
        view.grad = cytorch.tensor(g)
        plain.grad = cytorch.tensor(g)
        ov.step()
        op.step()
    assert view._version > v0
    np.testing.assert_array_equal(np_of(big.t().detach()), np_of(plain.detach()))


def test_non_contiguous_grad_is_read_through_a_copy():
    p = cytorch.zeros(3, 4, requires_grad=True)
    q = cytorch.zeros(3, 4, requires_grad=True)
    g = cytorch.arange(12.0).reshape(4, 3)
    p.grad = g.t()
    q.grad = g.t().contiguous()
    optim.Adam([p]).step()
    optim.Adam([q]).step()
    np.testing.assert_array_equal(np_of(p.detach()), np_of(q.detach()))
    np.testing.assert_array_equal(np_of(p.grad), np_of(g.t()))      # the gradient is not modified


F64_CASES = [(n, _kwargs(n)) for n in ALL] + [
    (n, dict(lr=0.01, betas=(0.3, 0.9), weight_decay=0.1)) for n in ("Adam", "AdamW", "Adamax", "NAdam", "RAdam")] + [
    ("RMSprop", dict(lr=0.01, alpha=0.4, centered=True, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict(rho=0.3, weight_decay=0.1)), ("ASGD", dict(t0=5, lambd=0.1)),
    ("Rprop", dict(etas=(0.2, 1.9), step_sizes=(1e-3, 0.05), maximize=True))]


@pytest.mark.parametrize("name,kwargs", F64_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(F64_CASES)])
def test_float64_vs_torch(torch, name, kwargs):
    rng = np.random.default_rng(7)
    p0 = rng.standard_normal(40)
    grads = [rng.standard_normal(40) for _ in range(20)]
    outs = []
    for lib in (cytorch, torch):
        p = lib.tensor(p0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([p], **kwargs)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        outs.append(p.detach().numpy())
    assert outs[0].dtype == np.float64
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Rprop"])
def test_complex_param_vs_torch(torch, name):
    rng = np.random.default_rng(8)
    p0 = (rng.standard_normal(10) + 1j * rng.standard_normal(10)).astype(np.complex64)
    grads = [(rng.standard_normal(10) + 1j * rng.standard_normal(10)).astype(np.complex64) for _ in range(10)]
    outs = []
    for lib in (cytorch, torch):
        p = lib.tensor(p0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([p], **_kwargs(name))
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        outs.append(p.detach().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)


def test_float16_param_runs_close_to_float32():
    rng = np.random.default_rng(9)
    p0 = rng.standard_normal(20).astype(np.float32)
    grads = [rng.standard_normal(20).astype(np.float32) for _ in range(5)]
    outs = []
    for dt in (cytorch.float16, cytorch.float32):
        p = cytorch.tensor(p0).to(dt).requires_grad_(True)
        opt = optim.Adam([p], lr=0.01)
        for g in grads:
            p.grad = cytorch.tensor(g).to(dt)
            opt.step()
        assert p.dtype == dt and opt.state[p]["exp_avg"].dtype == dt
        outs.append(np_of(p.detach().float()))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-2, atol=1e-2)


def test_param_without_grad_is_skipped_and_gets_no_state():
    a = cytorch.ones(3, requires_grad=True)
    b = cytorch.ones(3, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = cytorch.ones(3)
    opt.step()
    assert np_of(b.detach()).tolist() == [1, 1, 1] and len(opt.state[b]) == 0
    assert np_of(a.detach()).tolist() != [1, 1, 1]


def test_step_bumps_version_and_invalidates_saved_tensors(torch):
    for lib in (cytorch, torch):
        w = lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        y = (w * w).sum()          # saves w
        w.grad = lib.ones(3)
        v = w._version
        opt.step()
        assert w._version > v
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


# ---------------------------------------------------------------- state and state_dict

def test_state_layout_matches_torch(torch):
    expected_keys = {"SGD": ["momentum_buffer"], "Adam": ["step", "exp_avg", "exp_avg_sq"],
                     "RMSprop": ["step", "square_avg", "momentum_buffer", "grad_avg"],
                     "NAdam": ["step", "mu_product", "exp_avg", "exp_avg_sq"],
                     "ASGD": ["step", "eta", "mu", "ax"], "Rprop": ["step", "prev", "step_size"]}
    extra = {"SGD": dict(momentum=0.9), "RMSprop": dict(momentum=0.9, centered=True)}
    for name, keys in expected_keys.items():
        sds = []
        for lib in (cytorch, torch):
            p = lib.ones(4, requires_grad=True)
            opt = getattr(lib.optim, name)([p], **extra.get(name, {}))
            p.grad = lib.ones(4)
            opt.step()
            sds.append(opt.state_dict())
        ours, theirs = sds
        assert list(ours["state"][0]) == list(theirs["state"][0]) == keys
        assert {k: v for k, v in ours["param_groups"][0].items()} == \
            {k: (tuple(v) if isinstance(v, tuple) else v) for k, v in theirs["param_groups"][0].items()}
        for k in keys:
            a, b = ours["state"][0][k], theirs["state"][0][k]
            assert tuple(a.shape) == tuple(b.shape) and str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
            np.testing.assert_allclose(np_of(a), b.numpy(), rtol=1e-6)


def test_step_counter_dtype_follows_default_dtype():
    p = cytorch.ones(2, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = cytorch.ones(2)
    opt.step()
    assert opt.state[p]["step"].dtype == cytorch.float32 and opt.state[p]["step"].dim() == 0
    assert opt.state[p]["step"].item() == 1.0
    old = cytorch.get_default_dtype()
    cytorch.set_default_dtype(cytorch.float64)
    try:
        q = cytorch.ones(2, requires_grad=True)
        opt = optim.Adam([q])
        q.grad = cytorch.ones(2)
        opt.step()
        assert opt.state[q]["step"].dtype == cytorch.float64
    finally:
        cytorch.set_default_dtype(old)


@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_resumes_exactly(name):
    x, y = _data(cytorch)
    kw = dict(_kwargs(name))
    if name in ("Adam", "AdamW"):
        kw["amsgrad"] = True

    def fresh():
        model = _mlp(cytorch)
        return model, getattr(optim, name)(_groups(model, True, kw["lr"]), **kw)

    model, opt = fresh()
    _train(cytorch, model, opt, x, y, 15)
    saved_opt = copy.deepcopy(opt.state_dict())
    saved_model = copy.deepcopy(model.state_dict())
    expected = _train(cytorch, model, opt, x, y, 15)

    model2, opt2 = fresh()
    model2.load_state_dict(saved_model)
    opt2.load_state_dict(saved_opt)
    got = _train(cytorch, model2, opt2, x, y, 15)
    for a, b in zip(got[-1], expected[-1]):
        np.testing.assert_array_equal(a, b)


def test_load_torch_state_dict_and_continue_like_torch(torch):
    """A state_dict produced by PyTorch (tensors converted) resumes our optimizer on its trajectory."""
    x_t, y_t = _data(torch)
    x_c, y_c = _data(cytorch)
    tmodel = _mlp(torch)
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.01, amsgrad=True)
    _train(torch, tmodel, topt, x_t, y_t, 10)

    def to_ct(v):
        if isinstance(v, torch.Tensor):
            return cytorch.from_numpy(v.detach().numpy().copy())
        if isinstance(v, dict):
            return {k: to_ct(u) for k, u in v.items()}
        if isinstance(v, list):
            return [to_ct(u) for u in v]
        return v

    sd = to_ct(topt.state_dict())
    cmodel = _mlp(cytorch)
    with cytorch.no_grad():
        for pc, pt in zip(cmodel.parameters(), tmodel.parameters()):
            pc.copy_(cytorch.from_numpy(pt.detach().numpy().copy()))
    copt = optim.Adam(cmodel.parameters(), lr=0.01, amsgrad=True)
    copt.load_state_dict(sd)
    theirs = _train(torch, tmodel, topt, x_t, y_t, 20)
    ours = _train(cytorch, cmodel, copt, x_c, y_c, 20)
    for a, b in zip(ours[-1], theirs[-1]):
        _close(a, b, 1e-4)
    assert copt.state_dict()["state"][0]["step"].item() == 30.0


def test_load_state_dict_casts_to_param_dtype_keeps_step():
    p32 = cytorch.ones(3, requires_grad=True)
    opt = optim.Adam([p32])
    p32.grad = cytorch.ones(3)
    opt.step()
    sd = opt.state_dict()
    p64 = cytorch.ones(3, dtype=cytorch.float64, requires_grad=True)
    opt64 = optim.Adam([p64])
    opt64.load_state_dict(sd)
    assert opt64.state[p64]["exp_avg"].dtype == cytorch.float64
    assert opt64.state[p64]["step"].dtype == cytorch.float32
    p64.grad = cytorch.ones(3, dtype=cytorch.float64)
    opt64.step()
    assert opt64.state[p64]["step"].item() == 2.0


def test_load_state_dict_with_number_steps_and_errors():
    p = cytorch.ones(3, requires_grad=True)
    opt = optim.Adam([p])
    sd = {"state": {0: {"step": 4, "exp_avg": cytorch.zeros(3), "exp_avg_sq": cytorch.zeros(3)}},
          "param_groups": [dict(opt.state_dict()["param_groups"][0])]}
    opt.load_state_dict(sd)
    assert isinstance(opt.state[p]["step"], cytorch.Tensor) and opt.state[p]["step"].item() == 4
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    bad = copy.deepcopy(opt.state_dict())
    bad["param_groups"][0]["params"] = [0, 1]
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(bad)


def test_state_dict_keeps_options_and_param_names():
    a = cytorch.ones(2, requires_grad=True)
    b = cytorch.ones(2, requires_grad=True)
    opt = optim.SGD([("a", a), ("b", b)], lr=0.5)
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert sd["param_groups"][0]["param_names"] == ["a", "b"]
    assert sd["param_groups"][0]["lr"] == 0.5
    sd["param_groups"][0]["lr"] = 0.25
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.25 and opt.param_groups[0]["params"][0] is a


# ---------------------------------------------------------------- base class behaviour

def test_repr_matches_torch(torch):
    for name in ("SGD", "Adam", "RMSprop"):
        ours = repr(getattr(optim, name)([cytorch.ones(1, requires_grad=True)], lr=0.1))
        theirs = repr(getattr(torch.optim, name)([torch.ones(1, requires_grad=True)], lr=0.1))
        assert ours == theirs


def test_zero_grad():
    p = cytorch.ones(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = cytorch.ones(3)
    opt.zero_grad(set_to_none=False)
    assert np_of(p.grad).tolist() == [0, 0, 0]
    opt.zero_grad()
    assert p.grad is None


def test_closure_runs_with_grad_and_returns_loss():
    p = cytorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with cytorch.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(np_of(p.detach()), [0.8, 1.6], rtol=1e-6)


def test_step_hooks():
    p = cytorch.ones(1, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", a, k)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post",)))
    h3 = optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("global",)))
    p.grad = cytorch.ones(1)
    opt.step()
    assert [c[0] for c in calls] == ["global", "pre", "post"]
    for h in (h1, h2, h3):
        h.remove()
    calls.clear()
    opt.step()
    assert calls == []

    def replace_closure(o, args, kwargs):
        return (), {"closure": lambda: 42}
    opt.register_step_pre_hook(replace_closure)
    assert opt.step() == 42


def test_state_dict_hooks():
    p = cytorch.ones(1, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    opt.load_state_dict(opt.state_dict())
    assert seen == ["pre", "post"]


def test_custom_optimizer_subclass_gets_hooks():
    class Halve(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": optim.optimizer.required})

        def step(self, closure=None):
            for g in self.param_groups:
                for p in g["params"]:
                    with cytorch.no_grad():
                        p.mul_(g["lr"])

    p = cytorch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Halve([p])
    opt = Halve([{"params": [p], "lr": 0.5}])
    hits = []
    opt.register_step_post_hook(lambda *a: hits.append(1))
    opt.step()
    assert hits == [1] and np_of(p.detach()).tolist() == [0.5, 0.5]


def test_add_param_group():
    a = cytorch.ones(2, requires_grad=True)
    b = cytorch.ones(2, requires_grad=True)
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {cytorch.ones(1, requires_grad=True)}})


def test_errors_match_torch(torch):
    leaf = cytorch.ones(2, requires_grad=True)
    cases = [
        (lambda lib, p: lib.optim.SGD([p], lr=-1), ValueError, "Invalid learning rate: -1"),
        (lambda lib, p: lib.optim.SGD([p], lr=0.1, momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
        (lambda lib, p: lib.optim.SGD([p], lr=0.1, weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
        (lambda lib, p: lib.optim.SGD([p], lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires"),
        (lambda lib, p: lib.optim.Adam([p], betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
        (lambda lib, p: lib.optim.Adam([p], betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1"),
        (lambda lib, p: lib.optim.Adam([p], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
        (lambda lib, p: lib.optim.Adam([p], betas=(0, 0.9)), ValueError, "betas must be either both floats"),
        (lambda lib, p: lib.optim.Adadelta([p], rho=1.5), ValueError, "Invalid rho value: 1.5"),
        (lambda lib, p: lib.optim.RMSprop([p], alpha=-1), ValueError, "Invalid alpha value: -1"),
        (lambda lib, p: lib.optim.Rprop([p], etas=(1.5, 2)), ValueError, "Invalid eta values: 1.5, 2"),
        (lambda lib, p: lib.optim.Adagrad([p], lr_decay=-1), ValueError, "Invalid lr_decay value: -1"),
        (lambda lib, p: lib.optim.NAdam([p], momentum_decay=-1), ValueError, "Invalid momentum_decay value: -1"),
        (lambda lib, p: lib.optim.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
        (lambda lib, p: lib.optim.SGD(p, lr=0.1), TypeError, "should be an iterable of Tensors or dicts"),
        (lambda lib, p: lib.optim.SGD([p * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
        (lambda lib, p: lib.optim.SGD([1.0], lr=0.1), TypeError, "optimizer can only optimize Tensors, but one of "
                                                                 "the params is float"),
        (lambda lib, p: lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1), ValueError,
         "some parameters appear in more than one parameter group"),
        (lambda lib, p: lib.optim.LBFGS([{"params": [p]}, {"params": [lib.ones(1, requires_grad=True)]}]),
         ValueError, "LBFGS doesn't support per-parameter options"),
        (lambda lib, p: lib.optim.Adam([p], lr=lib.tensor(0.1), foreach=True), ValueError,
         "lr as a Tensor is not supported for capturable=False and foreach=True"),
        (lambda lib, p: lib.optim.Adam([p], betas=(lib.tensor(0.9), lib.tensor(0.9)), foreach=True), ValueError,
         "betas[0] as a Tensor is not supported"),
        (lambda lib, p: lib.optim.SGD([p], lr=0.1, fused=True, foreach=True), RuntimeError,
         "`fused` and `foreach` cannot be `True` together."),
    ]
    for make, exc, msg in cases:
        for lib in (cytorch, torch):
            p = lib.ones(2, requires_grad=True)
            with pytest.raises(exc, match=msg.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
                               .replace("[", r"\[")):
                make(lib, p)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        optim.SGD([leaf, leaf], lr=0.1)
    assert "duplicate parameters" in str(w[0].message)


def test_bad_gradients_raise_clear_errors():
    p = cytorch.ones(3, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = cytorch.ones(3)
    st = opt.state[p]
    opt.step()
    st["exp_avg"] = cytorch.zeros(4)
    with pytest.raises(RuntimeError, match=r"Adam: a state tensor has shape \[4\] but the parameter has shape \[3\]"):
        opt.step()
    q = cytorch.ones(3, dtype=cytorch.int64)
    with pytest.raises(RuntimeError, match="SGD: parameters must be floating point or complex, got int64"):
        cytorch._C._optim.sgd([q], [q], [], [], 0.1, 0, 0, 0, False, False)


def test_differentiable_is_refused():
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        optim.Adam([cytorch.ones(1, requires_grad=True)], differentiable=True)


def test_big_group_uses_threads_with_same_result():
    """Above the parallel threshold the chunked loop gives the same bits as one thread."""
    rng = np.random.default_rng(11)
    p0 = [rng.standard_normal(n).astype(np.float32) for n in (70000, 3, 5000, 0, 40000)]
    gs = [rng.standard_normal(len(a)).astype(np.float32) for a in p0]
    outs = []
    old = cytorch.get_num_threads()
    for threads in (1, 2):
        cytorch.set_num_threads(threads)
        try:
            ps = [cytorch.tensor(a, requires_grad=True) for a in p0]
            opt = optim.Adam(ps, lr=0.01, amsgrad=True)
            for _ in range(3):
                for p, g in zip(ps, gs):
                    p.grad = cytorch.tensor(g)
                opt.step()
            outs.append([np_of(p.detach()) for p in ps])
        finally:
            cytorch.set_num_threads(old)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- LBFGS

def _rosenbrock(lib, x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_rosenbrock_vs_torch(torch, line_search):
    results = []
    for lib in (cytorch, torch):
        x = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.LBFGS([x], lr=1 if line_search else 0.1, max_iter=50, history_size=10,
                              line_search_fn=line_search)

        def closure():
            opt.zero_grad()
            loss = _rosenbrock(lib, x)
            loss.backward()
            return loss
        losses = [float(opt.step(closure).detach()) for _ in range(10 if line_search else 40)]
        st = opt.state[x]
        results.append((x.detach().numpy().copy(), losses, st["func_evals"], st["n_iter"]))
    (xo, lo, fo, no), (xt, lt, ft, nt) = results
    if line_search:
        # the same iterates, evaluations and end point
        np.testing.assert_allclose(lo, lt, rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(xo, xt, rtol=1e-6, atol=1e-9)
        assert (fo, no) == (ft, nt)
        np.testing.assert_allclose(xo, [1.0, 1.0], atol=1e-4)
    else:
        # fixed steps on Rosenbrock amplify 1-ulp differences (PyTorch's add uses FMA): the same
        # start and the same end
        np.testing.assert_allclose(lo[:3], lt[:3], rtol=1e-4)
        np.testing.assert_allclose(xo, xt, atol=5e-3)
        np.testing.assert_allclose(xo, [1.0, 1.0], atol=5e-3)


def test_lbfgs_converges_without_torch():
    x = cytorch.tensor([-1.2, 1.0], dtype=cytorch.float64, requires_grad=True)
    opt = optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=100)

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(cytorch, x)
        loss.backward()
        return loss
    for _ in range(5):
        opt.step(closure)
    np.testing.assert_allclose(np_of(x.detach()), [1.0, 1.0], atol=1e-4)
    assert float(_rosenbrock(cytorch, x.detach())) < 1e-8
    sd = opt.state_dict()
    assert set(sd["state"][0]) >= {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag",
                                   "prev_flat_grad", "prev_loss"}


def test_lbfgs_errors():
    x = cytorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        optim.LBFGS([x], line_search_fn="armijo").step(lambda: (x * x).sum())

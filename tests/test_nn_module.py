"""nn.Module system, Parameter/Buffer, containers, Linear family, Flatten: behaviour vs PyTorch and NumPy."""
import copy
import math
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import cytorch
from cytorch import nn
from cytorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close as _assert_close, np_of


def assert_close(actual, expected, **kw):
    kw.setdefault("check_dtype", False)     # dtypes are asserted explicitly where they matter
    _assert_close(actual, expected, **kw)

RNG = np.random.default_rng(1234)


def randn(*shape, dtype=np.float32):
    return cytorch.tensor(RNG.standard_normal(shape).astype(dtype))


def copy_weights(src, dst):
    """Load a torch module's state into a cytorch one (through NumPy)."""
    dst.load_state_dict({k: cytorch.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


class Net(nn.Module):
    """A module-level class so that whole models pickle."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 5)
        self.fc2 = nn.Linear(5, 3)
        self.register_buffer("scale", cytorch.tensor([2.0]))
        self.register_buffer("tmp", cytorch.zeros(2), persistent=False)

    def forward(self, x):
        return self.fc2(self.fc1(x)) * self.scale


def _torch_net(torch):
    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(6, 5)
            self.fc2 = torch.nn.Linear(5, 3)
            self.register_buffer("scale", torch.tensor([2.0]))
            self.register_buffer("tmp", torch.zeros(2), persistent=False)

        def forward(self, x):
            return self.fc2(self.fc1(x)) * self.scale
    return TNet()


# ---------------------------------------------------------------- Parameter / Buffer

def test_parameter_basics(torch):
    data = cytorch.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, nn.Parameter) and isinstance(p, cytorch.Tensor)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert p.data_ptr() == data.data_ptr()          # shares memory, no copy
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert type(p * 2) is cytorch.Tensor and type(p.detach()) is cytorch.Tensor
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    with cytorch.no_grad():
        assert nn.Parameter(cytorch.zeros(1)).requires_grad
    assert nn.Parameter().shape == (0,)
    with pytest.raises(TypeError):
        nn.Parameter([1.0, 2.0])


def test_parameter_deepcopy_and_pickle():
    p = nn.Parameter(cytorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    q = copy.deepcopy(p)
    assert type(q) is nn.Parameter and q.requires_grad and q.data_ptr() != p.data_ptr()
    assert_close(q, np_of(p))
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is nn.Parameter and r.requires_grad
    assert_close(r, np_of(p))
    f = pickle.loads(pickle.dumps(nn.Parameter(cytorch.ones(2), requires_grad=False)))
    assert not f.requires_grad


def test_buffer_assignment():
    m = nn.Module()
    m.a = nn.Buffer(cytorch.ones(2))
    m.b = nn.Buffer(cytorch.zeros(3), persistent=False)
    m.c = cytorch.ones(1)                # plain tensor attribute: not registered
    assert [n for n, _ in m.named_buffers()] == ["a", "b"]
    assert list(m.state_dict()) == ["a"]
    assert "c" not in m._buffers and isinstance(m.a, cytorch.Tensor)
    m.a = cytorch.full((2,), 5.0)        # reassigning a buffer name keeps it a buffer
    assert_close(m._buffers["a"], [5.0, 5.0])
    m.b = None
    assert m.b is None and "b" in m._buffers


# ---------------------------------------------------------------- registration and iteration

def test_state_dict_keys_shapes_metadata_match_torch(torch):
    c, t = Net(), _torch_net(torch)
    sc, st = c.state_dict(), t.state_dict()
    assert list(sc) == list(st)
    assert [tuple(v.shape) for v in sc.values()] == [tuple(v.shape) for v in st.values()]
    assert dict(sc._metadata) == dict(st._metadata)
    assert isinstance(sc, OrderedDict)
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in c.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in c.named_modules()] == [n for n, _ in t.named_modules()]
    assert list(c.state_dict(prefix="m.")) == list(t.state_dict(prefix="m."))


def test_state_dict_detached_and_keep_vars():
    m = Net()
    sd = m.state_dict()
    assert not sd["fc1.weight"].requires_grad and type(sd["fc1.weight"]) is cytorch.Tensor
    assert sd["fc1.weight"].data_ptr() == m.fc1.weight.data_ptr()
    kv = m.state_dict(keep_vars=True)
    assert kv["fc1.weight"] is m.fc1.weight
    dest = OrderedDict()
    assert m.state_dict(destination=dest) is dest and "fc2.bias" in dest


def test_load_state_dict_from_torch_gives_same_outputs(torch):
    t, c = _torch_net(torch), Net()
    copy_weights(t, c)
    x = RNG.standard_normal((4, 6)).astype(np.float32)
    assert_close(c(cytorch.tensor(x)), t(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # and back: cytorch weights into torch
    c2 = Net()
    t.load_state_dict({k: torch.tensor(np_of(v)) for k, v in c2.state_dict().items()})
    assert_close(c2(cytorch.tensor(x)), t(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_errors_match_torch(torch):
    c, t = Net(), _torch_net(torch)
    bad = {k: cytorch.tensor(v.numpy()) for k, v in t.state_dict().items()}
    bad_t = dict(t.state_dict())
    for d in (bad, bad_t):
        d.pop("fc2.bias")
    bad["extra"] = cytorch.zeros(1)
    bad_t["extra"] = torch.zeros(1)
    bad["fc1.weight"] = cytorch.zeros(2, 2)
    bad_t["fc1.weight"] = torch.zeros(2, 2)
    with pytest.raises(RuntimeError) as ec:
        c.load_state_dict(bad)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(bad_t)
    msg_t = str(et.value).replace("TNet", "Net").replace("torch.Size", "cytorch.Size")
    assert str(ec.value) == msg_t
    assert "size mismatch for fc1.weight" in str(ec.value)
    r = c.load_state_dict({k: v for k, v in bad.items() if k != "fc1.weight"}, strict=False)
    assert r.missing_keys == ["fc1.weight", "fc2.bias"] and r.unexpected_keys == ["extra"]
    ok = c.load_state_dict(c.state_dict())
    assert repr(ok) == "<All keys matched successfully>" and not ok.missing_keys
    with pytest.raises(TypeError):
        c.load_state_dict([1, 2])


def test_load_state_dict_assign():
    m = Net()
    w = cytorch.ones(5, 6)
    sd = m.state_dict()
    sd["fc1.weight"] = w
    m.load_state_dict(sd, assign=True)
    assert isinstance(m.fc1.weight, nn.Parameter) and m.fc1.weight.requires_grad
    assert m.fc1.weight.data_ptr() == w.data_ptr()
    m2 = Net()
    before = m2.fc1.weight
    m2.load_state_dict(sd)
    assert m2.fc1.weight is before and m2.fc1.weight.data_ptr() != w.data_ptr()
    assert_close(m2.fc1.weight, np.ones((5, 6), np.float32))


def test_registration_errors(torch):
    m = nn.Module()
    cases = [
        lambda M: M.register_parameter("a.b", None),
        lambda M: M.register_parameter("", None),
        lambda M: M.register_buffer("a.b", None),
        lambda M: M.register_buffer("x", [1]),
        lambda M: M.add_module("x", 3),
        lambda M: M.add_module("a.b", None),
        lambda M: M.register_parameter("training", None),
    ]
    tm = torch.nn.Module()
    for f in cases:
        with pytest.raises(Exception) as ec:
            f(m)
        with pytest.raises(Exception) as et:
            f(tm)
        assert type(ec.value) is type(et.value)

    m.w = nn.Parameter(cytorch.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'cytorch.FloatTensor' as parameter 'w'"):
        m.w = cytorch.zeros(1)
    m.w = None
    assert m.w is None and "w" in m._parameters
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="as child module 'sub'"):
        m.sub = 3

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(cytorch.ones(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    with pytest.raises(TypeError):
        nn.Module(3)


def test_named_members_shared_and_prefix():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.Identity(), shared)
    assert [n for n, _ in m.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [n for n, _ in m.named_parameters(prefix="net")] == ["net.0.weight", "net.0.bias"]
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert len(list(m.children())) == 2 and len(list(m.modules())) == 3
    outer = nn.Sequential(OrderedDict(a=m))
    assert list(outer.named_parameters(recurse=False)) == []
    assert len(list(outer.parameters())) == 2


def test_get_submodule_parameter_buffer(torch):
    c = nn.Sequential(OrderedDict(enc=Net()))
    assert c.get_submodule("enc.fc1") is c.enc.fc1 and c.get_submodule("") is c
    assert c.get_parameter("enc.fc2.bias") is c.enc.fc2.bias
    assert_close(c.get_buffer("enc.scale"), [2.0])
    t = torch.nn.Sequential(OrderedDict(enc=_torch_net(torch)))
    for meth, arg in [("get_submodule", "enc.nope"), ("get_submodule", "enc.fc1.weight"),
                      ("get_parameter", "enc.scale"), ("get_parameter", "enc.nope"), ("get_buffer", "enc.fc1"),
                      ("get_buffer", "enc.nope")]:
        with pytest.raises(AttributeError) as ec:
            getattr(c, meth)(arg)
        with pytest.raises(AttributeError) as et:
            getattr(t, meth)(arg)
        assert str(ec.value) == str(et.value).replace("TNet", "Net")
    c.set_submodule("enc.fc1", nn.Identity())
    assert isinstance(c.enc.fc1, nn.Identity)


def test_delattr_and_dir():
    m = Net()
    d = dir(m)
    assert "fc1" in d and "scale" in d and "forward" in d
    del m.fc1
    del m.scale
    m.plain = 3
    del m.plain
    assert "fc1" not in m._modules and "scale" not in m._buffers
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'fc1'"):
        m.fc1
    assert not any(k[0].isdigit() for k in dir(nn.Sequential(nn.Identity())))


# ---------------------------------------------------------------- modes, grads, conversion

def test_train_eval_zero_grad_requires_grad():
    m = nn.Sequential(nn.Linear(3, 2), nn.Sequential(nn.Linear(2, 2)))
    assert m.training and m[1][0].training
    assert m.eval() is m and not m[1][0].training
    m.train()
    assert m[1][0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)
    m(randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    assert not m(randn(4, 3)).requires_grad


def test_to_double_float_keeps_parameter_objects():
    m = Net()
    w = m.fc1.weight
    m(randn(2, 6)).sum().backward()
    assert m.double() is m
    assert m.fc1.weight is w and w.dtype == cytorch.float64 and w.grad.dtype == cytorch.float64
    assert m.scale.dtype == cytorch.float64 and isinstance(w, nn.Parameter) and w.requires_grad
    m.to(cytorch.float32)
    assert w.dtype == cytorch.float32
    m.to(dtype=cytorch.float64)
    assert w.dtype == cytorch.float64
    m.to(cytorch.zeros(1, dtype=cytorch.float32))
    assert w.dtype == cytorch.float32
    m.to("cpu")
    m.cpu()
    m.half()
    assert w.dtype == cytorch.float16
    m.float()
    assert w.dtype == cytorch.float32
    m.register_buffer("steps", cytorch.tensor(3))
    m.double()
    assert m.steps.dtype == cytorch.int64          # integer buffers keep their dtype
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        m.to(cytorch.int64)
    with pytest.raises(RuntimeError):
        m.cuda()
    with pytest.raises(RuntimeError):
        m.to("cuda")


def test_apply_order():
    seen = []
    m = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Identity()))
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Identity", "Sequential", "Sequential"]


def test_forward_missing():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(1)


# ---------------------------------------------------------------- hooks

def _hook_events(lib, x):
    ev = []
    m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 2))
    m.register_forward_pre_hook(lambda mod, args: ev.append("seq pre"))
    m.register_forward_hook(lambda mod, args, out: ev.append("seq fwd"))
    m[0].register_forward_pre_hook(lambda mod, args: ev.append("l0 pre"))
    m[0].register_forward_hook(lambda mod, args, out: ev.append("l0 fwd"))
    m[0].register_forward_hook(lambda mod, args, out: ev.append("l0 fwd first"), prepend=True)
    m[1].register_forward_hook(lambda mod, args, kwargs, out: ev.append(f"l1 kw {sorted(kwargs)}"), with_kwargs=True)
    m[1].register_full_backward_pre_hook(lambda mod, go: ev.append("l1 bw pre"))
    m[1].register_full_backward_hook(lambda mod, gi, go: ev.append(f"l1 bw {len(gi)} {len(go)}"))
    m[0].register_full_backward_hook(lambda mod, gi, go: ev.append(f"l0 bw {gi[0] is None}"))
    m(x).sum().backward()
    return ev


@pytest.mark.filterwarnings("ignore:Full backward hook")
def test_hook_order_matches_torch(torch):
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    ours = _hook_events(cytorch, cytorch.tensor(x))
    theirs = _hook_events(torch, torch.tensor(x))
    assert ours == theirs
    ours = _hook_events(cytorch, cytorch.tensor(x).requires_grad_())
    theirs = _hook_events(torch, torch.tensor(x).requires_grad_())
    assert ours == theirs


def test_hooks_modify_and_remove():
    lin = nn.Linear(2, 2)
    x = randn(3, 2)
    base = np_of(lin(x))
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    assert_close(lin(x), np.broadcast_to(np_of(lin.bias), (3, 2)))
    h1.remove()
    h2 = lin.register_forward_hook(lambda m, args, out: out + 1)
    assert_close(lin(x), base + 1)
    h2.remove()
    h3 = lin.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] * 2,), kwargs), with_kwargs=True)
    assert_close(lin(x), np_of(lin.forward(x * 2)))
    h3.remove()
    with lin.register_forward_hook(lambda m, a, o: o * 0):
        assert float(lin(x).abs().sum()) == 0
    assert_close(lin(x), base)
    called = []
    lin.register_forward_hook(lambda m, a, o: called.append(o is None), always_call=True)
    with pytest.raises(RuntimeError):
        lin(randn(3, 5))
    assert called == [True]


def test_global_forward_hook():
    from cytorch.nn.modules.module import register_module_forward_hook
    seen = []
    h = register_module_forward_hook(lambda m, a, o: seen.append(type(m).__name__))
    try:
        nn.Sequential(nn.Identity())(cytorch.ones(1))
    finally:
        h.remove()
    nn.Identity()(cytorch.ones(1))
    assert seen == ["Identity", "Sequential"]


def test_full_backward_hooks_values_match_torch(torch):
    x = RNG.standard_normal((4, 3)).astype(np.float64)
    w = RNG.standard_normal((2, 3))

    def run(lib, mk):
        lin = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            lin.weight.copy_(mk(w))
            lin.bias.fill_(0.5)
        got = {}

        def hook(m, gi, go):
            got["gi"], got["go"] = gi[0].detach().numpy().copy(), go[0].detach().numpy().copy()
            return (gi[0] * 3,)
        lin.register_full_backward_hook(hook)
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
        xi = mk(x).requires_grad_()
        (lin(xi) ** 2).sum().backward()
        return got, xi.grad.numpy().copy(), lin.weight.grad.numpy().copy()

    (g1, xg1, wg1) = run(cytorch, cytorch.tensor)
    (g2, xg2, wg2) = run(torch, torch.tensor)
    np.testing.assert_allclose(g1["go"], g2["go"], rtol=1e-12)
    np.testing.assert_allclose(g1["gi"], g2["gi"], rtol=1e-12)
    np.testing.assert_allclose(xg1, xg2, rtol=1e-12)
    np.testing.assert_allclose(wg1, wg2, rtol=1e-12)


# ---------------------------------------------------------------- repr

def _model(lib):
    n = lib.nn
    return n.Sequential(OrderedDict([
        ("flat", n.Flatten()),
        ("body", n.ModuleList([n.Linear(4, 4) for _ in range(3)] + [n.Identity(), n.Linear(4, 4, bias=False)])),
        ("heads", n.ModuleDict({"a": n.Bilinear(4, 4, 2), "b": n.Sequential()})),
        ("un", n.Unflatten(1, (2, 2))),
        ("lazy", n.LazyLinear(3)),
        ("empty", n.ModuleList()),
    ]))


def test_nested_repr_matches_torch(torch):
    assert repr(_model(cytorch)) == repr(_model(torch))


def test_parameter_container_reprs(torch):
    def build(lib):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)), lib.zeros(1, dtype=lib.float64)])
        pl.append("text")
        pd = lib.nn.ParameterDict({"x": lib.nn.Parameter(lib.zeros(2, 3)), "y": lib.zeros(3)})
        return repr(pl), repr(pd)
    for a, b in zip(build(cytorch), build(torch)):
        assert a == b.replace("torch.", "cytorch.")


# ---------------------------------------------------------------- copy / pickle

def test_deepcopy_and_pickle_module():
    m = Net()
    x = randn(3, 6)
    y = np_of(m(x))
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert_close(clone(x), y)
        assert clone.fc1.weight is not m.fc1.weight
        assert clone.fc1.weight.data_ptr() != m.fc1.weight.data_ptr()
        assert isinstance(clone.fc1.weight, nn.Parameter) and clone.training
        assert clone.fc2._module_path() == "fc2"
        assert list(clone.state_dict()) == list(m.state_dict())
        assert "tmp" in clone._buffers
    shared = nn.Linear(2, 2)
    s = copy.deepcopy(nn.Sequential(shared, shared))
    assert s[0] is s[1] and s[0] is not shared
    hooked = Net()
    hooked.register_forward_hook(lambda mod, a, o: o * 0)
    assert float(copy.deepcopy(hooked)(x).abs().sum()) == 0


# ---------------------------------------------------------------- error naming the module path

def test_linear_wrong_size_names_module_path():
    model = nn.Sequential(OrderedDict(fc1=nn.Linear(784, 128), fc2=nn.Linear(128, 10)))
    model.fc2 = nn.Linear(100, 10)
    model.fc2 = nn.Linear(128, 10)
    with pytest.raises(RuntimeError, match=r"fc1 \(Linear in_features=784\) got input of shape \(64, 100\)"):
        model(cytorch.zeros(64, 100))
    outer = nn.Module()
    outer.encoder = nn.Sequential(nn.Linear(4, 3), nn.Linear(2, 1))
    with pytest.raises(RuntimeError, match=r"^encoder\.1 \(Linear in_features=2\) got input of shape \(5, 3\)"):
        outer.encoder(cytorch.zeros(5, 4))
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=3, out_features=1\) got input of shape \(2, 4\)"):
        nn.Linear(3, 1)(cytorch.zeros(2, 4))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):   # PyTorch's wording is kept
        nn.Linear(3, 1)(cytorch.zeros(2, 4))
    seq = nn.Sequential(nn.Identity(), nn.Linear(4, 3), nn.Linear(3, 2))
    del seq[0]                                                # renumbered: the layer is now "1"
    with pytest.raises(RuntimeError, match=r"^1 \(Linear"):
        seq[1](cytorch.zeros(1, 4))


# ---------------------------------------------------------------- containers

def _names(m):
    return [type(x).__name__ + str(getattr(x, "in_features", "")) for x in m]


def test_sequential_ops_match_torch(torch):
    def ops(lib):
        n = lib.nn
        s = n.Sequential(n.Linear(1, 1), n.Linear(2, 2), n.Linear(3, 3))
        out = [_names(s), _names(s[1:]), type(s[1:]).__name__, _names([s[-1]]), len(s)]
        s.append(n.Linear(4, 4))
        s.insert(1, n.Linear(5, 5))
        s.insert(-1, n.Identity())
        out.append(_names(s))
        out.append(list(s._modules))
        out.append(_names([s.pop(0)]))
        del s[1:3]
        out.append(list(s._modules))
        s[0] = n.Linear(6, 6)
        s.extend([n.Linear(7, 7)])
        out.append(_names(s))
        out.append(_names(s + n.Sequential(n.Identity())))
        out.append(len(s * 2))
        d = n.Sequential(OrderedDict([("a", n.Linear(8, 8)), ("b", n.Identity())]))
        out.append(list(d._modules))
        out.append(_names(d[0:1]))
        for bad in (lambda: s[10], lambda: s + [1], lambda: s.insert(10, n.Identity())):
            try:
                bad()
            except Exception as e:
                out.append(type(e).__name__)
        return out
    assert ops(cytorch) == ops(torch)


def test_sequential_forward():
    s = nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.Linear(4, 2))
    x = randn(3, 2, 3)
    ref = np_of(x).reshape(3, 6) @ np_of(s[1].weight).T + np_of(s[1].bias)
    ref = ref @ np_of(s[2].weight).T + np_of(s[2].bias)
    assert_close(s(x), ref, rtol=1e-5, atol=1e-5)


def test_modulelist_moduledict_ops_match_torch(torch):
    def ops(lib):
        n = lib.nn
        ml = n.ModuleList([n.Linear(1, 1), n.Linear(2, 2)])
        ml.append(n.Linear(3, 3))
        ml.extend([n.Linear(4, 4)])
        ml.insert(0, n.Identity())
        ml += [n.Linear(5, 5)]
        out = [_names(ml), list(ml._modules), _names(ml[1:3]), type(ml[1:3]).__name__, _names([ml[-1]])]
        ml[0] = n.Linear(9, 9)
        del ml[1]
        out += [_names(ml), list(ml._modules), _names([ml.pop(-1)]), len(ml), _names(ml + n.ModuleList([n.Identity()]))]
        md = n.ModuleDict({"b": n.Linear(1, 1), "a": n.Identity()})
        md["c"] = n.Linear(2, 2)
        md.update([("d", n.Identity())])
        out += [list(md), list(md.keys()), _names(md.values()), "a" in md, len(md)]
        out.append(_names([md.pop("b")]))
        out.append(list(md))
        md.clear()
        out.append(len(md))
        for bad in (lambda: ml[10], lambda: ml.extend(3), lambda: md.update(3), lambda: md.update([("x",)])):
            try:
                bad()
            except Exception as e:
                out.append(type(e).__name__)
        return out
    assert ops(cytorch) == ops(torch)


def test_parameterlist_parameterdict():
    pl = nn.ParameterList([cytorch.zeros(2), nn.Parameter(cytorch.ones(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    pl.append(cytorch.ones(1))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert len(pl[1:]) == 2 and pl[-1].shape == (1,)
    pl[0] = cytorch.full((2,), 7.0)
    assert_close(pl[0], np.array([7.0, 7.0], np.float32))
    assert isinstance(pl[0], nn.Parameter)
    with pytest.raises(IndexError):
        pl[5]
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(1)
    holder = nn.Module()
    holder.ps = pl
    assert [n for n, _ in holder.named_parameters()] == ["ps.0", "ps.1", "ps.2"]

    pd = nn.ParameterDict({"b": cytorch.zeros(1), "a": cytorch.ones(2)})
    assert list(pd) == ["a", "b"]                      # plain dicts are added in sorted order (as PyTorch)
    pd["c"] = nn.Parameter(cytorch.ones(1))
    pd.update(OrderedDict([("z", cytorch.zeros(1)), ("y", cytorch.zeros(1))]))
    assert list(pd.keys()) == ["a", "b", "c", "z", "y"]
    assert isinstance(pd["a"], nn.Parameter) and "a" in pd and len(pd) == 5
    assert pd.get("nope") is None and pd.pop("z").shape == (1,)
    assert pd.popitem()[0] == "y" and list(pd) == ["a", "b", "c"]
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    merged = pd | nn.ParameterDict(OrderedDict(q=cytorch.zeros(1)))
    assert list(merged) == ["a", "b", "c", "q"] and list(pd) == ["a", "b", "c"]
    with pytest.raises(TypeError, match="not a string"):
        pd[3] = cytorch.zeros(1)
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


# ---------------------------------------------------------------- Linear family

@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,), (0, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_vs_numpy(shape, bias):
    lin = nn.Linear(4, 3, bias=bias)
    x = randn(*shape)
    ref = np_of(x) @ np_of(lin.weight).T + (np_of(lin.bias) if bias else 0)
    y = lin(x)
    assert tuple(y.shape) == shape[:-1] + (3,)
    assert_close(y, ref.astype(np.float32), rtol=1e-5, atol=1e-6)


def test_linear_default_init_distribution():
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = np_of(lin.weight), np_of(lin.bias)
    assert w.min() >= -bound and w.max() <= bound and b.min() >= -bound and b.max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert lin.weight.dtype == cytorch.float32
    assert nn.Linear(2, 2, dtype=cytorch.float64).weight.dtype == cytorch.float64


@pytest.mark.parametrize("xshape", [(3, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(xshape, bias):
    x = cytorch.tensor(RNG.standard_normal(xshape)).requires_grad_()
    w = cytorch.tensor(RNG.standard_normal((3, 4))).requires_grad_()
    b = cytorch.tensor(RNG.standard_normal(3)).requires_grad_() if bias else None
    args = (x, w, b) if bias else (x, w)
    assert gradcheck(nn.functional.linear, args)
    assert gradgradcheck(nn.functional.linear, args)


def test_linear_backward_vs_torch(torch):
    x = RNG.standard_normal((6, 5)).astype(np.float32)
    c, t = nn.Linear(5, 4), torch.nn.Linear(5, 4)
    copy_weights(t, c)
    xc, xt = cytorch.tensor(x).requires_grad_(), torch.tensor(x).requires_grad_()
    (c(xc) ** 2).sum().backward()
    (t(xt) ** 2).sum().backward()
    assert_close(xc.grad, xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    assert_close(c.weight.grad, t.weight.grad.numpy(), rtol=1e-5, atol=1e-5)
    assert_close(c.bias.grad, t.bias.grad.numpy(), rtol=1e-5, atol=1e-5)
    # only the weight requires grad (a first layer): input grad is not computed
    lin = nn.Linear(5, 4)
    out = lin(cytorch.tensor(x))
    assert out.grad_fn is not None
    out.sum().backward()
    assert_close(lin.bias.grad, np.full(4, 6.0, np.float32))


def test_linear_functional_errors():
    F = nn.functional
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        F.linear(cytorch.zeros(3, 4), cytorch.zeros(2, 5))
    with pytest.raises(TypeError):
        F.linear([1.0], cytorch.zeros(2, 1))
    with pytest.raises(RuntimeError):
        F.linear(cytorch.zeros(3, 4), cytorch.zeros(2, 4), cytorch.zeros(3))


def test_bilinear_vs_numpy_and_gradcheck():
    m = nn.Bilinear(3, 4, 2)
    x1, x2 = randn(5, 3), randn(5, 4)
    ref = np.einsum("ni,oij,nj->no", np_of(x1), np_of(m.weight), np_of(x2)) + np_of(m.bias)
    assert_close(m(x1, x2), ref, rtol=1e-5, atol=1e-5)
    y = m(randn(2, 5, 3), randn(2, 5, 4))
    assert tuple(y.shape) == (2, 5, 2)
    bound = 1 / math.sqrt(3)
    assert float(m.weight.abs().max()) <= bound
    args = tuple(cytorch.tensor(RNG.standard_normal(s)).requires_grad_() for s in [(2, 3), (2, 4), (2, 3, 4), (2,)])
    assert gradcheck(nn.functional.bilinear, args)


def test_bilinear_errors_match_torch(torch):
    cases = [((3, 4), (3, 6), (2, 4, 5), None), ((3, 3), (3, 5), (2, 4, 5), None),
             ((3, 4), (2, 5), (2, 4, 5), None), ((3, 4), (3, 5), (2, 4, 5), (3,))]
    for a, b, w, bi in cases:
        mk_c = [cytorch.zeros(*s) if s else None for s in (a, b, w, bi)]
        mk_t = [torch.zeros(*s) if s else None for s in (a, b, w, bi)]
        with pytest.raises(RuntimeError) as ec:
            nn.functional.bilinear(*mk_c)
        with pytest.raises(RuntimeError) as et:
            torch.nn.functional.bilinear(*mk_t)
        assert str(ec.value) == str(et.value)


def test_lazy_linear():
    m = nn.LazyLinear(3)
    assert isinstance(m.weight, nn.UninitializedParameter) and m.in_features == 0
    assert repr(m) == "LazyLinear(in_features=0, out_features=3, bias=True)"
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        m.weight.shape
    y = m(randn(2, 5))
    assert type(m) is nn.Linear and m.in_features == 5 and tuple(y.shape) == (2, 3)
    assert type(m.weight) is nn.Parameter and tuple(m.weight.shape) == (3, 5)
    assert float(m.weight.abs().max()) <= 1 / math.sqrt(5)
    assert not m._forward_pre_hooks
    src = nn.Linear(7, 3)
    lazy = nn.LazyLinear(3)
    lazy.load_state_dict(src.state_dict())
    assert tuple(lazy.weight.shape) == (3, 7)
    assert_close(lazy.weight, np_of(src.weight))
    out = lazy(randn(1, 7))
    still_lazy = nn.LazyLinear(3)
    still_lazy.load_state_dict(nn.LazyLinear(3).state_dict())     # uninitialised into uninitialised
    assert isinstance(still_lazy.weight, nn.UninitializedParameter)
    assert type(lazy) is nn.Linear and tuple(out.shape) == (1, 3)


def test_identity_flatten_unflatten(torch):
    x = randn(2, 3, 4, 5)
    assert nn.Identity(3, foo=1)(x) is x
    assert tuple(nn.Flatten()(x).shape) == (2, 60)
    assert tuple(nn.Flatten(0, 2)(x).shape) == (24, 5)
    assert tuple(nn.Unflatten(1, (3, 1))(randn(2, 3)).shape) == (2, 3, 1)
    assert tuple(nn.Unflatten(-1, [2, -1])(randn(2, 6)).shape) == (2, 2, 3)
    assert_close(nn.Flatten()(x), np_of(x).reshape(2, 60))
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, (2, 2.0))
    with pytest.raises(TypeError) as et:
        torch.nn.Unflatten(1, (2, 2.0))
    with pytest.raises(TypeError) as ec:
        nn.Unflatten(1, (2, 2.0))
    assert str(ec.value) == str(et.value)


def test_training_step_matches_torch(torch):
    """A few SGD steps of a small MLP give the same weights in both libraries."""
    def mk(lib):
        return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(12, 8), lib.nn.Linear(8, 3))
    t, c = mk(torch), mk(cytorch)
    copy_weights(t, c)
    x = RNG.standard_normal((5, 3, 4)).astype(np.float32)
    for _ in range(3):
        for lib, m in ((torch, t), (cytorch, c)):
            m.zero_grad()
            (m(lib.tensor(x)) ** 2).mean().backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
    for (kc, vc), (kt, vt) in zip(c.state_dict().items(), t.state_dict().items()):
        assert kc == kt
        assert_close(vc, vt.numpy(), rtol=1e-4, atol=1e-5)


class WithExtra(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
        self.step = 0

    def get_extra_state(self):
        return {"step": self.step}

    def set_extra_state(self, state):
        self.step = state["step"]


def test_extra_state_and_state_dict_hooks(torch):
    m = WithExtra()
    m.step = 5
    sd = m.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"] and sd["_extra_state"] == {"step": 5}
    n = WithExtra()
    n.load_state_dict(sd)
    assert n.step == 5
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "_extra_state"'):
        n.load_state_dict({k: v for k, v in sd.items() if k != "_extra_state"})

    ev = []
    lin = nn.Linear(2, 2)
    lin.register_state_dict_pre_hook(lambda mod, prefix, keep_vars: ev.append(("pre", prefix)))
    def drop_bias(mod, sd, prefix, meta):
        del sd[prefix + "bias"]
    lin.register_state_dict_post_hook(drop_bias)
    lin.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
    outer = nn.Sequential(lin)
    sd = outer.state_dict()
    assert ev == [("pre", "0.")] and list(sd) == ["0.weight"]
    assert outer.load_state_dict(sd).missing_keys == []      # the post hook cleared "0.bias"
    pre = []
    lin.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: pre.append(prefix))
    outer.load_state_dict(sd)
    assert pre == ["0."]


def test_module_kwargs_and_pre_hook_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):
            return x * factor
    m = Scale()
    seen = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: seen.append(dict(kwargs)), with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}), with_kwargs=True)
    assert_close(m(cytorch.ones(2), factor=2.0), [3.0, 3.0])
    assert seen == [{"factor": 2.0}]
    ml = nn.ModuleList([nn.Identity(), nn.Linear(1, 1)])
    ml.insert(1, nn.Linear(2, 2))
    assert [type(x).__name__ for x in ml] == ["Identity", "Linear", "Linear"] and ml[1].in_features == 2
    assert ml[2]._module_path() == "2"


@pytest.mark.parametrize("need", [(True, False, True), (False, False, True), (False, True, False)])
def test_linear_gradcheck_noncontiguous_and_partial(need):
    x = cytorch.tensor(RNG.standard_normal((4, 2, 3))).transpose(0, 2).detach()     # (3, 2, 4), strided
    w = cytorch.tensor(RNG.standard_normal((4, 5))).t().detach()                       # (5, 4), transposed
    b = cytorch.tensor(RNG.standard_normal(5))
    for t, n in zip((x, w, b), need):
        t.requires_grad_(n)
    assert gradcheck(nn.functional.linear, (x, w, b))
    y = nn.functional.linear(x, w, b)
    ref = np.einsum("abk,ok->abo", np_of(x), np_of(w)) + np_of(b)
    assert_close(y, ref, rtol=1e-12, atol=1e-12)

"""Layer classes of the nn.functional family (activations, dropout, embeddings, norms, distances)
against PyTorch: same constructor arguments, same state_dict keys, shapes and repr; weights moved
across; forward and gradients in train and eval mode; default init; errors."""
import warnings

import numpy as np
import pytest

import cytorch
import cytorch.nn as nn
from conftest import assert_close, np_of

RNG = np.random.default_rng(777)


def arr(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def idx(*data):
    return np.asarray(data, dtype=np.int64)


# (class name, constructor args, kwargs, input shapes or int arrays)
LAYERS = [
    ("Threshold", (0.1, 20.0), {}, [(3, 4)]),
    ("ReLU", (), {}, [(3, 4)]),
    ("Hardtanh", (-0.5, 0.5), {}, [(3, 4)]),
    ("RReLU", (0.1, 0.3), {}, [(3, 4)]),
    ("ReLU6", (), {}, [(3, 4)]),
    ("Sigmoid", (), {}, [(3, 4)]),
    ("Hardsigmoid", (), {}, [(3, 4)]),
    ("Tanh", (), {}, [(3, 4)]),
    ("SiLU", (), {}, [(3, 4)]),
    ("Mish", (), {}, [(3, 4)]),
    ("Hardswish", (), {}, [(3, 4)]),
    ("ELU", (0.5,), {}, [(3, 4)]),
    ("CELU", (2.0,), {}, [(3, 4)]),
    ("SELU", (), {}, [(3, 4)]),
    ("GLU", (), {"dim": 1}, [(3, 4)]),
    ("GELU", (), {}, [(3, 4)]),
    ("GELU", (), {"approximate": "tanh"}, [(3, 4)]),
    ("Hardshrink", (0.3,), {}, [(3, 4)]),
    ("LeakyReLU", (0.2,), {}, [(3, 4)]),
    ("LogSigmoid", (), {}, [(3, 4)]),
    ("Softplus", (2.0, 1.0), {}, [(3, 4)]),
    ("Softshrink", (), {}, [(3, 4)]),
    ("PReLU", (), {}, [(3, 4)]),
    ("PReLU", (4,), {"init": 0.1}, [(3, 4, 2)]),
    ("Softsign", (), {}, [(3, 4)]),
    ("Tanhshrink", (), {}, [(3, 4)]),
    ("Softmin", (), {"dim": 1}, [(3, 4)]),
    ("Softmax", (), {"dim": -1}, [(3, 4)]),
    ("Softmax2d", (), {}, [(2, 3, 2, 2)]),
    ("LogSoftmax", (1,), {}, [(3, 4)]),
    ("Embedding", (6, 3), {"padding_idx": 1}, [idx([0, 1, 5], [2, 2, 1])]),
    ("Embedding", (6, 3), {"scale_grad_by_freq": True}, [idx(0, 1, 5, 5)]),
    ("EmbeddingBag", (6, 3), {}, [idx(0, 1, 5, 5), idx(0, 1)]),
    ("EmbeddingBag", (6, 3), {"mode": "max"}, [idx([0, 1], [5, 5])]),
    ("EmbeddingBag", (6, 3), {"mode": "sum", "padding_idx": 5}, [idx([0, 1], [5, 4])]),
    ("LayerNorm", (4,), {}, [(3, 2, 4)]),
    ("LayerNorm", ((2, 4),), {"elementwise_affine": False}, [(3, 2, 4)]),
    ("LayerNorm", (4,), {"bias": False, "eps": 1e-3}, [(3, 4)]),
    ("GroupNorm", (2, 4), {}, [(3, 4, 5)]),
    ("GroupNorm", (1, 4), {"affine": False}, [(3, 4, 2, 2)]),
    ("LocalResponseNorm", (3,), {}, [(2, 4, 5)]),
    ("RMSNorm", (4,), {}, [(3, 4)]),
    ("RMSNorm", ((3, 4),), {"eps": 1e-4, "elementwise_affine": False}, [(2, 3, 4)]),
    ("BatchNorm1d", (4,), {}, [(5, 4)]),
    ("BatchNorm1d", (4,), {"momentum": None}, [(5, 4, 3)]),
    ("BatchNorm1d", (4,), {"affine": False}, [(5, 4)]),
    ("BatchNorm2d", (3,), {}, [(2, 3, 4, 4)]),
    ("BatchNorm2d", (3,), {"track_running_stats": False}, [(2, 3, 4, 4)]),
    ("BatchNorm3d", (3,), {"momentum": 0.5}, [(2, 3, 2, 2, 2)]),
    ("InstanceNorm1d", (3,), {}, [(2, 3, 5)]),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, [(2, 3, 5)]),
    ("InstanceNorm2d", (3,), {"affine": True}, [(2, 3, 4, 4)]),
    ("InstanceNorm2d", (3,), {"track_running_stats": True}, [(3, 4, 4)]),
    ("InstanceNorm3d", (2,), {}, [(2, 2, 2, 2, 2)]),
    ("CosineSimilarity", (), {}, [(3, 4), (3, 4)]),
    ("PairwiseDistance", (), {"p": 3.0}, [(3, 4), (3, 4)]),
    ("Dropout", (0.0,), {}, [(3, 4)]),
    ("ConstantPad1d", ((1, 2), 0.5), {}, [(2, 3, 4)]),
    ("ConstantPad2d", (1, -1.0), {}, [(2, 3, 4)]),
    ("ConstantPad3d", ((1, 0, 0, 1, 2, 0), 2.0), {}, [(1, 2, 3, 4)]),
    ("ZeroPad1d", (2,), {}, [(2, 3, 4)]),
    ("ZeroPad2d", ((1, 0, 2, -1),), {}, [(2, 3, 4)]),
    ("ZeroPad3d", (1,), {}, [(1, 2, 3, 4)]),
    ("ReflectionPad1d", (2,), {}, [(2, 3, 4)]),
    ("ReflectionPad2d", ((1, 2, 0, 1),), {}, [(2, 3, 4)]),
    ("ReflectionPad3d", (1,), {}, [(1, 2, 3, 4)]),
    ("ReplicationPad1d", ((3, 1),), {}, [(2, 3, 4)]),
    ("ReplicationPad2d", (2,), {}, [(1, 2, 3, 4)]),
    ("ReplicationPad3d", (1,), {}, [(1, 1, 2, 3, 4)]),
    ("CircularPad1d", (2,), {}, [(2, 3, 4)]),
    ("CircularPad2d", ((1, 2, 2, 0),), {}, [(1, 2, 3, 4)]),
    ("CircularPad3d", (1,), {}, [(1, 2, 3, 4)]),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(LAYERS)]


def _pair(torch, name, args, kw):
    cytorch.manual_seed(0)
    m = getattr(nn, name)(*args, **kw)
    tm = getattr(torch.nn, name)(*args, **kw)
    sd = m.state_dict()
    tsd = tm.state_dict()
    assert list(sd.keys()) == list(tsd.keys())
    for k in sd:
        assert tuple(sd[k].shape) == tuple(tsd[k].shape), k
        assert str(sd[k].dtype).split(".")[1] == str(tsd[k].dtype).split(".")[1], k
    # cytorch's weights into torch, perturbed so that init values (ones, zeros) are not special
    new = {}
    for k, v in sd.items():
        a = np_of(v)
        if a.dtype.kind == "f":
            a = a + RNG.uniform(-0.5, 0.5, a.shape).astype(a.dtype) if k != "running_var" else a + 0.3
        new[k] = a
    m.load_state_dict({k: cytorch.from_numpy(v.copy()) for k, v in new.items()})
    tm.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in new.items()})
    return m, tm


@pytest.mark.parametrize("layer", LAYERS, ids=IDS)
@pytest.mark.parametrize("training", [True, False])
def test_layer_against_torch(torch, layer, training):
    name, args, kw, shapes = layer
    if name == "RReLU" and training:
        pytest.skip("random slopes: checked in test_nn_functional.test_rrelu_training")
    m, tm = _pair(torch, name, args, kw)
    assert repr(m) == repr(tm)
    m.train(training)
    tm.train(training)
    ins, tins = [], []
    for s in shapes:
        if isinstance(s, np.ndarray):
            ins.append(cytorch.from_numpy(s.copy()))
            tins.append(torch.from_numpy(s.copy()))
        else:
            a = arr(*s) * 2
            ins.append(cytorch.from_numpy(a.copy()).requires_grad_())
            tins.append(torch.from_numpy(a.copy()).requires_grad_())
    for step in range(2):      # twice: running statistics feed the second step
        y = m(*ins)
        yt = tm(*tins)
        assert_close(y, yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        g = RNG.standard_normal(tuple(yt.shape)).astype(np.float32)
        y.backward(cytorch.from_numpy(g.copy()))
        yt.backward(torch.from_numpy(g.copy()))
    for a, b in zip(ins, tins):
        if b.requires_grad:
            assert_close(a.grad, b.grad.numpy(), rtol=1e-4, atol=1e-4)
    tparams = dict(tm.named_parameters())
    for k, p in m.named_parameters():
        if tparams[k].grad is None:
            assert p.grad is None
        else:
            assert_close(p.grad, tparams[k].grad.numpy(), rtol=1e-4, atol=1e-4)
    tsd = tm.state_dict()
    for k, v in m.state_dict().items():
        assert_close(v, tsd[k].numpy(), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- default initialisation

def test_default_init():
    cytorch.manual_seed(1)
    assert np.all(np_of(nn.PReLU(3).weight) == 0.25)
    for m in (nn.LayerNorm(5), nn.GroupNorm(1, 5), nn.BatchNorm1d(5), nn.InstanceNorm1d(5, affine=True)):
        assert np.all(np_of(m.weight) == 1) and np.all(np_of(m.bias) == 0)
    bn = nn.BatchNorm2d(5)
    assert np.all(np_of(bn.running_mean) == 0) and np.all(np_of(bn.running_var) == 1)
    assert bn.num_batches_tracked.dtype == cytorch.int64 and bn.num_batches_tracked.item() == 0
    assert np.all(np_of(nn.RMSNorm(4).weight) == 1)
    e = nn.Embedding(2000, 50, padding_idx=3)
    w = np_of(e.weight)
    assert np.all(w[3] == 0)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01          # N(0, 1) as PyTorch
    assert e.weight.requires_grad
    b = nn.EmbeddingBag(1000, 20)
    assert abs(np_of(b.weight).std() - 1) < 0.02


def test_no_affine_no_stats_state_dict(torch):
    for make in (lambda L: L.nn.BatchNorm1d(3, affine=False, track_running_stats=False),
                 lambda L: L.nn.InstanceNorm2d(3), lambda L: L.nn.LayerNorm(3, elementwise_affine=False),
                 lambda L: L.nn.GroupNorm(1, 3, affine=False), lambda L: L.nn.BatchNorm2d(3, bias=False)):
        m, tm = make(cytorch), make(torch)
        assert list(m.state_dict().keys()) == list(tm.state_dict().keys())
        assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
        assert repr(m) == repr(tm)


# ---------------------------------------------------------------- batch norm details

def test_batchnorm_cumulative_average():
    m = nn.BatchNorm1d(2, momentum=None)
    xs = [cytorch.from_numpy(arr(6, 2) + i) for i in range(3)]
    for x in xs:
        m(x)
    assert m.num_batches_tracked.item() == 3
    means = np.stack([np_of(x).mean(0) for x in xs]).mean(0)
    variances = np.stack([np_of(x).var(0, ddof=1) for x in xs]).mean(0)
    assert_close(m.running_mean, means, rtol=1e-5, atol=1e-6)
    # running_var starts at 1 and the first batch's factor is 1: the average of the batch variances
    assert_close(m.running_var, variances, rtol=1e-5, atol=1e-6)


def test_batchnorm_eval_uses_running_stats_and_no_update():
    m = nn.BatchNorm1d(3)
    with cytorch.no_grad():
        m.running_mean.copy_(cytorch.tensor([1.0, 2.0, 3.0]))
        m.running_var.copy_(cytorch.tensor([4.0, 1.0, 0.25]))
    m.eval()
    x = cytorch.from_numpy(arr(4, 3))
    y = m(x)
    ref = (np_of(x) - [1, 2, 3]) / np.sqrt(np.array([4, 1, 0.25]) + 1e-5)
    assert_close(y, ref.astype(np.float32), rtol=1e-5, atol=1e-6)
    assert m.num_batches_tracked.item() == 0
    assert_close(m.running_mean, np.array([1, 2, 3], np.float32))


def test_batchnorm_no_running_stats_eval_uses_batch():
    m = nn.BatchNorm1d(3, track_running_stats=False).eval()
    x = cytorch.from_numpy(arr(8, 3))
    xv = np_of(x)
    assert_close(m(x), ((xv - xv.mean(0)) / np.sqrt(xv.var(0) + 1e-5)).astype(np.float32), rtol=1e-4, atol=1e-5)
    assert m.running_mean is None and m.num_batches_tracked is None


def test_batchnorm_input_checks():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(cytorch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(cytorch.randn(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 5D input \(got 4D input\)"):
        nn.BatchNorm3d(3)(cytorch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(cytorch.randn(1, 3))
    nn.BatchNorm1d(3).eval()(cytorch.randn(1, 3))          # fine in eval mode
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm1d(3)(cytorch.randn(2, 4))


def test_batchnorm_old_checkpoint_without_num_batches_tracked():
    m = nn.BatchNorm1d(2)
    sd = m.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""]["version"] = 1
    n = nn.BatchNorm1d(2)
    n.num_batches_tracked.fill_(5)
    res = n.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert n.num_batches_tracked.item() == 5
    sd2 = m.state_dict()
    del sd2["num_batches_tracked"]
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        nn.BatchNorm1d(2).load_state_dict(sd2)


def test_batchnorm_double_and_to():
    m = nn.BatchNorm2d(3).double()
    assert m.running_mean.dtype == cytorch.float64 and m.num_batches_tracked.dtype == cytorch.int64
    y = m(cytorch.randn(2, 3, 2, 2, dtype=cytorch.float64))
    assert y.dtype == cytorch.float64


def test_instancenorm_feature_checks():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.InstanceNorm1d(3)(cytorch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match num_features \(3\), but got: 4"):
        nn.InstanceNorm1d(3, affine=True)(cytorch.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(cytorch.randn(2, 4, 5))


def test_instancenorm_unexpected_running_stats_in_old_checkpoint():
    src = nn.InstanceNorm1d(3, track_running_stats=True).state_dict()
    del src._metadata[""]
    with pytest.raises(RuntimeError, match="Unexpected running stats buffer"):
        nn.InstanceNorm1d(3).load_state_dict(src)


# ---------------------------------------------------------------- dropout

def test_dropout_train_eval():
    m = nn.Dropout(0.5)
    x = cytorch.ones(10000)
    y = np_of(m(x))
    assert set(np.unique(y)) == {0.0, 2.0}
    m.eval()
    assert m(x) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    assert repr(nn.Dropout2d(0.3, inplace=True)) == "Dropout2d(p=0.3, inplace=True)"


def test_dropout_reproducible_in_a_model():
    def run():
        cytorch.manual_seed(123)
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
        x = cytorch.randn(4, 8)
        out = model(x)
        out.sum().backward()
        return np_of(out), np_of(model[0].weight.grad)
    a, ga = run()
    b, gb = run()
    assert np.array_equal(a, b) and np.array_equal(ga, gb)


# ---------------------------------------------------------------- embeddings

def test_embedding_from_pretrained():
    w = cytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    assert e(cytorch.tensor([1])).tolist() == [[3.0, 4.0]]
    e2 = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=0)
    assert e2.weight.requires_grad and e2.padding_idx == 0
    e2(cytorch.tensor([0, 1])).sum().backward()
    assert e2.weight.grad.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    b = nn.EmbeddingBag.from_pretrained(w, mode="sum")
    assert not b.weight.requires_grad
    assert b(cytorch.tensor([[0, 1]])).tolist() == [[4.0, 6.0]]
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(cytorch.ones(3))
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(3, 2, _weight=cytorch.ones(2, 2))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    assert nn.Embedding(3, 2, padding_idx=-1).padding_idx == 2


def test_embedding_max_norm_module():
    cytorch.manual_seed(0)
    e = nn.Embedding(10, 4, max_norm=1.0)
    e(cytorch.tensor([1, 2]))
    norms = np.linalg.norm(np_of(e.weight), axis=1)
    assert np.all(norms[[1, 2]] <= 1 + 1e-6)
    assert repr(e) == "Embedding(10, 4, max_norm=1.0)"


def test_embedding_bag_repr(torch):
    for kw in ({}, {"mode": "sum", "padding_idx": 2}, {"max_norm": 2.0, "norm_type": 1.0}):
        assert repr(nn.EmbeddingBag(5, 3, **kw)) == repr(torch.nn.EmbeddingBag(5, 3, **kw))


# ---------------------------------------------------------------- misc

def test_hardtanh_checks_and_deprecated_names():
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        nn.Hardtanh(1.0, 0.5)
    with pytest.warns(FutureWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0


def test_softmax2d_check_and_module_inplace():
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        nn.Softmax2d()(cytorch.randn(2, 3))
    x = cytorch.tensor([-1.0, 1.0])
    assert nn.ReLU(inplace=True)(x) is x and x.tolist() == [0.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Softmax(dim=0)(x)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        nn.Softmax()(cytorch.randn(2, 3))


def test_circular_pad_input_check():
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        nn.CircularPad2d(1)(cytorch.randn(2, 3))


def test_groupnorm_ctor_check():
    with pytest.raises(ValueError, match=r"num_channels \(5\) must be divisible by num_groups \(2\)"):
        nn.GroupNorm(2, 5)


def test_layers_train_a_small_model():
    # a small net with norms, activations and dropout learns (loss drops)
    cytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 32), nn.LayerNorm(32), nn.GELU(), nn.Dropout(0.1),
                          nn.Linear(32, 32), nn.BatchNorm1d(32), nn.SiLU(), nn.Linear(32, 1))
    x = cytorch.randn(64, 4)
    y = (x[:, :1] * 2 - x[:, 1:2]).detach()
    first = None
    for _ in range(60):
        model.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        with cytorch.no_grad():
            for p in model.parameters():
                p -= 0.05 * p.grad
        first = first if first is not None else loss.item()
    assert loss.item() < 0.3 * first

"""RNN/LSTM/GRU, the cells and nn.utils.rnn: outputs and gradients against PyTorch with the
same weights, gradcheck through the fused kernel, packed sequences, errors, and a tiny
character-level language model that learns."""
import itertools
import warnings

import numpy as np
import pytest

import cytorch
from cytorch import nn
from cytorch._C import _rnn as K
from cytorch.autograd import gradcheck, gradgradcheck
from cytorch.nn._rnn_functional import _layer
from cytorch.nn.utils import rnn as U
from conftest import np_of

RNG = np.random.default_rng(0)


def _pair(torch, shape, dtype=np.float64, grad=True):
    a = RNG.standard_normal(shape).astype(dtype)
    return cytorch.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _close(a, b, tol):
    a = np_of(a)
    b = b.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _twins(torch, kind, *args, dtype=np.float64, **kw):
    """The same layer in both libraries, cytorch's weights copied into PyTorch's."""
    cm = getattr(nn, kind)(*args, **kw, dtype=cytorch.float64 if dtype == np.float64 else cytorch.float32)
    tm = getattr(torch.nn, kind)(*args, **kw, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    assert list(cm.state_dict()) == list(tm.state_dict())
    tm.load_state_dict({k: torch.tensor(np_of(v)) for k, v in cm.state_dict().items()})
    return cm, tm


def _grads_match(cm, tm, tol):
    for (n1, p1), (n2, p2) in zip(cm.named_parameters(), tm.named_parameters()):
        assert n1 == n2
        _close(p1.grad, p2.grad, tol)


RNN_OPTS = [o for o in itertools.product(["LSTM", "GRU", "RNN"], [1, 2], [True, False], [False, True],
                                         [False, True], [0, 3], [False, True], [True, False])
            if not (o[5] and o[0] != "LSTM")]


@pytest.mark.parametrize("kind,layers,bias,bf,bidir,proj,hx,batched", RNN_OPTS)
def test_matches_torch(torch, kind, layers, bias, bf, bidir, proj, hx, batched):
    I, H, T, B = 4, 5, 6, 3
    kw = dict(num_layers=layers, bias=bias, batch_first=bf, bidirectional=bidir)
    if proj:
        kw["proj_size"] = proj
    if kind == "RNN":
        kw["nonlinearity"] = "relu" if layers == 2 else "tanh"
    cm, tm = _twins(torch, kind, I, H, **kw)
    D, P = 2 if bidir else 1, proj or H
    cx, tx = _pair(torch, ((B, T, I) if bf else (T, B, I)) if batched else (T, I))
    ca, ta = [cx], [tx]
    if hx:
        ch, th = _pair(torch, (layers * D, B, P) if batched else (layers * D, P))
        if kind == "LSTM":
            cc, tc = _pair(torch, (layers * D, B, H) if batched else (layers * D, H))
            ca.append((ch, cc))
            ta.append((th, tc))
        else:
            ca.append(ch)
            ta.append(th)
    co, chn = cm(*ca)
    to, thn = tm(*ta)
    cl = (co * cytorch.tensor(g := RNG.standard_normal(tuple(to.shape)))).sum()
    tl = (to * torch.tensor(g)).sum()
    for c, t in (zip(chn, thn) if kind == "LSTM" else [(chn, thn)]):
        _close(c, t, 1e-10)
        g = RNG.standard_normal(tuple(t.shape))
        cl = cl + (c * cytorch.tensor(g)).sum()
        tl = tl + (t * torch.tensor(g)).sum()
    _close(co, to, 1e-10)
    cl.backward()
    tl.backward()
    _close(cx.grad, tx.grad, 1e-10)
    if hx:
        _close(ch.grad, th.grad, 1e-10)
        if kind == "LSTM":
            _close(cc.grad, tc.grad, 1e-10)
    _grads_match(cm, tm, 1e-10)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_float32_matches_torch(torch, kind):
    cm, tm = _twins(torch, kind, 16, 32, num_layers=2, batch_first=True, dtype=np.float32)
    cx, tx = _pair(torch, (4, 7, 16), np.float32)
    co, _ = cm(cx)
    to, _ = tm(tx)
    _close(co, to, 2e-5)
    co.sum().backward()
    to.sum().backward()
    _close(cx.grad, tx.grad, 2e-5)
    _grads_match(cm, tm, 1e-4)


@pytest.mark.parametrize("kind,bidir,layers,bf,sort,hx", list(itertools.product(
    ["LSTM", "GRU", "RNN"], [False, True], [1, 2], [False, True], [True, False], [False, True])))
def test_packed_sequence_matches_torch(torch, kind, bidir, layers, bf, sort, hx):
    I, H, T, B = 3, 4, 5, 4
    lens = [5, 3, 3, 1] if sort else [3, 5, 1, 3]
    cm, tm = _twins(torch, kind, I, H, num_layers=layers, bidirectional=bidir, batch_first=bf)
    cx, tx = _pair(torch, (B, T, I) if bf else (T, B, I))
    cp = U.pack_padded_sequence(cx, lens, batch_first=bf, enforce_sorted=sort)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, lens, batch_first=bf, enforce_sorted=sort)
    _close(cp.data, tp.data, 0)
    np.testing.assert_array_equal(cp.batch_sizes.numpy(), tp.batch_sizes.numpy())
    ca, ta = [cp], [tp]
    if hx:
        D = 2 if bidir else 1
        ch, th = _pair(torch, (layers * D, B, H))
        ca.append((ch, ch * 2) if kind == "LSTM" else ch)
        ta.append((th, th * 2) if kind == "LSTM" else th)
    co, chn = cm(*ca)
    to, thn = tm(*ta)
    assert isinstance(co, U.PackedSequence)
    cpad, clen = U.pad_packed_sequence(co, batch_first=bf, padding_value=-1.0, total_length=7)
    tpad, tlen = torch.nn.utils.rnn.pad_packed_sequence(to, batch_first=bf, padding_value=-1.0, total_length=7)
    _close(cpad, tpad, 1e-10)
    np.testing.assert_array_equal(clen.numpy(), tlen.numpy())
    if kind == "LSTM":
        chn, thn = chn[0] + chn[1] * 3, thn[0] + thn[1] * 3
    _close(chn, thn, 1e-10)
    g, gh = RNG.standard_normal(tuple(tpad.shape)), RNG.standard_normal(tuple(thn.shape))
    ((cpad * cytorch.tensor(g)).sum() + (chn * cytorch.tensor(gh)).sum()).backward()
    ((tpad * torch.tensor(g)).sum() + (thn * torch.tensor(gh)).sum()).backward()
    _close(cx.grad, tx.grad, 1e-10)
    if hx:
        _close(ch.grad, th.grad, 1e-10)
    _grads_match(cm, tm, 1e-10)


@pytest.mark.parametrize("kind,kw", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
                                     ("GRUCell", {}), ("GRUCell", {"bias": False}), ("LSTMCell", {"bias": False})])
@pytest.mark.parametrize("batched,hx", [(True, True), (True, False), (False, True)])
def test_cells_match_torch(torch, kind, kw, batched, hx):
    cm, tm = _twins(torch, kind, 4, 6, **kw)
    cx, tx = _pair(torch, (3, 4) if batched else (4,))
    ca, ta = [cx], [tx]
    if hx:
        ch, th = _pair(torch, (3, 6) if batched else (6,))
        if kind == "LSTMCell":
            cc, tc = _pair(torch, (3, 6) if batched else (6,))
            ca.append((ch, cc))
            ta.append((th, tc))
        else:
            ca.append(ch)
            ta.append(th)
    co, to = cm(*ca), tm(*ta)
    if kind == "LSTMCell":
        _close(co[0], to[0], 1e-12)
        _close(co[1], to[1], 1e-12)
        (co[0].sum() + 2 * co[1].sum()).backward()
        (to[0].sum() + 2 * to[1].sum()).backward()
    else:
        _close(co, to, 1e-12)
        co.sum().backward()
        to.sum().backward()
    _close(cx.grad, tx.grad, 1e-12)
    if hx:
        _close(ch.grad, th.grad, 1e-12)
    _grads_match(cm, tm, 1e-12)
    assert repr(cm) == repr(tm)


def test_rnn_layer_gradcheck():
    """The fused layer's node: gradcheck and gradgradcheck (the double backward differentiates
    the explicit per-step form) for every mode, both directions, packed rows, projections."""
    cytorch.manual_seed(0)
    f64 = dict(dtype=cytorch.float64, requires_grad=True)
    for mode, proj, packed in (("LSTM", 0, False), ("LSTM", 2, True), ("GRU", 0, True), ("RNN_TANH", 0, False),
                               ("RNN_RELU", 0, True)):
        G = {"LSTM": 4, "GRU": 3}.get(mode, 1)
        I, H, T, B = 2, 3, 3, 2
        P = proj or H
        bs = cytorch.tensor([2, 2, 1]) if packed else None
        N = 5 if packed else T * B
        x = cytorch.randn(N, I, **f64)
        h0 = cytorch.randn(2, B, P, **f64)
        c0 = cytorch.randn(2, B, H, **f64) if mode == "LSTM" else None
        ws = [cytorch.randn(*s, **f64) for _ in range(2) for s in ((G * H, I), (G * H, P), (G * H,), (G * H,))]
        wr = [cytorch.randn(P, H, **f64) for _ in range(2)] if proj else [None, None]

        def f(x, h0, *rest):
            c = rest[0] if c0 is not None else None
            w = rest[1:] if c0 is not None else rest
            dirs = [tuple(w[4 * d:4 * d + 4]) + ((w[8 + d],) if proj else (None,)) for d in range(2)]
            y, hn, cn = _layer(mode, x, bs, T, B, h0, c, dirs)
            return (y, hn) if cn is None else (y, hn, cn)
        inputs = (x, h0) + ((c0,) if c0 is not None else ()) + tuple(ws) + (tuple(wr) if proj else ())
        assert gradcheck(f, inputs), mode
        assert gradgradcheck(f, inputs), mode


def test_same_result_with_1_and_2_threads():
    cytorch.manual_seed(0)
    m = nn.LSTM(32, 64, bidirectional=True)
    x = cytorch.randn(9, 16, 32, requires_grad=True)
    res = []
    for n in (1, 2):
        cytorch.set_num_threads(n)
        m.zero_grad()
        x.grad = None
        out, _ = m(x)
        out.sum().backward()
        res.append([np_of(out), np_of(x.grad), np_of(m.weight_hh_l0.grad)])
    cytorch.set_num_threads(2)
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_dropout_between_layers():
    cytorch.manual_seed(0)
    m = nn.GRU(4, 8, num_layers=2, dropout=0.5)
    x = cytorch.randn(5, 2, 4)
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    np.testing.assert_array_equal(np_of(a), np_of(b))
    m.train()
    cytorch.manual_seed(1)
    c, _ = m(x)
    cytorch.manual_seed(1)
    d, _ = m(x)
    np.testing.assert_array_equal(np_of(c), np_of(d))
    assert not np.allclose(np_of(c), np_of(a))
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


def test_parameters_and_init(torch):
    m = nn.LSTM(10, 20, num_layers=2, bidirectional=True, proj_size=5)
    t = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True, proj_size=5)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    bound = 1 / np.sqrt(20)
    for p in m.parameters():
        a = np_of(p)
        assert np.abs(a).max() <= bound
    assert repr(m) == repr(t)
    assert repr(nn.RNN(3, 4, 2, nonlinearity="relu", bias=False, batch_first=True, dropout=0.1)) == \
        repr(torch.nn.RNN(3, 4, 2, nonlinearity="relu", bias=False, batch_first=True, dropout=0.1))
    assert len(m.all_weights) == 4 and len(m.all_weights[0]) == 5
    m.flatten_parameters()
    # weights move both ways
    t.load_state_dict({k: torch.tensor(np_of(v)) for k, v in m.state_dict().items()})
    m2 = nn.LSTM(10, 20, num_layers=2, bidirectional=True, proj_size=5)
    m2.load_state_dict({k: cytorch.tensor(v.numpy()) for k, v in t.state_dict().items()})
    np.testing.assert_array_equal(np_of(m2.weight_hr_l1_reverse), np_of(m.weight_hr_l1_reverse))


def test_module_to_double_keeps_working():
    m = nn.GRU(3, 4).double()
    out, h = m(cytorch.randn(2, 1, 3, dtype=cytorch.float64))
    assert out.dtype == cytorch.float64


def test_errors():
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="hidden_size should be of type int"):
        nn.LSTM(3, 4.0)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.GRU(3, 0)
    m = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"):
        m(cytorch.randn(2, 1, 5))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        m(cytorch.randn(2, 1, 1, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]"):
        m(cytorch.randn(5, 2, 3), (cytorch.zeros(1, 3, 4), cytorch.zeros(1, 2, 4)))
    with pytest.raises(RuntimeError, match="hx and cx should also be 3-D"):
        m(cytorch.randn(5, 2, 3), (cytorch.zeros(2, 4), cytorch.zeros(2, 4)))
    with pytest.raises(ValueError, match="does not match weight dtype"):
        m(cytorch.randn(5, 2, 3, dtype=cytorch.float64))
    g = nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 2, 5\]"):
        g(cytorch.randn(5, 2, 3), cytorch.zeros(1, 2, 5))
    with pytest.raises(RuntimeError, match="hx should also be 2-D"):
        g(cytorch.randn(5, 3), cytorch.zeros(1, 2, 4))
    c = nn.LSTMCell(3, 4)
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        c(cytorch.randn(2, 5))
    with pytest.raises(RuntimeError, match="doesn't match hidden0 batch size"):
        c(cytorch.randn(2, 3), (cytorch.zeros(3, 4), cytorch.zeros(3, 4)))
    with pytest.raises(ValueError, match="GRUCell: Expected input to be 1D or 2D"):
        nn.GRUCell(3, 4)(cytorch.randn(1, 2, 3))


def test_kernel_shims_refuse_bad_arguments():
    x = cytorch.randn(6, 3)
    w_ih, w_hh = cytorch.randn(16, 3), cytorch.randn(16, 4)
    h0, c0 = cytorch.zeros(2, 4), cytorch.zeros(2, 4)
    y, hn, cn = cytorch.empty(6, 4), cytorch.empty(2, 4), cytorch.empty(2, 4)
    with pytest.raises(RuntimeError, match="rows"):
        K.forward("LSTM", False, x, w_ih, w_hh, None, None, None, h0, c0, None, 4, 2, y, 0, hn, cn)
    with pytest.raises(RuntimeError, match="non-increasing"):
        K.forward("LSTM", False, x, w_ih, w_hh, None, None, None, h0, c0, cytorch.tensor([2, 3, 1]), 3, 2, y, 0,
                  hn, cn)
    with pytest.raises(RuntimeError, match="output"):
        K.forward("LSTM", False, x, w_ih, w_hh, None, None, None, h0, c0, None, 3, 2, y, 1, hn, cn)
    with pytest.raises(RuntimeError, match="weight_hh"):
        K.forward("LSTM", False, x, w_ih, cytorch.randn(16, 5), None, None, None, h0, c0, None, 3, 2, y, 0, hn, cn)
    with pytest.raises(RuntimeError, match="h_n"):
        K.forward("LSTM", False, x, w_ih, w_hh, None, None, None, h0, c0, None, 3, 2, y, 0, cytorch.empty(3), cn)


# ---------------------------------------------------------------- nn.utils.rnn

def test_utils_match_torch(torch):
    seqs = [RNG.standard_normal((n, 2)) for n in (4, 2, 3)]
    cs, ts = [cytorch.tensor(s) for s in seqs], [torch.tensor(s) for s in seqs]
    tu = torch.nn.utils.rnn
    for bf, side in itertools.product([False, True], ["right", "left"]):
        _close(U.pad_sequence(cs, bf, -2.0, side), tu.pad_sequence(ts, bf, -2.0, side), 0)
    cp, tp = U.pack_sequence(cs, enforce_sorted=False), tu.pack_sequence(ts, enforce_sorted=False)
    _close(cp.data, tp.data, 0)
    np.testing.assert_array_equal(cp.sorted_indices.numpy(), tp.sorted_indices.numpy())
    np.testing.assert_array_equal(cp.unsorted_indices.numpy(), tp.unsorted_indices.numpy())
    for a, b in zip(U.unpack_sequence(cp), tu.unpack_sequence(tp)):
        _close(a, b, 0)
    for a, b in zip(U.unpad_sequence(U.pad_sequence(cs), cytorch.tensor([4, 2, 3])),
                    tu.unpad_sequence(tu.pad_sequence(ts), torch.tensor([4, 2, 3]))):
        _close(a, b, 0)
    sorted_p = U.pack_sequence([cs[0], cs[2], cs[1]])
    assert sorted_p.sorted_indices is None and sorted_p.batch_sizes.tolist() == [3, 3, 2, 1]
    assert sorted_p.to(cytorch.float32).data.dtype == cytorch.float32
    assert sorted_p.to(cytorch.float64) is sorted_p
    assert U.PackedSequence(sorted_p.data, sorted_p.batch_sizes)._fields == \
        ("data", "batch_sizes", "sorted_indices", "unsorted_indices")


def test_packing_is_differentiable(torch):
    cx, tx = _pair(torch, (4, 3, 2))
    cp = U.pack_padded_sequence(cx, [4, 2, 1])
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, [4, 2, 1])
    w = RNG.standard_normal(tuple(tp.data.shape))
    (cp.data * cytorch.tensor(w)).sum().backward()
    (tp.data * torch.tensor(w)).sum().backward()
    _close(cx.grad, tx.grad, 0)


def test_utils_errors():
    x = cytorch.randn(4, 3, 2)
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        U.pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match="Expected `len\\(lengths\\)` to be equal to batch_size"):
        U.pack_padded_sequence(x, [4, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        U.pack_padded_sequence(x, [4, 3, 0])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        U.pad_packed_sequence(U.pack_padded_sequence(x, [4, 3, 1]), total_length=2)
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        U.pad_sequence([])
    assert nn.utils.rnn.PackedSequence is U.PackedSequence


# ---------------------------------------------------------------- a tiny character-level language model

def test_char_lm_learns():
    """Embedding -> LSTM -> Linear on a repeating text: the next-character loss falls clearly."""
    text = "hello world, hello cytorch. " * 8
    chars = sorted(set(text))
    ids = cytorch.tensor([chars.index(c) for c in text])
    V, T, B = len(chars), 16, 8
    cytorch.manual_seed(0)

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, 16)
            self.lstm = nn.LSTM(16, 32, batch_first=True)
            self.out = nn.Linear(32, V)

        def forward(self, x):
            h, _ = self.lstm(self.emb(x))
            return self.out(h)

    model = LM()
    opt = cytorch.optim.Adam(model.parameters(), lr=0.02)
    starts = np.random.default_rng(0).integers(0, len(text) - T - 1, size=(40, B))
    losses = []
    for step in range(40):
        idx = cytorch.tensor(starts[step][:, None] + np.arange(T)[None, :])
        x, y = ids[idx], ids[idx + 1]
        loss = nn.functional.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[0] > 2.5
    assert np.mean(losses[-5:]) < 0.5 * losses[0], losses

"""Losses (cytorch.nn.functional and the nn loss modules): NumPy references for the main ones,
every loss against PyTorch (forward and gradients, every reduction), gradcheck and
gradgradcheck in float64, the fused kernels' layouts and thread-count independence, errors."""
import warnings

import numpy as np
import pytest

import cytorch
import cytorch.nn as nn
import cytorch.nn.functional as F
from cytorch.autograd import gradcheck, gradgradcheck
from conftest import assert_close, np_of

RNG = np.random.default_rng(2024)
REDS = ["none", "mean", "sum"]


def ct(a, grad=False):
    t = cytorch.tensor(np.asarray(a))
    return t.requires_grad_() if grad else t


def _reduce(v, reduction):
    return {"none": v, "mean": v.mean(), "sum": v.sum()}[reduction]


def _log_softmax(x, axis=1):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


# ---------------------------------------------------------------- NumPy references (no torch needed)

def ref_cross_entropy(x, t, weight=None, ignore=-100, ls=0.0, reduction="mean"):
    """x (N, C, d...), t (N, d...) class indices."""
    C = x.shape[1]
    lp = np.moveaxis(_log_softmax(x, 1), 1, -1)          # (N, d..., C)
    w = np.ones(C) if weight is None else weight
    valid = t != ignore
    tc = np.where(valid, t, 0)
    wt = w[tc] * valid
    nll = -wt * np.take_along_axis(lp, tc[..., None], -1)[..., 0]
    smooth = -(lp * w).sum(-1) * valid
    loss = (1 - ls) * nll + ls / C * smooth
    if reduction == "mean":
        return loss.sum() / wt.sum()
    return _reduce(loss, reduction)


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("ls", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 7), (2, 3, 4, 5), (2, 3, 2, 2, 3)])
def test_cross_entropy_numpy(shape, weighted, ls, reduction):
    x = RNG.standard_normal(shape)
    N, C = shape[:2]
    t = RNG.integers(0, C, (N,) + shape[2:])
    t.reshape(-1)[::4] = -100
    w = RNG.uniform(0.5, 2.0, C) if weighted else None
    out = F.cross_entropy(ct(x), ct(t), weight=None if w is None else ct(w), label_smoothing=ls,
                          reduction=reduction)
    assert_close(out, ref_cross_entropy(x, t, w, -100, ls, reduction), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_grad_numpy(dtype):
    # d/dx mean CE = (softmax(x) - onehot) / N
    x = RNG.standard_normal((8, 6)).astype(dtype)
    t = RNG.integers(0, 6, 8)
    xt = ct(x, True)
    F.cross_entropy(xt, ct(t)).backward()
    p = np.exp(_log_softmax(x.astype(np.float64)))
    p[np.arange(8), t] -= 1
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert_close(xt.grad, (p / 8).astype(dtype), rtol=tol, atol=tol)


def test_nll_loss_numpy():
    lp = _log_softmax(RNG.standard_normal((5, 4)))
    t = np.array([0, 3, -100, 1, 2])
    w = np.array([1.0, 2.0, 0.5, 3.0])
    out = F.nll_loss(ct(lp), ct(t), weight=ct(w))
    valid = t != -100
    ref = -(w[t[valid]] * lp[valid.nonzero()[0], t[valid]]).sum() / w[t[valid]].sum()
    assert_close(out, ref, rtol=1e-12)
    s = F.nll_loss(ct(lp), ct(np.array([0, 3, 3, 1, 2])), ignore_index=3, reduction="sum")
    assert_close(s, -(lp[0, 0] + lp[3, 1] + lp[4, 2]), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDS)
def test_regression_numpy(reduction):
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5)) * 2
    d = a - b
    ad = np.abs(d)
    assert_close(F.mse_loss(ct(a), ct(b), reduction=reduction), _reduce(d * d, reduction), rtol=1e-12)
    assert_close(F.l1_loss(ct(a), ct(b), reduction=reduction), _reduce(ad, reduction), rtol=1e-12)
    sl1 = np.where(ad < 0.5, 0.5 * d * d / 0.5, ad - 0.25)
    assert_close(F.smooth_l1_loss(ct(a), ct(b), reduction=reduction, beta=0.5), _reduce(sl1, reduction), rtol=1e-12)
    hub = np.where(ad < 1.5, 0.5 * d * d, 1.5 * (ad - 0.75))
    assert_close(F.huber_loss(ct(a), ct(b), reduction=reduction, delta=1.5), _reduce(hub, reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDS)
def test_bce_numpy(reduction):
    x = RNG.standard_normal((3, 4)) * 3
    y = RNG.uniform(0, 1, (3, 4))
    pw = RNG.uniform(0.5, 2, 4)
    w = RNG.uniform(0.5, 2, (3, 1))
    ls = -np.logaddexp(0, -x)                 # log sigmoid(x)
    lns = -np.logaddexp(0, x)                 # log(1 - sigmoid(x))
    ref = -w * (pw * y * ls + (1 - y) * lns)
    out = F.binary_cross_entropy_with_logits(ct(x), ct(y), weight=ct(w), pos_weight=ct(pw), reduction=reduction)
    assert_close(out, _reduce(ref, reduction), rtol=1e-12)
    p = 1 / (1 + np.exp(-x))
    ref = -w * (y * np.log(p) + (1 - y) * np.log(1 - p))
    out = F.binary_cross_entropy(ct(p), ct(y), weight=ct(w), reduction=reduction)
    assert_close(out, _reduce(ref, reduction), rtol=1e-10)


def test_bce_clamps_log():
    out = F.binary_cross_entropy(ct([0.0, 1.0, 0.0]), ct([1.0, 0.0, 0.0]), reduction="none")
    assert_close(out, np.array([100.0, 100.0, 0.0]))


def test_bce_with_logits_extreme_values():
    x = ct(np.array([-200.0, 200.0, 0.0], dtype=np.float32), True)
    y = ct(np.array([1.0, 0.0, 1.0], dtype=np.float32))
    out = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert_close(out, np.array([200.0, 200.0, np.log(2)], dtype=np.float32), rtol=1e-6)
    out.sum().backward()
    assert_close(x.grad, np.array([-1.0, 1.0, -0.5], dtype=np.float32))


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("pos", [False, True])
def test_bce_with_logits_float32_accuracy(pos, hard):
    # the float32 kernel's own exp/log1p against float64 NumPy over a wide range of logits; with
    # hard labels every loss (down to ~1e-38) is relatively exact, soft labels cancel (|x| ulps)
    x = np.concatenate([np.linspace(-40, 40, 2001), [-1e-6, 0.0, 1e-6, 80.0, -80.0, 200.0]]).astype(np.float32)
    y = RNG.uniform(0, 1, x.shape).astype(np.float32)
    y = (y > 0.5).astype(np.float32) if hard else y
    pw = np.full(x.shape, 1.7, dtype=np.float32) if pos else np.ones(x.shape, dtype=np.float32)
    xd, yd, pd = (a.astype(np.float64) for a in (x, y, pw))
    ref = -(pd * yd * -np.logaddexp(0, -xd) + (1 - yd) * -np.logaddexp(0, xd))
    xt = ct(x, True)
    out = F.binary_cross_entropy_with_logits(xt, ct(y), pos_weight=ct(pw) if pos else None, reduction="none")
    assert_close(out, ref.astype(np.float32), rtol=2e-6, atol=0 if hard else 2e-5)
    out.sum().backward()
    sig = 1 / (1 + np.exp(-xd))
    assert_close(xt.grad, ((1 + (pd - 1) * yd) * sig - pd * yd).astype(np.float32), rtol=2e-6, atol=5e-7)


def test_kl_div_numpy():
    lp = _log_softmax(RNG.standard_normal((3, 4)))
    q = np.exp(_log_softmax(RNG.standard_normal((3, 4))))
    q[0, 0] = 0.0
    ref = np.where(q > 0, q * (np.log(np.where(q > 0, q, 1)) - lp), 0.0)
    assert_close(F.kl_div(ct(lp), ct(q), reduction="batchmean"), ref.sum() / 3, rtol=1e-12)
    assert_close(F.kl_div(ct(lp), ct(np.log(q + 1e-300)), reduction="sum", log_target=True),
                 (q * (np.log(q + 1e-300) - lp)).sum(), rtol=1e-10)


# ---------------------------------------------------------------- every loss against PyTorch

def _case_list():
    x = RNG.standard_normal((6, 5))
    y = RNG.standard_normal((6, 5))
    prob = np.exp(_log_softmax(y))
    sig = 1 / (1 + np.exp(-x))
    lab = np.array([1, -1, 1, -1, 1, 1])
    tgt = np.array([0, 1, 4, 3, -100, 2])
    tml = np.array([[0, 1, -1, 2, 2], [1, -1, 0, 0, 0], [4, 3, 2, 1, 0], [-1, 0, 0, 0, 0], [2, 2, -1, 0, 0],
                    [3, -1, 1, 1, 1]])
    w5 = RNG.uniform(0.5, 2, 5)
    x3 = RNG.standard_normal((2, 5, 3, 2))
    t3 = RNG.integers(0, 5, (2, 3, 2))
    t3[0, 0, 0] = -100
    # name, function, inputs (numpy), indices of inputs that require grad, kwargs (numpy weights)
    return [
        ("mse", "mse_loss", [x, y], [0, 1], {}),
        ("mse_weight", "mse_loss", [x, y], [0, 1], {"weight": np.abs(y)}),
        ("l1", "l1_loss", [x, y], [0, 1], {}),
        ("l1_weight", "l1_loss", [x, y], [0], {"weight": np.abs(y)}),
        ("smooth_l1", "smooth_l1_loss", [x, y], [0, 1], {"beta": 0.5}),
        ("smooth_l1_beta0", "smooth_l1_loss", [x, y], [0], {"beta": 0.0}),
        ("huber", "huber_loss", [x, y], [0, 1], {"delta": 0.7}),
        ("huber_weight", "huber_loss", [x, y], [0], {"delta": 0.7, "weight": np.abs(y)}),
        ("ce", "cross_entropy", [x, tgt], [0], {}),
        ("ce_weight_ls", "cross_entropy", [x, tgt], [0], {"weight": w5, "label_smoothing": 0.2}),
        ("ce_ignore", "cross_entropy", [x, np.array([0, 1, 4, 3, 3, 2])], [0], {"ignore_index": 3}),
        ("ce_4d", "cross_entropy", [x3, t3], [0], {"weight": w5, "label_smoothing": 0.1}),
        ("ce_unbatched", "cross_entropy", [x[0], np.array(3)], [0], {"label_smoothing": 0.3}),
        ("ce_probs", "cross_entropy", [x, prob], [0, 1], {"label_smoothing": 0.1, "weight": w5}),
        ("nll", "nll_loss", [x, tgt], [0], {"weight": w5}),
        ("nll_4d", "nll_loss", [x3, t3], [0], {}),
        ("bce", "binary_cross_entropy", [sig, np.abs(prob)], [0, 1], {"weight": w5}),
        ("bce_logits", "binary_cross_entropy_with_logits", [x, prob], [0, 1], {"weight": w5[None, :],
                                                                              "pos_weight": w5[::-1].copy()}),
        ("kl", "kl_div", [x, prob], [0, 1], {}),
        ("kl_log_target", "kl_div", [x, y], [0, 1], {"log_target": True}),
        ("poisson", "poisson_nll_loss", [x, np.abs(y) * 3], [0, 1], {"full": True}),
        ("poisson_lin", "poisson_nll_loss", [np.abs(x), np.abs(y) * 3], [0, 1], {"log_input": False}),
        ("gaussian", "gaussian_nll_loss", [x, y, np.abs(y[:, :1]) + 0.1], [0, 1, 2], {"full": True}),
        ("gaussian_nodim", "gaussian_nll_loss", [x, y, np.abs(y[:, 0]) + 0.1], [0, 1, 2], {}),
        ("cosine", "cosine_embedding_loss", [x, y, lab], [0, 1], {"margin": 0.2}),
        ("margin_rank", "margin_ranking_loss", [x[:, 0], y[:, 0], lab.astype(float)], [0, 1], {"margin": 0.1}),
        ("hinge", "hinge_embedding_loss", [x, np.sign(y)], [0], {"margin": 0.5}),
        ("triplet", "triplet_margin_loss", [x, y, 0.5 * x + 0.1], [0, 1, 2], {"swap": True, "p": 1.5}),
        ("triplet_dist", "triplet_margin_with_distance_loss", [x, y, 0.5 * x + 0.1], [0, 1, 2], {"swap": True}),
        ("mlsm", "multilabel_soft_margin_loss", [x, (y > 0).astype(float)], [0], {"weight": w5}),
        ("soft_margin", "soft_margin_loss", [x, np.sign(y)], [0], {}),
        ("multi_margin", "multi_margin_loss", [x, np.array([0, 1, 4, 3, 2, 2])], [0], {"p": 2, "margin": 0.8,
                                                                                       "weight": w5}),
        ("multi_margin_1d", "multi_margin_loss", [x[0], np.array(2)], [0], {}),
        ("mlm", "multilabel_margin_loss", [x, tml], [0], {}),
    ]


CASES = _case_list()


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_vs_torch(torch, case, reduction):
    _, fname, args, grad_idx, kw = case
    ta = [torch.tensor(a).requires_grad_(i in grad_idx) for i, a in enumerate(args)]
    ca = [ct(a, i in grad_idx) for i, a in enumerate(args)]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    ckw = {k: ct(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tout = getattr(torch.nn.functional, fname)(*ta, reduction=reduction, **tkw)
        cout = getattr(F, fname)(*ca, reduction=reduction, **ckw)
    assert tuple(cout.shape) == tuple(tout.shape)
    assert_close(cout, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = RNG.standard_normal(tuple(tout.shape))
    tg = torch.autograd.grad(tout, [ta[i] for i in grad_idx], torch.tensor(g))
    cg = cytorch.autograd.grad(cout, [ca[i] for i in grad_idx], ct(g))
    for a, b in zip(tg, cg):
        assert_close(b, a.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("ls", [0.0, 0.1])
@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (64, 10), (33, 63), (20, 64), (9, 1000), (2, 9000),
                                   (4, 3, 300), (2, 7, 5, 4)])
def test_cross_entropy_shapes_float32(torch, shape, ls, reduction):
    # both kernel layouts ((N, C) rows, short and long; (N, C, d) columns), float32
    x = RNG.standard_normal(shape).astype(np.float32) * 3
    t = RNG.integers(0, shape[1], (shape[0],) + shape[2:])
    t.reshape(-1)[1::5] = -100
    w = RNG.uniform(0.5, 2, shape[1]).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    cx = ct(x, True)
    tout = torch.nn.functional.cross_entropy(tx, torch.tensor(t), torch.tensor(w), label_smoothing=ls,
                                             reduction=reduction)
    cout = F.cross_entropy(cx, ct(t), ct(w), label_smoothing=ls, reduction=reduction)
    assert_close(cout, tout.detach().numpy(), rtol=2e-5, atol=2e-6)
    g = RNG.standard_normal(tuple(tout.shape)).astype(np.float32)
    tout.backward(torch.tensor(g))
    cout.backward(ct(g))
    assert_close(cx.grad, tx.grad.numpy(), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_cross_entropy_low_precision(torch, dtype):
    x = RNG.standard_normal((8, 5)).astype(np.float32)
    t = RNG.integers(0, 5, 8)
    tx = torch.tensor(x).to(getattr(torch, dtype)).requires_grad_()
    cx = ct(x).to(getattr(cytorch, dtype)).requires_grad_()
    tout = torch.nn.functional.cross_entropy(tx, torch.tensor(t))
    cout = F.cross_entropy(cx, ct(t))
    assert cout.dtype == getattr(cytorch, dtype)
    assert_close(cout.float(), tout.float().detach().numpy(), rtol=1e-2, atol=1e-2)
    tout.backward()
    cout.backward()
    assert cx.grad.dtype == getattr(cytorch, dtype)
    assert_close(cx.grad.float(), tx.grad.float().numpy(), rtol=2e-2, atol=2e-3)


def test_cross_entropy_uint8_target_and_all_ignored(torch):
    x = RNG.standard_normal((4, 5))
    t = np.array([0, 1, 2, 3], dtype=np.uint8)
    assert_close(F.cross_entropy(ct(x), ct(t)),
                 torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(t)).numpy(), rtol=1e-12)
    xt = ct(x, True)
    out = F.cross_entropy(xt, ct(np.full(4, -100)))
    assert np.isnan(out.item())
    out.backward()
    assert_close(xt.grad, np.zeros((4, 5)))


def test_bce_edge_gradients(torch):
    # x at 0 and 1: PyTorch's gradient keeps the denominator at 1e-12 (finite, not nan)
    x = ct(np.array([0.0, 1.0, 0.5]), True)
    y = ct(np.array([1.0, 0.0, 0.5]), True)
    F.binary_cross_entropy(x, y).backward()
    tx = torch.tensor([0.0, 1.0, 0.5], dtype=torch.float64, requires_grad=True)
    ty = torch.tensor([1.0, 0.0, 0.5], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.binary_cross_entropy(tx, ty).backward()
    assert_close(x.grad, tx.grad.numpy(), rtol=1e-8)
    assert_close(y.grad, ty.grad.numpy(), rtol=1e-8)


def test_double_backward_vs_torch(torch):
    # grad of (||d loss / d x||^2) through the fused cross-entropy and BCE-with-logits
    x = RNG.standard_normal((5, 4))
    t = np.array([0, 3, 1, -100, 2])
    y = RNG.uniform(0, 1, (5, 4))
    w = RNG.uniform(0.5, 2, 4)

    def run(lib, Fm, mk):
        xx = mk(x)
        l1 = Fm.cross_entropy(xx, lib.tensor(t), weight=lib.tensor(w), label_smoothing=0.2)
        l2 = Fm.binary_cross_entropy_with_logits(xx, lib.tensor(y), pos_weight=lib.tensor(w))
        g, = lib.autograd.grad(l1 + l2, xx, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), xx)
        return gg
    a = run(torch, torch.nn.functional, lambda a: torch.tensor(a, requires_grad=True))
    b = run(cytorch, F, lambda a: ct(a, True))
    assert_close(b, a.numpy(), rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- gradcheck / gradgradcheck (float64)

def _grad_cases():
    t = cytorch.tensor([0, 3, 1, -100])
    t3 = cytorch.tensor([[0, 1, 2], [2, -100, 1]])
    w = ct(RNG.uniform(0.5, 2, 4))
    y = ct(RNG.uniform(0, 1, (4, 4)), True)
    lab = cytorch.tensor([1, -1, 1, -1])
    return [
        ("ce", lambda x: F.cross_entropy(x, t, weight=w, label_smoothing=0.2), [(4, 4)]),
        ("ce_none", lambda x: F.cross_entropy(x, t, reduction="none", label_smoothing=0.1), [(4, 4)]),
        ("ce_3d", lambda x: F.cross_entropy(x, t3, weight=w[:3], reduction="sum"), [(2, 3, 3)]),
        ("ce_probs", lambda x, p: F.cross_entropy(x, p.softmax(1), label_smoothing=0.1), [(4, 4), (4, 4)]),
        ("nll", lambda x: F.nll_loss(x, t, weight=w), [(4, 4)]),
        ("nll_3d_none", lambda x: F.nll_loss(x, t3, reduction="none"), [(2, 3, 3)]),
        ("bce", lambda x: F.binary_cross_entropy(x.sigmoid(), y.detach(), weight=w), [(4, 4)]),
        ("bce_target", lambda x, yy: F.binary_cross_entropy(x.sigmoid(), yy.sigmoid()), [(4, 4), (4, 4)]),
        ("bce_logits", lambda x, yy: F.binary_cross_entropy_with_logits(x, yy, weight=w, pos_weight=w.flip(0)),
         [(4, 4), (4, 4)]),
        ("bce_logits_none", lambda x: F.binary_cross_entropy_with_logits(x, y.detach(), reduction="none"),
         [(4, 4)]),
        ("smooth_l1", lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), [(4, 4), (4, 4)]),
        ("huber", lambda a, b: F.huber_loss(a, b, delta=0.5), [(4, 4), (4, 4)]),
        ("kl", lambda a, b: F.kl_div(a, b.softmax(1), reduction="batchmean"), [(4, 4), (4, 4)]),
        ("gaussian", lambda a, b, v: F.gaussian_nll_loss(a, b, v.exp()), [(4, 4), (4, 4), (4, 1)]),
        ("cosine", lambda a, b: F.cosine_embedding_loss(a, b, lab, margin=-0.5), [(4, 4), (4, 4)]),
        ("triplet", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0), [(4, 4), (4, 4), (4, 4)]),
        ("mlsm", lambda a: F.multilabel_soft_margin_loss(a, (y.detach() > 0.5).double()), [(4, 4)]),
        ("soft_margin", lambda a: F.soft_margin_loss(a, lab.double()[:, None]), [(4, 4)]),
        ("multi_margin", lambda a: F.multi_margin_loss(a, cytorch.tensor([0, 3, 1, 2]), p=2, margin=3.0),
         [(4, 4)]),
        ("mlm", lambda a: F.multilabel_margin_loss(a, cytorch.tensor([[0, 1, -1, 2]] * 4)), [(4, 4)]),
    ]


GRAD_CASES = _grad_cases()


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(case):
    _, f, shapes = case
    inputs = tuple(ct(RNG.standard_normal(s), True) for s in shapes)
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


# ---------------------------------------------------------------- fused kernels: layout, threads

def test_cross_entropy_noncontiguous_and_views():
    base = RNG.standard_normal((5, 6))
    t = np.array([0, 1, 2, 3, 4, 0])
    xt = ct(base).t()                                   # (6, 5), transposed view
    assert not xt.is_contiguous()
    assert_close(F.cross_entropy(xt, ct(t), reduction="none"),
                 ref_cross_entropy(base.T, t, reduction="none"), rtol=1e-12)


def test_cross_entropy_thread_count_independent():
    x = ct(RNG.standard_normal((300, 257)).astype(np.float32))
    t = ct(RNG.integers(0, 257, 300))
    x4 = ct(RNG.standard_normal((3, 11, 40, 50)).astype(np.float32))
    t4 = ct(RNG.integers(0, 11, (3, 40, 50)))
    old = cytorch.get_num_threads()
    res = []
    try:
        for n in (1, 2):
            cytorch.set_num_threads(n)
            xg = x.clone().requires_grad_()
            loss = F.cross_entropy(xg, t, label_smoothing=0.1) + F.cross_entropy(x4, t4)
            loss.backward()
            res.append((np_of(loss), np_of(xg.grad)))
    finally:
        cytorch.set_num_threads(old)
    assert np.array_equal(res[0][0], res[1][0]) and np.array_equal(res[0][1], res[1][1])


def test_fused_node_and_saved_target_version():
    x = ct(RNG.standard_normal((3, 4)), True)
    t = cytorch.tensor([0, 1, 2])
    loss = F.cross_entropy(x, t)
    assert loss.grad_fn is not None and loss.grad_fn.name() == "NllLossBackward0"
    assert F.binary_cross_entropy_with_logits(x, x.detach().sigmoid()).grad_fn.name() == \
        "BinaryCrossEntropyWithLogitsBackward0"
    t[0] = 3                                             # target changed in place after the forward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_no_grad_records_nothing():
    x = ct(RNG.standard_normal((3, 4)), True)
    with cytorch.no_grad():
        loss = F.cross_entropy(x, cytorch.tensor([0, 1, 2]))
    assert not loss.requires_grad and loss.grad_fn is None


# ---------------------------------------------------------------- errors (PyTorch's types and messages)

X45 = RNG.standard_normal((4, 5))


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0, 1, 2, 5])), IndexError, "Target 5 is out of bounds."),
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0, 1, 2, -3])), IndexError, "Target -3 is out of bounds."),
    (lambda: F.nll_loss(ct(RNG.standard_normal((2, 5, 3, 2))), cytorch.full((2, 3, 2), 9)), IndexError,
     "Target 9 is out of bounds."),
    (lambda: F.cross_entropy(ct(RNG.standard_normal((64, 10))), cytorch.zeros(32, dtype=cytorch.int64)),
     ValueError, r"Expected input batch_size \(64\) to match target batch_size \(32\)."),
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0.0, 1, 2, 3])), RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    (lambda: F.cross_entropy(ct(X45), cytorch.zeros(4, 5, dtype=cytorch.int64)), RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0, 1, 2, 3]), weight=ct(np.ones(4))), RuntimeError,
     r"weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: \[4\]"),
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0, 1, 2, 3]), weight=cytorch.ones(5)), RuntimeError,
     "expected scalar type Double but found Float"),
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0, 1, 2, 3]), reduction="foo"), ValueError,
     "foo is not a valid value for reduction"),
    (lambda: F.cross_entropy(ct(X45), cytorch.tensor([0, 1, 2, 3]), label_smoothing=1.5), RuntimeError,
     "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
    (lambda: F.cross_entropy(ct(X45), ct(np.full((4, 5), 0.2)), ignore_index=1), RuntimeError,
     "ignore_index is not supported for floating point target"),
    (lambda: F.cross_entropy(ct(RNG.standard_normal((5, 3, 2))), cytorch.zeros(5, 3, dtype=cytorch.int64)),
     RuntimeError, r"Expected target size \[5, 2\], got \[5, 3\]"),
    (lambda: F.nll_loss(ct(RNG.standard_normal((4, 5, 6, 7))), cytorch.zeros(4, 6, dtype=cytorch.int64)),
     RuntimeError, "only batches of spatial targets supported"),
    (lambda: F.nll_loss(ct(X45), cytorch.zeros(4, 5, dtype=cytorch.int64)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    (lambda: F.nll_loss(cytorch.tensor(1.0), cytorch.tensor(0)), ValueError, r"Expected 1 or more dimensions \(got 0\)"),
    (lambda: F.nll_loss(cytorch.ones(4, 5, dtype=cytorch.int32), cytorch.tensor([0, 1, 2, 3])), NotImplementedError,
     "not implemented for 'Int'"),
    (lambda: F.binary_cross_entropy(ct(X45), ct(np.full((4, 5), 0.5))), RuntimeError,
     "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy(ct(np.full((4, 1), 0.5)), ct(np.full(4, 0.5))), ValueError,
     "Please ensure they have the same size"),
    (lambda: F.binary_cross_entropy_with_logits(ct(np.ones((4, 1))), ct(np.ones(4))), ValueError,
     r"Target size \(cytorch.Size\(\[4\]\)\) must be the same as input size"),
    (lambda: F.smooth_l1_loss(ct(X45), ct(X45), beta=-1), RuntimeError,
     "smooth_l1_loss does not support negative values for beta."),
    (lambda: F.huber_loss(ct(X45), ct(X45), delta=0), RuntimeError,
     "huber_loss does not support non-positive values for delta."),
    (lambda: F.gaussian_nll_loss(ct(X45), ct(X45), ct(np.ones(3))), ValueError, "var is of incorrect size"),
    (lambda: F.gaussian_nll_loss(ct(X45), ct(X45), ct(-np.ones((4, 5)))), ValueError, "var has negative entry"),
    (lambda: F.gaussian_nll_loss(ct(X45), ct(X45), 1.0, reduction="foo"), ValueError, "foo is not valid"),
    (lambda: F.multi_margin_loss(ct(X45), cytorch.tensor([0, 1, 2, 3]), p=3), ValueError,
     "only p == 1 and p == 2 supported"),
    (lambda: F.multi_margin_loss(ct(X45), cytorch.tensor([0, 1, 2, 5])), RuntimeError, "target out of range"),
    (lambda: F.multi_margin_loss(ct(X45), cytorch.tensor([0, 1, 2])), RuntimeError,
     r"Expected target size \[4\], but got \[3\]"),
    (lambda: F.multilabel_margin_loss(ct(X45), cytorch.full((4, 5), 7)), RuntimeError,
     "argument #2 'target' is out of range"),
    (lambda: F.multilabel_margin_loss(ct(X45), cytorch.zeros(4, 4, dtype=cytorch.int64)), RuntimeError,
     r"inconsistent target size: \[4, 4\] for input of size: \[4, 5\]"),
    (lambda: F.cosine_embedding_loss(ct(X45), ct(X45[0]), cytorch.tensor([1, -1, 1, -1])), RuntimeError,
     r"1D target tensor expects 2D input tensors, but found inputs with sizes \[4, 5\] and \[5\]."),
    (lambda: F.margin_ranking_loss(ct(X45), ct(X45[:, 0]), ct(X45[:, 0])), RuntimeError,
     "All input tensors should have same dimension"),
    (lambda: F.triplet_margin_loss(ct(X45), ct(X45), ct(X45[0])), RuntimeError,
     "anchor 2D, positive 2D, and negative 1D inputs"),
    (lambda: F.triplet_margin_with_distance_loss(ct(X45), ct(X45), ct(X45), margin=0), ValueError,
     "margin must be greater than 0, got 0"),
    (lambda: F.cross_entropy(ct(X45, True), cytorch.tensor([0, 1, 2, 3]), weight=ct(np.ones(5), True)),
     RuntimeError, "not differentiable with respect to argument 'weight'"),
])
def test_errors(call, exc, msg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=msg):
            call()


def test_kernel_shim_rejects_bad_layouts():
    from cytorch._C import _loss
    x = cytorch.randn(4, 5)
    with pytest.raises(ValueError):
        _loss.nll_forward(x, cytorch.zeros(3, dtype=cytorch.int64), None, -100, 0.0, True, 1)
    with pytest.raises(ValueError):
        _loss.nll_forward(x, cytorch.zeros(4, dtype=cytorch.int64), cytorch.ones(4), -100, 0.0, True, 1)
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        _loss.nll_forward(x, cytorch.full((4,), 7), None, -100, 0.0, True, 0)


def test_size_warning_and_legacy_args():
    a = ct(RNG.standard_normal((4, 5)))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(a, a[0])
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        s = F.l1_loss(a, a * 2, size_average=False)
    assert_close(s, np.abs(np_of(a)).sum(), rtol=1e-12)
    with pytest.warns(UserWarning, match="reduction='none'"):
        n = F.cross_entropy(a, cytorch.tensor([0, 1, 2, 3]), reduce=False)
    assert tuple(n.shape) == (4,)
    with pytest.warns(UserWarning, match="'batchmean'"):
        F.kl_div(a, a.exp())
    with pytest.warns(UserWarning):
        assert nn.MSELoss(size_average=False).reduction == "sum"


# ---------------------------------------------------------------- modules

MODULES = [
    ("L1Loss", {}, 2), ("MSELoss", {}, 2), ("SmoothL1Loss", {"beta": 0.5}, 2), ("HuberLoss", {"delta": 0.5}, 2),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 1}, "cls"), ("NLLLoss", {"ignore_index": 2}, "cls"),
    ("BCELoss", {}, "prob"), ("BCEWithLogitsLoss", {}, "sig"), ("KLDivLoss", {"reduction": "batchmean"}, "prob"),
    ("PoissonNLLLoss", {"full": True}, "pos"), ("GaussianNLLLoss", {"full": True}, "var"),
    ("HingeEmbeddingLoss", {"margin": 0.3}, "sign"), ("SoftMarginLoss", {}, "sign"),
    ("MultiLabelSoftMarginLoss", {}, "sig"), ("MultiMarginLoss", {"p": 2}, "cls"), ("MultiLabelMarginLoss", {}, "ml"),
    ("CosineEmbeddingLoss", {"margin": 0.1}, "pair"), ("MarginRankingLoss", {"margin": 0.2}, "rank"),
    ("TripletMarginLoss", {"margin": 0.5}, 3), ("TripletMarginWithDistanceLoss", {"swap": True}, 3),
]


def _module_inputs(kind):
    x = RNG.standard_normal((4, 5))
    y = RNG.standard_normal((4, 5))
    return {
        2: [x, y], 3: [x, y, 0.3 * x], "cls": [x, np.array([0, 1, 2, 4])],
        "prob": [1 / (1 + np.exp(-x)), 1 / (1 + np.exp(-y))], "sig": [x, (y > 0).astype(float)],
        "pos": [x, np.abs(y)], "var": [x, y, np.abs(y) + 0.1], "sign": [x, np.sign(y)],
        "ml": [x, np.array([[0, 1, -1, 2, 2], [1, -1, 0, 0, 0], [4, 3, 2, 1, 0], [-1, 0, 0, 0, 0]])],
        "pair": [x, y, np.array([1, -1, 1, -1])], "rank": [x[:, 0], y[:, 0], np.sign(y[:, 1])],
    }[kind]


@pytest.mark.parametrize("name,kw,kind", MODULES, ids=[m[0] for m in MODULES])
def test_modules_vs_torch(torch, name, kw, kind):
    args = _module_inputs(kind)
    tm = getattr(torch.nn, name)(**kw)
    cm = getattr(nn, name)(**kw)
    if name != "TripletMarginWithDistanceLoss" or hasattr(nn, "PairwiseDistance"):
        assert repr(cm) == repr(tm)
    assert cm.reduction == tm.reduction
    assert list(cm.state_dict().keys()) == list(tm.state_dict().keys())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tout = tm(*[torch.tensor(a) for a in args])
        cout = cm(*[ct(a) for a in args])
    assert_close(cout, tout.numpy(), rtol=1e-10, atol=1e-12)


def test_weighted_modules_buffers(torch):
    w = RNG.uniform(0.5, 2, 5)
    for name, kw in [("CrossEntropyLoss", {"weight": w}), ("NLLLoss", {"weight": w}), ("BCELoss", {"weight": w}),
                     ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w}), ("MultiLabelSoftMarginLoss", {"weight": w}),
                     ("MultiMarginLoss", {"weight": w}), ("BCEWithLogitsLoss", {"pos_weight": w})]:
        tm = getattr(torch.nn, name)(**{k: torch.tensor(v) for k, v in kw.items()})
        cm = getattr(nn, name)(**{k: ct(v) for k, v in kw.items()})
        sd = cm.state_dict()
        assert list(sd.keys()) == list(tm.state_dict().keys())
        for k in sd:
            assert_close(sd[k], tm.state_dict()[k].numpy())
        assert [n for n, _ in cm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    m = nn.CrossEntropyLoss(weight=cytorch.ones(3))
    m.load_state_dict({"weight": cytorch.tensor([1.0, 2.0, 3.0])})
    assert_close(m.weight, np.array([1.0, 2.0, 3.0], dtype=np.float32))


def test_module_constructor_errors():
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="expected weight to be None or 1D tensor, got 2D instead"):
        nn.MultiMarginLoss(weight=cytorch.ones(2, 2))
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0, got 0 instead"):
        nn.TripletMarginLoss(margin=0)


def test_training_step_with_cross_entropy_loss():
    # a linear classifier on separable data learns with nn.CrossEntropyLoss
    cytorch.manual_seed(0)
    X = ct(RNG.standard_normal((64, 2)).astype(np.float32))
    y = (X[:, 0] > 0).long()
    model = nn.Linear(2, 2)
    crit = nn.CrossEntropyLoss()
    first = None
    for _ in range(60):
        loss = crit(model(X), y)
        first = loss.item() if first is None else first
        model.zero_grad()
        loss.backward()
        with cytorch.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.5 * first

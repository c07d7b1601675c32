"""F.ctc_loss / nn.CTCLoss: values against a NumPy reference (sum over alignments) and
PyTorch, gradients against PyTorch and gradcheck (float64), every reduction, repeated labels,
a blank inside the alphabet, empty targets, infeasible alignments, unbatched input, errors."""
import itertools

import numpy as np
import pytest

import cytorch
import cytorch.nn.functional as F
from cytorch import nn
from cytorch.autograd import gradcheck
from conftest import assert_close, np_of


def _log_probs(T, N, C, dtype=np.float64, seed=0):
    x = np.random.default_rng(seed).standard_normal((T, N, C)).astype(dtype)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def _ref_nll(lp, y, blank):
    """-log sum over all T-frame paths that collapse to y (brute force over C^T paths)."""
    T, C = lp.shape
    tot = 0.0
    for path in itertools.product(range(C), repeat=T):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        if [k for k in merged if k != blank] == list(y):
            tot += np.exp(sum(lp[t, k] for t, k in enumerate(path)))
    return -np.log(tot) if tot > 0 else np.inf


CASES = [  # targets, input_lengths, target_lengths, blank
    ([[1, 2, 2], [3, 1, 0]], [5, 4], [3, 2], 0),          # repeated label: needs a blank between
    ([[1, 0, 3], [3, 3, 3]], [5, 5], [3, 1], 2),          # blank in the middle of the alphabet
    ([[1, 2, 1], [2, 0, 0]], [5, 3], [3, 0], 0),          # an empty target
    ([1, 2, 2, 3], [5, 5], [3, 1], 0),                    # concatenated 1-d targets
    ([[1, 1, 1], [2, 2, 0]], [4, 5], [3, 2], 0),          # infeasible: 1 1 1 needs 5 frames
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_values_vs_bruteforce(case):
    tg, il, tl, blank = CASES[case]
    lp = _log_probs(5, 2, 4)
    out = F.ctc_loss(cytorch.tensor(lp), cytorch.tensor(tg), cytorch.tensor(il), cytorch.tensor(tl),
                     blank=blank, reduction="none")
    flat = np.asarray(tg).reshape(-1) if np.ndim(tg) == 1 else None
    exp = []
    for n in range(2):
        if flat is not None:
            y = flat[sum(tl[:n]):sum(tl[:n + 1])]
        else:
            y = tg[n][:tl[n]]
        exp.append(_ref_nll(lp[:il[n], n], y, blank))
    assert_close(out, np.array(exp), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_vs_torch(torch, case, reduction, zero_infinity, dtype):
    tg, il, tl, blank = CASES[case]
    lp = _log_probs(5, 2, 4, getattr(np, dtype))
    a = torch.tensor(lp, requires_grad=True)
    b = cytorch.tensor(lp, requires_grad=True)
    la = torch.nn.functional.ctc_loss(a, torch.tensor(tg), torch.tensor(il), torch.tensor(tl), blank,
                                      reduction, zero_infinity)
    lb = F.ctc_loss(b, cytorch.tensor(tg), cytorch.tensor(il), cytorch.tensor(tl), blank, reduction,
                    zero_infinity)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert_close(lb, la.detach().numpy(), **tol)
    w = np.arange(1, lb.numel() + 1, dtype=lp.dtype).reshape(lb.shape)
    (ga,) = torch.autograd.grad(la, a, torch.tensor(w))
    (gb,) = cytorch.autograd.grad(lb, b, cytorch.tensor(w))
    assert_close(gb, ga.numpy(), **tol)
    assert lb.grad_fn.name() == la.grad_fn.name()


def test_large_batch_vs_torch(torch):
    # T=50, N=16, C=20 with random lengths (some infeasible) through nn.CTCLoss: the threaded path
    rng = np.random.default_rng(1)
    lp = _log_probs(50, 16, 20, np.float32, seed=1)
    tg = rng.integers(1, 20, (16, 10))
    il = rng.integers(0, 51, 16)
    tl = rng.integers(0, 11, 16)
    for red in ("none", "mean"):
        a = torch.tensor(lp, requires_grad=True)
        b = cytorch.tensor(lp, requires_grad=True)
        la = torch.nn.CTCLoss(reduction=red, zero_infinity=True)(a, torch.tensor(tg), torch.tensor(il),
                                                                 torch.tensor(tl))
        lb = nn.CTCLoss(reduction=red, zero_infinity=True)(b, cytorch.tensor(tg), cytorch.tensor(il),
                                                          cytorch.tensor(tl))
        assert_close(lb, la.detach().numpy(), rtol=1e-5, atol=1e-4)
        la.sum().backward()
        lb.sum().backward()
        assert_close(b.grad, a.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_threads_do_not_change_results():
    lp = cytorch.tensor(_log_probs(50, 16, 20), requires_grad=True)
    tg = cytorch.randint(1, 20, (16, 10))
    il, tl = cytorch.full((16,), 50), cytorch.randint(0, 11, (16,))
    old = cytorch.get_num_threads()
    res = []
    try:
        for k in (1, 2):
            cytorch.set_num_threads(k)
            loss = F.ctc_loss(lp, tg, il, tl, reduction="sum")
            (g,) = cytorch.autograd.grad(loss, lp)
            res.append((np_of(loss), np_of(g)))
    finally:
        cytorch.set_num_threads(old)
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_unbatched_and_length_forms(torch):
    lp = _log_probs(6, 1, 5)[:, 0]
    a = torch.tensor(lp, requires_grad=True)
    b = cytorch.tensor(lp, requires_grad=True)
    la = torch.nn.functional.ctc_loss(a, torch.tensor([1, 2, 2]), torch.tensor(6), torch.tensor(3),
                                      reduction="none")
    for il, tl in ((cytorch.tensor(6), cytorch.tensor(3)), ((6,), (3,)), ([6], [3])):
        lb = F.ctc_loss(b, cytorch.tensor([1, 2, 2]), il, tl, reduction="none")
        assert lb.shape == ()
        assert_close(lb, la.detach().numpy(), rtol=1e-12)
    lb = F.ctc_loss(b, cytorch.tensor([[1, 2, 2, 4]]), cytorch.tensor(6), cytorch.tensor(3))
    assert_close(lb, torch.nn.functional.ctc_loss(a, torch.tensor([[1, 2, 2, 4]]), torch.tensor(6),
                                                  torch.tensor(3)).detach().numpy(), rtol=1e-12)
    lb.backward()
    torch.nn.functional.ctc_loss(a, torch.tensor([1, 2, 2]), torch.tensor(6), torch.tensor(3)).backward()
    assert_close(b.grad, a.grad.numpy(), rtol=1e-10, atol=1e-12)
    # batched, lengths as tuples and int32 tensors
    lp = cytorch.tensor(_log_probs(6, 2, 5))
    x = F.ctc_loss(lp, cytorch.tensor([[1, 2], [3, 0]]), (6, 5), (2, 1))
    y = F.ctc_loss(lp, cytorch.tensor([[1, 2], [3, 0]]), cytorch.tensor([6, 5], dtype=cytorch.int32),
                   cytorch.tensor([2, 1], dtype=cytorch.int32))
    assert_close(x, np_of(y))


def test_zero_infinity_values_and_grads():
    lp = cytorch.tensor(_log_probs(4, 2, 4), requires_grad=True)
    tg = cytorch.tensor([[1, 1, 1], [2, 3, 0]])
    il, tl = cytorch.tensor([4, 4]), cytorch.tensor([3, 2])
    loss = F.ctc_loss(lp, tg, il, tl, reduction="none")
    assert np.isinf(np_of(loss)[0]) and np.isfinite(np_of(loss)[1])
    loss = F.ctc_loss(lp, tg, il, tl, reduction="none", zero_infinity=True)
    assert np_of(loss)[0] == 0
    (g,) = cytorch.autograd.grad(loss.sum(), lp)
    assert (np_of(g)[:, 0] == 0).all() and np.abs(np_of(g)[:, 1]).sum() > 0
    # frames past an input length get no gradient
    loss = F.ctc_loss(lp, tg, cytorch.tensor([4, 2]), cytorch.tensor([0, 1]), reduction="sum")
    (g,) = cytorch.autograd.grad(loss, lp)
    assert (np_of(g)[2:, 1] == 0).all() and np.abs(np_of(g)[:2, 1]).sum() > 0


@pytest.mark.parametrize("case", range(len(CASES) - 1))
def test_gradcheck_through_log_softmax(case):
    # PyTorch's gradient is exact for normalised inputs: check it through a log_softmax
    tg, il, tl, blank = CASES[case]
    x = cytorch.tensor(np.random.default_rng(case).standard_normal((5, 2, 4)), requires_grad=True)
    fn = lambda x: F.ctc_loss(x.log_softmax(2), cytorch.tensor(tg), cytorch.tensor(il),  # noqa: E731
                              cytorch.tensor(tl), blank=blank, reduction="none")
    assert gradcheck(fn, (x,))
    fn2 = lambda x: F.ctc_loss(x.log_softmax(2), cytorch.tensor(tg), cytorch.tensor(il),  # noqa: E731
                               cytorch.tensor(tl), blank=blank, reduction="mean")
    assert gradcheck(fn2, (x,))


def test_double_backward_raises():
    lp = cytorch.tensor(_log_probs(5, 2, 4), requires_grad=True)
    loss = F.ctc_loss(lp, cytorch.tensor([[1, 2], [3, 0]]), (5, 5), (2, 1))
    (g,) = cytorch.autograd.grad(loss, lp, create_graph=True)
    with pytest.raises(RuntimeError, match="_ctc_loss_backward is not implemented"):
        cytorch.autograd.grad(g.sum(), lp)


def _err(exc, match, *args, **kw):
    with pytest.raises(exc, match=match):
        F.ctc_loss(*args, **kw)


def test_errors():
    lp = cytorch.tensor(_log_probs(6, 2, 5))
    tg, il, tl = cytorch.tensor([[1, 2, 2], [3, 0, 0]]), cytorch.tensor([6, 5]), cytorch.tensor([3, 1])
    _err(RuntimeError, "blank must be in label range", lp, tg, il, tl, blank=5)
    _err(RuntimeError, "blank must be in label range", lp, tg, il, tl, blank=-1)
    _err(RuntimeError, "input_lengths to have value at most 6, but got value 7", lp, tg, cytorch.tensor([7, 5]), tl)
    _err(RuntimeError, "input_lengths to have value at least 0, but got value -1", lp, tg,
         cytorch.tensor([-1, 5]), tl)
    _err(RuntimeError, "target_lengths to have value at least 0", lp, tg, il, cytorch.tensor([-1, 1]))
    _err(RuntimeError, "size at least 4 at dimension 1, but got size 3", lp, tg, il, cytorch.tensor([4, 1]))
    _err(RuntimeError, "size 4 at dimension 0, but got size 3", lp, cytorch.tensor([1, 2, 2]), il, tl)
    _err(RuntimeError, "input_lengths must be of size batch_size", lp, tg, cytorch.tensor([6]), tl)
    _err(RuntimeError, "target_lengths must be of size batch_size", lp, tg, il, cytorch.tensor([3]))
    _err(RuntimeError, "input_lengths must be integral", lp, tg, il.float(), tl)
    _err(RuntimeError, "Expected 3-dimensional tensor, but got 5-dimensional", lp.unsqueeze(0), tg, il, tl)
    _err(RuntimeError, "Expected 1 to 2 dimensions", lp, tg.unsqueeze(0), il, tl)
    _err(RuntimeError, "log_probs tensor must not be empty", lp[:0], tg, cytorch.tensor([0, 0]), tl)
    _err(NotImplementedError, "not implemented for 'Half'", lp.half(), tg, il, tl)
    _err(ValueError, "bogus is not a valid value for reduction", lp, tg, il, tl, reduction="bogus")
    _err(TypeError, "must be tuple of ints, not int", lp[:, 0], tg[0], 6, 3)
    # labels out of range would read outside log_probs: a clear error, never a crash
    _err(IndexError, "target 7 of sample 0 is out of bounds for 5 classes", lp,
         cytorch.tensor([[1, 7, 2], [3, 0, 0]]), il, tl)
    _err(IndexError, "target -3 of sample 1 is out of bounds", lp, cytorch.tensor([[1, 2, 2], [-3, 0, 0]]), il, tl)


def test_module_repr_and_defaults(torch):
    m = nn.CTCLoss()
    assert (m.blank, m.reduction, m.zero_infinity) == (0, "mean", False)
    assert repr(m) == repr(torch.nn.CTCLoss()) == "CTCLoss()"
    assert m.state_dict() == {}

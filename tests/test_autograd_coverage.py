"""Every differentiable op has a gradient: a guard over the whole public namespace, and
gradcheck/gradgradcheck (float64 finite differences) plus PyTorch's gradients for the ops whose
backward lives in _composite.py, _linalg.py and the later entries of _formulas.py.
"""
import inspect
import warnings

import numpy as np
import pytest

import cytorch
from cytorch.autograd import gradcheck, gradgradcheck

# ops PyTorch itself gives no gradient (integer/bool/set results, histograms, RNG state, ...)
NO_GRAD = {"histc", "from_dlpack", "to_dlpack", "empty_like", "full_like", "ones_like", "zeros_like", "rand_like",
           "randn_like", "randint_like"}


def _public_functions():
    skip = {"manual_seed", "seed", "set_num_threads", "set_printoptions", "set_default_dtype", "set_rng_state",
            "save", "load", "tensor", "as_tensor", "asarray", "from_numpy", "set_grad_enabled", "no_grad",
            "enable_grad", "inference_mode"}
    for name in sorted(dir(cytorch)):
        f = getattr(cytorch, name)
        if name.startswith("_") or name in skip or not callable(f) or inspect.isclass(f) or inspect.ismodule(f):
            continue
        yield name, f


def test_no_public_op_drops_requires_grad():
    """Call each public function on a float64 tensor requiring grad (with the first argument list
    that works); a floating result must require grad unless PyTorch gives none either."""
    x = (cytorch.rand(3, 3, dtype=cytorch.float64) + 0.5).requires_grad_()
    arg_lists = [(), (0,), (1,), (x.detach(),), ([1, 0],), (cytorch.tensor([0, 1]),), ((3, 3),), (2,)]
    drops = []
    warnings.simplefilter("ignore")
    for name, f in _public_functions():
        for args in arg_lists:
            try:
                r = f(x, *args)
            except Exception:
                continue
            outs = [o for o in (r if isinstance(r, tuple) else (r,)) if isinstance(o, cytorch.Tensor)]
            floats = [o for o in outs if o.is_floating_point() or o.is_complex()]
            if floats and not any(o.requires_grad for o in floats) and name not in NO_GRAD:
                drops.append(name)
            break
    assert drops == [], f"ops that silently drop requires_grad: {drops}"


def _r(*shape, lo=0.5):
    return cytorch.rand(*shape, dtype=cytorch.float64) + lo


def _spd(n):
    a = cytorch.rand(n, n, dtype=cytorch.float64)
    return a @ a.mT + n * cytorch.eye(n, dtype=cytorch.float64)


def _sym(a):
    return (a + a.mT) / 2


# name -> (function of (module, *tensors), input factories); the same lambda runs on torch
CASES = {
    "diagonal": (lambda m, a: a.diagonal(1), [lambda: _r(3, 4)]),
    "diagonal_3d": (lambda m, a: m.diagonal(a, 0, 0, 2), [lambda: _r(3, 2, 3)]),
    "diag_1d": (lambda m, a: m.diag(a, -1), [lambda: _r(3)]),
    "diag_2d": (lambda m, a: m.diag(a), [lambda: _r(3, 3)]),
    "diag_embed": (lambda m, a: m.diag_embed(a, 1), [lambda: _r(2, 3)]),
    "diagflat": (lambda m, a: m.diagflat(a), [lambda: _r(2, 2)]),
    "trace": (lambda m, a: m.trace(a), [lambda: _r(3, 3)]),
    "diagonal_scatter": (lambda m, a, b: m.diagonal_scatter(a, b), [lambda: _r(3, 3), lambda: _r(3)]),
    "select_scatter": (lambda m, a, b: m.select_scatter(a, b, 1, 0), [lambda: _r(3, 3), lambda: _r(3)]),
    "slice_scatter": (lambda m, a, b: m.slice_scatter(a, b, 0, 1, 3), [lambda: _r(4, 3), lambda: _r(2, 3)]),
    "sort": (lambda m, a: m.sort(a, 1, descending=True).values, [lambda: _r(3, 4)]),
    "msort": (lambda m, a: m.msort(a), [lambda: _r(4, 2)]),
    "topk": (lambda m, a: m.topk(a, 2, 0).values, [lambda: _r(4, 3)]),
    "kthvalue": (lambda m, a: m.kthvalue(a, 2, 1).values, [lambda: _r(3, 4)]),
    "median_dim": (lambda m, a: m.median(a, 0, keepdim=True).values, [lambda: _r(5, 2)]),
    "median_all": (lambda m, a: m.median(a), [lambda: _r(5)]),
    "nanmedian": (lambda m, a: m.nanmedian(a, 1).values, [lambda: _r(2, 5)]),
    "quantile": (lambda m, a: m.quantile(a, 0.3, 1), [lambda: _r(2, 5)]),
    "nanquantile_mid": (lambda m, a: m.nanquantile(a, 0.5, 0, interpolation="midpoint"), [lambda: _r(4, 2)]),
    "cummax": (lambda m, a: m.cummax(a, 1).values, [lambda: _r(3, 4)]),
    "cummin": (lambda m, a: m.cummin(a, 0).values, [lambda: _r(4, 3)]),
    "cumprod": (lambda m, a: m.cumprod(a, 1), [lambda: _r(3, 4)]),
    "cumprod_zero": (lambda m, a: m.cumprod(a * m.tensor([1., 0., 1., 0.], dtype=a.dtype), 1), [lambda: _r(2, 4)]),
    "logcumsumexp": (lambda m, a: m.logcumsumexp(a, 0), [lambda: _r(4, 3)]),
    "nansum": (lambda m, a: m.nansum(a, 1), [lambda: _r(3, 4)]),
    "nanmean": (lambda m, a: m.nanmean(a), [lambda: _r(3, 4)]),
    "aminmax": (lambda m, a: m.aminmax(a, dim=0).max, [lambda: _r(4, 3)]),
    "fliplr": (lambda m, a: m.fliplr(a), [lambda: _r(2, 3)]),
    "rot90": (lambda m, a: m.rot90(a, 3), [lambda: _r(2, 3)]),
    "block_diag": (lambda m, a, b: m.block_diag(a, b), [lambda: _r(2, 2), lambda: _r(1, 3)]),
    "take": (lambda m, a: m.take(a, m.tensor([[0, 5], [5, 2]])), [lambda: _r(2, 3)]),
    "take_along_dim": (lambda m, a: m.take_along_dim(a, m.tensor([[0], [2]]), 1), [lambda: _r(2, 3)]),
    "repeat_interleave": (lambda m, a: m.repeat_interleave(a, m.tensor([1, 0, 2]), 1), [lambda: _r(2, 3)]),
    "unfold": (lambda m, a: a.unfold(1, 2, 1), [lambda: _r(2, 4)]),
    "as_strided": (lambda m, a: m.as_strided(a, (2, 2), (1, 2), 1), [lambda: _r(3, 3)]),
    "combinations": (lambda m, a: m.combinations(a, 2), [lambda: _r(4)]),
    "dot": (lambda m, a, b: m.dot(a, b), [lambda: _r(4), lambda: _r(4)]),
    "mv": (lambda m, a, b: m.mv(a, b), [lambda: _r(3, 4), lambda: _r(4)]),
    "baddbmm": (lambda m, a, b, c: m.baddbmm(a, b, c, beta=0.5, alpha=2),
                [lambda: _r(2, 3, 3), lambda: _r(2, 3, 4), lambda: _r(2, 4, 3)]),
    "digamma": (lambda m, a: m.digamma(a), [lambda: _r(4, lo=0.3)]),
    "digamma_neg": (lambda m, a: m.digamma(a - 3.0), [lambda: _r(4, lo=0.2) * 0.5]),
    "lgamma": (lambda m, a: m.lgamma(a), [lambda: _r(4)]),
    "copysign": (lambda m, a: m.copysign(a, -1.0), [lambda: _r(4)]),
    "inv": (lambda m, a: m.linalg.inv(a), [lambda: _spd(3)]),
    "det": (lambda m, a: m.linalg.det(a), [lambda: _r(3, 3)]),
    "slogdet": (lambda m, a: m.linalg.slogdet(a)[1], [lambda: _r(3, 3)]),
    "logdet": (lambda m, a: m.logdet(a), [lambda: _spd(3)]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), [lambda: _spd(3), lambda: _r(3, 2)]),
    "solve_vec": (lambda m, a, b: m.linalg.solve(a, b), [lambda: _spd(3), lambda: _r(3)]),
    "solve_right": (lambda m, a, b: m.linalg.solve(a, b, left=False), [lambda: _spd(3), lambda: _r(2, 3)]),
    "solve_triangular": (lambda m, a, b: m.linalg.solve_triangular(a.triu() + 2 * m.eye(3, dtype=a.dtype), b,
                                                                   upper=True), [lambda: _r(3, 3), lambda: _r(3, 2)]),
    "cholesky": (lambda m, a: m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, dtype=a.dtype)), [lambda: _r(3, 3)]),
    "cholesky_upper": (lambda m, a: m.linalg.cholesky(a @ a.mT + 3 * m.eye(3, dtype=a.dtype), upper=True),
                       [lambda: _r(3, 3)]),
    "qr_q": (lambda m, a: m.linalg.qr(a)[0], [lambda: _r(4, 3)]),
    "qr_r": (lambda m, a: m.linalg.qr(a)[1], [lambda: _r(3, 3)]),
    "eigh_vals": (lambda m, a: m.linalg.eigh(_sym(a))[0], [lambda: _r(3, 3)]),
    "eigh_vecs": (lambda m, a: m.linalg.eigh(_sym(a))[1].abs(), [lambda: _r(3, 3)]),
    "eigvalsh": (lambda m, a: m.linalg.eigvalsh(_sym(a)), [lambda: _r(3, 3)]),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), [lambda: _r(4, 3)]),
    "svd_u": (lambda m, a: m.linalg.svd(a, full_matrices=False)[0].abs(), [lambda: _r(4, 3)]),
    "svd_vh": (lambda m, a: m.linalg.svd(a, full_matrices=False)[2].abs(), [lambda: _r(3, 4)]),
    "matrix_exp": (lambda m, a: m.linalg.matrix_exp(a), [lambda: _r(3, 3) * 0.3]),
    "matrix_power": (lambda m, a: m.linalg.matrix_power(a, 3), [lambda: _r(3, 3)]),
    "matrix_power_neg": (lambda m, a: m.linalg.matrix_power(a, -2), [lambda: _spd(3)]),
    "vector_norm_inf": (lambda m, a: m.linalg.vector_norm(a, float("inf"), 1), [lambda: _r(3, 4)]),
    "vector_norm_3": (lambda m, a: m.linalg.vector_norm(a, 3), [lambda: _r(3, 4)]),
    "matrix_norm_fro": (lambda m, a: m.linalg.matrix_norm(a), [lambda: _r(2, 3, 4)]),
    "matrix_norm_nuc": (lambda m, a: m.linalg.matrix_norm(a, "nuc"), [lambda: _r(3, 4)]),
    "matrix_norm_1": (lambda m, a: m.linalg.matrix_norm(a, 1), [lambda: _r(3, 4)]),
    "norm": (lambda m, a: m.linalg.norm(a), [lambda: _r(3, 4)]),
    "cross": (lambda m, a, b: m.linalg.cross(a, b), [lambda: _r(2, 3), lambda: _r(2, 3)]),
    "pinv": (lambda m, a: m.linalg.pinv(a), [lambda: _r(4, 3)]),
    "lstsq": (lambda m, a, b: m.linalg.lstsq(a, b)[0], [lambda: _r(4, 3), lambda: _r(4, 2)]),
    "cholesky_solve": (lambda m, a, b: m.cholesky_solve(b, m.linalg.cholesky(_sym(a))), [lambda: _spd(3), lambda: _r(3, 2)]),
    "cholesky_inverse": (lambda m, a: m.cholesky_inverse(m.linalg.cholesky(_sym(a))), [lambda: _spd(3)]),
    # scatter / index-write family (the out-of-place forms and, through copy_, the in-place ones)
    "index_add": (lambda m, a, b: m.index_add(a, 0, m.tensor([0, 2]), b, alpha=2), [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "index_copy": (lambda m, a, b: m.index_copy(a, 0, m.tensor([0, 2]), b), [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "index_fill": (lambda m, a: m.index_fill(a, 1, m.tensor([1]), 2.0), [lambda: _r(3, 3)]),
    "index_put": (lambda m, a, b: m.index_put(a, (m.tensor([0, 2]),), b), [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "index_put_acc": (lambda m, a, b: m.index_put(a, (m.tensor([0, 0]),), b, accumulate=True),
                      [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "put": (lambda m, a, b: m.put(a, m.tensor([0, 4]), b), [lambda: _r(3, 3), lambda: _r(2)]),
    "masked_scatter": (lambda m, a, b: m.masked_scatter(a, m.tensor([[True, False, True]]), b),
                       [lambda: _r(2, 3), lambda: _r(5)]),
    "scatter": (lambda m, a, b: m.scatter(a, 0, m.tensor([[0, 1, 2]]), b), [lambda: _r(3, 3), lambda: _r(1, 3)]),
    "scatter_value": (lambda m, a: m.scatter(a, 1, m.tensor([[0], [2]]), 1.5), [lambda: _r(2, 3)]),
    "scatter_add": (lambda m, a, b: m.scatter_add(a, 0, m.tensor([[0, 1, 2], [0, 0, 0]]), b),
                    [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "scatter_reduce_sum": (lambda m, a, b: m.scatter_reduce(a, 0, m.tensor([[0, 1, 2], [0, 0, 1]]), b, "sum",
                                                            include_self=False), [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "scatter_reduce_mean": (lambda m, a, b: m.scatter_reduce(a, 0, m.tensor([[0, 1, 2], [0, 0, 0]]), b, "mean"),
                            [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "scatter_reduce_amax": (lambda m, a, b: m.scatter_reduce(a, 0, m.tensor([[0, 1, 2], [0, 0, 0]]), b, "amax"),
                            [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "scatter_reduce_prod": (lambda m, a, b: m.scatter_reduce(a, 0, m.tensor([[0, 1, 2]]), b, "prod"),
                            [lambda: _r(3, 3), lambda: _r(1, 3)]),
    "scatter_reduce_prod_zeros": (lambda m, a, b: m.scatter_reduce(a * m.tensor([[0.0, 1, 1], [1, 1, 1], [1, 0, 1]],
                                                                             dtype=a.dtype), 0,
                                                                   m.tensor([[0, 1, 2], [0, 0, 1]]),
                                                                   b * m.tensor([[1.0, 1, 1], [0, 1, 1]], dtype=b.dtype),
                                                                   "prod", include_self=True),
                                  [lambda: _r(3, 3), lambda: _r(2, 3)]),
    "tril": (lambda m, a: m.tril(a, -1), [lambda: _r(3, 3)]),
    "triu": (lambda m, a: a.triu(1), [lambda: _r(3, 4)]),
    "scatter_inplace": (lambda m, a, b: (a * 1).scatter_(0, m.tensor([[0, 1, 2]]), b),
                        [lambda: _r(3, 3), lambda: _r(1, 3)]),
    "masked_fill_inplace": (lambda m, a: (a * 1).masked_fill_(m.tensor([True, False, True]), 0.0), [lambda: _r(2, 3)]),
    "index_add_inplace": (lambda m, a, b: (a * 1).index_add_(0, m.tensor([1]), b), [lambda: _r(3, 3), lambda: _r(1, 3)]),
    "tril_inplace": (lambda m, a: (a * 1).tril_(), [lambda: _r(3, 3)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, makers = CASES[name]
    cytorch.manual_seed(0)
    xs = [mk().requires_grad_() for mk in makers]
    f = lambda *a: fn(cytorch, *a)  # noqa: E731
    assert gradcheck(f, xs, eps=1e-6, atol=1e-5, rtol=1e-4)


SECOND_ORDER = ["diagonal", "diag_embed", "trace", "sort", "cumprod", "cumprod_zero", "logcumsumexp", "nansum",
                "digamma", "inv", "det", "solve", "cholesky", "eigh_vals", "svdvals", "matrix_exp", "slice_scatter",
                "quantile", "dot", "take", "index_put", "scatter", "masked_scatter", "scatter_reduce_amax",
                "tril_inplace", "put"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck(name):
    fn, makers = CASES[name]
    cytorch.manual_seed(1)
    xs = [mk().requires_grad_() for mk in makers]
    f = lambda *a: fn(cytorch, *a)  # noqa: E731
    assert gradgradcheck(f, xs, eps=1e-6, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(torch, name):
    fn, makers = CASES[name]
    cytorch.manual_seed(2)
    vals = [mk().numpy() for mk in makers]
    ours = [cytorch.tensor(v, requires_grad=True) for v in vals]
    theirs = [torch.tensor(v, requires_grad=True) for v in vals]
    yo, yt = fn(cytorch, *ours), fn(torch, *theirs)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-8, atol=1e-10)
    w = np.random.default_rng(3).standard_normal(tuple(yt.shape))
    (yo * cytorch.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_not_differentiable_ops_raise_at_backward():
    x = cytorch.tensor([1.0, 2.0, 2.0], requires_grad=True)
    u = cytorch.unique(x)
    assert u.requires_grad
    with pytest.raises(RuntimeError, match="derivative for '_unique2' is not implemented"):
        u.sum().backward()
    y = cytorch.floor_divide(x, 2)
    with pytest.raises(RuntimeError, match="derivative for 'floor_divide' is not implemented"):
        y.sum().backward()


def test_random_draws_have_zero_gradient():
    p = cytorch.full((4,), 0.5, dtype=cytorch.float64, requires_grad=True)
    cytorch.bernoulli(p).sum().backward()
    assert p.grad.tolist() == [0.0] * 4


def test_numpy_and_dlpack_refuse_tensors_that_require_grad():
    x = cytorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Use tensor.detach"):
        x.numpy()
    assert x.numpy(force=True).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="require gradient"):
        x.__dlpack__()


# ---------------------------------------------------------------- the registry is complete and tested

# every registered formula -> the test (table entry) that gradchecks it; families outside
# cytorch.autograd (nn, conv, losses, ...) name their own test functions
GENERIC_TESTS = {
    "addmm": "MATMUL_EXTRA", "alias": "VIEWS:chain", "amax": "REDUCE", "amin": "REDUCE", "bmm": "MATMUL:bmm",
    "cat": "JOIN", "clamp": "CLAMP", "clone": "VIEWS:clone", "complex_imag": "COMPLEX", "complex_real": "COMPLEX",
    "copy_": "SETITEM", "copy_slices": "VIEW_WRITES", "cumprod": "CASES:cumprod", "cumsum": "REDUCE",
    "diagonal": "CASES:diagonal", "diagonal_scatter": "CASES:diagonal_scatter", "expand": "VIEWS:expand",
    "fill_": "VIEW_WRITES", "flip": "CASES:fliplr", "gather": "CASES:sort", "gather_back": "GRADGRAD:sort",
    "getitem": "GETITEM", "index_add": "CASES:index_add", "index_copy": "CASES:index_copy",
    "index_fill": "CASES:index_fill", "index_put": "CASES:index_put", "index_select": "CASES:repeat_interleave",
    "index_select_back": "GRADGRAD", "linalg_cholesky": "CASES:cholesky", "linalg_det": "CASES:det",
    "linalg_eigh": "CASES:eigh_vecs", "linalg_inv": "CASES:inv", "linalg_matrix_exp": "CASES:matrix_exp",
    "linalg_qr": "CASES:qr_q", "linalg_slogdet": "CASES:slogdet", "linalg_solve": "CASES:solve",
    "linalg_solve_triangular": "CASES:solve_triangular", "linalg_svd": "CASES:svd_u", "log_softmax": "REDUCE",
    "logcumsumexp": "CASES:logcumsumexp", "logsumexp": "REDUCE", "masked_fill": "CASES:masked_fill_inplace",
    "masked_scatter": "CASES:masked_scatter", "matmul": "MATMUL", "max_all": "REDUCE", "max_dim": "REDUCE",
    "mean": "REDUCE", "min_all": "REDUCE", "min_dim": "REDUCE", "mm": "MATMUL:mm", "narrow": "VIEWS:narrow",
    "norm": "REDUCE", "not_implemented": "test_not_differentiable_ops_raise_at_backward",
    "permute": "VIEWS:permute", "prod": "REDUCE", "put": "CASES:put", "put_flat": "GETITEM",
    "repeat": "REPEAT", "reshape": "VIEWS:reshape_copy", "roll": "ROLL", "scatter": "CASES:scatter",
    "scatter_add": "CASES:scatter_add", "scatter_reduce": "CASES:scatter_reduce_amax", "select": "VIEWS:select",
    "setitem": "SETITEM", "softmax": "REDUCE", "squeeze": "VIEWS:squeeze", "stack": "JOIN", "std": "REDUCE",
    "sum": "REDUCE", "sum_to": "BROADCAST", "to": "TO", "transpose": "VIEWS:transpose", "tril": "CASES:tril",
    "triu": "CASES:triu", "unsqueeze": "VIEWS:unsqueeze", "var": "REDUCE", "view": "VIEWS:view",
    "view_of_base": "VIEW_WRITES", "view_scatter": "CASES:slice_scatter",
    "where": "CLAMP", "zero_grad": "test_random_draws_have_zero_gradient",
    # nn families register into the same table
    "linear": "test_nn_module.py::test_linear_gradcheck",
    "cross_entropy": "test_nn_loss.py::test_gradcheck", "nll_loss": "test_nn_loss.py::test_gradcheck",
    "bce_with_logits": "test_nn_loss.py::test_gradcheck", "binary_cross_entropy": "test_nn_loss.py::test_gradcheck",
    "scaled_dot_product_attention": "test_attention.py::test_sdpa_gradcheck",
    "rnn_layer": "test_rnn.py::test_rnn_layer_gradcheck",
}
# nn.functional's fused ops are all in one gradcheck/gradgradcheck table
for _k in ("batch_norm", "celu", "constant_pad", "dropout", "elu", "embedding", "embedding_backward", "gelu",
           "gelu_tanh", "group_norm", "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "layer_norm",
           "leaky_relu", "logsigmoid", "mish", "rms_norm", "segment_sum", "silu", "softplus", "softshrink",
           "softsign", "tanhshrink", "threshold"):
    GENERIC_TESTS["nn." + _k] = "test_nn_functional.py::test_gradcheck"

# conv/pool/resampling formulas (cytorch/nn/_conv_formulas.py) and the tests that gradcheck them
for _k, _t in (("conv", "test_conv.py::test_conv2d_gradcheck"),
               ("conv_input_grad", "test_conv.py::test_conv1d_conv3d_gradgradcheck"),
               ("conv_weight_grad", "test_conv.py::test_conv_transpose2d_gradgradcheck"),
               ("im2col", "test_conv.py::test_unfold_fold_gradcheck"),
               ("col2im", "test_conv.py::test_unfold_fold_gradcheck"),
               ("max_pool", "test_pooling.py::test_pool_gradcheck"),
               ("adaptive_max_pool", "test_pooling.py::test_pool_gradcheck"),
               ("index_scatter", "test_pooling.py::test_pool_gradcheck"),
               ("index_gather", "test_pooling.py::test_pool_gradcheck"),
               ("max_unpool", "test_pooling.py::test_max_unpool_gradcheck"),
               ("avg_pool", "test_pooling.py::test_pool_gradcheck"),
               ("avg_pool_backward", "test_pooling.py::test_pool_gradcheck"),
               ("adaptive_avg_pool", "test_pooling.py::test_pool_gradcheck"),
               ("adaptive_avg_pool_backward", "test_pooling.py::test_pool_gradcheck"),
               ("resample", "test_interpolate.py::test_interpolate_gradgradcheck"),
               ("resample_backward", "test_interpolate.py::test_interpolate_gradgradcheck"),
               ("grid_sample", "test_interpolate.py::test_grid_sample_float32_and_gradcheck"),
               ("grid_sample_backward", "test_interpolate.py::test_grid_sample_float32_and_gradcheck")):
    GENERIC_TESTS[_k] = _t

# CTC loss (cytorch/nn/_ctc.py): its gradcheck, and the double backward that raises as PyTorch's
GENERIC_TESTS["ctc_loss"] = "test_ctc.py::test_gradcheck_through_log_softmax"
GENERIC_TESTS["ctc_loss_backward"] = "test_ctc.py::test_double_backward_raises"

# elementwise ops whose gradient is zero or undefined (tested by name in test_autograd / above)
ELEMENTWISE_SPECIAL = {"floor", "ceil", "trunc", "round", "sign", "floor_divide", "heaviside", "nextafter",
                       "remainder", "fmod", "conj", "angle", "copysign", "digamma", "lgamma"}


def test_every_registered_formula_is_tested():
    """A new formula must be added to a gradcheck table (and named here): nothing slips through."""
    from cytorch._C import _autograd as A
    from cytorch._C._tensor import BINARY_OPS, UNARY_OPS
    from test_autograd import UNARY, BINARY
    binary, unary, generic = A._registered()
    names_b = {k for k, v in BINARY_OPS.items() if v in binary}
    names_u = {k for k, v in UNARY_OPS.items() if v in unary}
    tested = set(BINARY) | set(UNARY) | ELEMENTWISE_SPECIAL | set(COMPLEX_CASES)
    untested = (names_b | names_u) - tested
    assert untested == set(), f"elementwise formulas without a gradcheck entry: {sorted(untested)}"
    assert set(generic) == set(GENERIC_TESTS), (
        f"formulas without a test entry: {sorted(set(generic) - set(GENERIC_TESTS))}; "
        f"stale entries: {sorted(set(GENERIC_TESTS) - set(generic))}")
    import os
    here = os.path.dirname(__file__)
    for key, where in GENERIC_TESTS.items():
        if where.startswith("CASES:"):
            assert where[6:] in CASES, f"{key}: no case {where}"
        elif "::" in where:
            fname, test = where.split("::")
            with open(os.path.join(here, fname)) as f:
                assert f"def {test}(" in f.read(), f"{key}: {where} does not exist"


@pytest.mark.parametrize("name", ["remainder", "fmod", "floor", "ceil", "trunc", "round", "sign", "nextafter"])
def test_piecewise_elementwise_gradients_match_torch(torch, name):
    v = np.array([0.3, 1.7, -2.2, 3.1])
    ops = {"remainder": lambda m, a: m.remainder(a, 0.7), "fmod": lambda m, a: m.fmod(a, 0.7),
           "nextafter": lambda m, a: m.nextafter(a, a * 0 + 10.0)}
    f = ops.get(name, lambda m, a, _n=name: getattr(m, _n)(a))
    a, ta = cytorch.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    f(cytorch, a).sum().backward()
    f(torch, ta).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy())


def test_complex_parts_and_angle_gradients_match_torch(torch):
    v = np.array([0.3 + 1.0j, -1.2 + 0.5j])
    for f in (lambda m, z: m.real(z) * 2 + m.imag(z) * 3, lambda m, z: m.angle(z)):
        z, tz = cytorch.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
        f(cytorch, z).sum().backward()
        f(torch, tz).sum().backward()
        np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------- complex inputs (Wirtinger, PyTorch's convention)

C128 = cytorch.complex128
COMPLEX_CASES = {
    "mul": (lambda a, b: a * b, 2), "div": (lambda a, b: a / b, 2), "exp": (lambda a: a.exp(), 1),
    "abs": (lambda a: a.abs(), 1), "sgn": (lambda a: a.sgn(), 1), "conj_mul": (lambda a: a.conj() * a, 1),
    "log": (lambda a: a.log(), 1), "sqrt": (lambda a: a.sqrt(), 1), "pow": (lambda a: a ** 3, 1),
    "tanh": (lambda a: a.tanh(), 1), "sigmoid": (lambda a: a.sigmoid(), 1), "angle": (lambda a: a.angle(), 1),
    "rsqrt": (lambda a: a.rsqrt(), 1), "expm1": (lambda a: a.expm1(), 1), "log1p": (lambda a: a.log1p(), 1),
    "acos": (lambda a: (a * 0.3).acos(), 1), "prod": (lambda a: a.prod(), 1), "norm": (lambda a: a.norm(), 1),
    "matmul": (lambda a, b: a.reshape(1, 2) @ b.reshape(2, 1), 2), "real_imag": (lambda a: a.real * 2 + a.imag, 1),
    "solve": (lambda a, b: cytorch.linalg.solve(a.reshape(2, 1) @ a.reshape(1, 2).conj() + 2 * cytorch.eye(2, dtype=C128),
                                                b), 2),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_CASES))
def test_complex_gradcheck(name):
    f, nargs = COMPLEX_CASES[name]
    vals = [np.array([0.3 + 1.0j, -1.2 + 0.5j]), np.array([0.7 - 0.2j, 0.4 + 0.9j])][:nargs]
    ins = [cytorch.tensor(v, dtype=C128, requires_grad=True) for v in vals]
    assert gradcheck(f, ins)
    assert gradgradcheck(f, ins)


def test_complex_gradcheck_catches_a_wrong_convention():
    # conj(z) * 2 has gradient 2 (d/da) + i * -2 (d/db)...; report its conjugate and gradcheck must fail
    class Bad(cytorch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            return z.conj() * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2          # should be conj(g) * 2
    z = cytorch.tensor([0.3 + 1.0j], dtype=C128, requires_grad=True)
    assert not gradcheck(Bad.apply, [z], raise_exception=False)


@pytest.mark.parametrize("m", [[[1.0, 2.0], [2.0, 4.0]], [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, -1.0]],
                               [[0.0, 0.0], [0.0, 0.0]]])
def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix(m):
    a = cytorch.tensor(m, dtype=cytorch.float64, requires_grad=True)
    assert gradcheck(lambda x: cytorch.linalg.det(x), (a,))
    cytorch.linalg.det(a).backward()
    M = np.array(m)
    cof = np.array([[(-1) ** (i + j) * (np.linalg.det(np.delete(np.delete(M, i, 0), j, 1)) if M.shape[0] > 1 else 1)
                     for j in range(M.shape[1])] for i in range(M.shape[0])])
    np.testing.assert_allclose(a.grad.numpy(), cof, atol=1e-12)

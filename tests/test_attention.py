"""scaled_dot_product_attention (fused kernel) and MultiheadAttention: values and gradients
against PyTorch with the same inputs and weights, NumPy references, gradcheck, errors."""
import itertools
import warnings

import numpy as np
import pytest

import cytorch
import cytorch.nn.functional as F
from cytorch import nn
from cytorch._C import _attention as K
from cytorch.autograd import gradcheck, gradgradcheck
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


def _np_attention(q, k, v, mask=None, causal=False, scale=None):
    """Reference: the full softmax, rows with no allowed key give 0."""
    s = q @ np.swapaxes(k, -1, -2) * (scale if scale is not None else 1 / np.sqrt(q.shape[-1]))
    if causal:
        s = np.where(np.triu(np.ones(s.shape[-2:], bool), 1), -np.inf, s)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    m = s.max(-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(s - m)
    den = e.sum(-1, keepdims=True)
    p = np.where(den > 0, e / np.where(den > 0, den, 1), 0)
    return p @ v


# ---------------------------------------------------------------- kernel vs NumPy (multi-block shapes)

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("causal,mask", [(False, None), (True, None), (False, "bool"), (False, "float")])
def test_kernel_many_blocks_vs_numpy(dtype, causal, mask):
    # L and S span several 64-row blocks with ragged ends; E != Ev
    B, H, L, S, E, Ev = 2, 3, 131, 197, 24, 20
    q, k, v = (RNG.standard_normal(s).astype(dtype) for s in ((B, H, L, E), (B, H, S, E), (B, H, S, Ev)))
    m = None
    if mask == "bool":
        m = RNG.random((L, S)) > 0.3
        m[5] = False                    # a query that may attend to nothing
    elif mask == "float":
        m = RNG.standard_normal((H, L, S)).astype(dtype)
        m[1, 7, :] = -np.inf
    out = F.scaled_dot_product_attention(cytorch.tensor(q), cytorch.tensor(k), cytorch.tensor(v),
                                         None if m is None else cytorch.tensor(m), is_causal=causal)
    tol = 2e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(np_of(out), _np_attention(q, k, v, m, causal), rtol=tol, atol=tol)


def test_kernel_same_result_with_1_and_2_threads():
    q = cytorch.randn(4, 2, 150, 32, requires_grad=True)
    res = []
    for n in (1, 2):
        cytorch.set_num_threads(n)
        q.grad = None
        out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
        out.backward(cytorch.ones_like(out))
        res.append((np_of(out), np_of(q.grad)))
    cytorch.set_num_threads(2)
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_kernel_shims_refuse_bad_layouts():
    q = cytorch.randn(1, 2, 3, 4)
    with pytest.raises(RuntimeError, match="4-d"):
        K.attention_forward(q[0], q, q, None, False, 1.0)
    with pytest.raises(RuntimeError, match="key"):
        K.attention_forward(q, cytorch.randn(1, 2, 3, 5), q, None, False, 1.0)
    with pytest.raises(RuntimeError, match="multiple"):
        K.attention_forward(cytorch.randn(1, 3, 3, 4), q, q, None, False, 1.0)
    with pytest.raises(RuntimeError, match="attn_mask"):
        K.attention_forward(q, q, q, cytorch.ones(1, 2, 3, 2, dtype=cytorch.bool), False, 1.0)
    with pytest.raises(RuntimeError, match="mask dtype"):
        K.attention_forward(q, q, q, cytorch.ones(1, 2, 3, 3, dtype=cytorch.int64), False, 1.0)
    with pytest.raises(RuntimeError, match="dtype"):
        K.attention_forward(q, q.double(), q, None, False, 1.0)
    with pytest.raises(TypeError):
        K.attention_forward(q.int(), q.int(), q.int(), None, False, 1.0)


# ---------------------------------------------------------------- F.scaled_dot_product_attention vs PyTorch

SDPA_CASES = {
    "4d": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 4)),
    "ev_differs": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 2)),
    "2d": dict(q=(5, 4), k=(6, 4), v=(6, 4)),
    "3d_causal": dict(q=(3, 5, 4), k=(3, 6, 4), v=(3, 6, 4), is_causal=True),
    "causal_long_keys": dict(q=(2, 4, 3), k=(2, 9, 3), v=(2, 9, 3), is_causal=True),
    "gqa": dict(q=(2, 4, 5, 4), k=(2, 2, 6, 4), v=(2, 2, 6, 4), enable_gqa=True),
    "gqa_kv_heads_differ": dict(q=(2, 4, 5, 4), k=(2, 4, 6, 4), v=(2, 2, 6, 4), enable_gqa=True),
    "broadcast_batch": dict(q=(2, 3, 5, 4), k=(1, 3, 6, 4), v=(1, 3, 6, 4)),
    "5d_vs_3d": dict(q=(2, 2, 3, 5, 4), k=(3, 6, 4), v=(3, 6, 4)),
    "bool_mask": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 4), mask="bool"),
    "float_mask": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 4), mask="float"),
    "float_mask_scale": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 4), mask="float", scale=0.3),
    "batched_mask": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 4), mask="bool4"),
    "dead_rows": dict(q=(2, 3, 5, 4), k=(2, 3, 6, 4), v=(2, 3, 6, 4), mask="dead"),
    "no_keys": dict(q=(1, 2, 3, 4), k=(1, 2, 0, 4), v=(1, 2, 0, 4)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(SDPA_CASES))
def test_sdpa_matches_torch(torch, case, dtype):
    c = SDPA_CASES[case]
    cq, tq = _pair(torch, c["q"], dtype)
    ck, tk = _pair(torch, c["k"], dtype)
    cv, tv = _pair(torch, c["v"], dtype)
    L, S = c["q"][-2], c["k"][-2]
    cm = tm = None
    kind = c.get("mask")
    if kind in ("bool", "bool4", "dead"):
        m = RNG.random((2, 3, L, S) if kind == "bool4" else (L, S)) > 0.4
        if kind == "dead":
            m[2] = False
        cm, tm = cytorch.tensor(m), torch.tensor(m)
    elif kind == "float":
        cm, tm = _pair(torch, (3, L, S), dtype)
    kw = {k: c[k] for k in ("is_causal", "enable_gqa", "scale") if k in c}
    co = F.scaled_dot_product_attention(cq, ck, cv, cm, **kw)
    to = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, tm, **kw)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    _close(co, to, tol)
    g = RNG.standard_normal(tuple(to.shape)).astype(dtype)
    co.backward(cytorch.tensor(g))
    to.backward(torch.tensor(g))
    for a, b in ((cq, tq), (ck, tk), (cv, tv)) + (((cm, tm),) if kind == "float" else ()):
        _close(a.grad, b.grad, tol)


def test_sdpa_records_one_node_and_keeps_dtype():
    q = cytorch.randn(2, 2, 3, 4, requires_grad=True)
    out = F.scaled_dot_product_attention(q, q, q)
    assert out.grad_fn.name() == "ScaledDotProductFlashAttentionForCpuBackward0"
    assert out.dtype == cytorch.float32 and out.is_contiguous()
    with cytorch.no_grad():
        assert F.scaled_dot_product_attention(q, q, q).grad_fn is None


def test_sdpa_float32_mask_with_float64_inputs(torch):
    cq, tq = _pair(torch, (2, 3, 4), np.float64)
    m = RNG.standard_normal((3, 3)).astype(np.float32)
    _close(F.scaled_dot_product_attention(cq, cq, cq, cytorch.tensor(m)),
           torch.nn.functional.scaled_dot_product_attention(tq, tq, tq, torch.tensor(m)), 1e-12)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_sdpa_half_types_compute_in_float32(dt):
    q32 = cytorch.randn(2, 3, 5, 8)
    q = q32.to(getattr(cytorch, dt))
    out = F.scaled_dot_product_attention(q, q, q)
    assert out.dtype == q.dtype
    ref = F.scaled_dot_product_attention(q.float(), q.float(), q.float())
    np.testing.assert_allclose(np_of(out.float()), np_of(ref), atol=2e-2)


def test_sdpa_dropout():
    q = cytorch.randn(2, 2, 6, 4, requires_grad=True)
    assert np.all(np_of(F.scaled_dot_product_attention(q, q, q, dropout_p=1.0)) == 0)
    cytorch.manual_seed(3)
    a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    cytorch.manual_seed(3)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    np.testing.assert_array_equal(np_of(a), np_of(b))         # reproducible under the seed
    plain = F.scaled_dot_product_attention(q, q, q)
    assert not np.allclose(np_of(a), np_of(plain))
    a.sum().backward()
    assert q.grad is not None and np.isfinite(np_of(q.grad)).all()


def test_sdpa_errors(torch):
    q = cytorch.randn(2, 3, 4, 5)
    with pytest.raises(RuntimeError, match="at least 2 dimensional"):
        F.scaled_dot_product_attention(q[0, 0, 0], q[0, 0, 0], q[0, 0, 0])
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, cytorch.ones(4, 4, dtype=cytorch.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask dtype to be bool or float"):
        F.scaled_dot_product_attention(q, q, q, cytorch.ones(4, 4, dtype=cytorch.int64))
    with pytest.raises(RuntimeError, match="attn_mask dtype to be bool or float"):
        F.scaled_dot_product_attention(q, q, q, cytorch.ones(4, 4, dtype=cytorch.float64))
    with pytest.raises(RuntimeError, match="must divide the number of heads"):
        F.scaled_dot_product_attention(q, q[:, :2], q[:, :2], enable_gqa=True)
    with pytest.raises(RuntimeError, match="must match the size"):
        F.scaled_dot_product_attention(q, q[:, :2], q[:, :2])
    with pytest.raises(RuntimeError, match="last dim"):
        F.scaled_dot_product_attention(q, cytorch.randn(2, 3, 4, 6), q)
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(q, 1.0, q)


def test_sdpa_gradcheck():
    """gradcheck and gradgradcheck (double backward through the explicit form) in float64."""
    q = cytorch.randn(2, 2, 3, 4, dtype=cytorch.float64, requires_grad=True)
    k = cytorch.randn(2, 2, 5, 4, dtype=cytorch.float64, requires_grad=True)
    v = cytorch.randn(2, 2, 5, 3, dtype=cytorch.float64, requires_grad=True)
    m = cytorch.randn(3, 5, dtype=cytorch.float64, requires_grad=True)
    f = lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m)  # noqa: E731
    assert gradcheck(f, (q, k, v, m))
    assert gradgradcheck(f, (q, k, v, m))
    kg = cytorch.randn(2, 1, 5, 4, dtype=cytorch.float64, requires_grad=True)
    g = lambda q, k: F.scaled_dot_product_attention(q, k, k, is_causal=True, enable_gqa=True)  # noqa: E731
    assert gradcheck(g, (q, kg))
    assert gradgradcheck(g, (q, kg))


# ---------------------------------------------------------------- MultiheadAttention

def _sync(cm, tm, torch):
    tm.load_state_dict({k: torch.tensor(np_of(v)) for k, v in cm.state_dict().items()})


MHA_OPTS = list(itertools.product(
    [False, True],                   # batch_first
    [(True, False, False), (False, True, True)],   # bias, add_bias_kv, add_zero_attn
    [None, (5, 6)],                  # kdim/vdim (cross-attention only)
    [True, False],                   # need_weights
    [None, "bool2", "float3"],       # attn_mask
    [None, "bool"],                  # key_padding_mask
    ["self", "cross"]))


@pytest.mark.parametrize("bf,extras,kv,nw,mask,kpm,kind", [o for o in MHA_OPTS if not (o[2] and o[6] == "self")])
def test_mha_matches_torch(torch, bf, extras, kv, nw, mask, kpm, kind):
    E, H, N, L, S = 8, 2, 3, 4, 5
    bias, abkv, zattn = extras
    kdim, vdim = kv if kv else (None, None)
    cm = nn.MultiheadAttention(E, H, bias=bias, add_bias_kv=abkv, add_zero_attn=zattn, kdim=kdim, vdim=vdim,
                               batch_first=bf, dtype=cytorch.float64)
    tm = torch.nn.MultiheadAttention(E, H, bias=bias, add_bias_kv=abkv, add_zero_attn=zattn, kdim=kdim, vdim=vdim,
                                     batch_first=bf, dtype=torch.float64)
    assert list(cm.state_dict()) == list(tm.state_dict())
    _sync(cm, tm, torch)
    Sk = S if kind == "cross" else L
    shape = lambda n, d: (N, n, d) if bf else (n, N, d)  # noqa: E731
    cq, tq = _pair(torch, shape(L, E))
    if kind == "cross":
        (ck, tk), (cv, tv) = _pair(torch, shape(Sk, kdim or E)), _pair(torch, shape(Sk, vdim or E))
    else:
        ck, tk, cv, tv = cq, tq, cq, tq
    cmask = tmask = ckp = tkp = None
    if mask == "bool2":
        m = RNG.random((L, Sk)) > 0.7
        m[:, 0] = False
        cmask, tmask = cytorch.tensor(m), torch.tensor(m)
    elif mask == "float3":
        m = RNG.standard_normal((N * H, L, Sk))
        cmask, tmask = cytorch.tensor(m), torch.tensor(m)
    if kpm:
        m = RNG.random((N, Sk)) > 0.7
        m[:, 0] = False
        ckp, tkp = cytorch.tensor(m), torch.tensor(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        co, cw = cm(cq, ck, cv, key_padding_mask=ckp, need_weights=nw, attn_mask=cmask)
        to, tw = tm(tq, tk, tv, key_padding_mask=tkp, need_weights=nw, attn_mask=tmask)
    _close(co, to, 1e-10)
    if nw:
        _close(cw, tw, 1e-10)
    else:
        assert cw is None
    g = RNG.standard_normal(tuple(to.shape))
    (co * cytorch.tensor(g)).sum().backward()
    (to * torch.tensor(g)).sum().backward()
    _close(cq.grad, tq.grad, 1e-10)
    if kind == "cross":
        _close(ck.grad, tk.grad, 1e-10)
        _close(cv.grad, tv.grad, 1e-10)
    for (n1, p1), (n2, p2) in zip(cm.named_parameters(), tm.named_parameters()):
        assert n1 == n2
        _close(p1.grad, p2.grad, 1e-10)


@pytest.mark.parametrize("batched", [True, False])
def test_mha_unbatched_causal_and_per_head_weights(torch, batched):
    E, H, L = 8, 4, 6
    cm = nn.MultiheadAttention(E, H, dtype=cytorch.float64)
    tm = torch.nn.MultiheadAttention(E, H, dtype=torch.float64)
    _sync(cm, tm, torch)
    cx, tx = _pair(torch, (L, 2, E) if batched else (L, E))
    cmask = nn.Transformer.generate_square_subsequent_mask(L, dtype=cytorch.float64)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
    co, _ = cm(cx, cx, cx, attn_mask=cmask, need_weights=False, is_causal=True)
    to, _ = tm(tx, tx, tx, attn_mask=tmask, need_weights=False, is_causal=True)
    _close(co, to, 1e-12)
    co, cw = cm(cx, cx, cx, attn_mask=cmask, average_attn_weights=False)
    to, tw = tm(tx, tx, tx, attn_mask=tmask, average_attn_weights=False)
    _close(co, to, 1e-12)
    _close(cw, tw, 1e-12)


def test_mha_functional_static_kv_matches_torch(torch):
    E, H, N, L, S = 8, 2, 3, 4, 5
    cm = nn.MultiheadAttention(E, H, dtype=cytorch.float64)
    tm = torch.nn.MultiheadAttention(E, H, dtype=torch.float64)
    _sync(cm, tm, torch)
    cq, tq = _pair(torch, (L, N, E))
    csk, tsk = _pair(torch, (N * H, S, E // H))
    csv, tsv = _pair(torch, (N * H, S, E // H))
    args = lambda m, q, sk, sv: (q, q, q, E, H, m.in_proj_weight, m.in_proj_bias, None, None, False, 0.0,  # noqa
                                 m.out_proj.weight, m.out_proj.bias)
    co, cw = F.multi_head_attention_forward(*args(cm, cq, csk, csv), static_k=csk, static_v=csv)
    to, tw = torch.nn.functional.multi_head_attention_forward(*args(tm, tq, tsk, tsv), static_k=tsk, static_v=tsv)
    _close(co, to, 1e-12)
    _close(cw, tw, 1e-12)
    co.sum().backward()
    to.sum().backward()
    _close(csk.grad, tsk.grad, 1e-12)
    _close(cq.grad, tq.grad, 1e-12)


def test_mha_state_dict_moves_both_ways(torch):
    cm = nn.MultiheadAttention(12, 3, kdim=5, vdim=7, add_bias_kv=True)
    tm = torch.nn.MultiheadAttention(12, 3, kdim=5, vdim=7, add_bias_kv=True)
    cm.load_state_dict({k: cytorch.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(np_of(cm.state_dict()[k]), v.numpy())
    assert cm.in_proj_weight is None and tuple(cm.k_proj_weight.shape) == (12, 5)


def test_mha_init_statistics():
    m = nn.MultiheadAttention(64, 4)
    assert np.all(np_of(m.in_proj_bias) == 0) and np.all(np_of(m.out_proj.bias) == 0)
    bound = np.sqrt(6.0 / (64 + 3 * 64))                # xavier_uniform_ on (3E, E)
    w = np_of(m.in_proj_weight)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound


def test_mha_dropout_only_in_training():
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = cytorch.randn(4, 2, 8)
    m.eval()
    a, _ = m(x, x, x, need_weights=False)
    b, _ = m(x, x, x, need_weights=False)
    np.testing.assert_array_equal(np_of(a), np_of(b))
    m.train()
    cytorch.manual_seed(1)
    c, w = m(x, x, x)
    assert not np.allclose(np_of(c), np_of(a))


def test_mha_errors():
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="greater than 0"):
        nn.MultiheadAttention(0, 1)
    m = nn.MultiheadAttention(8, 2)
    x = cytorch.randn(4, 2, 8)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)
    with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask"):
        m(x, x, x, attn_mask=cytorch.zeros(3, 4))
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 8"):
        m(cytorch.randn(4, 2, 6), cytorch.randn(4, 2, 6), cytorch.randn(4, 2, 6))
    with pytest.raises(AssertionError, match="only bool and floating types"):
        m(x, x, x, key_padding_mask=cytorch.zeros(2, 4, dtype=cytorch.int64))
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        m(x[None], x[None], x[None])

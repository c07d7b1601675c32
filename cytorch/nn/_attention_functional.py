"""scaled_dot_product_attention and multi_head_attention_forward (PyTorch's functional API).

Attention without dropout runs the fused C kernel (cytorch/_C/_attention.pyx,
src_c/ct_attention.c): blocked over keys with an online softmax, so no L x S matrix is
stored, and a flash-attention backward that recomputes each block's probabilities from the
saved row log-sum-exp. The op records one autograd node whose formula sits below it.

The kernel reads q, k and v through strides, so multi-head attention hands it views of the
input projection (no head split copies) and lets it write the output straight in the
(seq, batch, embed) layout the output projection reads (no head merge copy); the backward
writes dq, dk, dv into one gradient of the projection.

Attention with dropout, or asked for its weights (``need_weights``), is computed explicitly
with differentiable ops, as PyTorch does.
"""
import math
import warnings

import cytorch
from cytorch._C import _attention as _K
from cytorch._C import _autograd as _A
from cytorch._C._tensor import TensorBase
from cytorch.autograd._formulas import generic

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _F():
    import cytorch.nn.functional as F
    return F


def _dropout(x, p, training=True):
    return _F().dropout(x, p, training)


def _linear(x, w, b):
    return _F().linear(x, w, b)


# ---------------------------------------------------------------- the fused op and its backward

def _fused(srcs, idx, views, mask, causal, scale, alloc, outview):
    """softmax(scale q k^T + mask) v through the C kernel, recorded as one autograd node.

    srcs: the distinct tensors q, k and v are read from; idx: (iq, ik, iv) which source each
    is; views: three functions giving the 4-d (B, H, rows, dim) view of a tensor shaped like
    its source (applied to the inputs forward and to their gradient buffers backward, so
    views of one source must not overlap); mask: None or a tensor broadcastable to
    (B, Hq, L, S), bool or of q's dtype; alloc(B, Hq, L, Ev, dtype) -> the result tensor,
    outview(t) -> its 4-d (B, Hq, L, Ev) view (applied to the result and to its gradient).
    """
    q4 = views[0](srcs[idx[0]].detach())
    k4 = views[1](srcs[idx[1]].detach())
    v4 = views[2](srcs[idx[2]].detach())
    B, Hq, L, _ = q4.shape
    S = k4.shape[2]
    result = alloc(B, Hq, L, v4.shape[3], q4.dtype)
    m4 = None if mask is None else mask.detach().expand(B, Hq, L, S)
    _, lse = _K.attention_forward(q4, k4, v4, m4, causal, scale, outview(result))
    if _A.is_grad_enabled() and any(s.requires_grad for s in srcs + ((mask,) if mask is not None else ())):
        _A._record("scaled_dot_product_attention", tuple(srcs) + (mask,), result,
                   ctx=(idx, views, outview, causal, scale, len(srcs)),
                   saved=tuple(srcs) + (mask, result, lse))
    return result


@generic("scaled_dot_product_attention", name="ScaledDotProductFlashAttentionForCpuBackward0")
def _fused_bw(n, g):
    # dV = P^T dO, dS = P o (dO V^T - rowsum(dO o O)), dQ = scale dS K, dK = scale dS^T Q
    idx, views, outview, causal, scale, ns = n.ctx
    saved = n.saved_tensors
    srcs, mask, result, lse = saved[:ns], saved[ns], saved[ns + 1], saved[ns + 2]
    need = n.needs_input_grad
    need_mask = mask is not None and need[ns]
    if not cytorch.is_grad_enabled():
        q4, k4, v4 = (views[i](srcs[idx[i]]) for i in range(3))
        B, Hq, L, _ = q4.shape
        S = k4.shape[2]
        bufs = [cytorch.empty(s.shape, dtype=s.dtype) for s in srcs]
        gq4, gk4, gv4 = (views[i](bufs[idx[i]]) for i in range(3))
        m4 = None if mask is None else mask.expand(B, Hq, L, S)
        _, _, _, gm = _K.attention_backward(q4, k4, v4, outview(result), lse, outview(g), m4, causal, scale,
                                            need_mask, gq4, gk4, gv4)
        grads = tuple(b if need[i] else None for i, b in enumerate(bufs))
        return grads + (gm,)
    # create_graph: the same gradients by differentiating the explicit computation
    with cytorch.enable_grad():
        q4, k4, v4 = (views[i](srcs[idx[i]]) for i in range(3))
        B, Hq, L, _ = q4.shape
        out = _math_attention(q4, k4, v4, None if mask is None else mask, causal, scale, 0.0)
        wrt = [s for i, s in enumerate(srcs) if need[i]] + ([mask] if need_mask else [])
        got = list(cytorch.autograd.grad(out, wrt, outview(g), create_graph=True, allow_unused=True))
    grads = [got.pop(0) if need[i] else None for i in range(ns)]
    return tuple(grads) + (got.pop(0) if need_mask else None,)


def _math_attention(q, k, v, mask, causal, scale, dropout_p):
    """The explicit computation (differentiable ops): q (..., Hq, L, E), k/v (..., Hkv, S, *),
    Hq a multiple of Hkv; queries that may attend to no key get zeros (PyTorch's result)."""
    if q.dim() >= 3 and k.dim() >= 3 and k.shape[-3] != q.shape[-3] and k.shape[-3] != 1:
        g = q.shape[-3] // k.shape[-3]
        k = k.repeat_interleave(g, -3)
    if q.dim() >= 3 and v.dim() >= 3 and v.shape[-3] != q.shape[-3] and v.shape[-3] != 1:
        v = v.repeat_interleave(q.shape[-3] // v.shape[-3], -3)
    s = cytorch.matmul(q, k.transpose(-2, -1)) * scale
    L, S = s.shape[-2], s.shape[-1]
    if causal:
        s = s.masked_fill(cytorch.ones(L, S, dtype=cytorch.bool).triu(1), float("-inf"))
    if mask is not None:
        s = s.masked_fill(mask.logical_not(), float("-inf")) if mask.dtype == cytorch.bool else s + mask
    with cytorch.no_grad():
        dead = (s == float("-inf")).all(-1, keepdim=True) if S > 0 else None
    p = cytorch.softmax(s, -1)
    if dead is not None and bool(dead.any()):
        p = p.masked_fill(dead, 0.0)
    if dropout_p > 0:
        p = _dropout(p, dropout_p)
    return cytorch.matmul(p, v)


# ---------------------------------------------------------------- scaled_dot_product_attention

_CTYPE = {cytorch.float32: "float", cytorch.float64: "double", cytorch.float16: "c10::Half",
          cytorch.bfloat16: "c10::BFloat16", cytorch.int64: "long int", cytorch.int32: "int",
          cytorch.int16: "short int", cytorch.int8: "signed char", cytorch.uint8: "unsigned char",
          cytorch.bool: "bool", cytorch.complex64: "c10::complex<float>",
          cytorch.complex128: "c10::complex<double>"}


def _bshape(*shapes):
    """Broadcast shapes, or PyTorch's size-mismatch RuntimeError."""
    n = max((len(s) for s in shapes), default=0)
    out = [1] * n
    for s in shapes:
        for i, d in enumerate(s):
            j = n - len(s) + i
            if out[j] == 1:
                out[j] = d
            elif d != 1 and d != out[j]:
                raise RuntimeError(f"The size of tensor a ({out[j]}) must match the size of tensor b ({d}) "
                                   f"at non-singleton dimension {i}")
    return tuple(out)


def _prod(shape):
    r = 1
    for d in shape:
        r *= d
    return r


def _strip1(shape):
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return shape[k:]


def _reshaper(shape):
    return lambda t: t.reshape(shape)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    r"""Attention: :math:`\mathrm{softmax}(QK^T \cdot \text{scale} + \text{mask})\,V`.

    Computed by a fused kernel that never stores the L x S attention matrix (blocked over
    keys, online softmax; the backward recomputes it block by block), unless
    ``dropout_p > 0``, which takes the explicit path.

    Args:
        query (Tensor): :math:`(N, ..., H_q, L, E)`
        key (Tensor): :math:`(N, ..., H, S, E)`
        value (Tensor): :math:`(N, ..., H, S, E_v)`
        attn_mask (Tensor, optional): broadcastable to :math:`(N, ..., H_q, L, S)`; bool (True
            means *take part* in attention) or float (added to the scores).
        dropout_p (float): dropout probability on the attention weights (always applied when > 0).
        is_causal (bool): mask key j > query i (top-left aligned); exclusive with ``attn_mask``.
        scale (float, optional): defaults to :math:`1/\sqrt{E}`.
        enable_gqa (bool): grouped-query attention: :math:`H_q` a multiple of the key/value heads.

    Shape:
        Output: :math:`(N, ..., H_q, L, E_v)`

    Example::

        >>> q = k = v = cytorch.randn(2, 4, 16, 8)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        cytorch.Size([2, 4, 16, 8])
    """
    for nm, x in (("query", query), ("key", key), ("value", value)):
        if not isinstance(x, TensorBase):
            raise TypeError(f"scaled_dot_product_attention(): argument '{nm}' must be Tensor, not {type(x).__name__}")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_CTYPE[query.dtype]} key.dtype: {_CTYPE[key.dtype]} and value.dtype: "
                           f"{_CTYPE[value.dtype]} instead.")
    dt = query.dtype
    if not dt.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {_CTYPE[dt].split()[-1].capitalize()}")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
        md = attn_mask.dtype
        if md != cytorch.bool and md != dt and md != cytorch.float32:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {_CTYPE[md]} and  query.dtype: {_CTYPE[dt]} instead.")
        if md != cytorch.bool and md != dt:
            attn_mask = attn_mask.to(dt)
    E = query.shape[-1]
    if key.shape[-1] != E:
        raise RuntimeError(f"scaled_dot_product_attention: query and key must have the same last dim, got "
                           f"{E} and {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key and value must have the same sequence length, "
                           f"got {key.shape[-2]} and {value.shape[-2]}")
    sc = 1.0 / math.sqrt(E) if scale is None else float(scale)
    L, S, Ev = query.shape[-2], key.shape[-2], value.shape[-1]

    if enable_gqa:
        hq, hk, hv = (x.shape[-3] if x.dim() >= 3 else 1 for x in (query, key, value))
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in query")
        lead = _bshape(query.shape[:-3], key.shape[:-3], value.shape[:-3])
        out_heads = lead + ((hq,) if max(query.dim(), key.dim(), value.dim()) >= 3 else ())
    else:
        out_heads = _bshape(query.shape[:-2], key.shape[:-2], value.shape[:-2])
        hq = hk = hv = out_heads[-1] if out_heads else 1
        lead = out_heads[:-1]
    if attn_mask is not None:
        _bshape(attn_mask.shape, lead + (hq, L, S))

    if dropout_p > 0 or hk != hv or dt not in (cytorch.float32, cytorch.float64):
        if dt in (cytorch.float32, cytorch.float64) or dropout_p > 0:
            return _math_attention(query, key, value, attn_mask, is_causal, sc, dropout_p)
        # float16/bfloat16: computed in float32
        m = attn_mask.float() if attn_mask is not None and attn_mask.dtype != cytorch.bool else attn_mask
        return scaled_dot_product_attention(query.float(), key.float(), value.float(), m, 0.0, is_causal, sc,
                                            enable_gqa).to(dt)

    B = _prod(lead)
    srcs, views = [], []
    for x, h, rows, dim in ((query, hq, L, E), (key, hk, S, E), (value, hv, S, Ev)):
        target = lead + (h, rows, dim)
        if _strip1(tuple(x.shape)) != _strip1(target):
            x = x.expand(target)           # broadcast batch dims: recorded, so its gradient is summed back
        srcs.append(x)
        views.append(_reshaper((B, h, rows, dim)))
    out_shape = out_heads + (L, Ev)

    def alloc(b, h, l_, ev, dtype):
        return cytorch.empty(out_shape, dtype=dtype)

    return _fused(tuple(srcs), (0, 1, 2), tuple(views), attn_mask, bool(is_causal), sc, alloc,
                  _reshaper((B, hq, L, Ev)))


# ---------------------------------------------------------------- multi-head attention

def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                         "query tensor")


def _canonical_mask(mask, name, other_type, other_name, target_type, check_other=True):
    """bool masks become float masks (-inf where True); other non-float masks are refused."""
    if mask is None:
        return None
    if mask.dtype != cytorch.bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.dtype == cytorch.bool:
        mask = cytorch.zeros(mask.shape, dtype=target_type).masked_fill_(mask, float("-inf"))
    return mask


def _pad_last(t, value=0.0):
    """t with one more entry of ``value`` along its last dim (F.pad(t, (0, 1)))."""
    extra = cytorch.full(tuple(t.shape[:-1]) + (1,), value, dtype=t.dtype)
    return cytorch.cat([t, extra], -1)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    r"""Multi-head attention (what ``nn.MultiheadAttention`` runs), sequence-first.

    Args:
        query (Tensor): :math:`(L, N, E)` or unbatched :math:`(L, E)`
        key, value (Tensor): :math:`(S, N, E_k)`, :math:`(S, N, E_v)` (or unbatched)
        embed_dim_to_check (int): E; num_heads (int): heads (E must be a multiple)
        in_proj_weight, in_proj_bias: packed q/k/v projection :math:`(3E, E)`, :math:`(3E)`
        bias_k, bias_v: :math:`(1, 1, E)` key/value biases appended to the sequence, or None
        add_zero_attn (bool): append a zero key/value; dropout_p (float): on the weights
        out_proj_weight, out_proj_bias: output projection
        key_padding_mask: :math:`(N, S)` (True/-inf = ignore that key)
        need_weights (bool): also return the attention weights (explicit computation)
        attn_mask: :math:`(L, S)` or :math:`(N \cdot H, L, S)`, bool (True = *not* allowed) or float
        use_separate_proj_weight, q/k/v_proj_weight: separate projections (kdim/vdim != E)
        static_k, static_v: :math:`(N \cdot H, S, E/H)` keys/values used as they are
        average_attn_weights (bool): average the returned weights over heads
        is_causal (bool): a hint that attn_mask is the causal mask

    Shape:
        Output: :math:`(L, N, E)` and weights :math:`(N, L, S)` (or :math:`(N, H, L, S)`) or None

    Example::

        >>> mha = nn.MultiheadAttention(16, 4)
        >>> x = cytorch.randn(10, 2, 16)
        >>> out, w = F.multi_head_attention_forward(x, x, x, 16, 4, mha.in_proj_weight, mha.in_proj_bias,
        ...     None, None, False, 0.0, mha.out_proj.weight, mha.out_proj.bias)
        >>> out.shape, w.shape
        (cytorch.Size([10, 2, 16]), cytorch.Size([2, 10, 10]))
    """
    return _mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
                add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask,
                need_weights, attn_mask, use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight,
                static_k, static_v, average_attn_weights, is_causal, batch_first=False)


def _mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
         add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask, need_weights,
         attn_mask, use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
         average_attn_weights, is_causal, batch_first):
    """multi_head_attention_forward, also for (N, L, E) inputs (batch_first) without transposes."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
        batch_first = False
    sd, bd = (1, 0) if batch_first else (0, 1)      # seq dim, batch dim
    tgt_len, bsz, embed_dim = query.shape[sd], query.shape[bd], query.shape[2]
    src_len = key.shape[sd]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       None if attn_mask is None else attn_mask.dtype, "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None            # the kernel's own causal mask replaces it
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    if not training:
        dropout_p = 0.0
    H, D = num_heads, head_dim
    scale = 1.0 / math.sqrt(D)

    # ---- the fused path: packed self-attention projection, no extras, no weights, no dropout
    simple = (bias_k is None and static_k is None and static_v is None and not add_zero_attn and not need_weights
              and dropout_p == 0.0 and query.dtype in (cytorch.float32, cytorch.float64))
    if simple and not use_separate_proj_weight and query is key and key is value:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        qkv = _linear(query, in_proj_weight, in_proj_bias)          # (L, N, 3E) or (N, L, 3E)
        views = tuple(_head_view(batch_first, 3, i, H, D) for i in range(3))
        out = _fused((qkv,), (0, 0, 0), views, _mask4(attn_mask, key_padding_mask, bsz, H, tgt_len, src_len),
                     bool(is_causal), scale, _merged_alloc(batch_first, tgt_len, bsz, embed_dim),
                     _head_view(batch_first, 1, 0, H, D))
        out = _linear(out, out_proj_weight, out_proj_bias)
        return (out if is_batched else out.squeeze(1)), None

    # ---- projections
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        E = embed_dim
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
        if key is value:
            q = _linear(query, in_proj_weight[:E], bq)
            kv = _linear(key, in_proj_weight[E:], None if in_proj_bias is None else in_proj_bias[E:])
            k, v = kv[..., :E], kv[..., E:]
        else:
            q = _linear(query, in_proj_weight[:E], bq)
            k = _linear(key, in_proj_weight[E:2 * E], bk)
            v = _linear(value, in_proj_weight[2 * E:], bv)
    else:
        for nm, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {nm}_proj_weight is None")
        E = embed_dim
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
        q, k, v = _linear(query, q_proj_weight, bq), _linear(key, k_proj_weight, bk), _linear(value, v_proj_weight, bv)

    if simple:
        # cross-attention or separate projections: q, k, v read in place by the kernel
        out = _fused((q, k, v), (0, 1, 2), (_head_view(batch_first, 1, 0, H, D),) * 3,
                     _mask4(attn_mask, key_padding_mask, bsz, H, tgt_len, src_len), bool(is_causal), scale,
                     _merged_alloc(batch_first, tgt_len, bsz, embed_dim), _head_view(batch_first, 1, 0, H, D))
        out = _linear(out, out_proj_weight, out_proj_bias)
        return (out if is_batched else out.squeeze(1)), None

    # ---- the general path, in PyTorch's (N*H, seq, D) layout
    if attn_mask is not None and attn_mask.dim() == 2:
        attn_mask = attn_mask.unsqueeze(0)
    if batch_first:
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
    if bias_k is not None:
        k = cytorch.cat([k, bias_k.repeat(1, bsz, 1)])
        v = cytorch.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    q = q.reshape(tgt_len, bsz * H, D).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * H, D).transpose(0, 1)
    else:
        if static_k.size(0) != bsz * H:
            raise AssertionError(f"expecting static_k.size(0) of {bsz * H}, but got {static_k.size(0)}")
        if static_k.size(2) != D:
            raise AssertionError(f"expecting static_k.size(2) of {D}, but got {static_k.size(2)}")
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * H, D).transpose(0, 1)
    else:
        if static_v.size(0) != bsz * H:
            raise AssertionError(f"expecting static_v.size(0) of {bsz * H}, but got {static_v.size(0)}")
        if static_v.size(2) != D:
            raise AssertionError(f"expecting static_v.size(2) of {D}, but got {static_v.size(2)}")
        v = static_v
    if add_zero_attn:
        k = cytorch.cat([k, cytorch.zeros((bsz * H, 1, D), dtype=k.dtype)], 1)
        v = cytorch.cat([v, cytorch.zeros((bsz * H, 1, D), dtype=v.dtype)], 1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.size(1)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{key_padding_mask.shape}")
        kpm = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, H, -1, -1).reshape(bsz * H, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        qs = q * math.sqrt(1.0 / float(D))
        w = cytorch.bmm(qs, k.transpose(-2, -1))
        if attn_mask is not None:
            w = w + attn_mask
        w = cytorch.softmax(w, -1)
        if dropout_p > 0.0:
            w = _dropout(w, dropout_p)
        out = cytorch.bmm(w, v)                                   # (N*H, L, D)
        out = _merge_heads(out, batch_first, tgt_len, bsz, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias)
        w = w.view(bsz, H, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(dim=1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w

    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.size(0) == 1 and attn_mask.dim() == 3 else \
            attn_mask.view(bsz, H, -1, src_len)
    q4 = q.reshape(bsz, H, tgt_len, D)
    k4 = k.reshape(bsz, H, src_len, D)
    v4 = v.reshape(bsz, H, src_len, D)
    out = scaled_dot_product_attention(q4, k4, v4, attn_mask, dropout_p, is_causal)   # (N, H, L, D)
    out = _merge_heads(out.reshape(bsz * H, tgt_len, D), batch_first, tgt_len, bsz, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias)
    return (out if is_batched else out.squeeze(1)), None


def _merge_heads(out, batch_first, tgt_len, bsz, embed_dim):
    """(N*H, L, D) -> (L, N, E) or (N, L, E)."""
    if batch_first:
        return out.view(bsz, -1, tgt_len, out.shape[-1]).transpose(1, 2).reshape(bsz, tgt_len, embed_dim)
    return out.transpose(0, 1).reshape(tgt_len, bsz, embed_dim)


def _head_view(batch_first, parts, i, H, D):
    """The (N, H, seq, D) view of part i of a (seq, N, parts*E) (or (N, seq, parts*E)) tensor."""
    if batch_first:
        def f(t):
            n, s = t.shape[0], t.shape[1]
            return t.reshape(n, s, parts, H, D).select(2, i).permute(0, 2, 1, 3)
    else:
        def f(t):
            s, n = t.shape[0], t.shape[1]
            return t.reshape(s, n, parts, H, D).select(2, i).permute(1, 2, 0, 3)
    return f


def _merged_alloc(batch_first, tgt_len, bsz, embed_dim):
    shape = (bsz, tgt_len, embed_dim) if batch_first else (tgt_len, bsz, embed_dim)
    return lambda b, h, l_, ev, dtype: cytorch.empty(shape, dtype=dtype)


def _mask4(attn_mask, key_padding_mask, bsz, H, L, S):
    """attn_mask ((L, S) or (N*H, L, S)) and key_padding_mask ((N, S)) as one mask broadcastable
    to (N, H, L, S); both are float here (-inf where excluded), merged by addition."""
    m = None
    if attn_mask is not None:
        m = attn_mask if attn_mask.dim() == 2 else attn_mask.view(bsz, H, L, S)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, S):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, S)}, but got {key_padding_mask.shape}")
        kpm = key_padding_mask.view(bsz, 1, 1, S)
        m = kpm if m is None else m + kpm
    return m

"""Reductions, scans and softmax: sum, mean, prod, max/min, var/std, norm,
logsumexp, cumsum/cumprod/cummax/cummin/logcumsumexp, all/any, softmax.

The kernels (src_c/ct_reduce.c, dispatched by cytorch/_C/_reduce.pyx) exist for
float32, float64 and int64 (all/any: bool bytes). This module applies
PyTorch's dtype rules around them: narrower integers and bool are widened to
int64, float16/bfloat16 are computed in float32 and cast back, complex sums
reduce the real and imaginary parts separately. Ops with no kernel of their
own (mean, var, norm, logsumexp, diff...) are short compositions.
"""
import builtins as _b
import math as _math

from cytorch._C import _tensor as _C
from cytorch._C import _reduce as _R
from cytorch._C._tensor import TensorBase
from cytorch._tensor import tensor_method

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
           "aminmax", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum", "cumprod",
           "cummax", "cummin", "logcumsumexp", "all", "any", "count_nonzero", "diff", "softmax",
           "log_softmax"]

_D = _C._dtype_from_name
_BOOL, _UINT8, _INT64 = _D("bool"), _D("uint8"), _D("int64")
_F16, _BF16, _F32, _F64 = _D("float16"), _D("bfloat16"), _D("float32"), _D("float64")
_U = _C.UNARY_OPS
_B = _C.BINARY_OPS


# ---------------------------------------------------------------- return types

from cytorch import return_types  # noqa: E402
from cytorch._C._autograd import is_grad_enabled as _grad_on  # noqa: E402


# ---------------------------------------------------------------- helpers

def _check_tensor(x, op):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _pretty(dt):
    return _C.pretty_name(dt.code)


def _kernel_dtype(dt):
    """The dtype a value kernel runs in for inputs of dtype dt (complex: only prod/cumprod have one)."""
    if dt is _F32 or dt is _F64 or dt is _INT64 or dt.is_complex:
        return dt
    if dt is _F16 or dt is _BF16:
        return _F32
    return _INT64


def _to(t, dt):
    return t if t.dtype is dt else t._to_dtype(dt)


def _dims(dim, ndim, op="reduce"):
    """Reduced dims as a sorted list of non-negative ints (None / () = all)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return list(range(ndim))
    ds = dim if isinstance(dim, (tuple, list)) else (dim,)
    n = ndim if ndim > 0 else 1
    out = []
    for d in ds:
        d = d.__index__()
        if d < -n or d >= n:
            raise IndexError(f"{op}(): Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                             f"but got {d})")
        out.append(d % n)
    return sorted(set(out)) if ndim > 0 else []


def _finish(res, out, op):
    if out is None:
        return res
    return _R.write_out(out, res, op)


def _complex_parts(t):
    return _C._complex_part(t, 0), _C._complex_part(t, 1)


def _make_complex(re, im, dt):
    r = _C.empty(tuple(re.shape), dt)
    _C._complex_part(r, 0)._copy_from(re)
    _C._complex_part(r, 1)._copy_from(im)
    return r


def _value_reduce(name, t, dim, keepdim, result_dt):
    """Kernel reduction `name` of t, returned as result_dt."""
    op = _R.RED_OPS[name]
    if t.is_complex() and name != "prod":
        if name != "sum":
            raise RuntimeError(f"{name}(): does not support complex input ({_pretty(t.dtype)})")
        re, im = _complex_parts(t)
        rdt = result_dt.to_real if result_dt.is_complex else result_dt
        return _make_complex(_value_reduce(name, re, dim, keepdim, rdt),
                             _value_reduce(name, im, dim, keepdim, rdt), result_dt)
    r = _R.reduce(op, _to(t, _kernel_dtype(t.dtype)), dim, keepdim, name)
    return _to(r, result_dt)


def _sum_dtype(t, dtype):
    if dtype is not None:
        return dtype
    if t.dtype.is_floating_point or t.dtype.is_complex:
        return t.dtype
    return _INT64


def _prep_dtype(t, dtype):
    """torch casts the input to dtype= before reducing."""
    return t if dtype is None else _to(t, dtype)


# ---------------------------------------------------------------- sum / mean / prod

@tensor_method
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of elements over dim (None: all).

    Args: input; dim (int or tuple of ints); keepdim; dtype (cast the input first); out.
    Bool and integer inputs give int64. Float32 accumulates in blocks merged in double.

    Example: ``cytorch.ones(2, 3).sum(1)`` -> ``tensor([3., 3.])``
    """
    _check_tensor(input, "sum")
    if input.requires_grad and _grad_on():      # recorded by autograd (which runs this under no_grad)
        return _AUTOGRAD["sum"](input, dim, keepdim, dtype=dtype, out=out)
    t = _prep_dtype(input, dtype)
    return _finish(_value_reduce("sum", t, dim, keepdim, _sum_dtype(t, dtype)), out, "sum")


# autograd's recording forms of ops that test for it themselves (cheaper than a wrapper on hot paths);
# filled in by cytorch.autograd._wrap.install_reductions
_AUTOGRAD = {}


@tensor_method
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over dim treating NaN as zero."""
    _check_tensor(input, "nansum")
    t = _prep_dtype(input, dtype)
    if t.is_complex():
        raise RuntimeError("nansum does not support complex inputs")
    name = "nansum" if t.dtype.is_floating_point else "sum"
    return _finish(_value_reduce(name, t, dim, keepdim, _sum_dtype(t, dtype)), out, "nansum")


def _mean_dtype(t, dtype, op):
    dt = dtype if dtype is not None else t.dtype
    if not (dt.is_floating_point or dt.is_complex):
        if dtype is None:
            raise RuntimeError(f"{op}(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {_pretty(t.dtype)}")
        raise RuntimeError(f"{op}(): could not infer output dtype. Optional dtype must be either a floating "
                           f"point or complex dtype. Got: {_pretty(dt)}")
    return dt


@tensor_method
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over dim (None: all); floating/complex inputs only (or dtype=).

    Example: ``cytorch.tensor([1., 2., 6.]).mean()`` -> ``tensor(3.)``
    """
    _check_tensor(input, "mean")
    dt = _mean_dtype(input, dtype, "mean")
    t = _to(input, dt)
    acc = _F32 if dt is _F16 or dt is _BF16 else dt
    s = _value_reduce("sum", t, dim, keepdim, acc)
    s = _C._binary_(_B["div"], s, _R.reduced_count(input, dim))
    return _finish(_to(s, dt), out, "mean")


@tensor_method
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean over dim of the non-NaN elements."""
    _check_tensor(input, "nanmean")
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_pretty(input.dtype)}")
    t = _prep_dtype(input, dtype)
    acc = _F32 if t.dtype is _F16 or t.dtype is _BF16 else t.dtype
    s = _value_reduce("nansum", _to(t, acc), dim, keepdim, acc)
    n = _value_reduce("sum", _C._unary(_U["logical_not"], _C._unary(_U["isnan"], t)), dim, keepdim, _INT64)
    return _finish(_to(_C._binary(_B["div"], s, n), t.dtype), out, "nanmean")


@tensor_method
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of elements over dim (None: all). Bool and integer inputs give int64."""
    _check_tensor(input, "prod")
    t = _prep_dtype(input, dtype)
    if dim is not None and isinstance(dim, (tuple, list)):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    return _finish(_value_reduce("prod", t, dim, keepdim, _sum_dtype(t, dtype)), out, "prod")


# ---------------------------------------------------------------- max / min family

def _no_complex(t, op):
    if t.is_complex():
        raise NotImplementedError(f"\"{op}\" not implemented for '{_pretty(t.dtype)}'")


def _extreme(which, input, dim, keepdim, out):
    op = "max" if which == "amax" else "min"
    _check_tensor(input, op)
    if isinstance(dim, TensorBase):       # max(a, b): elementwise
        return _C._binary(_B["maximum" if op == "max" else "minimum"], input, dim, out)
    if dim is None:
        _no_complex(input, op)
        if input.numel() == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return _finish(_value_reduce(which, input, None, False, input.dtype), out, op)
    if input.is_complex():
        raise RuntimeError(f"{op}(): does not support complex input")
    vals, idx = _R.arg_reduce(_R.ARG_OPS[op], _to(input, _kernel_dtype(input.dtype)), dim, keepdim, op)
    res = getattr(return_types, op)(_to(vals, input.dtype), idx)
    if out is not None:
        _R.write_out(out[0], res[0], op)
        _R.write_out(out[1], res[1], op)
        return getattr(return_types, op)(out[0], out[1])
    return res


@tensor_method
def max(input, dim=None, keepdim=False, *, out=None):
    """max(input) -> largest value; max(input, dim, keepdim) -> (values, indices) with the first
    index of each max; max(input, other) -> elementwise maximum. NaN propagates.

    Example: ``cytorch.tensor([[1., 5.], [7., 2.]]).max(1)`` -> values ``[5., 7.]``, indices ``[1, 0]``
    """
    return _extreme("amax", input, dim, keepdim, out)


@tensor_method
def min(input, dim=None, keepdim=False, *, out=None):
    """min(input), min(input, dim, keepdim) -> (values, indices), min(input, other); see max."""
    return _extreme("amin", input, dim, keepdim, out)


def _amax_amin(which, input, dim, keepdim, out):
    _check_tensor(input, which)
    _no_complex(input, which)
    return _finish(_value_reduce(which, input, dim if dim != () else None, keepdim, input.dtype), out, which)


@tensor_method
def amax(input, dim=(), keepdim=False, *, out=None):
    """Largest value over one or several dims (() = all); NaN propagates."""
    return _amax_amin("amax", input, dim, keepdim, out)


@tensor_method
def amin(input, dim=(), keepdim=False, *, out=None):
    """Smallest value over one or several dims (() = all); NaN propagates."""
    return _amax_amin("amin", input, dim, keepdim, out)


def _arg(op, input, dim, keepdim):
    name = "arg" + op
    _check_tensor(input, name)
    if input.is_complex():
        raise RuntimeError(f"{name}(): does not support complex input")
    if input.dtype is _BOOL:
        raise RuntimeError(f"{name}(): does not support bool input")
    return _R.arg_reduce(_R.ARG_OPS[op], _to(input, _kernel_dtype(input.dtype)), dim, keepdim, name)[1]


@tensor_method
def argmax(input, dim=None, keepdim=False):
    """Index of the first largest value along dim (None: of the flattened tensor)."""
    return _arg("max", input, dim, keepdim)


@tensor_method
def argmin(input, dim=None, keepdim=False):
    """Index of the first smallest value along dim (None: of the flattened tensor)."""
    return _arg("min", input, dim, keepdim)


@tensor_method
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) over dim (None: all) as a named tuple."""
    _check_tensor(input, "aminmax")
    _no_complex(input, "aminmax")
    if input.numel() == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation "
                           "has no identity.")
    if dim is not None and isinstance(dim, (tuple, list)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    if dim is not None and input.dim() > 0 and input.shape[_dims(dim, input.dim(), "aminmax")[0]] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {_dims(dim, input.dim())[0]} to have non-zero size.")
    lo = _value_reduce("amin", input, dim, keepdim, input.dtype)
    hi = _value_reduce("amax", input, dim, keepdim, input.dtype)
    if out is not None:
        _R.write_out(out[0], lo, "aminmax")
        _R.write_out(out[1], hi, "aminmax")
        lo, hi = out
    return return_types.aminmax(lo, hi)


# ---------------------------------------------------------------- var / std

def _var_core(input, dim, unbiased, keepdim, correction, op):
    """(var, mean, result dtype) over dim: var = sum(|x - mean|^2) / max(0, N - correction),
    left in the compute dtype (float32 for float16/bfloat16) so std rounds once."""
    _check_tensor(input, op)
    if isinstance(dim, bool):                       # var(x, unbiased)
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{op}: can't specify both correction and unbiased")
    corr = correction if correction is not None else (1 if unbiased is None or unbiased else 0)
    dt = input.dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    t = _to(input, _F32) if dt is _F16 or dt is _BF16 else input
    n = _R.reduced_count(t, dim)
    mu = mean(t, dim, keepdim=True)
    d = _C._binary(_B["sub"], t, mu)
    sq = _C._unary(_U["square"], _C._unary(_U["abs"], d) if d.is_complex() else d)
    v = _C._binary_(_B["div"], sum(sq, dim, keepdim), _b.max(0, n - corr))
    if not keepdim:
        mu = mu.squeeze(_dims(dim, t.dim())) if t.dim() > 0 else mu
    return v, _to(mu, dt), dt.to_real


def _std_from_var(v):
    return _C._unary(_U["sqrt"], v)


@tensor_method
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over dim with Bessel-style correction (default 1; unbiased=False means 0).

    Example: ``cytorch.tensor([1., 2., 3., 4.]).var()`` -> ``tensor(1.6667)``
    """
    v, _, rdt = _var_core(input, dim, unbiased, keepdim, correction, "var")
    return _finish(_to(v, rdt), out, "var")


@tensor_method
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over dim: sqrt(var(...))."""
    v, _, rdt = _var_core(input, dim, unbiased, keepdim, correction, "std")
    return _finish(_to(_std_from_var(v), rdt), out, "std")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim."""
    v, m, rdt = _var_core(input, dim, unbiased, keepdim, correction, "var_mean")
    return _to(v, rdt), m


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim."""
    v, m, rdt = _var_core(input, dim, unbiased, keepdim, correction, "std_mean")
    return _to(_std_from_var(v), rdt), m


# ---------------------------------------------------------------- norm / logsumexp

@tensor_method
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm over dim (None: all): (sum |x|^p)^(1/p); p may be inf, -inf, 0, 'fro' (= 2).

    Example: ``cytorch.tensor([3., 4.]).norm()`` -> ``tensor(5.)``
    """
    _check_tensor(input, "norm")
    t = _prep_dtype(input, dtype)
    if not (t.dtype.is_floating_point or t.dtype.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_pretty(t.dtype)}")
    if p is None or p == "fro":
        p = 2
    elif isinstance(p, str):
        raise NotImplementedError(f"norm(): p='{p}' is not supported by cytorch yet (use cytorch.linalg)")
    rdt = t.dtype.to_real
    a = _C._unary(_U["abs"], t)
    if rdt is _F16 or rdt is _BF16:
        a = _to(a, _F32)
    p = float(p)
    if p in (_math.inf, -_math.inf):
        if _R.reduced_count(a, dim) == 0 or (dim is None and a.numel() == 0):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {'' if p > 0 else '-'}inf norm on an "
                               "empty tensor because the operation does not have an identity")
        r = _value_reduce("amax" if p > 0 else "amin", a, dim, keepdim, a.dtype)
    elif p == 0:
        r = _to(_value_reduce("sum", _C._binary(_B["ne"], a, 0), dim, keepdim, _INT64), a.dtype)
    elif p == 1:
        r = _value_reduce("sum", a, dim, keepdim, a.dtype)
    elif p == 2:
        r = _C._unary(_U["sqrt"], _value_reduce("sum", _C._unary(_U["square"], a), dim, keepdim, a.dtype))
    else:
        s = _value_reduce("sum", _C._binary(_B["pow"], a, p), dim, keepdim, a.dtype)
        r = _C._binary(_B["pow"], s, 1.0 / p)
    return _finish(_to(r, rdt), out, "norm")


@tensor_method
def logsumexp(input, dim=None, keepdim=False, *, out=None):
    """log(sum(exp(x))) over dim, computed stably as m + log(sum(exp(x - m))) with m the max."""
    _check_tensor(input, "logsumexp")
    if input.is_complex():
        raise NotImplementedError("logsumexp(): complex inputs are not supported by cytorch yet")
    t = input
    if not (t.dtype.is_floating_point or t.dtype.is_complex):
        t = _to(t, _C.get_default_dtype())
    dt = t.dtype
    if dt is _F16 or dt is _BF16:
        t = _to(t, _F32)
    if _R.reduced_count(t, dim) == 0:
        m = _value_reduce("sum", t, dim, True, t.dtype)      # zeros of the right shape
    else:   # a finite shift keeps inf - m from making NaN: clamp +-inf maxima to +-(largest float)
        big = 1.7976931348623157e308 if t.dtype is _F64 else 3.4028234663852886e38
        m = _value_reduce("amax", t, dim, True, t.dtype)
        m = _C._binary(_B["minimum"], _C._binary(_B["maximum"], m, -big), big)
    s = _value_reduce("sum", _C._unary(_U["exp"], _C._binary(_B["sub"], t, m)), dim, keepdim, t.dtype)
    if not keepdim and t.dim() > 0:
        m = m.squeeze(_dims(dim, t.dim()))
    r = _C._binary(_B["add"], _C._unary(_U["log"], s), m)
    return _finish(_to(r, dt), out, "logsumexp")


# ---------------------------------------------------------------- scans

def _scan_int64(name, input, dim, dtype, out):
    _check_tensor(input, name)
    t = _prep_dtype(input, dtype)
    rdt = _sum_dtype(t, dtype)
    op = _R.SCAN_OPS[name]
    if t.is_complex() and name == "cumsum":
        re, im = _complex_parts(t)
        r = _make_complex(_R.scan(op, re, dim, name), _R.scan(op, im, dim, name), rdt)
    else:
        r = _to(_R.scan(op, _to(t, _kernel_dtype(t.dtype)), dim, name), rdt)
    return _finish(r, out, name)


@tensor_method
def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along dim. Bool and integer inputs give int64.

    Example: ``cytorch.tensor([1, 2, 3]).cumsum(0)`` -> ``tensor([1, 3, 6])``
    """
    return _scan_int64("cumsum", input, dim, dtype, out)


@tensor_method
def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along dim. Bool and integer inputs give int64."""
    return _scan_int64("cumprod", input, dim, dtype, out)


def _cumsum_(self, dim, *, dtype=None):
    return self._copy_from(cumsum(self, dim, dtype=dtype))


def _cumprod_(self, dim, *, dtype=None):
    return self._copy_from(cumprod(self, dim, dtype=dtype))


tensor_method(_cumsum_, name="cumsum_")
tensor_method(_cumprod_, name="cumprod_")


@tensor_method
def logcumsumexp(input, dim, *, out=None):
    """Running log(sum(exp(x))) along dim, without overflow."""
    _check_tensor(input, "logcumsumexp")
    dt = input.dtype
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_pretty(dt)}'")
    r = _R.scan(_R.SCAN_OPS["logcumsumexp"], _to(input, _kernel_dtype(dt)), dim, "logcumsumexp")
    return _finish(_to(r, dt), out, "logcumsumexp")


def _cum_extreme(name, input, dim, out):
    _check_tensor(input, name)
    _no_complex(input, name)
    v, i = _R.cum_extreme(_R.CUM_OPS[name], _to(input, _kernel_dtype(input.dtype)), dim, name)
    rt = getattr(return_types, name)
    res = rt(_to(v, input.dtype), i)
    if out is not None:
        _R.write_out(out[0], res[0], name)
        _R.write_out(out[1], res[1], name)
        return rt(out[0], out[1])
    return res


@tensor_method
def cummax(input, dim, *, out=None):
    """(values, indices) of the running max along dim (ties and NaNs take the later index)."""
    return _cum_extreme("cummax", input, dim, out)


@tensor_method
def cummin(input, dim, *, out=None):
    """(values, indices) of the running min along dim (ties and NaNs take the later index)."""
    return _cum_extreme("cummin", input, dim, out)


# ---------------------------------------------------------------- all / any / count_nonzero

def _truth(t):
    """Bytes that are nonzero exactly where t is (bool and uint8 as they are)."""
    if t.dtype is _BOOL or t.dtype is _UINT8:
        return t
    return _C._binary(_B["ne"], t, 0)


def _all_any(name, input, dim, keepdim, out):
    _check_tensor(input, name)
    r = _R.reduce(_R.RED_OPS[name], _truth(input), dim, keepdim, name)
    return _finish(r, out, name)


@tensor_method
def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element over dim is nonzero (uint8 inputs give uint8)."""
    return _all_any("all", input, dim, keepdim, out)


@tensor_method
def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element over dim is nonzero (uint8 inputs give uint8)."""
    return _all_any("any", input, dim, keepdim, out)


@tensor_method
def count_nonzero(input, dim=None):
    """Number of nonzero elements over dim (int64)."""
    _check_tensor(input, "count_nonzero")
    t = _truth(input)
    if t.dtype is _UINT8:
        t = _C._binary(_B["ne"], t, 0)
    return _value_reduce("sum", t, dim, False, _INT64)


@tensor_method
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along dim (bool: logical xor), optionally after prepend/append."""
    _check_tensor(input, "diff")
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    t = input
    d = _dims(dim, t.dim(), "diff")[0]
    if prepend is not None or append is not None:
        t = _concat([x for x in (prepend, t, append) if x is not None], d, input)
    for _ in range(n):
        L = t.shape[d]
        if L == 0:
            break
        hi, lo = t.narrow(d, 1, L - 1), t.narrow(d, 0, L - 1)
        t = _C._binary(_B["logical_xor" if t.dtype is _BOOL else "sub"], hi, lo)
    return t


def _concat(parts, d, like):
    """parts joined along dim d (scalars broadcast to a size-1 slice), for diff's prepend/append."""
    shape = list(like.shape)
    ts = []
    for x in parts:
        if not isinstance(x, TensorBase):
            x = _C._scalar_tensor(x).expand(*(shape[:d] + [1] + shape[d + 1:]))
        if x.dim() != like.dim():
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        ts.append(x)
    dt = ts[0].dtype
    for x in ts[1:]:
        dt = _C.promote_types(dt, x.dtype)
    shape[d] = _b.sum(x.shape[d] for x in ts)
    out = _C.empty(tuple(shape), dt)
    at = 0
    for x in ts:
        out.narrow(d, at, x.shape[d])._copy_from(x)
        at += x.shape[d]
    return out


# ---------------------------------------------------------------- softmax

def _softmax(name, input, dim, dtype):
    _check_tensor(input, name)
    if dim is None:
        raise TypeError(f"{name}() missing required argument 'dim'")
    t = _prep_dtype(input, dtype)
    dt = t.dtype
    if t.numel() == 0:
        _R.scan(_R.SCAN_OPS[name], _to(t, _F32), dim, name)     # still checks dim
        return t.clone()
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{name}_lastdim_kernel_impl\" not implemented for '{_pretty(dt)}'")
    r = _R.scan(_R.SCAN_OPS[name], _to(t, _kernel_dtype(dt)), dim, name)
    return _to(r, dt)


@tensor_method
def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along dim, in one fused, max-shifted pass per row.

    Args: input; dim; dtype (cast the input first). float16/bfloat16 compute in float32.

    Example: ``cytorch.tensor([0., 0.]).softmax(0)`` -> ``tensor([0.5000, 0.5000])``
    """
    return _softmax("softmax", input, dim, dtype)


@tensor_method
def log_softmax(input, dim, dtype=None):
    """x - max - log(sum(exp(x - max))) along dim (stable log of softmax)."""
    return _softmax("log_softmax", input, dim, dtype)

"""Elementwise ops: arithmetic, math functions, comparisons, logic, bit ops.

Each op is one call into the C dispatcher (cytorch/_C/_tensor.pyx), which
promotes dtypes, broadcasts and runs the (op, dtype) kernel from
src_c/ct_elementwise.c. The tables below name every op once; each becomes a
function ``cytorch.<op>``, a method ``Tensor.<op>`` and an in-place method
``Tensor.<op>_``.
"""
import math

from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase
from cytorch._tensor import Tensor, tensor_method

_B = _C.BINARY_OPS
_U = _C.UNARY_OPS
_binary, _binary_, _unary, _unary_ = _C._binary, _C._binary_, _C._unary, _C._unary_

# name -> (kernel op, aliases)
_BINARY = {
    "add": "add", "sub": "sub", "mul": "mul", "div": "div", "floor_divide": "floor_divide",
    "remainder": "remainder", "fmod": "fmod", "pow": "pow", "maximum": "maximum", "minimum": "minimum",
    "fmax": "fmax", "fmin": "fmin", "atan2": "atan2", "hypot": "hypot", "copysign": "copysign",
    "nextafter": "nextafter", "eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge",
    "logical_and": "logical_and", "logical_or": "logical_or", "logical_xor": "logical_xor",
    "bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or", "bitwise_xor": "bitwise_xor",
    "bitwise_left_shift": "bitwise_left_shift", "bitwise_right_shift": "bitwise_right_shift",
    "xlogy": "xlogy", "logaddexp": "logaddexp",
    # aliases
    "subtract": "sub", "multiply": "mul", "divide": "div", "true_divide": "div", "arctan2": "atan2",
    "greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le", "not_equal": "ne",
    "float_power": None,
}
_NO_INPLACE = {"eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
               "not_equal", "maximum", "minimum", "fmax", "fmin", "logaddexp"}
_INPLACE_OK = {"eq", "ne", "lt", "le", "gt", "ge"}  # PyTorch has x.eq_(y) etc. (result cast to x's dtype)

_UNARY = {
    "neg": "neg", "abs": "abs", "sign": "sign", "sgn": "sgn", "exp": "exp", "log": "log", "sqrt": "sqrt",
    "sin": "sin", "cos": "cos", "tan": "tan", "asin": "asin", "acos": "acos", "atan": "atan", "sinh": "sinh",
    "cosh": "cosh", "tanh": "tanh", "asinh": "asinh", "acosh": "acosh", "atanh": "atanh", "exp2": "exp2",
    "expm1": "expm1", "log2": "log2", "log10": "log10", "log1p": "log1p", "erf": "erf", "erfc": "erfc",
    "lgamma": "lgamma", "floor": "floor", "ceil": "ceil", "trunc": "trunc", "frac": "frac",
    "rsqrt": "rsqrt", "reciprocal": "reciprocal", "square": "square", "sigmoid": "sigmoid",
    "erfinv": "erfinv", "digamma": "digamma", "bitwise_not": "bitwise_not", "logical_not": "logical_not",
    "isnan": "isnan", "isinf": "isinf", "isfinite": "isfinite", "signbit": "signbit",
    # aliases
    "negative": "neg", "absolute": "abs", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "fix": "trunc",
}
_UNARY_NO_INPLACE = {"isnan", "isinf", "isfinite", "signbit"}
_INT_IDENTITY = {"floor", "ceil", "trunc", "fix"}  # on integer tensors these return a copy


def _make_binary(name, op):
    code = _B[op]

    def f(input, other, *, out=None):
        return _binary(code, input, other, out)

    def f_(self, other):
        return _binary_(code, self, other)

    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{op}(input, other)`` with broadcasting and type promotion."
    f_.__name__ = name + "_"
    return f, f_


def _make_unary(name, op):
    code = _U[op]
    int_identity = name in _INT_IDENTITY
    if op == "sgn":  # sgn is sign for real tensors, z/|z| for complex ones
        real_code = _U["sign"]

        def f(input, *, out=None):
            return _unary(code if input.is_complex() else real_code, input, out)

        def f_(self):
            return _unary_(code if self.is_complex() else real_code, self)

        f.__name__, f_.__name__ = name, name + "_"
        f.__doc__ = "sign(x) for real tensors, x / |x| for complex ones."
        return f, f_

    def f(input, *, out=None):
        if int_identity and not (input.is_floating_point() or input.is_complex()):
            return input.clone() if out is None else out.copy_(input)
        return _unary(code, input, out)

    def f_(self):
        if int_identity and not (self.is_floating_point() or self.is_complex()):
            return self
        return _unary_(code, self)

    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"Elementwise ``{op}(input)``."
    f_.__name__ = name + "_"
    return f, f_


__all__ = []
for _name, _op in _BINARY.items():
    if _op is None:
        continue
    _f, _f_ = _make_binary(_name, _op)
    globals()[_name] = _f
    __all__.append(_name)
    tensor_method(_f, name=_name)
    if _name not in _NO_INPLACE or _name in _INPLACE_OK:
        tensor_method(_f_, name=_name + "_")
for _name, _op in _UNARY.items():
    _f, _f_ = _make_unary(_name, _op)
    globals()[_name] = _f
    __all__.append(_name)
    tensor_method(_f, name=_name)
    if _name not in _UNARY_NO_INPLACE:
        tensor_method(_f_, name=_name + "_")

_add_code, _sub_code, _mul_code = _B["add"], _B["sub"], _B["mul"]


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, elementwise with broadcasting."""
    if alpha != 1:
        other = _scaled(other, alpha)
    return _binary(_add_code, input, other, out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other, elementwise with broadcasting."""
    if alpha != 1:
        other = _scaled(other, alpha)
    return _binary(_sub_code, input, other, out)


def _scaled(other, alpha):
    return _binary(_mul_code, other, alpha) if isinstance(other, TensorBase) else other * alpha


@tensor_method(name="add_")
def _add_(self, other, *, alpha=1):
    if alpha != 1:
        other = _scaled(other, alpha)
    return _binary_(_add_code, self, other)


@tensor_method(name="sub_")
def _sub_(self, other, *, alpha=1):
    if alpha != 1:
        other = _scaled(other, alpha)
    return _binary_(_sub_code, self, other)


subtract = sub
tensor_method(add)
tensor_method(sub)
tensor_method(sub, name="subtract")
tensor_method(_sub_, name="subtract_")

_div_code, _floor_code, _trunc_code = _B["div"], _U["floor"], _U["trunc"]


def div(input, other, *, rounding_mode=None, out=None):
    """input / other. rounding_mode None (true division), 'trunc' or 'floor'."""
    if rounding_mode is None:
        return _binary(_div_code, input, other, out)
    if rounding_mode == "floor":
        return _binary(_B["floor_divide"], input, other, out)
    if rounding_mode == "trunc":
        rt = _C.result_type(input, other)
        if rt.is_floating_point or rt.is_complex:
            return _unary(_trunc_code, _binary(_div_code, input, other), out)
        q = _binary(_B["floor_divide"], input, other)
        r = _binary(_B["fmod"], input, other)
        fix = ((r != 0) & ((r < 0) != (_as_t(other) < 0))) if True else None
        return q.add_(fix.to(q.dtype)) if out is None else out.copy_(q + fix.to(q.dtype))
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")


def _as_t(x):
    return x if isinstance(x, TensorBase) else _C._scalar_tensor(x)


divide = true_divide = div
tensor_method(div)
tensor_method(div, name="divide")
tensor_method(div, name="true_divide")


@tensor_method(name="div_")
def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _binary_(_div_code, self, other)
    return self.copy_(div(self, other, rounding_mode=rounding_mode))


tensor_method(_div_, name="divide_")
tensor_method(_div_, name="true_divide_")


def float_power(input, exponent, *, out=None):
    """input ** exponent computed in float64 (complex128 for complex inputs)."""
    cplx = (isinstance(input, TensorBase) and input.is_complex()) or isinstance(input, complex) or \
        (isinstance(exponent, TensorBase) and exponent.is_complex()) or isinstance(exponent, complex)
    dt = _C._dtype_from_name("complex128" if cplx else "float64")
    a = input.to(dt) if isinstance(input, TensorBase) else input
    b = exponent.to(dt) if isinstance(exponent, TensorBase) else exponent
    if not isinstance(a, TensorBase):
        a = _C._scalar_tensor(a, dt)
    return _binary(_B["pow"], a, b, out)


tensor_method(float_power)


def round(input, *, decimals=0, out=None):
    """Round half to even; with ``decimals``, round(x * 10**d) / 10**d."""
    if not (input.is_floating_point() or input.is_complex()):
        return input.clone() if out is None else out.copy_(input)
    if decimals == 0:
        return _unary(_U["round"], input, out)
    scale = 10.0 ** decimals
    r = _unary(_U["round"], input * scale) / scale if decimals > 0 else _unary(_U["round"], input / (10.0 ** -decimals)) * (10.0 ** -decimals)
    return r if out is None else out.copy_(r)


tensor_method(round)


@tensor_method(name="round_")
def _round_(self, *, decimals=0):
    return self.copy_(round(self, decimals=decimals))


def relu(input):
    return _unary(_U["relu"], input)


tensor_method(relu)


@tensor_method(name="relu_")
def _relu_(self):
    return _unary_(_U["relu"], self)


def sigmoid(input, *, out=None):
    return _unary(_U["sigmoid"], input, out)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    x = input if eps is None else clamp(input, eps, 1 - eps)
    r = (x / (1 - x)).log()
    return r if out is None else out.copy_(r)


tensor_method(logit)


def clamp(input, min=None, max=None, *, out=None):
    """Limit values to [min, max] (either bound may be None, a number or a tensor). NaN stays NaN."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    r = input
    if min is not None:
        r = _binary(_B["maximum"], r, min) if isinstance(min, TensorBase) else _clamp_scalar(r, min, True)
    if max is not None:
        r = _binary(_B["minimum"], r, max) if isinstance(max, TensorBase) else _clamp_scalar(r, max, False)
    if r is input:
        r = input.clone()
    return r if out is None else out.copy_(r)


def _clamp_scalar(x, bound, lower):
    # a float bound on an integer tensor promotes, like PyTorch
    return _binary(_B["maximum"] if lower else _B["minimum"], x, bound)


clip = clamp
tensor_method(clamp)
tensor_method(clamp, name="clip")


@tensor_method(name="clamp_")
def _clamp_(self, min=None, max=None):
    return self.copy_(clamp(self, min, max))


tensor_method(_clamp_, name="clip_")


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


tensor_method(clamp_min)
tensor_method(clamp_max)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    r = input + weight * (end - input)
    return r if out is None else out.copy_(r)


tensor_method(lerp)


@tensor_method(name="lerp_")
def _lerp_(self, end, weight):
    return self.copy_(lerp(self, end, weight))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan``, +inf/-inf by ``posinf``/``neginf`` (default: the dtype's extremes)."""
    if not input.is_floating_point():
        return input.clone() if out is None else out.copy_(input)
    from cytorch._ops.info import finfo
    fi = finfo(input.dtype)
    posinf = fi.max if posinf is None else posinf
    neginf = fi.min if neginf is None else neginf
    r = input.clone()
    r.masked_fill_(r.isnan(), nan)
    r.masked_fill_(r.isinf() & (r > 0), posinf)
    r.masked_fill_(r.isinf() & (r < 0), neginf)
    return r if out is None else out.copy_(r)


tensor_method(nan_to_num)


@tensor_method(name="nan_to_num_")
def _nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return self.copy_(nan_to_num(self, nan, posinf, neginf))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (infinities equal themselves)."""
    if input.dtype != other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if not (input.is_floating_point() or input.is_complex()):
        if input.dtype._name == "bool":
            return input == other
        diff = (input.to(_C._dtype_from_name("float64")) - other.to(_C._dtype_from_name("float64"))).abs()
        return diff <= atol + rtol * other.to(_C._dtype_from_name("float64")).abs()
    close = (input == other)
    finite = input.isfinite() & other.isfinite() if not input.is_complex() else None
    diff = (input - other).abs()
    tol = atol + rtol * other.abs()
    inner = diff <= tol
    if finite is not None:
        inner = inner & finite
    close = close | inner
    if equal_nan:
        close = close | (input.isnan() & other.isnan())
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def equal(input, other):
    """True if both tensors have the same shape and elements."""
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool((input == other).all().item())


tensor_method(isclose)
tensor_method(allclose)
tensor_method(equal)


def real(input):
    if input.is_complex():
        return _C._complex_part(input, 0)
    return input


def imag(input):
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _C._complex_part(input, 1)


def conj(input):
    return _unary(_U["conj"], input) if input.is_complex() else input


def conj_physical(input):
    return conj(input)


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def angle(input, *, out=None):
    return _unary(_U["angle"], input, out)


def is_conj(input):
    return False


for _f in (conj, conj_physical, resolve_conj, resolve_neg, angle, is_conj):
    tensor_method(_f)


def _real_prop(self):
    return real(self)


def _imag_prop(self):
    return imag(self)


def _set_real(self, value):
    real(self).copy_(value if isinstance(value, TensorBase) else _C._scalar_tensor(value))


def _set_imag(self, value):
    imag(self).copy_(value if isinstance(value, TensorBase) else _C._scalar_tensor(value))


Tensor.real = property(_real_prop, _set_real)
Tensor.imag = property(_imag_prop, _set_imag)

__all__ += ["add", "sub", "subtract", "div", "divide", "true_divide", "float_power", "round", "relu",
            "sigmoid", "logit", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "nan_to_num", "isclose",
            "allclose", "equal", "real", "imag", "conj", "conj_physical", "resolve_conj", "resolve_neg", "angle",
            "is_conj"]

"""Random numbers: generators, sampling functions and in-place random fills.

cytorch's generator is Philox4x32-10 (a counter-based generator, Salmon et
al. 2011) implemented in src_c/ct_random.c. Every element's random bits
depend only on (seed, offset + its block index), so a result is reproducible
for a seed and identical for any thread count. PyTorch's CPU generator is a
Mersenne Twister, so **the streams differ from PyTorch's**: the same seed
gives the same numbers on every cytorch run, but not PyTorch's numbers. The
state from ``get_rng_state()`` is a 16-byte uint8 tensor (seed, offset)
rather than PyTorch's 5056-byte Mersenne Twister state.

Normals use Box-Muller; randperm is a Fisher-Yates shuffle; multinomial
without replacement takes the largest keys log(U)/p (Efraimidis-Spirakis);
poisson uses Knuth's method for small rates and Hormann's PTRS otherwise.
"""
import contextlib
import math
import numbers

from cytorch._C import _tensor as _C
from cytorch._C import _random as _R
from cytorch._C._tensor import TensorBase
from cytorch._C._random import Generator, default_generator
from cytorch._ops._util import parse_size
from cytorch._ops.creation import _finish
from cytorch._tensor import tensor_method, _check_device

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "fork_rng", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
           "randint_like", "normal", "bernoulli", "multinomial", "poisson"]

_FLOAT = ("float16", "bfloat16", "float32", "float64")
_COMPLEX = ("complex64", "complex128")
_INT = ("uint8", "int8", "int16", "int32", "int64")
_INT_MAX = {"bool": 1, "uint8": 255, "int8": 127, "int16": 32767, "int32": 2 ** 31 - 1, "int64": 2 ** 63 - 1}
_INT_MIN = {"bool": 0, "uint8": 0, "int8": -128, "int16": -32768, "int32": -2 ** 31, "int64": -2 ** 63}
_C_TYPE = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
           "int64": "long"}    # PyTorch's error messages name the C++ type
_MANTISSA = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}
_F64 = _C._dtype_from_name("float64")
_I64 = _C._dtype_from_name("int64")


# ---------------------------------------------------------------- generator state

def manual_seed(seed):
    """Seed the default generator; returns it. Example: ``cytorch.manual_seed(0)``."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cpu"):
    """Restore the default generator's state on exit (so the block's draws don't leak out)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ---------------------------------------------------------------- helpers

def _name(t):
    return t.dtype._name


def _not_impl(kernel, t):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_C.pretty_name(t.dtype.code)}'")


def _target(size, dtype, out, op):
    """The tensor to fill: ``out`` (resized if needed) or a new one of ``size``/``dtype``."""
    if out is None:
        return _C.empty(size, dtype if dtype is not None else _C.get_default_dtype())
    if not isinstance(out, TensorBase):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if dtype is not None and out.dtype != dtype:
        raise RuntimeError(f"{op}: dtype {dtype} does not match the out= tensor's dtype {out.dtype}")
    if tuple(out.shape) != tuple(size):
        _C._set_(out, _C.empty(size, out.dtype))
    return out


def _fill(t, dist, a, b, generator, kernel):
    """Fill a floating tensor in place (complex too for uniform/normal: both parts)."""
    name = _name(t)
    if name in _COMPLEX and dist in ("uniform", "normal"):
        if dist == "normal":      # complex normal: each part has variance std**2 / 2
            b = b / math.sqrt(2.0)
        _R._fill(_C._complex_part(t, 0), dist, a, b, generator)
        _R._fill(_C._complex_part(t, 1), dist, a, b, generator)
        t._bump_version()
        return t
    if name not in _FLOAT:
        raise _not_impl(kernel, t)
    _R._fill(t, dist, float(a), float(b), generator)
    return t


def _broadcast_shape(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# ---------------------------------------------------------------- in-place fills

def _from_kw(from_, kw, op):
    """``from`` is a Python keyword, so PyTorch's ``from=`` arrives in **kw."""
    value = kw.pop("from", from_)
    if kw:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kw))}'")
    return value


@tensor_method
def uniform_(self, from_=0, to=1, *, generator=None, **kw):
    """Fill with U[from, to). Example: ``cytorch.empty(3).uniform_(-1, 1)``."""
    from_ = _from_kw(from_, kw, "uniform_")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}")
    if _name(self) not in _FLOAT + _COMPLEX:
        raise _not_impl("check_uniform_bounds", self)
    return _fill(self, "uniform", from_, to, generator, "uniform_")


@tensor_method
def normal_(self, mean=0, std=1, *, generator=None):
    """Fill with N(mean, std**2)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, "normal", mean, std, generator, "normal_kernel_cpu")


def _continuous(t, dist):
    if _name(t) not in _FLOAT:
        raise RuntimeError(f"{dist} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_C.pretty_name(t.dtype.code)}")


@tensor_method
def exponential_(self, lambd=1, *, generator=None):
    """Fill with Exponential(lambd): density lambd * exp(-lambd * x)."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    _continuous(self, "Exponential")
    return _fill(self, "exponential", lambd, 0.0, generator, "exponential_cpu")


@tensor_method
def cauchy_(self, median=0, sigma=1, *, generator=None):
    """Fill with Cauchy(median, sigma)."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    _continuous(self, "Cauchy")
    return _fill(self, "cauchy", median, sigma, generator, "cauchy_cpu")


@tensor_method
def log_normal_(self, mean=1, std=2, *, generator=None):
    """Fill with exp(N(mean, std**2))."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill(self, "log_normal", mean, std, generator, "log_normal_cpu")


@tensor_method
def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (>= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    name = _name(self)
    if name in _FLOAT:
        return _fill(self, "geometric", p, 0.0, generator, "geometric_cpu")
    if name in _INT:   # integer targets: sample in float64, convert
        tmp = _C.empty(tuple(self.shape), _F64)
        _R._fill(tmp, "geometric", float(p), 0.0, generator)
        self._copy_from(tmp)
        return self
    raise _not_impl("geometric_cpu", self)


def random_(self, from_=None, to=None, *, generator=None, **kw):
    """Fill with integers: random_() -> [0, 2**mantissa] (floats) or [0, max]; random_(to) -> [0, to);
    random_(from, to) -> [from, to); random_(from, None) -> [from, max]."""
    from_ = _from_kw(from_, kw, "random_")
    name = _name(self)
    if name in _COMPLEX:
        raise _not_impl("random_kernel_cpu", self)
    top = 2 ** _MANTISSA[name] if name in _FLOAT else _INT_MAX[name]
    if from_ is None and to is None:
        lo, hi = 0, top + 1
    else:
        if to is None:
            lo, hi = int(from_), top + 1
        else:
            lo, hi = (0 if from_ is None else int(from_)), int(to)
        if lo >= hi:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
        if name not in _FLOAT:
            tname = _C_TYPE[name]
            if not _INT_MIN[name] <= lo <= _INT_MAX[name]:
                raise RuntimeError(f"from is out of bounds for {tname}")
            if not _INT_MIN[name] <= hi - 1 <= _INT_MAX[name]:
                raise RuntimeError(f"to - 1 is out of bounds for {tname}")
    span = hi - lo
    _R._fill_randint(self, lo, span % (1 << 64), generator)
    return self


def _random_dispatch(self, *args, generator=None, **kw):
    """Tensor.random_(to) means [0, to): one positional argument is the upper bound."""
    if len(args) == 1 and "to" not in kw and "from" not in kw:
        return random_(self, 0, args[0], generator=generator)
    return random_(self, *args, generator=generator, **kw)


tensor_method(_random_dispatch, name="random_")


@tensor_method
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability p (a number or a tensor broadcastable to self), else 0."""
    name = _name(self)
    if name in _COMPLEX:
        raise _not_impl("bernoulli_scalar_cpu_", self)
    if isinstance(p, TensorBase):
        if not (p.is_floating_point()):
            raise _not_impl("bernoulli_tensor_cpu_p_", p)
        _broadcast_shape(tuple(self.shape), tuple(p.shape))
        pt = p.to(_F64).expand(*self.shape) if p.numel() != 1 or self.numel() == 1 else p.to(_F64).reshape(())
        if tuple(pt.shape) != tuple(self.shape) and pt.dim() != 0:
            raise RuntimeError(f"bernoulli_: p of shape {list(p.shape)} can't be broadcast to {list(self.shape)}")
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        pt = _C._scalar_tensor(float(p), _F64)
    _R._bernoulli_into(self, pt, generator)
    return self


# ---------------------------------------------------------------- sampling functions

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Samples from U[0, 1) of the given size.

    Example::

        >>> cytorch.manual_seed(0); x = cytorch.rand(2, 3)
    """
    _check_device(device)
    t = _target(parse_size(size, "rand"), dtype, out, "rand")
    if _name(t) not in _FLOAT + _COMPLEX:
        raise _not_impl("check_uniform_bounds", t)
    return _finish(_fill(t, "uniform", 0.0, 1.0, generator, "uniform"), requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Samples from N(0, 1) of the given size (complex: variance 1/2 per part)."""
    _check_device(device)
    t = _target(parse_size(size, "randn"), dtype, out, "randn")
    return _finish(_fill(t, "normal", 0.0, 1.0, generator, "normal_kernel_cpu"), requires_grad)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, low=None, high=None):
    """Uniform integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``; int64."""
    _check_device(device)
    args = list(args)
    if size is None and args and hasattr(args[-1], "__len__") and not isinstance(args[-1], TensorBase):
        size = args.pop()
    if high is None and args:
        high = args.pop()
    if low is None:
        low = args.pop() if args else 0
    if args or high is None or size is None:
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int high, tuple of ints size, ...) or (int low, int high, tuple of ints size, ...)")
    t = _target(parse_size((size,), "randint"), dtype if dtype is not None else (None if out is not None else _I64),
                out, "randint")
    random_(t, int(low), int(high), generator=generator)
    return _finish(t, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1 (int64 unless ``dtype``)."""
    _check_device(device)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    p = _R._randperm(n, generator)
    if dtype is not None and dtype != _I64:
        if dtype._name not in _INT_MAX and dtype._name not in _MANTISSA:
            raise _not_impl("randperm", _C.empty((0,), dtype))
        limit = _INT_MAX.get(dtype._name) or 2 ** _MANTISSA[dtype._name]
        if n > limit + 1:
            raise RuntimeError(f"n must be strictly less than or equal to the maximum value of {dtype} + 1, "
                               f"but got n={n}")
        p = p.to(dtype)
    if out is not None:
        t = _target((n,), dtype, out, "randperm")
        t._copy_from(p)
        return t
    return _finish(p, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
              generator=None):
    return rand(tuple(input.shape), dtype=dtype or input.dtype, device=device, requires_grad=requires_grad,
                generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
               generator=None):
    return randn(tuple(input.shape), dtype=dtype or input.dtype, device=device, requires_grad=requires_grad,
                 generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    """randint_like(input, high) or randint_like(input, low, high): input's shape and dtype."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device,
                   requires_grad=requires_grad, generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Samples from N(mean, std**2). Overloads: (Tensor mean, Tensor std), (Tensor mean, float std=1),
    (float mean, Tensor std) broadcast their shapes; (float mean, float std, size) makes ``size``."""
    _check_device(device)
    mt, st = isinstance(mean, TensorBase), isinstance(std, TensorBase)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected one of: (Tensor mean, Tensor std), (Tensor mean, float std = 1), "
                            "(float mean, Tensor std), (float mean, float std, tuple of ints size)")
        t = _target(parse_size((size,), "normal"), dtype, out, "normal")
        return _finish(normal_(t, mean, std, generator=generator), requires_grad)
    if size is not None:
        raise TypeError("normal(): 'size' is only accepted with float mean and float std")
    if st:
        if _name(std) not in _FLOAT + _COMPLEX:
            raise _not_impl("normal_kernel_cpu", std)
        import numpy as np
        if std.numel() and bool((np.asarray(std.detach().to(_F64).numpy()) < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if mt and _name(mean) not in _FLOAT + _COMPLEX:
        raise _not_impl("normal_kernel_cpu", mean)
    shape = _broadcast_shape(tuple(mean.shape) if mt else (), tuple(std.shape) if st else ())
    rdt = mean.dtype if mt else std.dtype
    if mt and st:
        rdt = _C.promote_types(mean.dtype, std.dtype)
    z = randn(shape, dtype=rdt, generator=generator)
    r = z.mul_(std).add_(mean)
    if out is not None:
        t = _target(shape, None, out, "normal")
        t._copy_from(r)
        return t
    return r


@tensor_method
def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws: element i is 1 with probability input[i] (or p, when given); input's dtype."""
    if p is None:
        if _name(input) not in _FLOAT:
            raise _not_impl("bernoulli_tensor_cpu_self_", input)
        t = _C.empty(tuple(input.shape), input.dtype)
        if input.numel():
            _R._bernoulli_into(t, input.to(_F64).contiguous() if input.numel() != 1 else input.to(_F64).reshape(()),
                               generator)
    else:
        t = _C.empty(tuple(input.shape), input.dtype)
        bernoulli_(t, p, generator=generator)
    if out is not None:
        o = _target(tuple(input.shape), None, out, "bernoulli")
        o._copy_from(t)
        return o
    return t


@tensor_method
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices drawn from the (unnormalised) weights in each row of ``input`` (1-d or 2-d).

    Example::

        >>> cytorch.multinomial(cytorch.tensor([0.1, 0.9]), 4, replacement=True).shape
        cytorch.Size([4])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if _name(input) not in _FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_C.pretty_name(input.dtype.code)}")
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = input.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if k == 0:
        raise RuntimeError("multinomial: the number of categories must be positive")
    w = input.to(_F64).reshape(-1, k)
    r = _R._multinomial(w, num_samples, bool(replacement), generator)
    if input.dim() == 1:
        r = r.reshape(num_samples)
    if out is not None:
        o = _target(tuple(r.shape), None, out, "multinomial")
        o._copy_from(r)
        return o
    return r


def poisson(input, generator=None):
    """Poisson(rate) draws for each rate in ``input``; input's dtype."""
    if _name(input) not in _FLOAT:
        raise _not_impl("poisson_cpu", input)
    r = _R._poisson(input.to(_F64), generator)
    return r.to(input.dtype)

"""Numeric limits of dtypes: ``finfo`` (floating/complex) and ``iinfo`` (integers), like PyTorch's."""
import math

from cytorch._C import _tensor as _C

__all__ = ["finfo", "iinfo"]

# name: (bits, mantissa bits incl. the implicit one, max exponent)  ->  eps = 2**(1 - mant),
# max = (2 - eps) * 2**emax, smallest normal = 2**(1 - emax)
_FLOAT_FORMATS = {
    "float16": (16, 11, 15),
    "bfloat16": (16, 8, 127),
    "float32": (32, 24, 127),
    "float64": (64, 53, 1023),
}
_INT_FORMATS = {"uint8": (8, False), "int8": (8, True), "int16": (16, True), "int32": (32, True),
                "int64": (64, True)}


def _dtype_arg(dt, op):
    if dt is None:
        return _C.get_default_dtype()
    if not isinstance(dt, _C.dtype):
        raise TypeError(f"{op}(): argument 'type' must be cytorch.dtype, not {type(dt).__name__}")
    return dt


class finfo:
    """Limits of a floating dtype (complex dtypes report their real part's).

    Attributes: bits, eps, max, min, tiny, smallest_normal, resolution, dtype (a str).

    Example::

        >>> cytorch.finfo(cytorch.float16).max
        65504.0
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None):
        dt = _dtype_arg(type, "finfo")
        if dt.is_complex:
            dt = dt.to_real
        if not dt.is_floating_point:
            raise TypeError("cytorch.finfo() requires a floating point input type. "
                            "Use cytorch.iinfo to handle 'cytorch.finfo'")
        bits, mant, emax = _FLOAT_FORMATS[dt._name]
        self.bits = bits
        self.eps = math.ldexp(1.0, 1 - mant)
        self.max = math.ldexp(2.0 - self.eps, emax)
        self.min = -self.max
        self.smallest_normal = math.ldexp(1.0, 1 - emax)
        self.tiny = self.smallest_normal
        self.resolution = 10.0 ** -int(-math.log10(self.eps))
        self.dtype = dt._name

    def _fields(self):
        return tuple(getattr(self, k) for k in self.__slots__)

    def __eq__(self, other):
        return isinstance(other, finfo) and self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype. Attributes: bits, max, min, dtype (a str).

    Example::

        >>> cytorch.iinfo(cytorch.int8).min
        -128
    """

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type):
        if not isinstance(type, _C.dtype):
            raise TypeError(f"iinfo(): argument 'type' must be cytorch.dtype, not {builtin_type(type).__name__}")
        if type._name == "bool":
            raise TypeError("cytorch.bool is not supported by cytorch.iinfo")
        if type._name not in _INT_FORMATS:
            raise TypeError("cytorch.iinfo() requires an integer input type. "
                            "Use cytorch.finfo to handle 'cytorch.iinfo'")
        bits, signed = _INT_FORMATS[type._name]
        self.bits = bits
        self.min = -(1 << (bits - 1)) if signed else 0
        self.max = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
        self.dtype = type._name

    def __eq__(self, other):
        return isinstance(other, iinfo) and (self.bits, self.min, self.max, self.dtype) == \
            (other.bits, other.min, other.max, other.dtype)

    def __hash__(self):
        return hash((self.bits, self.min, self.max, self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


builtin_type = type

"""Small helpers shared by the op-family modules."""
import numpy as np

from cytorch._C import _tensor as _C
from cytorch._C._tensor import TensorBase

NP_DTYPES = {
    "bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16, "int32": np.int32,
    "int64": np.int64, "float16": np.float16, "float32": np.float32, "float64": np.float64,
    "complex64": np.complex64, "complex128": np.complex128,
}
FROM_NP = {np.dtype(v): k for k, v in NP_DTYPES.items()}


def dtype_by_name(name):
    return _C._dtype_from_name(name)


def to_np_dtype(dt):
    """NumPy dtype for a cytorch dtype (bfloat16 has none)."""
    if dt._name == "bfloat16":
        raise TypeError("Got unsupported ScalarType BFloat16")
    return np.dtype(NP_DTYPES[dt._name])


def from_np_dtype(npdt):
    try:
        return _C._dtype_from_name(FROM_NP[np.dtype(npdt)])
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(npdt)}. The only supported types are: float64, float32, "
            "float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.") from None


def parse_size(size, op="size"):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) or f(Size) and return a tuple of ints."""
    if len(size) == 1 and not isinstance(size[0], int) and not hasattr(size[0], "__index__"):
        size = size[0]
    elif len(size) == 1 and isinstance(size[0], TensorBase) and size[0].dim() > 0:
        size = size[0].tolist()
    out = []
    for s in size:
        if isinstance(s, float) or isinstance(s, bool):
            raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but found element of type {type(s).__name__}")
        out.append(int(s.__index__()))
    return tuple(out)


def is_tensor(x):
    return isinstance(x, TensorBase)

"""cytorch: PyTorch's API over a native C/Cython core.

``import cytorch as torch`` and write PyTorch code.
"""
import os as _os

# Our OpenMP loops and OpenBLAS's threads share few cores; spinning OpenMP
# workers starve OpenBLAS (and the other way round) right after a switch, so
# idle workers sleep unless the user chose otherwise. Read when libgomp loads.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from cytorch._C import _tensor as _C_tensor  # noqa: E402
from cytorch._C._tensor import Size, dtype, get_default_dtype, set_default_dtype, result_type, \
    promote_types, can_cast, set_num_threads as _set_ct_threads, get_num_threads
from cytorch._tensor import Tensor, device

__version__ = "0.1.0"

_d = _C_tensor._dtype_from_name
bool = _d("bool")
uint8 = _d("uint8")
int8 = _d("int8")
int16 = short = _d("int16")
int32 = int = _d("int32")
int64 = long = _d("int64")
float16 = half = _d("float16")
bfloat16 = _d("bfloat16")
float32 = float = _d("float32")
float64 = double = _d("float64")
complex64 = cfloat = _d("complex64")
complex128 = cdouble = _d("complex128")
del _d


class layout:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "cytorch." + self.name


strided = layout("strided")


class memory_format:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "cytorch." + self.name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")

from cytorch._ops import conversion as _conversion  # noqa: E402,F401  (attaches methods)
from cytorch._ops.creation import *  # noqa: E402,F401,F403
from cytorch._ops.elementwise import *  # noqa: E402,F401,F403
from cytorch._ops.conversion import clone  # noqa: E402,F401
from cytorch._threads import set_num_threads  # noqa: E402,F401
from cytorch._ops.info import *  # noqa: E402,F401,F403
from cytorch._ops.random import *  # noqa: E402,F401,F403
from cytorch._ops.indexing import *  # noqa: E402,F401,F403
from cytorch._ops.reductions import *  # noqa: E402,F401,F403
from cytorch._ops.sorting import *  # noqa: E402,F401,F403
from cytorch._ops.shape import *  # noqa: E402,F401,F403
from cytorch._ops.blas import *  # noqa: E402,F401,F403
from cytorch._tensor_str import *  # noqa: E402,F401,F403
from cytorch import linalg, cuda, utils, return_types  # noqa: E402,F401
import cytorch.utils.dlpack  # noqa: E402,F401
from cytorch.utils.dlpack import *  # noqa: E402,F401,F403
from cytorch import autograd  # noqa: E402,F401  (installs the autograd hooks and wrappers)
from cytorch.autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, \
    is_grad_enabled, is_inference_mode_enabled  # noqa: E402,F401

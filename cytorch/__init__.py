"""cytorch: PyTorch's API over a native C/Cython core.

``import cytorch as torch`` and write PyTorch code.
"""
import os as _os

# Our OpenMP loops and OpenBLAS's threads share few cores. libgomp's default
# spins idle workers for ~300k iterations, which starves OpenBLAS (and the
# other way round) for milliseconds after each switch; sleeping at once
# (OMP_WAIT_POLICY=PASSIVE) costs a futex wake-up (~50 us) per parallel loop.
# A short spin keeps back-to-back loops fast without the starvation. Measured
# on 2 cores: 100k-element add 8 us (passive: 63 us); 256² matmul then a 1M
# cast 0.9 ms (default spin: 8.6 ms). Read when libgomp loads; user settings win.
if "OMP_WAIT_POLICY" not in _os.environ and "GOMP_SPINCOUNT" not in _os.environ:
    _os.environ["GOMP_SPINCOUNT"] = "10000"
# OpenBLAS's idle workers spin (sched_yield) for 2^28 cycles (~0.1 s) after each threaded call,
# taking the cores from the OpenMP loops that run next (a conv net's step at 2 threads: 2x
# slower); 2^10 cycles lets them sleep almost at once. Read when SciPy's OpenBLAS loads.
if "OPENBLAS_THREAD_TIMEOUT" not in _os.environ and "GOTO_THREAD_TIMEOUT" not in _os.environ:
    _os.environ["OPENBLAS_THREAD_TIMEOUT"] = "10"

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
from cytorch import nn  # noqa: E402,F401
from cytorch.serialization import save, load  # noqa: E402,F401
from cytorch import optim  # noqa: E402,F401

"""One thread setting for our OpenMP loops and SciPy's OpenBLAS."""
from cytorch._C import _tensor as _C

_blas_limiter = None


def set_num_threads(n):
    """Use ``n`` threads in cytorch's kernels and in the BLAS it calls (so they never oversubscribe)."""
    global _blas_limiter
    n = int(n)
    _C.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
        _blas_limiter = threadpool_limits(limits=n, user_api="blas")
    except ImportError:
        pass


def get_num_threads():
    return _C.get_num_threads()

# _reduce.pxd - what other _C modules cimport from _reduce.pyx.
from libc.stdint cimport int64_t
from cytorch._C._tensor cimport TensorBase

# t as a contiguous [A, R, B] block around dim d: A the product of the sizes before d, R = size(d),
# B the product of the sizes after d.
cdef int _split_at(TensorBase t, int d, int64_t *A, int64_t *R, int64_t *B) noexcept

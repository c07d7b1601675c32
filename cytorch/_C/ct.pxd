# ct.pxd - Cython declarations of the plain-C kernel layer (src_c/).
from libc.stdint cimport int64_t, uint8_t, uint16_t

cdef extern from "ct_base.h" nogil:
    enum:
        CT_MAX_DIMS
        CT_MAX_ARGS
        CT_OK
        CT_ERR_INDEX
        CT_ERR_VALUE
        CT_ERR_NOMEM
        CT_ERR_DIMS
    enum:
        CT_BOOL, CT_UINT8, CT_INT8, CT_INT16, CT_INT32, CT_INT64
        CT_FLOAT16, CT_BFLOAT16, CT_FLOAT32, CT_FLOAT64, CT_COMPLEX64, CT_COMPLEX128
        CT_NDTYPES
    ctypedef void (*ct_loop_fn)(char **args, const int64_t *steps, int64_t n, const void *aux)
    int ct_iterate(ct_loop_fn fn, int nargs, char **data, int ndim, const int64_t *shape,
                   const int64_t *strides, const void *aux)
    void ct_set_num_threads(int n)
    int ct_get_num_threads()
    void *ct_alloc(size_t nbytes)
    void ct_free(void *p, size_t nbytes)
    float ct_half_to_float(uint16_t h)
    uint16_t ct_float_to_half(float f)
    float ct_bf16_to_float(uint16_t h)
    uint16_t ct_float_to_bf16(float f)

cdef extern from "ct_elementwise.h" nogil:
    ct_loop_fn ct_binary_table[][CT_NDTYPES]
    ct_loop_fn ct_unary_table[][CT_NDTYPES]
    ct_loop_fn ct_cast_table[][CT_NDTYPES]
    int ct_take_int_flags()
    int ct_fill(char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides, const void *value)

cdef extern from "ct_elementwise.h" nogil:
    enum:
        CT_OP_ADD
        CT_OP_SUB
        CT_OP_MUL
        CT_OP_DIV
        CT_OP_FLOOR_DIVIDE
        CT_OP_REMAINDER
        CT_OP_FMOD
        CT_OP_POW
        CT_OP_MAXIMUM
        CT_OP_MINIMUM
        CT_OP_FMAX
        CT_OP_FMIN
        CT_OP_ATAN2
        CT_OP_HYPOT
        CT_OP_COPYSIGN
        CT_OP_NEXTAFTER
        CT_OP_EQ
        CT_OP_NE
        CT_OP_LT
        CT_OP_LE
        CT_OP_GT
        CT_OP_GE
        CT_OP_LOGICAL_AND
        CT_OP_LOGICAL_OR
        CT_OP_LOGICAL_XOR
        CT_OP_BITWISE_AND
        CT_OP_BITWISE_OR
        CT_OP_BITWISE_XOR
        CT_OP_BITWISE_LEFT_SHIFT
        CT_OP_BITWISE_RIGHT_SHIFT
        CT_OP_XLOGY
        CT_OP_LOGADDEXP
        CT_OP_HEAVISIDE
        CT_NBINARY
    enum:
        CT_OP_NEG
        CT_OP_ABS
        CT_OP_SIGN
        CT_OP_SGN
        CT_OP_EXP
        CT_OP_LOG
        CT_OP_SQRT
        CT_OP_SIN
        CT_OP_COS
        CT_OP_TAN
        CT_OP_ASIN
        CT_OP_ACOS
        CT_OP_ATAN
        CT_OP_SINH
        CT_OP_COSH
        CT_OP_TANH
        CT_OP_ASINH
        CT_OP_ACOSH
        CT_OP_ATANH
        CT_OP_EXP2
        CT_OP_EXPM1
        CT_OP_LOG2
        CT_OP_LOG10
        CT_OP_LOG1P
        CT_OP_ERF
        CT_OP_ERFC
        CT_OP_LGAMMA
        CT_OP_FLOOR
        CT_OP_CEIL
        CT_OP_TRUNC
        CT_OP_ROUND
        CT_OP_FRAC
        CT_OP_RSQRT
        CT_OP_RECIPROCAL
        CT_OP_SQUARE
        CT_OP_SIGMOID
        CT_OP_ERFINV
        CT_OP_DIGAMMA
        CT_OP_RELU
        CT_OP_BITWISE_NOT
        CT_OP_LOGICAL_NOT
        CT_OP_ISNAN
        CT_OP_ISINF
        CT_OP_ISFINITE
        CT_OP_SIGNBIT
        CT_OP_CONJ
        CT_OP_ANGLE
        CT_OP_REAL
        CT_OP_IMAG
        CT_OP_COPY
        CT_NUNARY

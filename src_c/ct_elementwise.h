/* ct_elementwise.h - op codes and kernel tables for elementwise ops. */
#ifndef CT_ELEMENTWISE_H
#define CT_ELEMENTWISE_H
#include "ct_base.h"

/* Binary ops: out = f(a, b); operands already share one dtype (comparisons write bool). */
enum {
    CT_OP_ADD,
    CT_OP_SUB,
    CT_OP_MUL,
    CT_OP_DIV,
    CT_OP_FLOOR_DIVIDE,
    CT_OP_REMAINDER,
    CT_OP_FMOD,
    CT_OP_POW,
    CT_OP_MAXIMUM,
    CT_OP_MINIMUM,
    CT_OP_FMAX,
    CT_OP_FMIN,
    CT_OP_ATAN2,
    CT_OP_HYPOT,
    CT_OP_COPYSIGN,
    CT_OP_NEXTAFTER,
    CT_OP_EQ,
    CT_OP_NE,
    CT_OP_LT,
    CT_OP_LE,
    CT_OP_GT,
    CT_OP_GE,
    CT_OP_LOGICAL_AND,
    CT_OP_LOGICAL_OR,
    CT_OP_LOGICAL_XOR,
    CT_OP_BITWISE_AND,
    CT_OP_BITWISE_OR,
    CT_OP_BITWISE_XOR,
    CT_OP_BITWISE_LEFT_SHIFT,
    CT_OP_BITWISE_RIGHT_SHIFT,
    CT_OP_XLOGY,
    CT_OP_LOGADDEXP,
    CT_OP_HEAVISIDE,
    CT_NBINARY
};

/* Unary ops: out = f(a). */
enum {
    CT_OP_NEG,
    CT_OP_ABS,
    CT_OP_SIGN,
    CT_OP_SGN,
    CT_OP_EXP,
    CT_OP_LOG,
    CT_OP_SQRT,
    CT_OP_SIN,
    CT_OP_COS,
    CT_OP_TAN,
    CT_OP_ASIN,
    CT_OP_ACOS,
    CT_OP_ATAN,
    CT_OP_SINH,
    CT_OP_COSH,
    CT_OP_TANH,
    CT_OP_ASINH,
    CT_OP_ACOSH,
    CT_OP_ATANH,
    CT_OP_EXP2,
    CT_OP_EXPM1,
    CT_OP_LOG2,
    CT_OP_LOG10,
    CT_OP_LOG1P,
    CT_OP_ERF,
    CT_OP_ERFC,
    CT_OP_LGAMMA,
    CT_OP_FLOOR,
    CT_OP_CEIL,
    CT_OP_TRUNC,
    CT_OP_ROUND,
    CT_OP_FRAC,
    CT_OP_RSQRT,
    CT_OP_RECIPROCAL,
    CT_OP_SQUARE,
    CT_OP_SIGMOID,
    CT_OP_ERFINV,
    CT_OP_DIGAMMA,
    CT_OP_RELU,
    CT_OP_BITWISE_NOT,
    CT_OP_LOGICAL_NOT,
    CT_OP_ISNAN,
    CT_OP_ISINF,
    CT_OP_ISFINITE,
    CT_OP_SIGNBIT,
    CT_OP_CONJ,
    CT_OP_ANGLE,
    CT_OP_REAL,
    CT_OP_IMAG,
    CT_OP_COPY,
    CT_NUNARY
};

extern const ct_loop_fn ct_binary_table[CT_NBINARY][CT_NDTYPES];
extern const ct_loop_fn ct_unary_table[CT_NUNARY][CT_NDTYPES];
/* ct_cast_table[src][dst] converts elementwise between any two dtypes. */
extern const ct_loop_fn ct_cast_table[CT_NDTYPES][CT_NDTYPES];

/* Set by integer kernels on division by zero (the op's result is then 0);
   the dispatcher clears it before a call and raises after. */
extern volatile int ct_int_div_by_zero;
/* Set by integer pow on a negative exponent. */
extern volatile int ct_int_neg_pow;
/* Read and clear both flags: bit 0 division by zero, bit 1 negative power. */
int ct_take_int_flags(void);

/* Scalar fill: write `value` (bytes of one element) to an n-d strided block. */
int ct_fill(char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides, const void *value);

#endif

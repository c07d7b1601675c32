/* ct_base.h - shared types for the cytorch kernels (plain C11, no Python.h).
 *
 * Kernels take raw pointers, sizes and *byte* strides, and return an error
 * code; they never allocate Python objects and never call back into Python.
 */
#ifndef CT_BASE_H
#define CT_BASE_H

#include <stdint.h>
#include <stddef.h>
#include <complex.h>

#define CT_MAX_DIMS 16
#define CT_MAX_ARGS 4

/* Error codes returned by kernels (0 is success). */
enum { CT_OK = 0, CT_ERR_INDEX = 1, CT_ERR_VALUE = 2, CT_ERR_NOMEM = 3, CT_ERR_DIMS = 4 };

/* dtype codes; the order is also the order of the kernel tables. */
typedef enum {
    CT_BOOL = 0, CT_UINT8, CT_INT8, CT_INT16, CT_INT32, CT_INT64,
    CT_FLOAT16, CT_BFLOAT16, CT_FLOAT32, CT_FLOAT64, CT_COMPLEX64, CT_COMPLEX128,
    CT_NDTYPES
} ct_dtype;

typedef uint16_t ct_half;   /* IEEE 754 binary16, stored as bits */
typedef uint16_t ct_bf16;   /* bfloat16, stored as bits */
typedef float _Complex ct_c64;
typedef double _Complex ct_c128;

/* A 1-d inner loop (NumPy's ufunc loop shape): args[k] points at the first
 * element of operand k, steps[k] is its byte stride, n the element count.
 * Operand 0 is the output. aux carries op parameters (e.g. clamp bounds). */
typedef void (*ct_loop_fn)(char **args, const int64_t *steps, int64_t n, const void *aux);

/* Run `fn` over an n-d iteration space. strides is nargs rows of ndim byte
 * strides. Dims are coalesced where every operand allows it; large problems
 * are split across OpenMP threads (each element is written by one thread, so
 * the result does not depend on the thread count). */
int ct_iterate(ct_loop_fn fn, int nargs, char **data, int ndim, const int64_t *shape,
               const int64_t *strides, const void *aux);

/* Thread control for our OpenMP loops. */
void ct_set_num_threads(int n);
int ct_get_num_threads(void);

/* Allocator with a small size-class cache (called with the GIL held). */
void *ct_alloc(size_t nbytes);
void ct_free(void *p, size_t nbytes);

/* float16 / bfloat16 <-> float32 (round to nearest even). */
static inline float ct_half_to_float(ct_half h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0) {
        if (man == 0) { bits = sign; }
        else {                      /* subnormal: renormalise */
            exp = 127 - 15 + 1;
            while (!(man & 0x400u)) { man <<= 1; exp--; }
            man &= 0x3ffu;
            bits = sign | (exp << 23) | (man << 13);
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    union { uint32_t u; float f; } v = { bits };
    return v.f;
}

static inline ct_half ct_float_to_half(float f) {
    union { float f; uint32_t u; } v = { f };
    uint32_t x = v.u, sign = (x >> 16) & 0x8000u;
    uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u)                     /* inf or nan */
        return (ct_half)(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0));
    if (absx >= 0x477ff000u) return (ct_half)(sign | 0x7c00u);   /* overflow */
    if (absx < 0x38800000u) {                    /* subnormal half or zero */
        if (absx < 0x33000000u) return (ct_half)sign;
        uint32_t e = absx >> 23, m = (absx & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126 - e;                /* 14 + (112 - e) */
        uint32_t r = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u))) r++;
        return (ct_half)(sign | r);
    }
    uint32_t r = absx - 0x38000000u;             /* rebias exponent */
    uint32_t lsb = (r >> 13) & 1u;
    r += 0xfffu + lsb;                           /* round to nearest even */
    return (ct_half)(sign | (r >> 13));
}

static inline float ct_bf16_to_float(ct_bf16 h) {
    union { uint32_t u; float f; } v = { (uint32_t)h << 16 };
    return v.f;
}

static inline ct_bf16 ct_float_to_bf16(float f) {
    union { float f; uint32_t u; } v = { f };
    if ((v.u & 0x7fffffffu) > 0x7f800000u) return (ct_bf16)((v.u >> 16) | 0x40u);  /* quiet nan */
    uint32_t lsb = (v.u >> 16) & 1u;
    return (ct_bf16)((v.u + 0x7fffu + lsb) >> 16);
}

static inline size_t ct_itemsize(int dt) {
    static const size_t sz[CT_NDTYPES] = {1, 1, 1, 2, 4, 8, 2, 2, 4, 8, 8, 16};
    return sz[dt];
}

#endif

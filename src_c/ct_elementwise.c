/* ct_elementwise.c - elementwise kernels: one inner loop per (op, dtype).
 *
 * The loop is separate from the arithmetic (NumPy's habit): CT_BINARY and
 * CT_UNARY write the loop with a contiguous fast path, a scalar-operand fast
 * path and a strided fallback; each call site below spells the kernel's final
 * name and gives its body as one expression of `a` (and `b`).
 * float16/bfloat16 are computed in float32 by the dispatcher, so only the
 * cast table has entries for them.
 */
#define _GNU_SOURCE
#include "ct_elementwise.h"
#include "ct_math.h"
#include <math.h>
#include <string.h>
#include <limits.h>

volatile int ct_int_div_by_zero = 0;
volatile int ct_int_neg_pow = 0;

/* Each loop is compiled for baseline x86-64, AVX2 and AVX-512F, and the one
 * for the running CPU is picked by feature once at load time (GCC function
 * multiversioning; "arch=" clones would test the CPU model, not its features).
 * -std=c11 keeps fp contraction off, so every variant gives identical results. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(CT_NO_MULTIVERSION)
#define CT_MULTIVERSION __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define CT_MULTIVERSION
#endif

/* Helpers are force-inlined so that they also inline into the AVX clones
 * (GCC will not inline a default-target function there otherwise). */
#define CT_INLINE static inline __attribute__((always_inline))

/* out[i] := expr(a[i], b[i]) */
#define CT_BINARY_TO(name, T, TO, expr)                                              \
CT_MULTIVERSION static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {    \
    (void)aux;                                                                       \
    char *po = args[0]; const char *pa = args[1], *pb = args[2];                     \
    const int64_t so = steps[0], sa = steps[1], sb = steps[2];                       \
    if (so == sizeof(TO) && sa == sizeof(T) && sb == sizeof(T)) {                    \
        TO *o = (TO *)po; const T *A = (const T *)pa, *B = (const T *)pb;            \
        for (int64_t i = 0; i < n; i++) { T a = A[i], b = B[i]; o[i] = (expr); }     \
    } else if (so == sizeof(TO) && sa == sizeof(T) && sb == 0) {                     \
        TO *o = (TO *)po; const T *A = (const T *)pa; const T b = *(const T *)pb;    \
        for (int64_t i = 0; i < n; i++) { T a = A[i]; o[i] = (expr); }               \
    } else if (so == sizeof(TO) && sa == 0 && sb == sizeof(T)) {                     \
        TO *o = (TO *)po; const T *B = (const T *)pb; const T a = *(const T *)pa;    \
        for (int64_t i = 0; i < n; i++) { T b = B[i]; o[i] = (expr); }               \
    } else {                                                                         \
        for (int64_t i = 0; i < n; i++) {                                            \
            T a = *(const T *)(pa + i * sa), b = *(const T *)(pb + i * sb);          \
            *(TO *)(po + i * so) = (expr);                                           \
        }                                                                            \
    }                                                                                \
}
#define CT_BINARY(name, T, expr) CT_BINARY_TO(name, T, T, expr)

/* out[i] := expr(a[i]) */
#define CT_UNARY_TO(name, T, TO, expr)                                               \
CT_MULTIVERSION static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {    \
    (void)aux;                                                                       \
    char *po = args[0]; const char *pa = args[1];                                    \
    const int64_t so = steps[0], sa = steps[1];                                      \
    if (so == sizeof(TO) && sa == sizeof(T)) {                                       \
        TO *o = (TO *)po; const T *A = (const T *)pa;                                \
        for (int64_t i = 0; i < n; i++) { T a = A[i]; o[i] = (expr); }               \
    } else {                                                                         \
        for (int64_t i = 0; i < n; i++) {                                            \
            T a = *(const T *)(pa + i * sa);                                         \
            *(TO *)(po + i * so) = (expr);                                           \
        }                                                                            \
    }                                                                                \
}
#define CT_UNARY(name, T, expr) CT_UNARY_TO(name, T, T, expr)

/* ---- scalar helpers: integer division is Python's (floor), never traps ---- */
#define CT_INT_HELPERS(T, UT, SUF)                                                   \
CT_INLINE T ct_floordiv_##SUF(T a, T b) {                                        \
    if (b == 0) { ct_int_div_by_zero = 1; return 0; }                                \
    if (b == -1) return (T)(0 - (UT)a);  /* MIN / -1 would trap */                   \
    T q = a / b; if ((a % b != 0) && ((a < 0) != (b < 0))) q--; return q;            \
}                                                                                    \
CT_INLINE T ct_mod_##SUF(T a, T b) {                                             \
    if (b == 0) { ct_int_div_by_zero = 1; return 0; }                                \
    if (b == -1) return 0;                                                           \
    T r = a % b; if (r != 0 && ((r < 0) != (b < 0))) r += b; return r;               \
}                                                                                    \
CT_INLINE T ct_fmodi_##SUF(T a, T b) {                                           \
    if (b == 0) { ct_int_div_by_zero = 1; return 0; }                                \
    if (b == -1) return 0;                                                           \
    return a % b;                                                                    \
}                                                                                    \
CT_INLINE T ct_ipow_##SUF(T a, T b) {                                            \
    if (b < 0) {                                                                     \
        if (a == 1) return 1;                                                        \
        if (a == -1) return (b & 1) ? -1 : 1;                                        \
        ct_int_neg_pow = 1; return 0;                                                \
    }                                                                                \
    UT r = 1, base = (UT)a;                                                          \
    while (b) { if (b & 1) r *= base; base *= base; b >>= 1; }                       \
    return (T)r;                                                                     \
}
CT_INT_HELPERS(int8_t, uint8_t, i8)
CT_INT_HELPERS(int16_t, uint16_t, i16)
CT_INT_HELPERS(int32_t, uint32_t, i32)
CT_INT_HELPERS(int64_t, uint64_t, i64)
#define ct_floordiv_i(a, b) _Generic((a), int8_t: ct_floordiv_i8, int16_t: ct_floordiv_i16, int32_t: ct_floordiv_i32, default: ct_floordiv_i64)(a, b)
#define ct_mod_i(a, b) _Generic((a), int8_t: ct_mod_i8, int16_t: ct_mod_i16, int32_t: ct_mod_i32, default: ct_mod_i64)(a, b)
#define ct_fmod_i(a, b) _Generic((a), int8_t: ct_fmodi_i8, int16_t: ct_fmodi_i16, int32_t: ct_fmodi_i32, default: ct_fmodi_i64)(a, b)
#define ct_ipow_i(a, b) _Generic((a), int8_t: ct_ipow_i8, int16_t: ct_ipow_i16, int32_t: ct_ipow_i32, default: ct_ipow_i64)(a, b)

CT_INLINE uint8_t ct_floordiv_u(uint8_t a, uint8_t b) { if (b == 0) { ct_int_div_by_zero = 1; return 0; } return a / b; }
CT_INLINE uint8_t ct_mod_u(uint8_t a, uint8_t b) { if (b == 0) { ct_int_div_by_zero = 1; return 0; } return a % b; }
CT_INLINE uint8_t ct_ipow_u(uint8_t a, uint8_t b) { unsigned r = 1, base = a; while (b) { if (b & 1) r *= base; base *= base; b >>= 1; } return (uint8_t)r; }

/* Shifts by >= the bit width give 0 (or -1 for negative >>), never UB. */
#define CT_SHIFTS(T, SUF, BITS)                                                      \
CT_INLINE T ct_shl_##SUF(T a, T b) { return (b < 0 || b >= BITS) ? 0 : (T)((uint64_t)a << b); } \
CT_INLINE T ct_shr_##SUF(T a, T b) { return (b < 0 || b >= BITS) ? (T)(a < 0 ? -1 : 0) : (T)(a >> b); }
CT_SHIFTS(uint8_t, u8, 8)
CT_SHIFTS(int8_t, i8, 8)
CT_SHIFTS(int16_t, i16, 16)
CT_SHIFTS(int32_t, i32, 32)
CT_SHIFTS(int64_t, i64, 64)

/* Python-style float floor division and remainder (sign of the divisor). */
CT_INLINE float ct_floordivf(float a, float b) {
    if (b == 0) return a / b;
    float m = fmodf(a, b), d = (a - m) / b;
    if (m != 0 && ((b < 0) != (m < 0))) d -= 1;
    float f = floorf(d); if (d - f > 0.5f) f += 1; return f;
}
CT_INLINE double ct_floordiv(double a, double b) {
    if (b == 0) return a / b;
    double m = fmod(a, b), d = (a - m) / b;
    if (m != 0 && ((b < 0) != (m < 0))) d -= 1;
    double f = floor(d); if (d - f > 0.5) f += 1; return f;
}
CT_INLINE float ct_remf(float a, float b) { float r = fmodf(a, b); if (r != 0 && ((r < 0) != (b < 0))) r += b; return r; }
CT_INLINE double ct_rem(double a, double b) { double r = fmod(a, b); if (r != 0 && ((r < 0) != (b < 0))) r += b; return r; }
/* maximum/minimum propagate NaN (fmax/fmin ignore it). */
#define ct_nanmax(a, b) ((a) != (a) ? (a) : ((b) != (b) ? (b) : ((a) > (b) ? (a) : (b))))
#define ct_nanmin(a, b) ((a) != (a) ? (a) : ((b) != (b) ? (b) : ((a) < (b) ? (a) : (b))))
CT_INLINE float ct_signf(float a) { return a != a ? a : (float)((a > 0) - (a < 0)); }
CT_INLINE double ct_sign(double a) { return a != a ? a : (double)((a > 0) - (a < 0)); }
/* complex exp2/expm1/log1p/rsqrt, written to keep precision near 0 (expm1, log1p):
   expm1(a+ib) = expm1(a) cos b - 2 sin^2(b/2) + i e^a sin b;  log1p(z) = log|1+z| + i arg(1+z) */
CT_INLINE ct_c64 ct_cexpm1f(ct_c64 z) { float a = crealf(z), b = cimagf(z), s = sinf(b / 2);
    return CMPLXF(expm1f(a) * cosf(b) - 2 * s * s, expf(a) * sinf(b)); }
CT_INLINE ct_c128 ct_cexpm1(ct_c128 z) { double a = creal(z), b = cimag(z), s = sin(b / 2);
    return CMPLX(expm1(a) * cos(b) - 2 * s * s, exp(a) * sin(b)); }
CT_INLINE ct_c64 ct_clog1pf(ct_c64 z) { float a = crealf(z), b = cimagf(z);
    return CMPLXF(0.5f * log1pf(a * (2 + a) + b * b), atan2f(b, 1 + a)); }
CT_INLINE ct_c128 ct_clog1p(ct_c128 z) { double a = creal(z), b = cimag(z);
    return CMPLX(0.5 * log1p(a * (2 + a) + b * b), atan2(b, 1 + a)); }
CT_INLINE ct_c64 ct_csgnf(ct_c64 a) { float m = cabsf(a); return m == 0 ? 0 : a / m; }
CT_INLINE ct_c128 ct_csgn(ct_c128 a) { double m = cabs(a); return m == 0 ? 0 : a / m; }
/* sigmoid written so that exp never overflows */
CT_INLINE float ct_sigmoidf(float a) { float e = ct_expf(-fabsf(a)); float s = 1.0f / (1.0f + e); return a >= 0 ? s : e * s; }
CT_INLINE double ct_sigmoid(double a) { if (a >= 0) return 1.0 / (1.0 + exp(-a)); double e = exp(a); return e / (1.0 + e); }
CT_INLINE float ct_xlogyf(float a, float b) { if (b != b) return b; return a == 0 ? 0.0f : a * logf(b); }
CT_INLINE double ct_xlogy(double a, double b) { if (b != b) return b; return a == 0 ? 0.0 : a * log(b); }
CT_INLINE float ct_logaddexpf(float a, float b) { float m = fmaxf(a, b); if (isinf(m) && a == b) return m; return m + log1pf(expf(-fabsf(a - b))); }
CT_INLINE double ct_logaddexp(double a, double b) { double m = fmax(a, b); if (isinf(m) && a == b) return m; return m + log1p(exp(-fabs(a - b))); }
/* float -> int conversion that never hits C's undefined behaviour */
CT_INLINE int64_t ct_f2i(double v) {
    if (v != v) return INT64_MIN;
    if (v >= 9.2233720368547758e18) return INT64_MIN;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

/* erfinv: Giles' single-precision-style approximation refined by two Newton
 * steps on erf, accurate to double rounding. */
static double ct_erfinv(double y) {
    if (y <= -1) return y == -1 ? -INFINITY : NAN;
    if (y >= 1) return y == 1 ? INFINITY : NAN;
    double w = -log((1.0 - y) * (1.0 + y)), x;
    if (w < 5.0) {
        w -= 2.5;
        x = 2.81022636e-08; x = 3.43273939e-07 + x * w; x = -3.5233877e-06 + x * w;
        x = -4.39150654e-06 + x * w; x = 0.00021858087 + x * w; x = -0.00125372503 + x * w;
        x = -0.00417768164 + x * w; x = 0.246640727 + x * w; x = 1.50140941 + x * w;
    } else {
        w = sqrt(w) - 3.0;
        x = -0.000200214257; x = 0.000100950558 + x * w; x = 0.00134934322 + x * w;
        x = -0.00367342844 + x * w; x = 0.00573950773 + x * w; x = -0.0076224613 + x * w;
        x = 0.00943887047 + x * w; x = 1.00167406 + x * w; x = 2.83297682 + x * w;
    }
    x *= y;
    for (int k = 0; k < 2; k++)   /* Newton: erf(x) - y = 0 */
        x -= (erf(x) - y) / (2.0 / sqrt(M_PI) * exp(-x * x));
    return x;
}

/* digamma: recurrence up to x >= 6, then the asymptotic series; reflection
 * for negative x. Poles (0, negative integers) give nan like PyTorch
 * (-inf at exactly 0 is PyTorch's choice too). */
static double ct_digamma(double x) {
    if (x == 0) return copysign(INFINITY, -x);
    if (x < 0) {
        if (x == floor(x)) return NAN;
        return ct_digamma(1.0 - x) - M_PI / tan(M_PI * x);
    }
    double r = 0;
    while (x < 6) { r -= 1.0 / x; x += 1; }
    double f = 1.0 / (x * x);
    double t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
    return r + log(x) - 0.5 / x + t;
}

CT_BINARY(ct_add_u8, uint8_t, a + b)
CT_BINARY(ct_add_i8, int8_t, a + b)
CT_BINARY(ct_add_i16, int16_t, a + b)
CT_BINARY(ct_add_i32, int32_t, a + b)
CT_BINARY(ct_add_i64, int64_t, a + b)
CT_BINARY(ct_add_f32, float, a + b)
CT_BINARY(ct_add_f64, double, a + b)
CT_BINARY(ct_add_c64, ct_c64, a + b)
CT_BINARY(ct_add_c128, ct_c128, a + b)
CT_BINARY(ct_add_b, uint8_t, (uint8_t)(a | b))
CT_BINARY(ct_sub_u8, uint8_t, a - b)
CT_BINARY(ct_sub_i8, int8_t, a - b)
CT_BINARY(ct_sub_i16, int16_t, a - b)
CT_BINARY(ct_sub_i32, int32_t, a - b)
CT_BINARY(ct_sub_i64, int64_t, a - b)
CT_BINARY(ct_sub_f32, float, a - b)
CT_BINARY(ct_sub_f64, double, a - b)
CT_BINARY(ct_sub_c64, ct_c64, a - b)
CT_BINARY(ct_sub_c128, ct_c128, a - b)
CT_BINARY(ct_mul_u8, uint8_t, a * b)
CT_BINARY(ct_mul_i8, int8_t, a * b)
CT_BINARY(ct_mul_i16, int16_t, a * b)
CT_BINARY(ct_mul_i32, int32_t, a * b)
CT_BINARY(ct_mul_i64, int64_t, a * b)
CT_BINARY(ct_mul_f32, float, a * b)
CT_BINARY(ct_mul_f64, double, a * b)
CT_BINARY(ct_mul_c64, ct_c64, a * b)
CT_BINARY(ct_mul_c128, ct_c128, a * b)
CT_BINARY(ct_mul_b, uint8_t, (uint8_t)(a & b))
CT_BINARY(ct_div_f32, float, a / b)
CT_BINARY(ct_div_f64, double, a / b)
CT_BINARY(ct_div_c64, ct_c64, a / b)
CT_BINARY(ct_div_c128, ct_c128, a / b)
CT_BINARY(ct_floor_divide_u8, uint8_t, ct_floordiv_u(a, b))
CT_BINARY(ct_floor_divide_i8, int8_t, ct_floordiv_i(a, b))
CT_BINARY(ct_floor_divide_i16, int16_t, ct_floordiv_i(a, b))
CT_BINARY(ct_floor_divide_i32, int32_t, ct_floordiv_i(a, b))
CT_BINARY(ct_floor_divide_i64, int64_t, ct_floordiv_i(a, b))
CT_BINARY(ct_floor_divide_f32, float, ct_floordivf(a, b))
CT_BINARY(ct_floor_divide_f64, double, ct_floordiv(a, b))
CT_BINARY(ct_remainder_u8, uint8_t, ct_mod_u(a, b))
CT_BINARY(ct_remainder_i8, int8_t, ct_mod_i(a, b))
CT_BINARY(ct_remainder_i16, int16_t, ct_mod_i(a, b))
CT_BINARY(ct_remainder_i32, int32_t, ct_mod_i(a, b))
CT_BINARY(ct_remainder_i64, int64_t, ct_mod_i(a, b))
CT_BINARY(ct_remainder_f32, float, ct_remf(a, b))
CT_BINARY(ct_remainder_f64, double, ct_rem(a, b))
CT_BINARY(ct_fmod_u8, uint8_t, ct_mod_u(a, b))
CT_BINARY(ct_fmod_i8, int8_t, ct_fmod_i(a, b))
CT_BINARY(ct_fmod_i16, int16_t, ct_fmod_i(a, b))
CT_BINARY(ct_fmod_i32, int32_t, ct_fmod_i(a, b))
CT_BINARY(ct_fmod_i64, int64_t, ct_fmod_i(a, b))
CT_BINARY(ct_fmod_f32, float, fmodf(a, b))
CT_BINARY(ct_fmod_f64, double, fmod(a, b))
CT_BINARY(ct_pow_u8, uint8_t, ct_ipow_u(a, b))
CT_BINARY(ct_pow_i8, int8_t, ct_ipow_i(a, b))
CT_BINARY(ct_pow_i16, int16_t, ct_ipow_i(a, b))
CT_BINARY(ct_pow_i32, int32_t, ct_ipow_i(a, b))
CT_BINARY(ct_pow_i64, int64_t, ct_ipow_i(a, b))
CT_BINARY(ct_pow_f32, float, powf(a, b))
CT_BINARY(ct_pow_f64, double, pow(a, b))
CT_BINARY(ct_pow_c64, ct_c64, cpowf(a, b))
CT_BINARY(ct_pow_c128, ct_c128, cpow(a, b))
CT_BINARY(ct_maximum_b, uint8_t, (a > b ? a : b))
CT_BINARY(ct_maximum_u8, uint8_t, (a > b ? a : b))
CT_BINARY(ct_maximum_i8, int8_t, (a > b ? a : b))
CT_BINARY(ct_maximum_i16, int16_t, (a > b ? a : b))
CT_BINARY(ct_maximum_i32, int32_t, (a > b ? a : b))
CT_BINARY(ct_maximum_i64, int64_t, (a > b ? a : b))
CT_BINARY(ct_maximum_f32, float, ct_nanmax(a, b))
CT_BINARY(ct_maximum_f64, double, ct_nanmax(a, b))
CT_BINARY(ct_minimum_b, uint8_t, (a < b ? a : b))
CT_BINARY(ct_minimum_u8, uint8_t, (a < b ? a : b))
CT_BINARY(ct_minimum_i8, int8_t, (a < b ? a : b))
CT_BINARY(ct_minimum_i16, int16_t, (a < b ? a : b))
CT_BINARY(ct_minimum_i32, int32_t, (a < b ? a : b))
CT_BINARY(ct_minimum_i64, int64_t, (a < b ? a : b))
CT_BINARY(ct_minimum_f32, float, ct_nanmin(a, b))
CT_BINARY(ct_minimum_f64, double, ct_nanmin(a, b))
CT_BINARY(ct_fmax_b, uint8_t, (a > b ? a : b))
CT_BINARY(ct_fmax_u8, uint8_t, (a > b ? a : b))
CT_BINARY(ct_fmax_i8, int8_t, (a > b ? a : b))
CT_BINARY(ct_fmax_i16, int16_t, (a > b ? a : b))
CT_BINARY(ct_fmax_i32, int32_t, (a > b ? a : b))
CT_BINARY(ct_fmax_i64, int64_t, (a > b ? a : b))
CT_BINARY(ct_fmax_f32, float, fmaxf(a, b))
CT_BINARY(ct_fmax_f64, double, fmax(a, b))
CT_BINARY(ct_fmin_b, uint8_t, (a < b ? a : b))
CT_BINARY(ct_fmin_u8, uint8_t, (a < b ? a : b))
CT_BINARY(ct_fmin_i8, int8_t, (a < b ? a : b))
CT_BINARY(ct_fmin_i16, int16_t, (a < b ? a : b))
CT_BINARY(ct_fmin_i32, int32_t, (a < b ? a : b))
CT_BINARY(ct_fmin_i64, int64_t, (a < b ? a : b))
CT_BINARY(ct_fmin_f32, float, fminf(a, b))
CT_BINARY(ct_fmin_f64, double, fmin(a, b))
CT_BINARY(ct_atan2_f32, float, atan2f(a, b))
CT_BINARY(ct_atan2_f64, double, atan2(a, b))
CT_BINARY(ct_hypot_f32, float, hypotf(a, b))
CT_BINARY(ct_hypot_f64, double, hypot(a, b))
CT_BINARY(ct_copysign_f32, float, copysignf(a, b))
CT_BINARY(ct_copysign_f64, double, copysign(a, b))
CT_BINARY(ct_nextafter_f32, float, nextafterf(a, b))
CT_BINARY(ct_nextafter_f64, double, nextafter(a, b))
CT_BINARY_TO(ct_eq_b, uint8_t, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_u8, uint8_t, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_i8, int8_t, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_i16, int16_t, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_i32, int32_t, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_i64, int64_t, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_f32, float, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_f64, double, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_c64, ct_c64, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_eq_c128, ct_c128, uint8_t, (uint8_t)(a == b))
CT_BINARY_TO(ct_ne_b, uint8_t, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_u8, uint8_t, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_i8, int8_t, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_i16, int16_t, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_i32, int32_t, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_i64, int64_t, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_f32, float, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_f64, double, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_c64, ct_c64, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_ne_c128, ct_c128, uint8_t, (uint8_t)(a != b))
CT_BINARY_TO(ct_lt_b, uint8_t, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_u8, uint8_t, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_i8, int8_t, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_i16, int16_t, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_i32, int32_t, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_i64, int64_t, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_f32, float, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_lt_f64, double, uint8_t, (uint8_t)(a < b))
CT_BINARY_TO(ct_le_b, uint8_t, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_u8, uint8_t, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_i8, int8_t, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_i16, int16_t, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_i32, int32_t, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_i64, int64_t, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_f32, float, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_le_f64, double, uint8_t, (uint8_t)(a <= b))
CT_BINARY_TO(ct_gt_b, uint8_t, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_u8, uint8_t, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_i8, int8_t, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_i16, int16_t, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_i32, int32_t, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_i64, int64_t, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_f32, float, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_gt_f64, double, uint8_t, (uint8_t)(a > b))
CT_BINARY_TO(ct_ge_b, uint8_t, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_u8, uint8_t, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_i8, int8_t, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_i16, int16_t, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_i32, int32_t, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_i64, int64_t, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_f32, float, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_ge_f64, double, uint8_t, (uint8_t)(a >= b))
CT_BINARY_TO(ct_logical_and_b, uint8_t, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_u8, uint8_t, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_i8, int8_t, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_i16, int16_t, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_i32, int32_t, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_i64, int64_t, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_f32, float, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_f64, double, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_c64, ct_c64, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_and_c128, ct_c128, uint8_t, (uint8_t)((a != 0) && (b != 0)))
CT_BINARY_TO(ct_logical_or_b, uint8_t, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_u8, uint8_t, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_i8, int8_t, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_i16, int16_t, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_i32, int32_t, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_i64, int64_t, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_f32, float, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_f64, double, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_c64, ct_c64, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_or_c128, ct_c128, uint8_t, (uint8_t)((a != 0) || (b != 0)))
CT_BINARY_TO(ct_logical_xor_b, uint8_t, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_u8, uint8_t, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_i8, int8_t, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_i16, int16_t, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_i32, int32_t, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_i64, int64_t, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_f32, float, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_f64, double, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_c64, ct_c64, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY_TO(ct_logical_xor_c128, ct_c128, uint8_t, (uint8_t)((a != 0) != (b != 0)))
CT_BINARY(ct_bitwise_and_b, uint8_t, a & b)
CT_BINARY(ct_bitwise_and_u8, uint8_t, a & b)
CT_BINARY(ct_bitwise_and_i8, int8_t, a & b)
CT_BINARY(ct_bitwise_and_i16, int16_t, a & b)
CT_BINARY(ct_bitwise_and_i32, int32_t, a & b)
CT_BINARY(ct_bitwise_and_i64, int64_t, a & b)
CT_BINARY(ct_bitwise_or_b, uint8_t, a | b)
CT_BINARY(ct_bitwise_or_u8, uint8_t, a | b)
CT_BINARY(ct_bitwise_or_i8, int8_t, a | b)
CT_BINARY(ct_bitwise_or_i16, int16_t, a | b)
CT_BINARY(ct_bitwise_or_i32, int32_t, a | b)
CT_BINARY(ct_bitwise_or_i64, int64_t, a | b)
CT_BINARY(ct_bitwise_xor_b, uint8_t, a ^ b)
CT_BINARY(ct_bitwise_xor_u8, uint8_t, a ^ b)
CT_BINARY(ct_bitwise_xor_i8, int8_t, a ^ b)
CT_BINARY(ct_bitwise_xor_i16, int16_t, a ^ b)
CT_BINARY(ct_bitwise_xor_i32, int32_t, a ^ b)
CT_BINARY(ct_bitwise_xor_i64, int64_t, a ^ b)
CT_BINARY(ct_bitwise_left_shift_u8, uint8_t, ct_shl_u8(a, b))
CT_BINARY(ct_bitwise_left_shift_i8, int8_t, ct_shl_i8(a, b))
CT_BINARY(ct_bitwise_left_shift_i16, int16_t, ct_shl_i16(a, b))
CT_BINARY(ct_bitwise_left_shift_i32, int32_t, ct_shl_i32(a, b))
CT_BINARY(ct_bitwise_left_shift_i64, int64_t, ct_shl_i64(a, b))
CT_BINARY(ct_bitwise_right_shift_u8, uint8_t, ct_shr_u8(a, b))
CT_BINARY(ct_bitwise_right_shift_i8, int8_t, ct_shr_i8(a, b))
CT_BINARY(ct_bitwise_right_shift_i16, int16_t, ct_shr_i16(a, b))
CT_BINARY(ct_bitwise_right_shift_i32, int32_t, ct_shr_i32(a, b))
CT_BINARY(ct_bitwise_right_shift_i64, int64_t, ct_shr_i64(a, b))
CT_BINARY(ct_xlogy_f32, float, ct_xlogyf(a, b))
CT_BINARY(ct_xlogy_f64, double, ct_xlogy(a, b))
CT_BINARY(ct_logaddexp_f32, float, ct_logaddexpf(a, b))
CT_BINARY(ct_logaddexp_f64, double, ct_logaddexp(a, b))
CT_BINARY(ct_heaviside_b, uint8_t, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_u8, uint8_t, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_i8, int8_t, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_i16, int16_t, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_i32, int32_t, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_i64, int64_t, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_f32, float, (a == 0 ? b : (a > 0)))
CT_BINARY(ct_heaviside_f64, double, (a == 0 ? b : (a > 0)))
CT_UNARY(ct_neg_u8, uint8_t, -a)
CT_UNARY(ct_neg_i8, int8_t, -a)
CT_UNARY(ct_neg_i16, int16_t, -a)
CT_UNARY(ct_neg_i32, int32_t, -a)
CT_UNARY(ct_neg_i64, int64_t, -a)
CT_UNARY(ct_neg_f32, float, -a)
CT_UNARY(ct_neg_f64, double, -a)
CT_UNARY(ct_neg_c64, ct_c64, -a)
CT_UNARY(ct_neg_c128, ct_c128, -a)
CT_UNARY(ct_abs_u8, uint8_t, a)
CT_UNARY(ct_abs_i8, int8_t, (a < 0 ? -a : a))
CT_UNARY(ct_abs_i16, int16_t, (a < 0 ? -a : a))
CT_UNARY(ct_abs_i32, int32_t, (a < 0 ? -a : a))
CT_UNARY(ct_abs_i64, int64_t, (a < 0 ? -a : a))
CT_UNARY(ct_abs_f32, float, fabsf(a))
CT_UNARY(ct_abs_f64, double, fabs(a))
CT_UNARY_TO(ct_abs_c64, ct_c64, float, cabsf(a))
CT_UNARY_TO(ct_abs_c128, ct_c128, double, cabs(a))
CT_UNARY(ct_sign_b, uint8_t, a)
CT_UNARY(ct_sign_u8, uint8_t, (a > 0))
CT_UNARY(ct_sign_i8, int8_t, ((a > 0) - (a < 0)))
CT_UNARY(ct_sign_i16, int16_t, ((a > 0) - (a < 0)))
CT_UNARY(ct_sign_i32, int32_t, ((a > 0) - (a < 0)))
CT_UNARY(ct_sign_i64, int64_t, ((a > 0) - (a < 0)))
CT_UNARY(ct_sign_f32, float, ct_signf(a))
CT_UNARY(ct_sign_f64, double, ct_sign(a))
CT_UNARY(ct_sgn_c64, ct_c64, ct_csgnf(a))
CT_UNARY(ct_sgn_c128, ct_c128, ct_csgn(a))
CT_UNARY(ct_exp_f32, float, ct_expf(a))
CT_UNARY(ct_exp_f64, double, exp(a))
CT_UNARY(ct_exp_c64, ct_c64, cexpf(a))
CT_UNARY(ct_exp_c128, ct_c128, cexp(a))
CT_UNARY(ct_log_f32, float, logf(a))
CT_UNARY(ct_log_f64, double, log(a))
CT_UNARY(ct_log_c64, ct_c64, clogf(a))
CT_UNARY(ct_log_c128, ct_c128, clog(a))
CT_UNARY(ct_sqrt_f32, float, sqrtf(a))
CT_UNARY(ct_sqrt_f64, double, sqrt(a))
CT_UNARY(ct_sqrt_c64, ct_c64, csqrtf(a))
CT_UNARY(ct_sqrt_c128, ct_c128, csqrt(a))
CT_UNARY(ct_sin_f32, float, sinf(a))
CT_UNARY(ct_sin_f64, double, sin(a))
CT_UNARY(ct_sin_c64, ct_c64, csinf(a))
CT_UNARY(ct_sin_c128, ct_c128, csin(a))
CT_UNARY(ct_cos_f32, float, cosf(a))
CT_UNARY(ct_cos_f64, double, cos(a))
CT_UNARY(ct_cos_c64, ct_c64, ccosf(a))
CT_UNARY(ct_cos_c128, ct_c128, ccos(a))
CT_UNARY(ct_tan_f32, float, tanf(a))
CT_UNARY(ct_tan_f64, double, tan(a))
CT_UNARY(ct_tan_c64, ct_c64, ctanf(a))
CT_UNARY(ct_tan_c128, ct_c128, ctan(a))
CT_UNARY(ct_asin_f32, float, asinf(a))
CT_UNARY(ct_asin_f64, double, asin(a))
CT_UNARY(ct_asin_c64, ct_c64, casinf(a))
CT_UNARY(ct_asin_c128, ct_c128, casin(a))
CT_UNARY(ct_acos_f32, float, acosf(a))
CT_UNARY(ct_acos_f64, double, acos(a))
CT_UNARY(ct_acos_c64, ct_c64, cacosf(a))
CT_UNARY(ct_acos_c128, ct_c128, cacos(a))
CT_UNARY(ct_atan_f32, float, atanf(a))
CT_UNARY(ct_atan_f64, double, atan(a))
CT_UNARY(ct_atan_c64, ct_c64, catanf(a))
CT_UNARY(ct_atan_c128, ct_c128, catan(a))
CT_UNARY(ct_sinh_f32, float, sinhf(a))
CT_UNARY(ct_sinh_f64, double, sinh(a))
CT_UNARY(ct_sinh_c64, ct_c64, csinhf(a))
CT_UNARY(ct_sinh_c128, ct_c128, csinh(a))
CT_UNARY(ct_cosh_f32, float, coshf(a))
CT_UNARY(ct_cosh_f64, double, cosh(a))
CT_UNARY(ct_cosh_c64, ct_c64, ccoshf(a))
CT_UNARY(ct_cosh_c128, ct_c128, ccosh(a))
CT_UNARY(ct_tanh_f32, float, tanhf(a))
CT_UNARY(ct_tanh_f64, double, tanh(a))
CT_UNARY(ct_tanh_c64, ct_c64, ctanhf(a))
CT_UNARY(ct_tanh_c128, ct_c128, ctanh(a))
CT_UNARY(ct_asinh_f32, float, asinhf(a))
CT_UNARY(ct_asinh_f64, double, asinh(a))
CT_UNARY(ct_asinh_c64, ct_c64, casinhf(a))
CT_UNARY(ct_asinh_c128, ct_c128, casinh(a))
CT_UNARY(ct_acosh_f32, float, acoshf(a))
CT_UNARY(ct_acosh_f64, double, acosh(a))
CT_UNARY(ct_acosh_c64, ct_c64, cacoshf(a))
CT_UNARY(ct_acosh_c128, ct_c128, cacosh(a))
CT_UNARY(ct_atanh_f32, float, atanhf(a))
CT_UNARY(ct_atanh_f64, double, atanh(a))
CT_UNARY(ct_atanh_c64, ct_c64, catanhf(a))
CT_UNARY(ct_atanh_c128, ct_c128, catanh(a))
CT_UNARY(ct_exp2_f32, float, exp2f(a))
CT_UNARY(ct_exp2_f64, double, exp2(a))
CT_UNARY(ct_expm1_f32, float, expm1f(a))
CT_UNARY(ct_expm1_f64, double, expm1(a))
CT_UNARY(ct_log2_f32, float, log2f(a))
CT_UNARY(ct_log2_f64, double, log2(a))
CT_UNARY(ct_log10_f32, float, log10f(a))
CT_UNARY(ct_log10_f64, double, log10(a))
CT_UNARY(ct_log1p_f32, float, log1pf(a))
CT_UNARY(ct_log1p_f64, double, log1p(a))
CT_UNARY(ct_exp2_c64, ct_c64, cexpf(a * (float)M_LN2))
CT_UNARY(ct_exp2_c128, ct_c128, cexp(a * M_LN2))
CT_UNARY(ct_expm1_c64, ct_c64, ct_cexpm1f(a))
CT_UNARY(ct_expm1_c128, ct_c128, ct_cexpm1(a))
CT_UNARY(ct_log2_c64, ct_c64, clogf(a) / (float)M_LN2)
CT_UNARY(ct_log2_c128, ct_c128, clog(a) / M_LN2)
CT_UNARY(ct_log10_c64, ct_c64, clogf(a) / (float)M_LN10)
CT_UNARY(ct_log10_c128, ct_c128, clog(a) / M_LN10)
CT_UNARY(ct_log1p_c64, ct_c64, ct_clog1pf(a))
CT_UNARY(ct_log1p_c128, ct_c128, ct_clog1p(a))
CT_UNARY(ct_erf_f32, float, erff(a))
CT_UNARY(ct_erf_f64, double, erf(a))
CT_UNARY(ct_erfc_f32, float, erfcf(a))
CT_UNARY(ct_erfc_f64, double, erfc(a))
CT_UNARY(ct_lgamma_f32, float, lgammaf(a))
CT_UNARY(ct_lgamma_f64, double, lgamma(a))
CT_UNARY(ct_floor_f32, float, floorf(a))
CT_UNARY(ct_floor_f64, double, floor(a))
CT_UNARY(ct_ceil_f32, float, ceilf(a))
CT_UNARY(ct_ceil_f64, double, ceil(a))
CT_UNARY(ct_trunc_f32, float, truncf(a))
CT_UNARY(ct_trunc_f64, double, trunc(a))
CT_UNARY(ct_round_f32, float, nearbyintf(a))
CT_UNARY(ct_round_f64, double, nearbyint(a))
CT_UNARY(ct_frac_f32, float, (a - truncf(a)))
CT_UNARY(ct_frac_f64, double, (a - trunc(a)))
CT_UNARY(ct_rsqrt_f32, float, (1.0f / sqrtf(a)))
CT_UNARY(ct_rsqrt_f64, double, (1.0 / sqrt(a)))
CT_UNARY(ct_rsqrt_c64, ct_c64, (1.0f / csqrtf(a)))
CT_UNARY(ct_rsqrt_c128, ct_c128, (1.0 / csqrt(a)))
CT_UNARY(ct_reciprocal_f32, float, (1 / a))
CT_UNARY(ct_reciprocal_f64, double, (1 / a))
CT_UNARY(ct_reciprocal_c64, ct_c64, (1 / a))
CT_UNARY(ct_reciprocal_c128, ct_c128, (1 / a))
CT_UNARY(ct_square_u8, uint8_t, a * a)
CT_UNARY(ct_square_i8, int8_t, a * a)
CT_UNARY(ct_square_i16, int16_t, a * a)
CT_UNARY(ct_square_i32, int32_t, a * a)
CT_UNARY(ct_square_i64, int64_t, a * a)
CT_UNARY(ct_square_f32, float, a * a)
CT_UNARY(ct_square_f64, double, a * a)
CT_UNARY(ct_square_c64, ct_c64, a * a)
CT_UNARY(ct_square_c128, ct_c128, a * a)
CT_UNARY(ct_sigmoid_f32, float, ct_sigmoidf(a))
CT_UNARY(ct_sigmoid_f64, double, ct_sigmoid(a))
CT_UNARY(ct_sigmoid_c64, ct_c64, 1 / (1 + cexpf(-a)))
CT_UNARY(ct_sigmoid_c128, ct_c128, 1 / (1 + cexp(-a)))
CT_UNARY(ct_erfinv_f32, float, (float)ct_erfinv((double)a))
CT_UNARY(ct_erfinv_f64, double, ct_erfinv(a))
CT_UNARY(ct_digamma_f32, float, (float)ct_digamma((double)a))
CT_UNARY(ct_digamma_f64, double, ct_digamma(a))
CT_UNARY(ct_relu_u8, uint8_t, a)
CT_UNARY(ct_relu_i8, int8_t, (a > 0 ? a : 0))
CT_UNARY(ct_relu_i16, int16_t, (a > 0 ? a : 0))
CT_UNARY(ct_relu_i32, int32_t, (a > 0 ? a : 0))
CT_UNARY(ct_relu_i64, int64_t, (a > 0 ? a : 0))
/* relu: a < 0 ? 0 : a -- nan and -0.0 pass through, as in PyTorch */
CT_UNARY(ct_relu_f32, float, (a < 0 ? 0 : a))
CT_UNARY(ct_relu_f64, double, (a < 0 ? 0 : a))
CT_UNARY(ct_bitwise_not_b, uint8_t, (uint8_t)!a)
CT_UNARY(ct_bitwise_not_u8, uint8_t, ~a)
CT_UNARY(ct_bitwise_not_i8, int8_t, ~a)
CT_UNARY(ct_bitwise_not_i16, int16_t, ~a)
CT_UNARY(ct_bitwise_not_i32, int32_t, ~a)
CT_UNARY(ct_bitwise_not_i64, int64_t, ~a)
CT_UNARY_TO(ct_logical_not_b, uint8_t, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_u8, uint8_t, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_i8, int8_t, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_i16, int16_t, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_i32, int32_t, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_i64, int64_t, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_f32, float, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_f64, double, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_c64, ct_c64, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_logical_not_c128, ct_c128, uint8_t, (uint8_t)(a == 0))
CT_UNARY_TO(ct_isnan_f32, float, uint8_t, (uint8_t)isnan(a))
CT_UNARY_TO(ct_isnan_f64, double, uint8_t, (uint8_t)isnan(a))
CT_UNARY_TO(ct_isinf_f32, float, uint8_t, (uint8_t)isinf(a))
CT_UNARY_TO(ct_isinf_f64, double, uint8_t, (uint8_t)isinf(a))
CT_UNARY_TO(ct_isfinite_f32, float, uint8_t, (uint8_t)isfinite(a))
CT_UNARY_TO(ct_isfinite_f64, double, uint8_t, (uint8_t)isfinite(a))
CT_UNARY_TO(ct_signbit_f32, float, uint8_t, (uint8_t)(signbit(a) != 0))
CT_UNARY_TO(ct_signbit_f64, double, uint8_t, (uint8_t)(signbit(a) != 0))
CT_UNARY(ct_conj_c64, ct_c64, conjf(a))
CT_UNARY(ct_conj_c128, ct_c128, conj(a))
CT_UNARY(ct_angle_f32, float, (isnan(a) ? a : (a < 0 ? (float)M_PI : 0.0f)))
CT_UNARY(ct_angle_f64, double, (isnan(a) ? a : (a < 0 ? M_PI : 0.0)))
CT_UNARY_TO(ct_angle_c64, ct_c64, float, cargf(a))
CT_UNARY_TO(ct_angle_c128, ct_c128, double, carg(a))
CT_UNARY_TO(ct_real_c64, ct_c64, float, crealf(a))
CT_UNARY_TO(ct_real_c128, ct_c128, double, creal(a))
CT_UNARY_TO(ct_imag_c64, ct_c64, float, cimagf(a))
CT_UNARY_TO(ct_imag_c128, ct_c128, double, cimag(a))
CT_UNARY(ct_copy_b, uint8_t, a)
CT_UNARY(ct_copy_u8, uint8_t, a)
CT_UNARY(ct_copy_i8, int8_t, a)
CT_UNARY(ct_copy_i16, int16_t, a)
CT_UNARY(ct_copy_i32, int32_t, a)
CT_UNARY(ct_copy_i64, int64_t, a)
CT_UNARY(ct_copy_f32, float, a)
CT_UNARY(ct_copy_f64, double, a)
CT_UNARY(ct_copy_c64, ct_c64, a)
CT_UNARY(ct_copy_c128, ct_c128, a)
CT_UNARY_TO(ct_cast_b_b, uint8_t, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_b_u8, uint8_t, uint8_t, (uint8_t)a)
CT_UNARY_TO(ct_cast_b_i8, uint8_t, int8_t, (int8_t)a)
CT_UNARY_TO(ct_cast_b_i16, uint8_t, int16_t, (int16_t)a)
CT_UNARY_TO(ct_cast_b_i32, uint8_t, int32_t, (int32_t)a)
CT_UNARY_TO(ct_cast_b_i64, uint8_t, int64_t, (int64_t)a)
CT_UNARY_TO(ct_cast_b_f16, uint8_t, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_b_bf16, uint8_t, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_b_f32, uint8_t, float, (float)a)
CT_UNARY_TO(ct_cast_b_f64, uint8_t, double, (double)a)
CT_UNARY_TO(ct_cast_b_c64, uint8_t, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_b_c128, uint8_t, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_u8_b, uint8_t, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_u8_u8, uint8_t, uint8_t, (uint8_t)a)
CT_UNARY_TO(ct_cast_u8_i8, uint8_t, int8_t, (int8_t)a)
CT_UNARY_TO(ct_cast_u8_i16, uint8_t, int16_t, (int16_t)a)
CT_UNARY_TO(ct_cast_u8_i32, uint8_t, int32_t, (int32_t)a)
CT_UNARY_TO(ct_cast_u8_i64, uint8_t, int64_t, (int64_t)a)
CT_UNARY_TO(ct_cast_u8_f16, uint8_t, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_u8_bf16, uint8_t, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_u8_f32, uint8_t, float, (float)a)
CT_UNARY_TO(ct_cast_u8_f64, uint8_t, double, (double)a)
CT_UNARY_TO(ct_cast_u8_c64, uint8_t, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_u8_c128, uint8_t, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_i8_b, int8_t, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_i8_u8, int8_t, uint8_t, (uint8_t)a)
CT_UNARY_TO(ct_cast_i8_i8, int8_t, int8_t, (int8_t)a)
CT_UNARY_TO(ct_cast_i8_i16, int8_t, int16_t, (int16_t)a)
CT_UNARY_TO(ct_cast_i8_i32, int8_t, int32_t, (int32_t)a)
CT_UNARY_TO(ct_cast_i8_i64, int8_t, int64_t, (int64_t)a)
CT_UNARY_TO(ct_cast_i8_f16, int8_t, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_i8_bf16, int8_t, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_i8_f32, int8_t, float, (float)a)
CT_UNARY_TO(ct_cast_i8_f64, int8_t, double, (double)a)
CT_UNARY_TO(ct_cast_i8_c64, int8_t, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_i8_c128, int8_t, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_i16_b, int16_t, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_i16_u8, int16_t, uint8_t, (uint8_t)a)
CT_UNARY_TO(ct_cast_i16_i8, int16_t, int8_t, (int8_t)a)
CT_UNARY_TO(ct_cast_i16_i16, int16_t, int16_t, (int16_t)a)
CT_UNARY_TO(ct_cast_i16_i32, int16_t, int32_t, (int32_t)a)
CT_UNARY_TO(ct_cast_i16_i64, int16_t, int64_t, (int64_t)a)
CT_UNARY_TO(ct_cast_i16_f16, int16_t, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_i16_bf16, int16_t, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_i16_f32, int16_t, float, (float)a)
CT_UNARY_TO(ct_cast_i16_f64, int16_t, double, (double)a)
CT_UNARY_TO(ct_cast_i16_c64, int16_t, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_i16_c128, int16_t, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_i32_b, int32_t, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_i32_u8, int32_t, uint8_t, (uint8_t)a)
CT_UNARY_TO(ct_cast_i32_i8, int32_t, int8_t, (int8_t)a)
CT_UNARY_TO(ct_cast_i32_i16, int32_t, int16_t, (int16_t)a)
CT_UNARY_TO(ct_cast_i32_i32, int32_t, int32_t, (int32_t)a)
CT_UNARY_TO(ct_cast_i32_i64, int32_t, int64_t, (int64_t)a)
CT_UNARY_TO(ct_cast_i32_f16, int32_t, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_i32_bf16, int32_t, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_i32_f32, int32_t, float, (float)a)
CT_UNARY_TO(ct_cast_i32_f64, int32_t, double, (double)a)
CT_UNARY_TO(ct_cast_i32_c64, int32_t, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_i32_c128, int32_t, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_i64_b, int64_t, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_i64_u8, int64_t, uint8_t, (uint8_t)a)
CT_UNARY_TO(ct_cast_i64_i8, int64_t, int8_t, (int8_t)a)
CT_UNARY_TO(ct_cast_i64_i16, int64_t, int16_t, (int16_t)a)
CT_UNARY_TO(ct_cast_i64_i32, int64_t, int32_t, (int32_t)a)
CT_UNARY_TO(ct_cast_i64_i64, int64_t, int64_t, (int64_t)a)
CT_UNARY_TO(ct_cast_i64_f16, int64_t, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_i64_bf16, int64_t, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_i64_f32, int64_t, float, (float)a)
CT_UNARY_TO(ct_cast_i64_f64, int64_t, double, (double)a)
CT_UNARY_TO(ct_cast_i64_c64, int64_t, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_i64_c128, int64_t, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_f16_b, ct_half, uint8_t, (uint8_t)(ct_half_to_float(a) != 0))
CT_UNARY_TO(ct_cast_f16_u8, ct_half, uint8_t, (uint8_t)ct_f2i(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_i8, ct_half, int8_t, (int8_t)ct_f2i(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_i16, ct_half, int16_t, (int16_t)ct_f2i(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_i32, ct_half, int32_t, (int32_t)ct_f2i(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_i64, ct_half, int64_t, (int64_t)ct_f2i(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_f16, ct_half, ct_half, ct_float_to_half((float)ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_bf16, ct_half, ct_bf16, ct_float_to_bf16((float)ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_f32, ct_half, float, (float)ct_half_to_float(a))
CT_UNARY_TO(ct_cast_f16_f64, ct_half, double, (double)ct_half_to_float(a))
CT_UNARY_TO(ct_cast_f16_c64, ct_half, ct_c64, (ct_c64)(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_f16_c128, ct_half, ct_c128, (ct_c128)(ct_half_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_b, ct_bf16, uint8_t, (uint8_t)(ct_bf16_to_float(a) != 0))
CT_UNARY_TO(ct_cast_bf16_u8, ct_bf16, uint8_t, (uint8_t)ct_f2i(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_i8, ct_bf16, int8_t, (int8_t)ct_f2i(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_i16, ct_bf16, int16_t, (int16_t)ct_f2i(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_i32, ct_bf16, int32_t, (int32_t)ct_f2i(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_i64, ct_bf16, int64_t, (int64_t)ct_f2i(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_f16, ct_bf16, ct_half, ct_float_to_half((float)ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_bf16, ct_bf16, ct_bf16, ct_float_to_bf16((float)ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_f32, ct_bf16, float, (float)ct_bf16_to_float(a))
CT_UNARY_TO(ct_cast_bf16_f64, ct_bf16, double, (double)ct_bf16_to_float(a))
CT_UNARY_TO(ct_cast_bf16_c64, ct_bf16, ct_c64, (ct_c64)(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_bf16_c128, ct_bf16, ct_c128, (ct_c128)(ct_bf16_to_float(a)))
CT_UNARY_TO(ct_cast_f32_b, float, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_f32_u8, float, uint8_t, (uint8_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f32_i8, float, int8_t, (int8_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f32_i16, float, int16_t, (int16_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f32_i32, float, int32_t, (int32_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f32_i64, float, int64_t, (int64_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f32_f16, float, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_f32_bf16, float, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_f32_f32, float, float, (float)a)
CT_UNARY_TO(ct_cast_f32_f64, float, double, (double)a)
CT_UNARY_TO(ct_cast_f32_c64, float, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_f32_c128, float, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_f64_b, double, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_f64_u8, double, uint8_t, (uint8_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f64_i8, double, int8_t, (int8_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f64_i16, double, int16_t, (int16_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f64_i32, double, int32_t, (int32_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f64_i64, double, int64_t, (int64_t)ct_f2i(a))
CT_UNARY_TO(ct_cast_f64_f16, double, ct_half, ct_float_to_half((float)a))
CT_UNARY_TO(ct_cast_f64_bf16, double, ct_bf16, ct_float_to_bf16((float)a))
CT_UNARY_TO(ct_cast_f64_f32, double, float, (float)a)
CT_UNARY_TO(ct_cast_f64_f64, double, double, (double)a)
CT_UNARY_TO(ct_cast_f64_c64, double, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_f64_c128, double, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_c64_b, ct_c64, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_c64_u8, ct_c64, uint8_t, (uint8_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c64_i8, ct_c64, int8_t, (int8_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c64_i16, ct_c64, int16_t, (int16_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c64_i32, ct_c64, int32_t, (int32_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c64_i64, ct_c64, int64_t, (int64_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c64_f16, ct_c64, ct_half, ct_float_to_half((float)creal(a)))
CT_UNARY_TO(ct_cast_c64_bf16, ct_c64, ct_bf16, ct_float_to_bf16((float)creal(a)))
CT_UNARY_TO(ct_cast_c64_f32, ct_c64, float, (float)creal(a))
CT_UNARY_TO(ct_cast_c64_f64, ct_c64, double, (double)creal(a))
CT_UNARY_TO(ct_cast_c64_c64, ct_c64, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_c64_c128, ct_c64, ct_c128, (ct_c128)(a))
CT_UNARY_TO(ct_cast_c128_b, ct_c128, uint8_t, (uint8_t)(a != 0))
CT_UNARY_TO(ct_cast_c128_u8, ct_c128, uint8_t, (uint8_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c128_i8, ct_c128, int8_t, (int8_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c128_i16, ct_c128, int16_t, (int16_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c128_i32, ct_c128, int32_t, (int32_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c128_i64, ct_c128, int64_t, (int64_t)ct_f2i(creal(a)))
CT_UNARY_TO(ct_cast_c128_f16, ct_c128, ct_half, ct_float_to_half((float)creal(a)))
CT_UNARY_TO(ct_cast_c128_bf16, ct_c128, ct_bf16, ct_float_to_bf16((float)creal(a)))
CT_UNARY_TO(ct_cast_c128_f32, ct_c128, float, (float)creal(a))
CT_UNARY_TO(ct_cast_c128_f64, ct_c128, double, (double)creal(a))
CT_UNARY_TO(ct_cast_c128_c64, ct_c128, ct_c64, (ct_c64)(a))
CT_UNARY_TO(ct_cast_c128_c128, ct_c128, ct_c128, (ct_c128)(a))

const ct_loop_fn ct_binary_table[CT_NBINARY][CT_NDTYPES] = {
    [CT_OP_ADD] = { [CT_UINT8] = ct_add_u8, [CT_INT8] = ct_add_i8, [CT_INT16] = ct_add_i16, [CT_INT32] = ct_add_i32, [CT_INT64] = ct_add_i64, [CT_FLOAT32] = ct_add_f32, [CT_FLOAT64] = ct_add_f64, [CT_COMPLEX64] = ct_add_c64, [CT_COMPLEX128] = ct_add_c128, [CT_BOOL] = ct_add_b },
    [CT_OP_SUB] = { [CT_UINT8] = ct_sub_u8, [CT_INT8] = ct_sub_i8, [CT_INT16] = ct_sub_i16, [CT_INT32] = ct_sub_i32, [CT_INT64] = ct_sub_i64, [CT_FLOAT32] = ct_sub_f32, [CT_FLOAT64] = ct_sub_f64, [CT_COMPLEX64] = ct_sub_c64, [CT_COMPLEX128] = ct_sub_c128 },
    [CT_OP_MUL] = { [CT_UINT8] = ct_mul_u8, [CT_INT8] = ct_mul_i8, [CT_INT16] = ct_mul_i16, [CT_INT32] = ct_mul_i32, [CT_INT64] = ct_mul_i64, [CT_FLOAT32] = ct_mul_f32, [CT_FLOAT64] = ct_mul_f64, [CT_COMPLEX64] = ct_mul_c64, [CT_COMPLEX128] = ct_mul_c128, [CT_BOOL] = ct_mul_b },
    [CT_OP_DIV] = { [CT_FLOAT32] = ct_div_f32, [CT_FLOAT64] = ct_div_f64, [CT_COMPLEX64] = ct_div_c64, [CT_COMPLEX128] = ct_div_c128 },
    [CT_OP_FLOOR_DIVIDE] = { [CT_UINT8] = ct_floor_divide_u8, [CT_INT8] = ct_floor_divide_i8, [CT_INT16] = ct_floor_divide_i16, [CT_INT32] = ct_floor_divide_i32, [CT_INT64] = ct_floor_divide_i64, [CT_FLOAT32] = ct_floor_divide_f32, [CT_FLOAT64] = ct_floor_divide_f64 },
    [CT_OP_REMAINDER] = { [CT_UINT8] = ct_remainder_u8, [CT_INT8] = ct_remainder_i8, [CT_INT16] = ct_remainder_i16, [CT_INT32] = ct_remainder_i32, [CT_INT64] = ct_remainder_i64, [CT_FLOAT32] = ct_remainder_f32, [CT_FLOAT64] = ct_remainder_f64 },
    [CT_OP_FMOD] = { [CT_UINT8] = ct_fmod_u8, [CT_INT8] = ct_fmod_i8, [CT_INT16] = ct_fmod_i16, [CT_INT32] = ct_fmod_i32, [CT_INT64] = ct_fmod_i64, [CT_FLOAT32] = ct_fmod_f32, [CT_FLOAT64] = ct_fmod_f64 },
    [CT_OP_POW] = { [CT_UINT8] = ct_pow_u8, [CT_INT8] = ct_pow_i8, [CT_INT16] = ct_pow_i16, [CT_INT32] = ct_pow_i32, [CT_INT64] = ct_pow_i64, [CT_FLOAT32] = ct_pow_f32, [CT_FLOAT64] = ct_pow_f64, [CT_COMPLEX64] = ct_pow_c64, [CT_COMPLEX128] = ct_pow_c128 },
    [CT_OP_MAXIMUM] = { [CT_BOOL] = ct_maximum_b, [CT_UINT8] = ct_maximum_u8, [CT_INT8] = ct_maximum_i8, [CT_INT16] = ct_maximum_i16, [CT_INT32] = ct_maximum_i32, [CT_INT64] = ct_maximum_i64, [CT_FLOAT32] = ct_maximum_f32, [CT_FLOAT64] = ct_maximum_f64 },
    [CT_OP_MINIMUM] = { [CT_BOOL] = ct_minimum_b, [CT_UINT8] = ct_minimum_u8, [CT_INT8] = ct_minimum_i8, [CT_INT16] = ct_minimum_i16, [CT_INT32] = ct_minimum_i32, [CT_INT64] = ct_minimum_i64, [CT_FLOAT32] = ct_minimum_f32, [CT_FLOAT64] = ct_minimum_f64 },
    [CT_OP_FMAX] = { [CT_BOOL] = ct_fmax_b, [CT_UINT8] = ct_fmax_u8, [CT_INT8] = ct_fmax_i8, [CT_INT16] = ct_fmax_i16, [CT_INT32] = ct_fmax_i32, [CT_INT64] = ct_fmax_i64, [CT_FLOAT32] = ct_fmax_f32, [CT_FLOAT64] = ct_fmax_f64 },
    [CT_OP_FMIN] = { [CT_BOOL] = ct_fmin_b, [CT_UINT8] = ct_fmin_u8, [CT_INT8] = ct_fmin_i8, [CT_INT16] = ct_fmin_i16, [CT_INT32] = ct_fmin_i32, [CT_INT64] = ct_fmin_i64, [CT_FLOAT32] = ct_fmin_f32, [CT_FLOAT64] = ct_fmin_f64 },
    [CT_OP_ATAN2] = { [CT_FLOAT32] = ct_atan2_f32, [CT_FLOAT64] = ct_atan2_f64 },
    [CT_OP_HYPOT] = { [CT_FLOAT32] = ct_hypot_f32, [CT_FLOAT64] = ct_hypot_f64 },
    [CT_OP_COPYSIGN] = { [CT_FLOAT32] = ct_copysign_f32, [CT_FLOAT64] = ct_copysign_f64 },
    [CT_OP_NEXTAFTER] = { [CT_FLOAT32] = ct_nextafter_f32, [CT_FLOAT64] = ct_nextafter_f64 },
    [CT_OP_EQ] = { [CT_BOOL] = ct_eq_b, [CT_UINT8] = ct_eq_u8, [CT_INT8] = ct_eq_i8, [CT_INT16] = ct_eq_i16, [CT_INT32] = ct_eq_i32, [CT_INT64] = ct_eq_i64, [CT_FLOAT32] = ct_eq_f32, [CT_FLOAT64] = ct_eq_f64, [CT_COMPLEX64] = ct_eq_c64, [CT_COMPLEX128] = ct_eq_c128 },
    [CT_OP_NE] = { [CT_BOOL] = ct_ne_b, [CT_UINT8] = ct_ne_u8, [CT_INT8] = ct_ne_i8, [CT_INT16] = ct_ne_i16, [CT_INT32] = ct_ne_i32, [CT_INT64] = ct_ne_i64, [CT_FLOAT32] = ct_ne_f32, [CT_FLOAT64] = ct_ne_f64, [CT_COMPLEX64] = ct_ne_c64, [CT_COMPLEX128] = ct_ne_c128 },
    [CT_OP_LT] = { [CT_BOOL] = ct_lt_b, [CT_UINT8] = ct_lt_u8, [CT_INT8] = ct_lt_i8, [CT_INT16] = ct_lt_i16, [CT_INT32] = ct_lt_i32, [CT_INT64] = ct_lt_i64, [CT_FLOAT32] = ct_lt_f32, [CT_FLOAT64] = ct_lt_f64 },
    [CT_OP_LE] = { [CT_BOOL] = ct_le_b, [CT_UINT8] = ct_le_u8, [CT_INT8] = ct_le_i8, [CT_INT16] = ct_le_i16, [CT_INT32] = ct_le_i32, [CT_INT64] = ct_le_i64, [CT_FLOAT32] = ct_le_f32, [CT_FLOAT64] = ct_le_f64 },
    [CT_OP_GT] = { [CT_BOOL] = ct_gt_b, [CT_UINT8] = ct_gt_u8, [CT_INT8] = ct_gt_i8, [CT_INT16] = ct_gt_i16, [CT_INT32] = ct_gt_i32, [CT_INT64] = ct_gt_i64, [CT_FLOAT32] = ct_gt_f32, [CT_FLOAT64] = ct_gt_f64 },
    [CT_OP_GE] = { [CT_BOOL] = ct_ge_b, [CT_UINT8] = ct_ge_u8, [CT_INT8] = ct_ge_i8, [CT_INT16] = ct_ge_i16, [CT_INT32] = ct_ge_i32, [CT_INT64] = ct_ge_i64, [CT_FLOAT32] = ct_ge_f32, [CT_FLOAT64] = ct_ge_f64 },
    [CT_OP_LOGICAL_AND] = { [CT_BOOL] = ct_logical_and_b, [CT_UINT8] = ct_logical_and_u8, [CT_INT8] = ct_logical_and_i8, [CT_INT16] = ct_logical_and_i16, [CT_INT32] = ct_logical_and_i32, [CT_INT64] = ct_logical_and_i64, [CT_FLOAT32] = ct_logical_and_f32, [CT_FLOAT64] = ct_logical_and_f64, [CT_COMPLEX64] = ct_logical_and_c64, [CT_COMPLEX128] = ct_logical_and_c128 },
    [CT_OP_LOGICAL_OR] = { [CT_BOOL] = ct_logical_or_b, [CT_UINT8] = ct_logical_or_u8, [CT_INT8] = ct_logical_or_i8, [CT_INT16] = ct_logical_or_i16, [CT_INT32] = ct_logical_or_i32, [CT_INT64] = ct_logical_or_i64, [CT_FLOAT32] = ct_logical_or_f32, [CT_FLOAT64] = ct_logical_or_f64, [CT_COMPLEX64] = ct_logical_or_c64, [CT_COMPLEX128] = ct_logical_or_c128 },
    [CT_OP_LOGICAL_XOR] = { [CT_BOOL] = ct_logical_xor_b, [CT_UINT8] = ct_logical_xor_u8, [CT_INT8] = ct_logical_xor_i8, [CT_INT16] = ct_logical_xor_i16, [CT_INT32] = ct_logical_xor_i32, [CT_INT64] = ct_logical_xor_i64, [CT_FLOAT32] = ct_logical_xor_f32, [CT_FLOAT64] = ct_logical_xor_f64, [CT_COMPLEX64] = ct_logical_xor_c64, [CT_COMPLEX128] = ct_logical_xor_c128 },
    [CT_OP_BITWISE_AND] = { [CT_BOOL] = ct_bitwise_and_b, [CT_UINT8] = ct_bitwise_and_u8, [CT_INT8] = ct_bitwise_and_i8, [CT_INT16] = ct_bitwise_and_i16, [CT_INT32] = ct_bitwise_and_i32, [CT_INT64] = ct_bitwise_and_i64 },
    [CT_OP_BITWISE_OR] = { [CT_BOOL] = ct_bitwise_or_b, [CT_UINT8] = ct_bitwise_or_u8, [CT_INT8] = ct_bitwise_or_i8, [CT_INT16] = ct_bitwise_or_i16, [CT_INT32] = ct_bitwise_or_i32, [CT_INT64] = ct_bitwise_or_i64 },
    [CT_OP_BITWISE_XOR] = { [CT_BOOL] = ct_bitwise_xor_b, [CT_UINT8] = ct_bitwise_xor_u8, [CT_INT8] = ct_bitwise_xor_i8, [CT_INT16] = ct_bitwise_xor_i16, [CT_INT32] = ct_bitwise_xor_i32, [CT_INT64] = ct_bitwise_xor_i64 },
    [CT_OP_BITWISE_LEFT_SHIFT] = { [CT_UINT8] = ct_bitwise_left_shift_u8, [CT_INT8] = ct_bitwise_left_shift_i8, [CT_INT16] = ct_bitwise_left_shift_i16, [CT_INT32] = ct_bitwise_left_shift_i32, [CT_INT64] = ct_bitwise_left_shift_i64 },
    [CT_OP_BITWISE_RIGHT_SHIFT] = { [CT_UINT8] = ct_bitwise_right_shift_u8, [CT_INT8] = ct_bitwise_right_shift_i8, [CT_INT16] = ct_bitwise_right_shift_i16, [CT_INT32] = ct_bitwise_right_shift_i32, [CT_INT64] = ct_bitwise_right_shift_i64 },
    [CT_OP_XLOGY] = { [CT_FLOAT32] = ct_xlogy_f32, [CT_FLOAT64] = ct_xlogy_f64 },
    [CT_OP_LOGADDEXP] = { [CT_FLOAT32] = ct_logaddexp_f32, [CT_FLOAT64] = ct_logaddexp_f64 },
    [CT_OP_HEAVISIDE] = { [CT_BOOL] = ct_heaviside_b, [CT_UINT8] = ct_heaviside_u8, [CT_INT8] = ct_heaviside_i8, [CT_INT16] = ct_heaviside_i16, [CT_INT32] = ct_heaviside_i32, [CT_INT64] = ct_heaviside_i64, [CT_FLOAT32] = ct_heaviside_f32, [CT_FLOAT64] = ct_heaviside_f64 },
};

const ct_loop_fn ct_unary_table[CT_NUNARY][CT_NDTYPES] = {
    [CT_OP_NEG] = { [CT_UINT8] = ct_neg_u8, [CT_INT8] = ct_neg_i8, [CT_INT16] = ct_neg_i16, [CT_INT32] = ct_neg_i32, [CT_INT64] = ct_neg_i64, [CT_FLOAT32] = ct_neg_f32, [CT_FLOAT64] = ct_neg_f64, [CT_COMPLEX64] = ct_neg_c64, [CT_COMPLEX128] = ct_neg_c128 },
    [CT_OP_ABS] = { [CT_UINT8] = ct_abs_u8, [CT_INT8] = ct_abs_i8, [CT_INT16] = ct_abs_i16, [CT_INT32] = ct_abs_i32, [CT_INT64] = ct_abs_i64, [CT_FLOAT32] = ct_abs_f32, [CT_FLOAT64] = ct_abs_f64, [CT_COMPLEX64] = ct_abs_c64, [CT_COMPLEX128] = ct_abs_c128 },
    [CT_OP_SIGN] = { [CT_BOOL] = ct_sign_b, [CT_UINT8] = ct_sign_u8, [CT_INT8] = ct_sign_i8, [CT_INT16] = ct_sign_i16, [CT_INT32] = ct_sign_i32, [CT_INT64] = ct_sign_i64, [CT_FLOAT32] = ct_sign_f32, [CT_FLOAT64] = ct_sign_f64 },
    [CT_OP_SGN] = { [CT_COMPLEX64] = ct_sgn_c64, [CT_COMPLEX128] = ct_sgn_c128 },
    [CT_OP_EXP] = { [CT_FLOAT32] = ct_exp_f32, [CT_FLOAT64] = ct_exp_f64, [CT_COMPLEX64] = ct_exp_c64, [CT_COMPLEX128] = ct_exp_c128 },
    [CT_OP_LOG] = { [CT_FLOAT32] = ct_log_f32, [CT_FLOAT64] = ct_log_f64, [CT_COMPLEX64] = ct_log_c64, [CT_COMPLEX128] = ct_log_c128 },
    [CT_OP_SQRT] = { [CT_FLOAT32] = ct_sqrt_f32, [CT_FLOAT64] = ct_sqrt_f64, [CT_COMPLEX64] = ct_sqrt_c64, [CT_COMPLEX128] = ct_sqrt_c128 },
    [CT_OP_SIN] = { [CT_FLOAT32] = ct_sin_f32, [CT_FLOAT64] = ct_sin_f64, [CT_COMPLEX64] = ct_sin_c64, [CT_COMPLEX128] = ct_sin_c128 },
    [CT_OP_COS] = { [CT_FLOAT32] = ct_cos_f32, [CT_FLOAT64] = ct_cos_f64, [CT_COMPLEX64] = ct_cos_c64, [CT_COMPLEX128] = ct_cos_c128 },
    [CT_OP_TAN] = { [CT_FLOAT32] = ct_tan_f32, [CT_FLOAT64] = ct_tan_f64, [CT_COMPLEX64] = ct_tan_c64, [CT_COMPLEX128] = ct_tan_c128 },
    [CT_OP_ASIN] = { [CT_FLOAT32] = ct_asin_f32, [CT_FLOAT64] = ct_asin_f64, [CT_COMPLEX64] = ct_asin_c64, [CT_COMPLEX128] = ct_asin_c128 },
    [CT_OP_ACOS] = { [CT_FLOAT32] = ct_acos_f32, [CT_FLOAT64] = ct_acos_f64, [CT_COMPLEX64] = ct_acos_c64, [CT_COMPLEX128] = ct_acos_c128 },
    [CT_OP_ATAN] = { [CT_FLOAT32] = ct_atan_f32, [CT_FLOAT64] = ct_atan_f64, [CT_COMPLEX64] = ct_atan_c64, [CT_COMPLEX128] = ct_atan_c128 },
    [CT_OP_SINH] = { [CT_FLOAT32] = ct_sinh_f32, [CT_FLOAT64] = ct_sinh_f64, [CT_COMPLEX64] = ct_sinh_c64, [CT_COMPLEX128] = ct_sinh_c128 },
    [CT_OP_COSH] = { [CT_FLOAT32] = ct_cosh_f32, [CT_FLOAT64] = ct_cosh_f64, [CT_COMPLEX64] = ct_cosh_c64, [CT_COMPLEX128] = ct_cosh_c128 },
    [CT_OP_TANH] = { [CT_FLOAT32] = ct_tanh_f32, [CT_FLOAT64] = ct_tanh_f64, [CT_COMPLEX64] = ct_tanh_c64, [CT_COMPLEX128] = ct_tanh_c128 },
    [CT_OP_ASINH] = { [CT_FLOAT32] = ct_asinh_f32, [CT_FLOAT64] = ct_asinh_f64, [CT_COMPLEX64] = ct_asinh_c64, [CT_COMPLEX128] = ct_asinh_c128 },
    [CT_OP_ACOSH] = { [CT_FLOAT32] = ct_acosh_f32, [CT_FLOAT64] = ct_acosh_f64, [CT_COMPLEX64] = ct_acosh_c64, [CT_COMPLEX128] = ct_acosh_c128 },
    [CT_OP_ATANH] = { [CT_FLOAT32] = ct_atanh_f32, [CT_FLOAT64] = ct_atanh_f64, [CT_COMPLEX64] = ct_atanh_c64, [CT_COMPLEX128] = ct_atanh_c128 },
    [CT_OP_EXP2] = { [CT_FLOAT32] = ct_exp2_f32, [CT_FLOAT64] = ct_exp2_f64, [CT_COMPLEX64] = ct_exp2_c64,
                      [CT_COMPLEX128] = ct_exp2_c128 },
    [CT_OP_EXPM1] = { [CT_FLOAT32] = ct_expm1_f32, [CT_FLOAT64] = ct_expm1_f64, [CT_COMPLEX64] = ct_expm1_c64,
                      [CT_COMPLEX128] = ct_expm1_c128 },
    [CT_OP_LOG2] = { [CT_FLOAT32] = ct_log2_f32, [CT_FLOAT64] = ct_log2_f64, [CT_COMPLEX64] = ct_log2_c64,
                      [CT_COMPLEX128] = ct_log2_c128 },
    [CT_OP_LOG10] = { [CT_FLOAT32] = ct_log10_f32, [CT_FLOAT64] = ct_log10_f64, [CT_COMPLEX64] = ct_log10_c64,
                      [CT_COMPLEX128] = ct_log10_c128 },
    [CT_OP_LOG1P] = { [CT_FLOAT32] = ct_log1p_f32, [CT_FLOAT64] = ct_log1p_f64, [CT_COMPLEX64] = ct_log1p_c64,
                      [CT_COMPLEX128] = ct_log1p_c128 },
    [CT_OP_ERF] = { [CT_FLOAT32] = ct_erf_f32, [CT_FLOAT64] = ct_erf_f64 },
    [CT_OP_ERFC] = { [CT_FLOAT32] = ct_erfc_f32, [CT_FLOAT64] = ct_erfc_f64 },
    [CT_OP_LGAMMA] = { [CT_FLOAT32] = ct_lgamma_f32, [CT_FLOAT64] = ct_lgamma_f64 },
    [CT_OP_FLOOR] = { [CT_FLOAT32] = ct_floor_f32, [CT_FLOAT64] = ct_floor_f64 },
    [CT_OP_CEIL] = { [CT_FLOAT32] = ct_ceil_f32, [CT_FLOAT64] = ct_ceil_f64 },
    [CT_OP_TRUNC] = { [CT_FLOAT32] = ct_trunc_f32, [CT_FLOAT64] = ct_trunc_f64 },
    [CT_OP_ROUND] = { [CT_FLOAT32] = ct_round_f32, [CT_FLOAT64] = ct_round_f64 },
    [CT_OP_FRAC] = { [CT_FLOAT32] = ct_frac_f32, [CT_FLOAT64] = ct_frac_f64 },
    [CT_OP_RSQRT] = { [CT_FLOAT32] = ct_rsqrt_f32, [CT_FLOAT64] = ct_rsqrt_f64, [CT_COMPLEX64] = ct_rsqrt_c64,
                      [CT_COMPLEX128] = ct_rsqrt_c128 },
    [CT_OP_RECIPROCAL] = { [CT_FLOAT32] = ct_reciprocal_f32, [CT_FLOAT64] = ct_reciprocal_f64, [CT_COMPLEX64] = ct_reciprocal_c64, [CT_COMPLEX128] = ct_reciprocal_c128 },
    [CT_OP_SQUARE] = { [CT_UINT8] = ct_square_u8, [CT_INT8] = ct_square_i8, [CT_INT16] = ct_square_i16, [CT_INT32] = ct_square_i32, [CT_INT64] = ct_square_i64, [CT_FLOAT32] = ct_square_f32, [CT_FLOAT64] = ct_square_f64, [CT_COMPLEX64] = ct_square_c64, [CT_COMPLEX128] = ct_square_c128 },
    [CT_OP_SIGMOID] = { [CT_FLOAT32] = ct_sigmoid_f32, [CT_FLOAT64] = ct_sigmoid_f64, [CT_COMPLEX64] = ct_sigmoid_c64, [CT_COMPLEX128] = ct_sigmoid_c128 },
    [CT_OP_ERFINV] = { [CT_FLOAT32] = ct_erfinv_f32, [CT_FLOAT64] = ct_erfinv_f64 },
    [CT_OP_DIGAMMA] = { [CT_FLOAT32] = ct_digamma_f32, [CT_FLOAT64] = ct_digamma_f64 },
    [CT_OP_RELU] = { [CT_UINT8] = ct_relu_u8, [CT_INT8] = ct_relu_i8, [CT_INT16] = ct_relu_i16, [CT_INT32] = ct_relu_i32, [CT_INT64] = ct_relu_i64, [CT_FLOAT32] = ct_relu_f32, [CT_FLOAT64] = ct_relu_f64 },
    [CT_OP_BITWISE_NOT] = { [CT_BOOL] = ct_bitwise_not_b, [CT_UINT8] = ct_bitwise_not_u8, [CT_INT8] = ct_bitwise_not_i8, [CT_INT16] = ct_bitwise_not_i16, [CT_INT32] = ct_bitwise_not_i32, [CT_INT64] = ct_bitwise_not_i64 },
    [CT_OP_LOGICAL_NOT] = { [CT_BOOL] = ct_logical_not_b, [CT_UINT8] = ct_logical_not_u8, [CT_INT8] = ct_logical_not_i8, [CT_INT16] = ct_logical_not_i16, [CT_INT32] = ct_logical_not_i32, [CT_INT64] = ct_logical_not_i64, [CT_FLOAT32] = ct_logical_not_f32, [CT_FLOAT64] = ct_logical_not_f64, [CT_COMPLEX64] = ct_logical_not_c64, [CT_COMPLEX128] = ct_logical_not_c128 },
    [CT_OP_ISNAN] = { [CT_FLOAT32] = ct_isnan_f32, [CT_FLOAT64] = ct_isnan_f64 },
    [CT_OP_ISINF] = { [CT_FLOAT32] = ct_isinf_f32, [CT_FLOAT64] = ct_isinf_f64 },
    [CT_OP_ISFINITE] = { [CT_FLOAT32] = ct_isfinite_f32, [CT_FLOAT64] = ct_isfinite_f64 },
    [CT_OP_SIGNBIT] = { [CT_FLOAT32] = ct_signbit_f32, [CT_FLOAT64] = ct_signbit_f64 },
    [CT_OP_CONJ] = { [CT_COMPLEX64] = ct_conj_c64, [CT_COMPLEX128] = ct_conj_c128 },
    [CT_OP_ANGLE] = { [CT_FLOAT32] = ct_angle_f32, [CT_FLOAT64] = ct_angle_f64, [CT_COMPLEX64] = ct_angle_c64, [CT_COMPLEX128] = ct_angle_c128 },
    [CT_OP_REAL] = { [CT_COMPLEX64] = ct_real_c64, [CT_COMPLEX128] = ct_real_c128 },
    [CT_OP_IMAG] = { [CT_COMPLEX64] = ct_imag_c64, [CT_COMPLEX128] = ct_imag_c128 },
    [CT_OP_COPY] = { [CT_BOOL] = ct_copy_b, [CT_UINT8] = ct_copy_u8, [CT_INT8] = ct_copy_i8, [CT_INT16] = ct_copy_i16, [CT_INT32] = ct_copy_i32, [CT_INT64] = ct_copy_i64, [CT_FLOAT32] = ct_copy_f32, [CT_FLOAT64] = ct_copy_f64, [CT_COMPLEX64] = ct_copy_c64, [CT_COMPLEX128] = ct_copy_c128 },
};

const ct_loop_fn ct_cast_table[CT_NDTYPES][CT_NDTYPES] = {
    [CT_BOOL] = { [CT_BOOL] = ct_cast_b_b, [CT_UINT8] = ct_cast_b_u8, [CT_INT8] = ct_cast_b_i8, [CT_INT16] = ct_cast_b_i16, [CT_INT32] = ct_cast_b_i32, [CT_INT64] = ct_cast_b_i64, [CT_FLOAT16] = ct_cast_b_f16, [CT_BFLOAT16] = ct_cast_b_bf16, [CT_FLOAT32] = ct_cast_b_f32, [CT_FLOAT64] = ct_cast_b_f64, [CT_COMPLEX64] = ct_cast_b_c64, [CT_COMPLEX128] = ct_cast_b_c128 },
    [CT_UINT8] = { [CT_BOOL] = ct_cast_u8_b, [CT_UINT8] = ct_cast_u8_u8, [CT_INT8] = ct_cast_u8_i8, [CT_INT16] = ct_cast_u8_i16, [CT_INT32] = ct_cast_u8_i32, [CT_INT64] = ct_cast_u8_i64, [CT_FLOAT16] = ct_cast_u8_f16, [CT_BFLOAT16] = ct_cast_u8_bf16, [CT_FLOAT32] = ct_cast_u8_f32, [CT_FLOAT64] = ct_cast_u8_f64, [CT_COMPLEX64] = ct_cast_u8_c64, [CT_COMPLEX128] = ct_cast_u8_c128 },
    [CT_INT8] = { [CT_BOOL] = ct_cast_i8_b, [CT_UINT8] = ct_cast_i8_u8, [CT_INT8] = ct_cast_i8_i8, [CT_INT16] = ct_cast_i8_i16, [CT_INT32] = ct_cast_i8_i32, [CT_INT64] = ct_cast_i8_i64, [CT_FLOAT16] = ct_cast_i8_f16, [CT_BFLOAT16] = ct_cast_i8_bf16, [CT_FLOAT32] = ct_cast_i8_f32, [CT_FLOAT64] = ct_cast_i8_f64, [CT_COMPLEX64] = ct_cast_i8_c64, [CT_COMPLEX128] = ct_cast_i8_c128 },
    [CT_INT16] = { [CT_BOOL] = ct_cast_i16_b, [CT_UINT8] = ct_cast_i16_u8, [CT_INT8] = ct_cast_i16_i8, [CT_INT16] = ct_cast_i16_i16, [CT_INT32] = ct_cast_i16_i32, [CT_INT64] = ct_cast_i16_i64, [CT_FLOAT16] = ct_cast_i16_f16, [CT_BFLOAT16] = ct_cast_i16_bf16, [CT_FLOAT32] = ct_cast_i16_f32, [CT_FLOAT64] = ct_cast_i16_f64, [CT_COMPLEX64] = ct_cast_i16_c64, [CT_COMPLEX128] = ct_cast_i16_c128 },
    [CT_INT32] = { [CT_BOOL] = ct_cast_i32_b, [CT_UINT8] = ct_cast_i32_u8, [CT_INT8] = ct_cast_i32_i8, [CT_INT16] = ct_cast_i32_i16, [CT_INT32] = ct_cast_i32_i32, [CT_INT64] = ct_cast_i32_i64, [CT_FLOAT16] = ct_cast_i32_f16, [CT_BFLOAT16] = ct_cast_i32_bf16, [CT_FLOAT32] = ct_cast_i32_f32, [CT_FLOAT64] = ct_cast_i32_f64, [CT_COMPLEX64] = ct_cast_i32_c64, [CT_COMPLEX128] = ct_cast_i32_c128 },
    [CT_INT64] = { [CT_BOOL] = ct_cast_i64_b, [CT_UINT8] = ct_cast_i64_u8, [CT_INT8] = ct_cast_i64_i8, [CT_INT16] = ct_cast_i64_i16, [CT_INT32] = ct_cast_i64_i32, [CT_INT64] = ct_cast_i64_i64, [CT_FLOAT16] = ct_cast_i64_f16, [CT_BFLOAT16] = ct_cast_i64_bf16, [CT_FLOAT32] = ct_cast_i64_f32, [CT_FLOAT64] = ct_cast_i64_f64, [CT_COMPLEX64] = ct_cast_i64_c64, [CT_COMPLEX128] = ct_cast_i64_c128 },
    [CT_FLOAT16] = { [CT_BOOL] = ct_cast_f16_b, [CT_UINT8] = ct_cast_f16_u8, [CT_INT8] = ct_cast_f16_i8, [CT_INT16] = ct_cast_f16_i16, [CT_INT32] = ct_cast_f16_i32, [CT_INT64] = ct_cast_f16_i64, [CT_FLOAT16] = ct_cast_f16_f16, [CT_BFLOAT16] = ct_cast_f16_bf16, [CT_FLOAT32] = ct_cast_f16_f32, [CT_FLOAT64] = ct_cast_f16_f64, [CT_COMPLEX64] = ct_cast_f16_c64, [CT_COMPLEX128] = ct_cast_f16_c128 },
    [CT_BFLOAT16] = { [CT_BOOL] = ct_cast_bf16_b, [CT_UINT8] = ct_cast_bf16_u8, [CT_INT8] = ct_cast_bf16_i8, [CT_INT16] = ct_cast_bf16_i16, [CT_INT32] = ct_cast_bf16_i32, [CT_INT64] = ct_cast_bf16_i64, [CT_FLOAT16] = ct_cast_bf16_f16, [CT_BFLOAT16] = ct_cast_bf16_bf16, [CT_FLOAT32] = ct_cast_bf16_f32, [CT_FLOAT64] = ct_cast_bf16_f64, [CT_COMPLEX64] = ct_cast_bf16_c64, [CT_COMPLEX128] = ct_cast_bf16_c128 },
    [CT_FLOAT32] = { [CT_BOOL] = ct_cast_f32_b, [CT_UINT8] = ct_cast_f32_u8, [CT_INT8] = ct_cast_f32_i8, [CT_INT16] = ct_cast_f32_i16, [CT_INT32] = ct_cast_f32_i32, [CT_INT64] = ct_cast_f32_i64, [CT_FLOAT16] = ct_cast_f32_f16, [CT_BFLOAT16] = ct_cast_f32_bf16, [CT_FLOAT32] = ct_cast_f32_f32, [CT_FLOAT64] = ct_cast_f32_f64, [CT_COMPLEX64] = ct_cast_f32_c64, [CT_COMPLEX128] = ct_cast_f32_c128 },
    [CT_FLOAT64] = { [CT_BOOL] = ct_cast_f64_b, [CT_UINT8] = ct_cast_f64_u8, [CT_INT8] = ct_cast_f64_i8, [CT_INT16] = ct_cast_f64_i16, [CT_INT32] = ct_cast_f64_i32, [CT_INT64] = ct_cast_f64_i64, [CT_FLOAT16] = ct_cast_f64_f16, [CT_BFLOAT16] = ct_cast_f64_bf16, [CT_FLOAT32] = ct_cast_f64_f32, [CT_FLOAT64] = ct_cast_f64_f64, [CT_COMPLEX64] = ct_cast_f64_c64, [CT_COMPLEX128] = ct_cast_f64_c128 },
    [CT_COMPLEX64] = { [CT_BOOL] = ct_cast_c64_b, [CT_UINT8] = ct_cast_c64_u8, [CT_INT8] = ct_cast_c64_i8, [CT_INT16] = ct_cast_c64_i16, [CT_INT32] = ct_cast_c64_i32, [CT_INT64] = ct_cast_c64_i64, [CT_FLOAT16] = ct_cast_c64_f16, [CT_BFLOAT16] = ct_cast_c64_bf16, [CT_FLOAT32] = ct_cast_c64_f32, [CT_FLOAT64] = ct_cast_c64_f64, [CT_COMPLEX64] = ct_cast_c64_c64, [CT_COMPLEX128] = ct_cast_c64_c128 },
    [CT_COMPLEX128] = { [CT_BOOL] = ct_cast_c128_b, [CT_UINT8] = ct_cast_c128_u8, [CT_INT8] = ct_cast_c128_i8, [CT_INT16] = ct_cast_c128_i16, [CT_INT32] = ct_cast_c128_i32, [CT_INT64] = ct_cast_c128_i64, [CT_FLOAT16] = ct_cast_c128_f16, [CT_BFLOAT16] = ct_cast_c128_bf16, [CT_FLOAT32] = ct_cast_c128_f32, [CT_FLOAT64] = ct_cast_c128_f64, [CT_COMPLEX64] = ct_cast_c128_c64, [CT_COMPLEX128] = ct_cast_c128_c128 },
};

int ct_fill(char *data, int dtype, int ndim, const int64_t *shape, const int64_t *strides, const void *value) {
    /* copy from a 0-stride source: the copy kernel handles every dtype */
    char *args[2] = { data, (char *)value };
    int64_t st[2 * CT_MAX_DIMS];
    if (ndim > CT_MAX_DIMS) return CT_ERR_DIMS;
    for (int d = 0; d < ndim; d++) { st[d] = strides[d]; st[ndim + d] = 0; }
    return ct_iterate(ct_cast_table[dtype][dtype], 2, args, ndim, shape, st, NULL);
}

int ct_take_int_flags(void) {
    int f = (ct_int_div_by_zero ? 1 : 0) | (ct_int_neg_pow ? 2 : 0);
    ct_int_div_by_zero = 0;
    ct_int_neg_pow = 0;
    return f;
}

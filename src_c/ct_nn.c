/* ct_nn.c - fused kernels for cytorch.nn.functional: activations (forward and backward),
 * softmax backward, layer / RMS / batch / group norm (forward and backward), dropout.
 * Layouts and the thread-count rule: see ct_nn.h. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "ct_nn.h"
#include "ct_math.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Hot loops get AVX-512 and AVX2 clones picked at load time; -std=c11 keeps FP contraction
 * off, so every clone gives bit-identical results (the activations opt out: CT_ACT_CLONES). */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_NN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CT_NN_CLONES
#endif

/* The activations' polynomial and exp evaluations are chains of multiply-adds: their clones
 * contract them into FMAs (AVX-512 and Haswell-level AVX2, both with FMA), 1.5x faster for
 * gelu than separately rounded steps and no less accurate. Results can differ in the last
 * bit from the baseline clone (pre-FMA CPUs) but never with the thread count. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_ACT_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default"), \
                                     optimize("fp-contract=fast")))
#else
#define CT_ACT_CLONES CT_NN_CLONES
#endif

#define CT_NN_GRAIN 32768    /* below this many elements a kernel runs on one thread */
#define CT_NN_LANES 16       /* independent accumulators in a row sum (vectorisable) */
#define CT_NN_COLS 256       /* columns per task in sums over rows */
#define CT_NN_BN_COLS 64     /* columns per task in batch norm over [N, C] (small C still splits) */
#define CT_NN_CHUNKS 64      /* a sum over rows is cut into at most this many chunks */
#define CT_NN_PARTIALS (1 << 22)   /* ... whose partial sums take at most this many elements */

static inline int64_t ct_nn_min(int64_t a, int64_t b) { return a < b ? a : b; }

/* ---------------------------------------------------------------- float32 maths
 * Branch-free (both sides of a range split are computed and one is selected) so the
 * loops calling them vectorise. */

/* exp(x) - 1: Taylor series to x^9 below |x| = 1/2 (no cancellation), exp(x) - 1 above */
CT_MATH_INLINE float ct_expm1f(float x) {
    float p = 1.0f / 362880;
    p = p * x + 1.0f / 40320;
    p = p * x + 1.0f / 5040;
    p = p * x + 1.0f / 720;
    p = p * x + 1.0f / 120;
    p = p * x + 1.0f / 24;
    p = p * x + 1.0f / 6;
    p = p * x + 0.5f;
    p = p * x + 1.0f;
    float big = ct_expf_ftz(x) - 1.0f;
    return fabsf(x) < 0.5f ? p * x : big;
}

/* tanh: odd Taylor series to x^17 below |x| = 0.55, 1 - 2 / (exp(2|x|) + 1) above */
CT_MATH_INLINE float ct_tanhf(float x) {
    float a = fabsf(x), z = x * x;
    float p = 6404582.0f / 10854718875.0f;
    p = p * z - 929569.0f / 638512875.0f;
    p = p * z + 21844.0f / 6081075.0f;
    p = p * z - 1382.0f / 155925.0f;
    p = p * z + 62.0f / 2835.0f;
    p = p * z - 17.0f / 315.0f;
    p = p * z + 2.0f / 15.0f;
    p = p * z - 1.0f / 3.0f;
    p = p * z * x + x;
    float big = 1.0f - 2.0f / (ct_expf_ftz(2.0f * a) + 1.0f);
    big = x < 0 ? -big : big;
    return a < 0.55f ? p : big;
}

/* erfc(z) for z >= 0 given e = exp(-z^2): e t P(t) with t = 1 / (1 + z/2), P a degree-8
 * least-squares fit of erfc(z) exp(z^2) / t on [0, 12] (relative error < 4e-7 in float) */
CT_MATH_INLINE float ct_erfc_posf(float z, float e) {
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = -6.153494519e-02f;
    p = p * t + 2.955619299e-01f;
    p = p * t - 5.078252614e-01f;
    p = p * t + 2.992969152e-01f;
    p = p * t - 3.968025980e-02f;
    p = p * t + 2.075790385e-01f;
    p = p * t + 2.420165761e-01f;
    p = p * t + 2.825058989e-01f;
    p = p * t + 2.820799398e-01f;
    return e * t * p;
}

/* Phi(x), the standard normal CDF, from the tail erfc(|x| / sqrt 2) / 2; e = exp(-x^2 / 2) */
CT_MATH_INLINE float ct_phi_ef(float x, float e) {
    float h = 0.5f * ct_erfc_posf(fabsf(x) * 0.70710678118654752f, e);
    return x < 0 ? h : 1.0f - h;
}

CT_MATH_INLINE float ct_maxf(float a, float b) { return a > b ? a : b; }   /* a vector max, not a call */
CT_MATH_INLINE float ct_sigmf(float x) { return 1.0f / (1.0f + ct_expf_ftz(-x)); }
/* log(1 + exp(x)) without overflow */
CT_MATH_INLINE float ct_softplusf(float x) { return ct_maxf(x, 0.0f) + ct_log1p_unitf(ct_expf_ftz(-fabsf(x))); }

static inline double ct_phi(double x) { return 0.5 * erfc(-x * 0.70710678118654752); }
static inline double ct_sigm(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }
static inline double ct_softplus(double x) { return fmax(x, 0.0) + log1p(exp(-fabs(x))); }

/* tanh(softplus(x)) = n / (n + 2) with n = e (e + 2), e = exp(x): exact at both ends; 1 above 20 */
CT_MATH_INLINE float ct_mish_tf(float x) {
    float e = ct_expf_ftz(x < 20.0f ? x : 20.0f), n = e * (e + 2.0f);
    return x > 20.0f ? 1.0f : n / (n + 2.0f);
}
static inline double ct_mish_t(double x) {
    double e = exp(x < 20.0 ? x : 20.0), n = e * (e + 2.0);
    return x > 20.0 ? 1.0 : n / (n + 2.0);
}

CT_MATH_INLINE float ct_gelu_df(float x) {
    float e = ct_expf_ftz(-0.5f * x * x);
    return ct_phi_ef(x, e) + x * 0.39894228040143268f * e;
}
CT_MATH_INLINE float ct_mish_df(float x) {
    float t = ct_mish_tf(x);
    return t + x * ct_sigmf(x) * (1.0f - t * t);
}

/* ---------------------------------------------------------------- activations
 * CT_ACT_FWD(name, T, expr): out[i] := expr(x); CT_ACT_BWD(name, T, expr): gx[i] := expr(g, x).
 * p0, p1, p2 are the op's parameters (ct_act_args), in T. */
#define CT_ACT_PARAMS(T)                                                                          \
    const ct_act_args *P = (const ct_act_args *)aux;                                              \
    const T p0 = (T)P->a, p1 = (T)P->b, p2 = (T)P->c;                                             \
    (void)p0; (void)p1; (void)p2;

#define CT_ACT_FWD(name, T, expr)                                                                 \
CT_ACT_CLONES static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {    \
    CT_ACT_PARAMS(T)                                                                              \
    char *po = args[0]; const char *px = args[1];                                                 \
    const int64_t so = steps[0], sx = steps[1];                                                   \
    if (so == sizeof(T) && sx == sizeof(T)) {                                                     \
        T *o = (T *)po; const T *X = (const T *)px;                                               \
        for (int64_t i = 0; i < n; i++) { T x = X[i]; o[i] = (expr); }                            \
    } else {                                                                                      \
        for (int64_t i = 0; i < n; i++) {                                                         \
            T x = *(const T *)(px + i * sx);                                                      \
            *(T *)(po + i * so) = (expr);                                                         \
        }                                                                                         \
    }                                                                                             \
}

#define CT_ACT_BWD(name, T, expr)                                                                 \
CT_ACT_CLONES static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {    \
    CT_ACT_PARAMS(T)                                                                              \
    char *po = args[0]; const char *pg = args[1], *px = args[2];                                  \
    const int64_t so = steps[0], sg = steps[1], sx = steps[2];                                    \
    if (so == sizeof(T) && sg == sizeof(T) && sx == sizeof(T)) {                                  \
        T *o = (T *)po; const T *G = (const T *)pg, *X = (const T *)px;                           \
        for (int64_t i = 0; i < n; i++) { T g = G[i], x = X[i]; o[i] = (expr); }                  \
    } else {                                                                                      \
        for (int64_t i = 0; i < n; i++) {                                                         \
            T g = *(const T *)(pg + i * sg), x = *(const T *)(px + i * sx);                       \
            *(T *)(po + i * so) = (expr);                                                         \
        }                                                                                         \
    }                                                                                             \
}

#define CT_SQRT_2_PI_F 0.79788456080286536f    /* sqrt(2 / pi) */
#define CT_SQRT_2_PI 0.79788456080286536
#define CT_INV_SQRT_2PI 0.39894228040143268

/* gelu: x Phi(x);  d/dx = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi) */
CT_ACT_FWD(ct_gelu_f32, float, x * ct_phi_ef(x, ct_expf_ftz(-0.5f * x * x)))
CT_ACT_FWD(ct_gelu_f64, double, x * ct_phi(x))
CT_ACT_BWD(ct_gelu_bwd_f32, float, g * ct_gelu_df(x))
CT_ACT_BWD(ct_gelu_bwd_f64, double, g * (ct_phi(x) + x * CT_INV_SQRT_2PI * exp(-0.5 * x * x)))

/* gelu tanh: x/2 (1 + tanh(u)) = x s, u = k (x + c x^3), s = sigmoid(2u) (no cancellation in 1 + tanh);
 * d/dx = s + 2 x s (1 - s) k (1 + 3 c x^2) */
#define CT_GT_U(T, K, x) ((T)(2 * K) * ((x) + (T)0.044715 * (x) * (x) * (x)))
#define CT_GT_D(T, K, SIG, x) (SIG(CT_GT_U(T, K, x)) + 2 * (x) * SIG(CT_GT_U(T, K, x))                  \
    * SIG(-CT_GT_U(T, K, x)) * (T)K * (1 + (T)(3 * 0.044715) * (x) * (x)))
CT_ACT_FWD(ct_gelu_tanh_f32, float, x * ct_sigmf(CT_GT_U(float, CT_SQRT_2_PI_F, x)))
CT_ACT_FWD(ct_gelu_tanh_f64, double, x * ct_sigm(CT_GT_U(double, CT_SQRT_2_PI, x)))
CT_ACT_BWD(ct_gelu_tanh_bwd_f32, float, g * CT_GT_D(float, CT_SQRT_2_PI_F, ct_sigmf, x))
CT_ACT_BWD(ct_gelu_tanh_bwd_f64, double, g * CT_GT_D(double, CT_SQRT_2_PI, ct_sigm, x))

/* silu: x s, s = sigmoid(x);  d/dx = s (1 + x (1 - s)) */
CT_ACT_FWD(ct_silu_f32, float, x * ct_sigmf(x))
CT_ACT_FWD(ct_silu_f64, double, x * ct_sigm(x))
CT_ACT_BWD(ct_silu_bwd_f32, float, g * ct_sigmf(x) * (1.0f + x * (1.0f - ct_sigmf(x))))
CT_ACT_BWD(ct_silu_bwd_f64, double, g * ct_sigm(x) * (1.0 + x * (1.0 - ct_sigm(x))))

/* mish: x t, t = tanh(softplus(x));  d/dx = t + x sigmoid(x) (1 - t^2) */
CT_ACT_FWD(ct_mish_f32, float, x * ct_mish_tf(x))
CT_ACT_FWD(ct_mish_f64, double, x * ct_mish_t(x))
CT_ACT_BWD(ct_mish_bwd_f32, float, g * ct_mish_df(x))
CT_ACT_BWD(ct_mish_bwd_f64, double, g * (ct_mish_t(x) + x * ct_sigm(x) * (1.0 - ct_mish_t(x) * ct_mish_t(x))))

/* elu family (alpha p0, scale p1, input scale p2): x > 0 ? p1 x : p1 p0 expm1(p2 x) */
CT_ACT_FWD(ct_elu_f32, float, x > 0 ? p1 * x : p1 * p0 * ct_expm1f(p2 * x))
CT_ACT_FWD(ct_elu_f64, double, x > 0 ? p1 * x : p1 * p0 * expm1(p2 * x))
CT_ACT_BWD(ct_elu_bwd_f32, float, x > 0 ? g * p1 : g * p1 * p0 * p2 * ct_expf_ftz(p2 * x))
CT_ACT_BWD(ct_elu_bwd_f64, double, x > 0 ? g * p1 : g * p1 * p0 * p2 * exp(p2 * x))

/* softplus (beta p0, threshold p1): log(1 + exp(p0 x)) / p0, linear above the threshold;
 * d/dx = sigmoid(p0 x) */
CT_ACT_FWD(ct_softplus_f32, float, x * p0 > p1 ? x : ct_softplusf(x * p0) / p0)
CT_ACT_FWD(ct_softplus_f64, double, x * p0 > p1 ? x : ct_softplus(x * p0) / p0)
CT_ACT_BWD(ct_softplus_bwd_f32, float, x * p0 > p1 ? g : g * ct_sigmf(x * p0))
CT_ACT_BWD(ct_softplus_bwd_f64, double, x * p0 > p1 ? g : g * ct_sigm(x * p0))

/* hardswish: x (x + 3) / 6 on [-3, 3];  d/dx = x / 3 + 1/2 there */
CT_ACT_FWD(ct_hardswish_f32, float, x <= -3.0f ? 0.0f : (x >= 3.0f ? x : x * (x + 3.0f) / 6.0f))
CT_ACT_FWD(ct_hardswish_f64, double, x <= -3.0 ? 0.0 : (x >= 3.0 ? x : x * (x + 3.0) / 6.0))
CT_ACT_BWD(ct_hardswish_bwd_f32, float, x <= -3.0f ? 0.0f : (x <= 3.0f ? g * (x / 3.0f + 0.5f) : g))
CT_ACT_BWD(ct_hardswish_bwd_f64, double, x <= -3.0 ? 0.0 : (x <= 3.0 ? g * (x / 3.0 + 0.5) : g))

/* hardsigmoid: x / 6 + 1/2 on [-3, 3];  d/dx = 1/6 inside the open interval */
CT_ACT_FWD(ct_hardsigmoid_f32, float, x <= -3.0f ? 0.0f : (x >= 3.0f ? 1.0f : x / 6.0f + 0.5f))
CT_ACT_FWD(ct_hardsigmoid_f64, double, x <= -3.0 ? 0.0 : (x >= 3.0 ? 1.0 : x / 6.0 + 0.5))
CT_ACT_BWD(ct_hardsigmoid_bwd_f32, float, (x > -3.0f && x < 3.0f) ? g / 6.0f : 0.0f)
CT_ACT_BWD(ct_hardsigmoid_bwd_f64, double, (x > -3.0 && x < 3.0) ? g / 6.0 : 0.0)

/* leaky relu (slope p0): x > 0 ? x : p0 x */
CT_ACT_FWD(ct_leaky_relu_f32, float, x > 0 ? x : x * p0)
CT_ACT_FWD(ct_leaky_relu_f64, double, x > 0 ? x : x * p0)
CT_ACT_BWD(ct_leaky_relu_bwd_f32, float, x > 0 ? g : g * p0)
CT_ACT_BWD(ct_leaky_relu_bwd_f64, double, x > 0 ? g : g * p0)

/* hardtanh: clamp(x, p0, p1) (NaN passes);  d/dx = 1 strictly inside */
CT_ACT_FWD(ct_hardtanh_f32, float, x < p0 ? p0 : (x > p1 ? p1 : x))
CT_ACT_FWD(ct_hardtanh_f64, double, x < p0 ? p0 : (x > p1 ? p1 : x))
CT_ACT_BWD(ct_hardtanh_bwd_f32, float, (x <= p0 || x >= p1) ? 0.0f : g)
CT_ACT_BWD(ct_hardtanh_bwd_f64, double, (x <= p0 || x >= p1) ? 0.0 : g)

/* logsigmoid: -softplus(-x);  d/dx = sigmoid(-x) */
CT_ACT_FWD(ct_logsigmoid_f32, float, -ct_softplusf(-x))
CT_ACT_FWD(ct_logsigmoid_f64, double, -ct_softplus(-x))
CT_ACT_BWD(ct_logsigmoid_bwd_f32, float, g * ct_sigmf(-x))
CT_ACT_BWD(ct_logsigmoid_bwd_f64, double, g * ct_sigm(-x))

/* softshrink (lambda p0): x -+ p0 outside [-p0, p0], 0 inside */
CT_ACT_FWD(ct_softshrink_f32, float, x > p0 ? x - p0 : (x < -p0 ? x + p0 : x * 0.0f))
CT_ACT_FWD(ct_softshrink_f64, double, x > p0 ? x - p0 : (x < -p0 ? x + p0 : x * 0.0))
CT_ACT_BWD(ct_softshrink_bwd_f32, float, (x >= -p0 && x <= p0) ? 0.0f : g)
CT_ACT_BWD(ct_softshrink_bwd_f64, double, (x >= -p0 && x <= p0) ? 0.0 : g)

/* hardshrink (lambda p0): 0 on [-p0, p0], x outside */
CT_ACT_FWD(ct_hardshrink_f32, float, (x >= -p0 && x <= p0) ? 0.0f : x)
CT_ACT_FWD(ct_hardshrink_f64, double, (x >= -p0 && x <= p0) ? 0.0 : x)
CT_ACT_BWD(ct_hardshrink_bwd_f32, float, (x >= -p0 && x <= p0) ? 0.0f : g)
CT_ACT_BWD(ct_hardshrink_bwd_f64, double, (x >= -p0 && x <= p0) ? 0.0 : g)

/* threshold (threshold p0, value p1): x <= p0 ? p1 : x */
CT_ACT_FWD(ct_threshold_f32, float, x <= p0 ? p1 : x)
CT_ACT_FWD(ct_threshold_f64, double, x <= p0 ? p1 : x)
CT_ACT_BWD(ct_threshold_bwd_f32, float, x <= p0 ? 0.0f : g)
CT_ACT_BWD(ct_threshold_bwd_f64, double, x <= p0 ? 0.0 : g)

/* softsign: x / (1 + |x|);  d/dx = 1 / (1 + |x|)^2 */
CT_ACT_FWD(ct_softsign_f32, float, x / (1.0f + fabsf(x)))
CT_ACT_FWD(ct_softsign_f64, double, x / (1.0 + fabs(x)))
CT_ACT_BWD(ct_softsign_bwd_f32, float, g / ((1.0f + fabsf(x)) * (1.0f + fabsf(x))))
CT_ACT_BWD(ct_softsign_bwd_f64, double, g / ((1.0 + fabs(x)) * (1.0 + fabs(x))))

/* tanhshrink: x - tanh(x);  d/dx = tanh(x)^2 */
CT_ACT_FWD(ct_tanhshrink_f32, float, x - ct_tanhf(x))
CT_ACT_FWD(ct_tanhshrink_f64, double, x - tanh(x))
CT_ACT_BWD(ct_tanhshrink_bwd_f32, float, g * ct_tanhf(x) * ct_tanhf(x))
CT_ACT_BWD(ct_tanhshrink_bwd_f64, double, g * tanh(x) * tanh(x))

#define CT_ACT_ROW(f32, f64) { [CT_FLOAT32] = (f32), [CT_FLOAT64] = (f64) }

const ct_loop_fn ct_act_fwd_table[CT_NACT][CT_NDTYPES] = {
    [CT_ACT_GELU] = CT_ACT_ROW(ct_gelu_f32, ct_gelu_f64),
    [CT_ACT_GELU_TANH] = CT_ACT_ROW(ct_gelu_tanh_f32, ct_gelu_tanh_f64),
    [CT_ACT_SILU] = CT_ACT_ROW(ct_silu_f32, ct_silu_f64),
    [CT_ACT_MISH] = CT_ACT_ROW(ct_mish_f32, ct_mish_f64),
    [CT_ACT_ELU] = CT_ACT_ROW(ct_elu_f32, ct_elu_f64),
    [CT_ACT_SOFTPLUS] = CT_ACT_ROW(ct_softplus_f32, ct_softplus_f64),
    [CT_ACT_HARDSWISH] = CT_ACT_ROW(ct_hardswish_f32, ct_hardswish_f64),
    [CT_ACT_HARDSIGMOID] = CT_ACT_ROW(ct_hardsigmoid_f32, ct_hardsigmoid_f64),
    [CT_ACT_LEAKY_RELU] = CT_ACT_ROW(ct_leaky_relu_f32, ct_leaky_relu_f64),
    [CT_ACT_HARDTANH] = CT_ACT_ROW(ct_hardtanh_f32, ct_hardtanh_f64),
    [CT_ACT_LOGSIGMOID] = CT_ACT_ROW(ct_logsigmoid_f32, ct_logsigmoid_f64),
    [CT_ACT_SOFTSHRINK] = CT_ACT_ROW(ct_softshrink_f32, ct_softshrink_f64),
    [CT_ACT_HARDSHRINK] = CT_ACT_ROW(ct_hardshrink_f32, ct_hardshrink_f64),
    [CT_ACT_THRESHOLD] = CT_ACT_ROW(ct_threshold_f32, ct_threshold_f64),
    [CT_ACT_SOFTSIGN] = CT_ACT_ROW(ct_softsign_f32, ct_softsign_f64),
    [CT_ACT_TANHSHRINK] = CT_ACT_ROW(ct_tanhshrink_f32, ct_tanhshrink_f64),
};

const ct_loop_fn ct_act_bwd_table[CT_NACT][CT_NDTYPES] = {
    [CT_ACT_GELU] = CT_ACT_ROW(ct_gelu_bwd_f32, ct_gelu_bwd_f64),
    [CT_ACT_GELU_TANH] = CT_ACT_ROW(ct_gelu_tanh_bwd_f32, ct_gelu_tanh_bwd_f64),
    [CT_ACT_SILU] = CT_ACT_ROW(ct_silu_bwd_f32, ct_silu_bwd_f64),
    [CT_ACT_MISH] = CT_ACT_ROW(ct_mish_bwd_f32, ct_mish_bwd_f64),
    [CT_ACT_ELU] = CT_ACT_ROW(ct_elu_bwd_f32, ct_elu_bwd_f64),
    [CT_ACT_SOFTPLUS] = CT_ACT_ROW(ct_softplus_bwd_f32, ct_softplus_bwd_f64),
    [CT_ACT_HARDSWISH] = CT_ACT_ROW(ct_hardswish_bwd_f32, ct_hardswish_bwd_f64),
    [CT_ACT_HARDSIGMOID] = CT_ACT_ROW(ct_hardsigmoid_bwd_f32, ct_hardsigmoid_bwd_f64),
    [CT_ACT_LEAKY_RELU] = CT_ACT_ROW(ct_leaky_relu_bwd_f32, ct_leaky_relu_bwd_f64),
    [CT_ACT_HARDTANH] = CT_ACT_ROW(ct_hardtanh_bwd_f32, ct_hardtanh_bwd_f64),
    [CT_ACT_LOGSIGMOID] = CT_ACT_ROW(ct_logsigmoid_bwd_f32, ct_logsigmoid_bwd_f64),
    [CT_ACT_SOFTSHRINK] = CT_ACT_ROW(ct_softshrink_bwd_f32, ct_softshrink_bwd_f64),
    [CT_ACT_HARDSHRINK] = CT_ACT_ROW(ct_hardshrink_bwd_f32, ct_hardshrink_bwd_f64),
    [CT_ACT_THRESHOLD] = CT_ACT_ROW(ct_threshold_bwd_f32, ct_threshold_bwd_f64),
    [CT_ACT_SOFTSIGN] = CT_ACT_ROW(ct_softsign_bwd_f32, ct_softsign_bwd_f64),
    [CT_ACT_TANHSHRINK] = CT_ACT_ROW(ct_tanhshrink_bwd_f32, ct_tanhshrink_bwd_f64),
};

/* ---------------------------------------------------------------- dropout */

/* out = m ? x * scale + keep_shift : drop_shift */
#define CT_DROPOUT(name, T)                                                                       \
CT_NN_CLONES static void name(char **args, const int64_t *steps, int64_t n, const void *aux) {    \
    const ct_dropout_args *P = (const ct_dropout_args *)aux;                                      \
    const T sc = (T)P->scale, ks = (T)P->keep_shift, ds = (T)P->drop_shift;                       \
    char *po = args[0]; const char *px = args[1], *pm = args[2];                                  \
    const int64_t so = steps[0], sx = steps[1], sm = steps[2];                                    \
    if (so == sizeof(T) && sx == sizeof(T) && sm == 1) {                                          \
        T *o = (T *)po; const T *X = (const T *)px; const uint8_t *M = (const uint8_t *)pm;       \
        for (int64_t i = 0; i < n; i++) o[i] = M[i] ? X[i] * sc + ks : ds;                        \
    } else {                                                                                      \
        for (int64_t i = 0; i < n; i++) {                                                         \
            T x = *(const T *)(px + i * sx);                                                      \
            *(T *)(po + i * so) = *(const uint8_t *)(pm + i * sm) ? x * sc + ks : ds;             \
        }                                                                                         \
    }                                                                                             \
}
CT_DROPOUT(ct_dropout_f32, float)
CT_DROPOUT(ct_dropout_f64, double)

const ct_loop_fn ct_dropout_table[CT_NDTYPES] = { [CT_FLOAT32] = ct_dropout_f32, [CT_FLOAT64] = ct_dropout_f64 };

/* ---------------------------------------------------------------- row sums
 * CT_ROW_SUM(T, s, n, expr): s (double) := sum over i < n of expr (which reads i), in
 * CT_NN_LANES lanes of T (a loop GCC vectorises) merged in double. */
#define CT_ROW_SUM(T, s, n, expr) do {                                                            \
    T lane_[CT_NN_LANES];                                                                         \
    int64_t i0_ = 0;                                                                              \
    for (int j_ = 0; j_ < CT_NN_LANES; j_++) lane_[j_] = 0;                                       \
    for (; i0_ + CT_NN_LANES <= (n); i0_ += CT_NN_LANES)                                          \
        for (int j_ = 0; j_ < CT_NN_LANES; j_++) { int64_t i = i0_ + j_; lane_[j_] += (expr); }   \
    double t_ = 0;                                                                                \
    for (int64_t i = i0_; i < (n); i++) t_ += (expr);                                             \
    for (int j_ = 0; j_ < CT_NN_LANES; j_++) t_ += lane_[j_];                                     \
    (s) = t_;                                                                                     \
} while (0)

/* ---------------------------------------------------------------- softmax backward */

#define CT_SOFTMAX_BWD(name, T, EXP)                                                              \
CT_NN_CLONES static void name##_row(const T *restrict g, const T *restrict y, T *restrict gx,     \
                                    int64_t R, int log) {                                         \
    double s;                                                                                     \
    if (log) {                                                                                    \
        CT_ROW_SUM(T, s, R, g[i]);                                                                \
        T st = (T)s;                                                                              \
        for (int64_t r = 0; r < R; r++) gx[r] = g[r] - EXP(y[r]) * st;                            \
    } else {                                                                                      \
        CT_ROW_SUM(T, s, R, g[i] * y[i]);                                                         \
        T st = (T)s;                                                                              \
        for (int64_t r = 0; r < R; r++) gx[r] = y[r] * (g[r] - st);                               \
    }                                                                                             \
}                                                                                                 \
CT_NN_CLONES static void name##_cols(const T *restrict g, const T *restrict y, T *restrict gx,    \
                                     int64_t R, int64_t B, int64_t nc, int log) {                 \
    double s[CT_NN_COLS];                                                                         \
    for (int64_t j = 0; j < nc; j++) s[j] = 0;                                                    \
    for (int64_t r = 0; r < R; r++) {                                                             \
        const T *gr = g + r * B, *yr = y + r * B;                                                 \
        if (log) for (int64_t j = 0; j < nc; j++) s[j] += gr[j];                                  \
        else for (int64_t j = 0; j < nc; j++) s[j] += gr[j] * yr[j];                              \
    }                                                                                             \
    for (int64_t r = 0; r < R; r++) {                                                             \
        const T *gr = g + r * B, *yr = y + r * B;                                                 \
        T *o = gx + r * B;                                                                        \
        if (log) for (int64_t j = 0; j < nc; j++) o[j] = gr[j] - EXP(yr[j]) * (T)s[j];            \
        else for (int64_t j = 0; j < nc; j++) o[j] = yr[j] * (gr[j] - (T)s[j]);                   \
    }                                                                                             \
}                                                                                                 \
int name(const T *g, const T *y, T *gx, int64_t A, int64_t R, int64_t B, int log) {              \
    int nth = ct_get_num_threads();                                                               \
    int par = A * R * B >= CT_NN_GRAIN && nth > 1;                                                \
    if (R <= 0) return CT_OK;                                                                     \
    if (B == 1) {                                                                                 \
        _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                     \
        for (int64_t a = 0; a < A; a++) name##_row(g + a * R, y + a * R, gx + a * R, R, log);     \
        return CT_OK;                                                                             \
    }                                                                                             \
    int64_t ncb = (B + CT_NN_COLS - 1) / CT_NN_COLS;                                              \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t it = 0; it < A * ncb; it++) {                                                    \
        int64_t a = it / ncb, c0 = (it % ncb) * CT_NN_COLS, off = a * R * B + c0;                 \
        name##_cols(g + off, y + off, gx + off, R, B, ct_nn_min(CT_NN_COLS, B - c0), log);        \
    }                                                                                             \
    return CT_OK;                                                                                 \
}

/* softmax: gx = y (g - sum g y);  log_softmax: gx = g - exp(y) sum g  (along R) */
CT_SOFTMAX_BWD(ct_softmax_bwd_f32, float, ct_expf_ftz)
CT_SOFTMAX_BWD(ct_softmax_bwd_f64, double, exp)

/* ---------------------------------------------------------------- affine gradients over rows
 * gw[j] := sum_a g[a, j] (x[a, j] - mean[a]) rstd[a] (mean NULL: 0), gb[j] := sum_a g[a, j];
 * rows are cut into chunks (how many depends only on A and N) summed in order. */
#define CT_AFFINE_GRAD(name, T)                                                                   \
CT_NN_CLONES static void name##_rows(const T *g, const T *x, const T *mean, const T *rstd,        \
                                     T *restrict pw, T *restrict pb, int64_t a0, int64_t a1,      \
                                     int64_t N) {                                                 \
    for (int64_t a = a0; a < a1; a++) {                                                           \
        const T *ga = g + a * N, *xa = x + a * N;                                                 \
        const T m = mean ? mean[a] : (T)0, r = rstd[a];                                           \
        if (pw) for (int64_t j = 0; j < N; j++) pw[j] += ga[j] * ((xa[j] - m) * r);              \
        if (pb) for (int64_t j = 0; j < N; j++) pb[j] += ga[j];                                  \
    }                                                                                             \
}                                                                                                 \
static int name(const T *g, const T *x, const T *mean, const T *rstd, T *gw, T *gb,              \
                int64_t A, int64_t N) {                                                           \
    int64_t nch = ct_nn_min(CT_NN_CHUNKS, (A + 31) / 32);                                         \
    nch = ct_nn_min(nch, CT_NN_PARTIALS / (N > 0 ? N : 1));                                       \
    if (nch < 1) nch = 1;                                                                         \
    int64_t rows = (A + nch - 1) / nch;                                                           \
    nch = rows ? (A + rows - 1) / rows : 0;                                                       \
    T *pw = NULL, *pb = NULL;                                                                     \
    if (gw && !(pw = (T *)calloc((size_t)(nch * N) + 1, sizeof(T)))) return CT_ERR_NOMEM;         \
    if (gb && !(pb = (T *)calloc((size_t)(nch * N) + 1, sizeof(T)))) { free(pw); return CT_ERR_NOMEM; } \
    int nth = ct_get_num_threads();                                                               \
    int par = A * N >= CT_NN_GRAIN && nth > 1;                                                    \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t k = 0; k < nch; k++)                                                             \
        name##_rows(g, x, mean, rstd, pw ? pw + k * N : NULL, pb ? pb + k * N : NULL,             \
                    k * rows, ct_nn_min(A, (k + 1) * rows), N);                                   \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t j = 0; j < N; j++) {                                                             \
        double sw = 0, sb = 0;                                                                    \
        for (int64_t k = 0; k < nch; k++) {                                                       \
            if (pw) sw += pw[k * N + j];                                                          \
            if (pb) sb += pb[k * N + j];                                                          \
        }                                                                                         \
        if (gw) gw[j] = (T)sw;                                                                    \
        if (gb) gb[j] = (T)sb;                                                                    \
    }                                                                                             \
    free(pw);                                                                                     \
    free(pb);                                                                                     \
    return CT_OK;                                                                                 \
}
CT_AFFINE_GRAD(ct_affine_grad_f32, float)
CT_AFFINE_GRAD(ct_affine_grad_f64, double)

/* ---------------------------------------------------------------- layer norm */

/* y = (x - mean) rstd w + b, mean and rstd = 1 / sqrt(var + eps) over each row of N */
#define CT_LAYER_NORM_FWD(name, T)                                                                \
CT_NN_CLONES static void name##_row(const T *restrict x, T *restrict y, const T *w, const T *b,   \
                                    int64_t N, double eps, T *mean, T *rstd) {                    \
    double s, v;                                                                                  \
    CT_ROW_SUM(T, s, N, x[i]);                                                                    \
    const T m = (T)(s / N);                                                                       \
    CT_ROW_SUM(T, v, N, (x[i] - m) * (x[i] - m));                                                 \
    const T r = (T)(1.0 / sqrt(v / N + eps));                                                     \
    if (w && b) for (int64_t i = 0; i < N; i++) y[i] = (x[i] - m) * r * w[i] + b[i];             \
    else if (w) for (int64_t i = 0; i < N; i++) y[i] = (x[i] - m) * r * w[i];                    \
    else if (b) for (int64_t i = 0; i < N; i++) y[i] = (x[i] - m) * r + b[i];                    \
    else for (int64_t i = 0; i < N; i++) y[i] = (x[i] - m) * r;                                  \
    *mean = m;                                                                                    \
    *rstd = r;                                                                                    \
}                                                                                                 \
int name(const T *x, T *y, T *mean, T *rstd, const T *w, const T *b, int64_t A, int64_t N,       \
         double eps) {                                                                            \
    int nth = ct_get_num_threads();                                                               \
    int par = A * N >= CT_NN_GRAIN && nth > 1 && A > 1;                                           \
    if (N <= 0) return CT_ERR_VALUE;                                                              \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t a = 0; a < A; a++)                                                               \
        name##_row(x + a * N, y + a * N, w, b, N, eps, mean + a, rstd + a);                       \
    return CT_OK;                                                                                 \
}
CT_LAYER_NORM_FWD(ct_layer_norm_fwd_f32, float)
CT_LAYER_NORM_FWD(ct_layer_norm_fwd_f64, double)

/* gx = rstd (gy - mean(gy) - xhat mean(gy xhat)) per row, gy = g w, xhat = (x - mean) rstd */
#define CT_LAYER_NORM_BWD(name, T, AFFINE)                                                        \
CT_NN_CLONES static void name##_row(const T *restrict g, const T *restrict x, const T *w,         \
                                    T *restrict gx, int64_t N, T m, T r) {                        \
    double s1, s2;                                                                                \
    if (w) {                                                                                      \
        CT_ROW_SUM(T, s1, N, g[i] * w[i]);                                                        \
        CT_ROW_SUM(T, s2, N, g[i] * w[i] * (x[i] - m));                                           \
    } else {                                                                                      \
        CT_ROW_SUM(T, s1, N, g[i]);                                                               \
        CT_ROW_SUM(T, s2, N, g[i] * (x[i] - m));                                                  \
    }                                                                                             \
    const T a1 = (T)(s1 / N), a2 = (T)(s2 * r * r / N);                                           \
    if (w) for (int64_t i = 0; i < N; i++) gx[i] = r * (g[i] * w[i] - a1 - (x[i] - m) * a2);      \
    else for (int64_t i = 0; i < N; i++) gx[i] = r * (g[i] - a1 - (x[i] - m) * a2);               \
}                                                                                                 \
int name(const T *g, const T *x, const T *mean, const T *rstd, const T *w, T *gx, T *gw, T *gb,  \
         int64_t A, int64_t N) {                                                                  \
    int nth = ct_get_num_threads();                                                               \
    int par = A * N >= CT_NN_GRAIN && nth > 1 && A > 1;                                           \
    if (N <= 0) return CT_ERR_VALUE;                                                              \
    if (gx) {                                                                                     \
        _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                     \
        for (int64_t a = 0; a < A; a++)                                                           \
            name##_row(g + a * N, x + a * N, w, gx + a * N, N, mean[a], rstd[a]);                 \
    }                                                                                             \
    return (gw || gb) ? AFFINE(g, x, mean, rstd, gw, gb, A, N) : CT_OK;                           \
}
CT_LAYER_NORM_BWD(ct_layer_norm_bwd_f32, float, ct_affine_grad_f32)
CT_LAYER_NORM_BWD(ct_layer_norm_bwd_f64, double, ct_affine_grad_f64)

/* ---------------------------------------------------------------- RMS norm */

/* y = x rstd w, rstd = 1 / sqrt(mean(x^2) + eps) over each row of N */
#define CT_RMS_NORM_FWD(name, T)                                                                  \
CT_NN_CLONES static void name##_row(const T *restrict x, T *restrict y, const T *w, int64_t N,    \
                                    double eps, T *rstd) {                                        \
    double s;                                                                                     \
    CT_ROW_SUM(T, s, N, x[i] * x[i]);                                                             \
    const T r = (T)(1.0 / sqrt(s / N + eps));                                                     \
    if (w) for (int64_t i = 0; i < N; i++) y[i] = x[i] * r * w[i];                               \
    else for (int64_t i = 0; i < N; i++) y[i] = x[i] * r;                                        \
    *rstd = r;                                                                                    \
}                                                                                                 \
int name(const T *x, T *y, T *rstd, const T *w, int64_t A, int64_t N, double eps) {               \
    int nth = ct_get_num_threads();                                                               \
    int par = A * N >= CT_NN_GRAIN && nth > 1 && A > 1;                                           \
    if (N <= 0) return CT_ERR_VALUE;                                                              \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t a = 0; a < A; a++) name##_row(x + a * N, y + a * N, w, N, eps, rstd + a);        \
    return CT_OK;                                                                                 \
}
CT_RMS_NORM_FWD(ct_rms_norm_fwd_f32, float)
CT_RMS_NORM_FWD(ct_rms_norm_fwd_f64, double)

/* gx = rstd (gy - xhat mean(gy xhat)) per row, gy = g w, xhat = x rstd */
#define CT_RMS_NORM_BWD(name, T, AFFINE)                                                          \
CT_NN_CLONES static void name##_row(const T *restrict g, const T *restrict x, const T *w,         \
                                    T *restrict gx, int64_t N, T r) {                             \
    double s2;                                                                                    \
    if (w) CT_ROW_SUM(T, s2, N, g[i] * w[i] * x[i]);                                              \
    else CT_ROW_SUM(T, s2, N, g[i] * x[i]);                                                       \
    const T a2 = (T)(s2 * r * r / N);                                                             \
    if (w) for (int64_t i = 0; i < N; i++) gx[i] = r * (g[i] * w[i] - x[i] * a2);                \
    else for (int64_t i = 0; i < N; i++) gx[i] = r * (g[i] - x[i] * a2);                         \
}                                                                                                 \
int name(const T *g, const T *x, const T *rstd, const T *w, T *gx, T *gw, int64_t A, int64_t N) {  \
    int nth = ct_get_num_threads();                                                               \
    int par = A * N >= CT_NN_GRAIN && nth > 1 && A > 1;                                           \
    if (N <= 0) return CT_ERR_VALUE;                                                              \
    if (gx) {                                                                                     \
        _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                     \
        for (int64_t a = 0; a < A; a++) name##_row(g + a * N, x + a * N, w, gx + a * N, N, rstd[a]); \
    }                                                                                             \
    return gw ? AFFINE(g, x, NULL, rstd, gw, NULL, A, N) : CT_OK;                                 \
}
CT_RMS_NORM_BWD(ct_rms_norm_bwd_f32, float, ct_affine_grad_f32)
CT_RMS_NORM_BWD(ct_rms_norm_bwd_f64, double, ct_affine_grad_f64)

/* ---------------------------------------------------------------- batch norm
 * x is [N, C, S]. With S > 1 a channel is N runs of S contiguous elements (threads split
 * channels); with S == 1 (BatchNorm1d on [N, C]) channels are columns, summed in blocks of
 * CT_NN_BN_COLS columns. Per-channel sums are taken in double. */

/* CT_CHANNEL_SUMS(name, T, E1, E2): for channel c (S > 1), or columns c0 .. c0 + nc - 1 (S == 1),
 * s1 += E1(g[i], x[i], m), s2 += E2(g[i], x[i], m) with m the channel's mean[c] */
#define CT_CHANNEL_SUMS(name, T, E1, E2)                                                          \
CT_NN_CLONES static void name##_run(const T *g, const T *x, int64_t N, int64_t C, int64_t S,      \
                                    int64_t c, T m, double *s1, double *s2) {                     \
    double a = 0, b = 0, t;                                                                       \
    for (int64_t n = 0; n < N; n++) {                                                             \
        const T *gr = g + (n * C + c) * S, *xr = x + (n * C + c) * S;                             \
        (void)gr; (void)xr;                                                                       \
        CT_ROW_SUM(T, t, S, E1(gr[i], xr[i], m));                                                 \
        a += t;                                                                                   \
        CT_ROW_SUM(T, t, S, E2(gr[i], xr[i], m));                                                 \
        b += t;                                                                                   \
    }                                                                                             \
    *s1 = a;                                                                                      \
    *s2 = b;                                                                                      \
}                                                                                                 \
CT_NN_CLONES static void name##_cols(const T *g, const T *x, int64_t N, int64_t C, int64_t c0,    \
                                     int64_t nc, const T *mean, double *s1, double *s2) {         \
    double a[CT_NN_BN_COLS], b[CT_NN_BN_COLS];                                                          \
    for (int64_t j = 0; j < nc; j++) { a[j] = 0; b[j] = 0; }                                      \
    for (int64_t n = 0; n < N; n++) {                                                             \
        const T *gr = g + n * C + c0, *xr = x + n * C + c0;                                       \
        (void)gr; (void)xr;                                                                       \
        for (int64_t j = 0; j < nc; j++) {                                                        \
            a[j] += E1(gr[j], xr[j], mean[c0 + j]);                                               \
            b[j] += E2(gr[j], xr[j], mean[c0 + j]);                                               \
        }                                                                                         \
    }                                                                                             \
    for (int64_t j = 0; j < nc; j++) { s1[c0 + j] = a[j]; s2[c0 + j] = b[j]; }                    \
}                                                                                                 \
static void name(const T *g, const T *x, int64_t N, int64_t C, int64_t S, const T *mean,         \
                 double *s1, double *s2, int par, int nth) {                                      \
    if (S > 1) {                                                                                  \
        _Pragma("omp parallel for num_threads(nth) if(par && C > 1) schedule(static)")            \
        for (int64_t c = 0; c < C; c++)                                                           \
            name##_run(g, x, N, C, S, c, mean ? mean[c] : (T)0, s1 + c, s2 + c);                  \
        return;                                                                                   \
    }                                                                                             \
    int64_t ncb = (C + CT_NN_BN_COLS - 1) / CT_NN_BN_COLS;                                        \
    _Pragma("omp parallel for num_threads(nth) if(par && ncb > 1) schedule(static)")              \
    for (int64_t cb = 0; cb < ncb; cb++)                                                          \
        name##_cols(g, x, N, C, cb * CT_NN_BN_COLS, ct_nn_min(CT_NN_BN_COLS, C - cb * CT_NN_BN_COLS), \
                    mean, s1, s2);                                                                \
}

#define CT_E_X(g, x, m) (x)
#define CT_E_ZERO(g, x, m) ((x) * 0)
#define CT_E_DEV2(g, x, m) (((x) - (m)) * ((x) - (m)))
#define CT_E_G(g, x, m) (g)
#define CT_E_GDEV(g, x, m) ((g) * ((x) - (m)))
/* sum x (the second sum unused), then sum (x - mean)^2, then sum g and sum g (x - mean) */
CT_CHANNEL_SUMS(ct_channel_sum_f32, float, CT_E_X, CT_E_ZERO)
CT_CHANNEL_SUMS(ct_channel_sum_f64, double, CT_E_X, CT_E_ZERO)
CT_CHANNEL_SUMS(ct_channel_dev2_f32, float, CT_E_ZERO, CT_E_DEV2)
CT_CHANNEL_SUMS(ct_channel_dev2_f64, double, CT_E_ZERO, CT_E_DEV2)
CT_CHANNEL_SUMS(ct_channel_gsums_f32, float, CT_E_G, CT_E_GDEV)
CT_CHANNEL_SUMS(ct_channel_gsums_f64, double, CT_E_G, CT_E_GDEV)

/* y = k1[c] a + k2[c] (b - mu[c]) + k3[c] over [N, C, S]; a or b may be NULL (that term is 0;
 * every coefficient array must still be given) */
#define CT_CHANNEL_LINEAR(name, T)                                                                \
CT_NN_CLONES static void name##_run(const T *a, const T *b, T *restrict y, T k1, T k2, T mu,      \
                                    T k3, int64_t S) {                                            \
    if (a && b) for (int64_t s = 0; s < S; s++) y[s] = k1 * a[s] + k2 * (b[s] - mu) + k3;         \
    else if (a) for (int64_t s = 0; s < S; s++) y[s] = k1 * a[s] + k3;                            \
    else for (int64_t s = 0; s < S; s++) y[s] = k2 * (b[s] - mu) + k3;                            \
}                                                                                                 \
CT_NN_CLONES static void name##_row(const T *a, const T *b, T *restrict y, const T *k1,           \
                                    const T *k2, const T *mu, const T *k3, int64_t C) {           \
    if (a && b) for (int64_t c = 0; c < C; c++) y[c] = k1[c] * a[c] + k2[c] * (b[c] - mu[c]) + k3[c]; \
    else if (a) for (int64_t c = 0; c < C; c++) y[c] = k1[c] * a[c] + k3[c];                      \
    else for (int64_t c = 0; c < C; c++) y[c] = k2[c] * (b[c] - mu[c]) + k3[c];                   \
}                                                                                                 \
static void name(const T *a, const T *b, T *y, const T *k1, const T *k2, const T *mu, const T *k3,\
                 int64_t N, int64_t C, int64_t S, int par, int nth) {                             \
    if (S == 1) {                                                                                 \
        _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                     \
        for (int64_t n = 0; n < N; n++)                                                           \
            name##_row(a ? a + n * C : NULL, b ? b + n * C : NULL, y + n * C, k1, k2, mu, k3, C); \
        return;                                                                                   \
    }                                                                                             \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t nc = 0; nc < N * C; nc++)                                                        \
        name##_run(a ? a + nc * S : NULL, b ? b + nc * S : NULL, y + nc * S, k1[nc % C],          \
                   k2[nc % C], mu[nc % C], k3[nc % C], S);                                        \
}
CT_CHANNEL_LINEAR(ct_channel_linear_f32, float)
CT_CHANNEL_LINEAR(ct_channel_linear_f64, double)

/* y = (x - mean) invstd w + b per channel; training: batch statistics (and the running update),
 * else the running ones */
#define CT_BATCH_NORM_FWD(name, T, SUM, DEV2, LINEAR)                                             \
int name(const T *x, T *y, T *mean, T *invstd, const T *w, const T *b, T *run_mean, T *run_var,  \
         int64_t N, int64_t C, int64_t S, int training, double momentum, double eps) {            \
    int nth = ct_get_num_threads();                                                               \
    int par = N * C * S >= CT_NN_GRAIN && nth > 1;                                                \
    double *dm = (double *)malloc((size_t)C * 3 * sizeof(double) + 1);                            \
    T *sc = (T *)malloc((size_t)C * 2 * sizeof(T) + 1);                                           \
    if (!dm || !sc) { free(dm); free(sc); return CT_ERR_NOMEM; }                                  \
    double *dv = dm + C, *unused = dm + 2 * C;                                                    \
    T *sh = sc + C;                                                                               \
    if (training) {                                                                               \
        const double M = (double)N * S;                                                           \
        SUM(x, x, N, C, S, NULL, dm, unused, par, nth);                                           \
        for (int64_t c = 0; c < C; c++) mean[c] = (T)(dm[c] / M);                                 \
        DEV2(x, x, N, C, S, mean, unused, dv, par, nth);                                          \
        for (int64_t c = 0; c < C; c++) {                                                         \
            dm[c] = mean[c];                                                                      \
            dv[c] /= M;                                                                           \
            if (run_mean) run_mean[c] = (T)((1 - momentum) * run_mean[c] + momentum * dm[c]);     \
            if (run_var) run_var[c] = (T)((1 - momentum) * run_var[c]                             \
                                          + momentum * dv[c] * M / (M > 1 ? M - 1 : NAN));        \
        }                                                                                         \
    } else {                                                                                      \
        for (int64_t c = 0; c < C; c++) { dm[c] = run_mean[c]; dv[c] = run_var[c]; }             \
    }                                                                                             \
    for (int64_t c = 0; c < C; c++) {                                                             \
        T is = (T)(1.0 / sqrt(dv[c] + eps));                                                      \
        mean[c] = (T)dm[c];                                                                       \
        invstd[c] = is;                                                                           \
        sc[c] = w ? is * w[c] : is;                                                               \
        sh[c] = b ? b[c] : (T)0;                                                                  \
    }                                                                                             \
    LINEAR(NULL, x, y, sc, sc, mean, sh, N, C, S, par, nth);                                      \
    free(dm);                                                                                     \
    free(sc);                                                                                     \
    return CT_OK;                                                                                 \
}
CT_BATCH_NORM_FWD(ct_batch_norm_fwd_f32, float, ct_channel_sum_f32, ct_channel_dev2_f32,
                  ct_channel_linear_f32)
CT_BATCH_NORM_FWD(ct_batch_norm_fwd_f64, double, ct_channel_sum_f64, ct_channel_dev2_f64,
                  ct_channel_linear_f64)

/* gw = sum g xhat, gb = sum g per channel; training: gx = w invstd (g - gb/M - xhat gw/M),
 * else gx = g w invstd */
#define CT_BATCH_NORM_BWD(name, T, GSUMS, LINEAR)                                                 \
int name(const T *g, const T *x, const T *mean, const T *invstd, const T *w, T *gx, T *gw, T *gb, \
         int64_t N, int64_t C, int64_t S, int training) {                                         \
    int nth = ct_get_num_threads();                                                               \
    int par = N * C * S >= CT_NN_GRAIN && nth > 1;                                                \
    const double M = (double)N * S;                                                               \
    double *sg = (double *)malloc((size_t)C * 2 * sizeof(double) + 1);                            \
    T *k1 = (T *)malloc((size_t)C * 3 * sizeof(T) + 1);                                           \
    if (!sg || !k1) { free(sg); free(k1); return CT_ERR_NOMEM; }                                  \
    double *sgx = sg + C;                                                                         \
    T *k2 = k1 + C, *k3 = k1 + 2 * C;                                                             \
    if (training || gw || gb) GSUMS(g, x, N, C, S, mean, sg, sgx, par, nth);                      \
    for (int64_t c = 0; c < C; c++) {                                                             \
        const double is = invstd[c], wc = w ? w[c] : 1.0;                                         \
        if (gw) gw[c] = (T)(sgx[c] * is);                                                         \
        if (gb) gb[c] = (T)sg[c];                                                                 \
        /* gx = k1 g + k2 (x - mean) + k3 */                                                      \
        k1[c] = (T)(wc * is);                                                                     \
        k2[c] = training ? (T)(-wc * is * is * is * sgx[c] / M) : (T)0;                           \
        k3[c] = training ? (T)(-wc * is * sg[c] / M) : (T)0;                                      \
    }                                                                                             \
    if (gx) LINEAR(g, training ? x : NULL, gx, k1, k2, mean, k3, N, C, S, par, nth);              \
    free(sg);                                                                                     \
    free(k1);                                                                                     \
    return CT_OK;                                                                                 \
}
CT_BATCH_NORM_BWD(ct_batch_norm_bwd_f32, float, ct_channel_gsums_f32, ct_channel_linear_f32)
CT_BATCH_NORM_BWD(ct_batch_norm_bwd_f64, double, ct_channel_gsums_f64, ct_channel_linear_f64)

/* ---------------------------------------------------------------- group norm
 * x is [N, C, S]; group (n, k) is the contiguous block of channels k D .. (k + 1) D - 1
 * (D = C / G) of sample n, D S elements. */

/* y = (x - mean) rstd w[c] + b[c], mean and rstd over each group */
#define CT_GROUP_NORM_FWD(name, T)                                                                \
CT_NN_CLONES static void name##_group(const T *restrict x, T *restrict y, const T *w, const T *b, \
                                      int64_t D, int64_t S, double eps, T *mean, T *rstd) {       \
    const int64_t L = D * S;                                                                      \
    double s, v;                                                                                  \
    CT_ROW_SUM(T, s, L, x[i]);                                                                    \
    const T m = (T)(s / L);                                                                       \
    CT_ROW_SUM(T, v, L, (x[i] - m) * (x[i] - m));                                                 \
    const T r = (T)(1.0 / sqrt(v / L + eps));                                                     \
    *mean = m;                                                                                    \
    *rstd = r;                                                                                    \
    for (int64_t d = 0; d < D; d++) {                                                             \
        const T sc = w ? r * w[d] : r, sh = (b ? b[d] : (T)0) - m * sc;                           \
        const T *xc = x + d * S;                                                                  \
        T *yc = y + d * S;                                                                        \
        for (int64_t i = 0; i < S; i++) yc[i] = xc[i] * sc + sh;                                  \
    }                                                                                             \
}                                                                                                 \
int name(const T *x, T *y, T *mean, T *rstd, const T *w, const T *b, int64_t N, int64_t C,       \
         int64_t S, int64_t G, double eps) {                                                      \
    int nth = ct_get_num_threads();                                                               \
    int par = N * C * S >= CT_NN_GRAIN && nth > 1 && N * G > 1;                                   \
    if (G <= 0 || C % G || S <= 0 || C <= 0) return CT_ERR_VALUE;                                 \
    const int64_t D = C / G;                                                                      \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t ng = 0; ng < N * G; ng++) {                                                      \
        const int64_t c0 = (ng % G) * D;                                                          \
        name##_group(x + ng * D * S, y + ng * D * S, w ? w + c0 : NULL, b ? b + c0 : NULL, D, S,  \
                     eps, mean + ng, rstd + ng);                                                  \
    }                                                                                             \
    return CT_OK;                                                                                 \
}
CT_GROUP_NORM_FWD(ct_group_norm_fwd_f32, float)
CT_GROUP_NORM_FWD(ct_group_norm_fwd_f64, double)

/* gx = rstd (gy - mean(gy) - xhat mean(gy xhat)) per group, gy = g w[c];
 * gw[c] = sum_{n, s} g xhat, gb[c] = sum_{n, s} g */
#define CT_GROUP_NORM_BWD(name, T)                                                                \
CT_NN_CLONES static void name##_group(const T *restrict g, const T *restrict x, const T *w,       \
                                      T *restrict gx, int64_t D, int64_t S, T m, T r) {           \
    const int64_t L = D * S;                                                                      \
    double s1 = 0, s2 = 0, t;                                                                     \
    for (int64_t d = 0; d < D; d++) {                                                             \
        const T wc = w ? w[d] : (T)1;                                                             \
        const T *gc = g + d * S, *xc = x + d * S;                                                 \
        CT_ROW_SUM(T, t, S, gc[i]);                                                               \
        s1 += wc * t;                                                                             \
        CT_ROW_SUM(T, t, S, gc[i] * (xc[i] - m));                                                 \
        s2 += wc * t;                                                                             \
    }                                                                                             \
    const T a1 = (T)(s1 / L), a2 = (T)(s2 * r * r / L);                                           \
    for (int64_t d = 0; d < D; d++) {                                                             \
        const T wc = w ? w[d] : (T)1;                                                             \
        const T *gc = g + d * S, *xc = x + d * S;                                                 \
        T *oc = gx + d * S;                                                                       \
        for (int64_t i = 0; i < S; i++) oc[i] = r * (gc[i] * wc - a1 - (xc[i] - m) * a2);         \
    }                                                                                             \
}                                                                                                 \
CT_NN_CLONES static void name##_channel(const T *g, const T *x, const T *mean, const T *rstd,     \
                                        int64_t N, int64_t C, int64_t S, int64_t G, int64_t c,    \
                                        double *sw, double *sb) {                                 \
    double a = 0, b = 0, t;                                                                       \
    for (int64_t n = 0; n < N; n++) {                                                             \
        const int64_t ng = n * G + c / (C / G);                                                   \
        const T *gc = g + (n * C + c) * S, *xc = x + (n * C + c) * S;                             \
        const T m = mean[ng];                                                                     \
        CT_ROW_SUM(T, t, S, gc[i] * (xc[i] - m));                                                 \
        a += t * rstd[ng];                                                                        \
        CT_ROW_SUM(T, t, S, gc[i]);                                                               \
        b += t;                                                                                   \
    }                                                                                             \
    *sw = a;                                                                                      \
    *sb = b;                                                                                      \
}                                                                                                 \
int name(const T *g, const T *x, const T *mean, const T *rstd, const T *w, T *gx, T *gw, T *gb,  \
         int64_t N, int64_t C, int64_t S, int64_t G) {                                            \
    int nth = ct_get_num_threads();                                                               \
    int par = N * C * S >= CT_NN_GRAIN && nth > 1;                                                \
    if (G <= 0 || C % G || S <= 0 || C <= 0) return CT_ERR_VALUE;                                 \
    const int64_t D = C / G;                                                                      \
    if (gx) {                                                                                     \
        _Pragma("omp parallel for num_threads(nth) if(par && N * G > 1) schedule(static)")        \
        for (int64_t ng = 0; ng < N * G; ng++)                                                    \
            name##_group(g + ng * D * S, x + ng * D * S, w ? w + (ng % G) * D : NULL,             \
                         gx + ng * D * S, D, S, mean[ng], rstd[ng]);                              \
    }                                                                                             \
    if (gw || gb) {                                                                               \
        _Pragma("omp parallel for num_threads(nth) if(par && C > 1) schedule(static)")            \
        for (int64_t c = 0; c < C; c++) {                                                         \
            double sw, sb;                                                                        \
            name##_channel(g, x, mean, rstd, N, C, S, G, c, &sw, &sb);                            \
            if (gw) gw[c] = (T)sw;                                                                \
            if (gb) gb[c] = (T)sb;                                                                \
        }                                                                                         \
    }                                                                                             \
    return CT_OK;                                                                                 \
}
CT_GROUP_NORM_BWD(ct_group_norm_bwd_f32, float)
CT_GROUP_NORM_BWD(ct_group_norm_bwd_f64, double)

/* ---------------------------------------------------------------- embedding */

/* out[i, :] = w[idx[i], :] */
int ct_embedding_fwd(const char *w, const int64_t *idx, char *out, int64_t n, int64_t num, int64_t row_bytes) {
    for (int64_t i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= num) return CT_ERR_INDEX;
    int nth = ct_get_num_threads();
    int par = n * row_bytes >= 4 * CT_NN_GRAIN && nth > 1;
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")
    for (int64_t i = 0; i < n; i++) memcpy(out + i * row_bytes, w + idx[i] * row_bytes, (size_t)row_bytes);
    return CT_OK;
}

/* gw[idx[i], c0 .. c0 + nc - 1] += f[i] g[i, ...], i in order */
#define CT_EMBEDDING_BWD(name, T)                                                                 \
CT_NN_CLONES static void name##_cols(const T *g, const int64_t *idx, const T *f, T *gw, int64_t n, \
                                     int64_t D, int64_t c0, int64_t nc) {                         \
    for (int64_t i = 0; i < n; i++) {                                                             \
        const T *gr = g + i * D + c0;                                                             \
        T *o = gw + idx[i] * D + c0;                                                              \
        if (f) { const T fi = f[i]; for (int64_t j = 0; j < nc; j++) o[j] += fi * gr[j]; }        \
        else for (int64_t j = 0; j < nc; j++) o[j] += gr[j];                                      \
    }                                                                                             \
}                                                                                                 \
int name(const T *g, const int64_t *idx, const T *f, T *gw, int64_t n, int64_t num, int64_t D) {  \
    for (int64_t i = 0; i < n; i++)                                                               \
        if (idx[i] < 0 || idx[i] >= num) return CT_ERR_INDEX;                                     \
    int nth = ct_get_num_threads();                                                               \
    int64_t ncb = (D + CT_NN_COLS - 1) / CT_NN_COLS;                                              \
    if (D >= 64 && ncb < nth) ncb = D / 32 < nth ? D / 32 : nth;   /* >= 32 columns a task */     \
    int64_t w = (D + ncb - 1) / ncb;                                                              \
    int par = n * D >= CT_NN_GRAIN && nth > 1 && ncb > 1;                                         \
    _Pragma("omp parallel for num_threads(nth) if(par) schedule(static)")                         \
    for (int64_t cb = 0; cb < ncb; cb++)                                                          \
        if (cb * w < D) name##_cols(g, idx, f, gw, n, D, cb * w, ct_nn_min(w, D - cb * w));       \
    return CT_OK;                                                                                 \
}
CT_EMBEDDING_BWD(ct_embedding_bwd_f32, float)
CT_EMBEDDING_BWD(ct_embedding_bwd_f64, double)

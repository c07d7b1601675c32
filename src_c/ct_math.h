/* ct_math.h - vectorisable float32 maths helpers shared by kernel files.
 *
 * Force-inlined so that they vectorise inside every target_clones variant of
 * the loops that call them (GCC will not inline a default-target function into
 * an AVX clone otherwise).
 */
#ifndef CT_MATH_H
#define CT_MATH_H
#include <math.h>
#include <stdint.h>

#define CT_MATH_INLINE static inline __attribute__((always_inline))

/* exp for float32 written so that gcc vectorises the loop calling it (libm's
 * expf is a scalar call): x = n*ln2 + r with |r| <= ln2/2, e^r by a degree-7
 * polynomial (truncation error < 1e-8), 2^n applied as two exponent-field
 * multiplies so subnormal results come out right. Max error ~1 ulp. */
CT_MATH_INLINE float ct_expf(float x) {
    const float magic = 12582912.0f;                 /* 1.5 * 2^23: round to integer */
    float xc = x < -104.0f ? -104.0f : x;            /* NaN passes through the compares */
    xc = xc > 89.0f ? 89.0f : xc;
    float t = xc * 1.44269504088896341f + magic;
    float nf = t - magic;
    nf = (nf == nf) ? nf : 0.0f;
    float r = xc - nf * 0.693145751953125f;          /* ln2 split in hi + lo parts */
    r = r - nf * 1.428606765330187045e-06f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t n = (int32_t)nf, n1 = n / 2, n2 = n - n1;
    union { uint32_t u; float f; } s1 = { (uint32_t)(n1 + 127) << 23 }, s2 = { (uint32_t)(n2 + 127) << 23 };
    float y = p * s1.f * s2.f;
    y = x > 88.72283935546875f ? INFINITY : y;
    return x != x ? x : y;
}

/* exp(x) for x <= 0 (softmax and log-sum-exp only see x - max), cheaper than ct_expf:
 * x = n ln2 + r with |r| <= ln2/2 (ln2 split in two so n*ln2 is exact), exp(r) by a
 * degree-6 polynomial (~2 ulp), 2^n built in the exponent bits. Below -87 the result is 0
 * (exp(-inf) = 0 exactly, which masked softmax relies on); NaN flows through unchanged. */
CT_MATH_INLINE float ct_expf_nonpos(float x) {
    float xc = x < -87.0f ? -87.0f : x;
    float t = xc * 1.44269504088896341f + 12582912.0f;     /* 1.5 * 2^23: round to nearest */
    float fn = t - 12582912.0f;
    union { float f; int32_t i; } tb = { t }, sc;
    int32_t n = tb.i - 0x4b400000;
    float r = xc - fn * 0.693359375f;
    r = r - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * (r * r) + r + 1.0f;
    sc.i = (n + 127) << 23;
    y = y * sc.f;
    return x < -87.0f ? 0.0f : y;
}

/* ct_expf for kernels that only need exp between FLT_MIN and 2^127 (sigmoid, softplus, the
 * gelu tails, ...): 0 below x = -87.34 (results under 2^-126 flush to zero) and +inf above
 * x = 88.37 (instead of 2^127 .. FLT_MAX); in between bit-identical to ct_expf. 2^n is applied
 * as one exponent-field multiply instead of two: about half the cost. */
CT_MATH_INLINE float ct_expf_ftz(float x) {
    const float magic = 12582912.0f;                 /* 1.5 * 2^23: round to integer */
    float xc = x < -87.33654475f ? -87.33654475f : x;     /* keeps n in [-126, 127] */
    xc = xc > 88.37626266f ? 88.37626266f : xc;
    float t = xc * 1.44269504088896341f + magic;
    float nf = t - magic;
    float r = xc - nf * 0.693145751953125f;
    r = r - nf * 1.428606765330187045e-06f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    union { float f; int32_t i; } tb = { t }, sc;
    sc.i = (tb.i - 0x4b400000 + 127) << 23;          /* 2^n from the rounded integer's bits */
    float y = p * sc.f;
    y = x < -87.33654475f ? 0.0f : y;
    y = x > 88.37626266f ? INFINITY : y;
    return x != x ? x : y;
}

/* log(1 + u) for 0 <= u <= 1, branch-free (vectorises): with s = u / (2 + u) in [0, 1/3],
 * log(1 + u) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), cut after s^14 (truncation < 2e-9
 * relative); exact in relative terms as u -> 0, unlike log(1 + u). */
CT_MATH_INLINE float ct_log1p_unitf(float u) {
    float s = u / (2.0f + u), z = s * s;
    float p = 1.0f / 15;
    p = p * z + 1.0f / 13;
    p = p * z + 1.0f / 11;
    p = p * z + 1.0f / 9;
    p = p * z + 1.0f / 7;
    p = p * z + 1.0f / 5;
    p = p * z + 1.0f / 3;
    p = p * z + 1.0f;
    return 2.0f * s * p;
}

#endif

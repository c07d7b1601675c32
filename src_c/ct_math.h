/* ct_math.h - small vectorisable maths helpers shared by kernel files (static inline). */
#ifndef CT_MATH_H
#define CT_MATH_H
#include <stdint.h>

/* exp(x) in float for x <= 0 (softmax and log-sum-exp only see x - max), branch-free so
 * loops vectorise: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two so n*ln2
 * is exact), exp(r) by a degree-6 polynomial (~2 ulp), 2^n built in the
 * exponent bits. Below -87 the result is 0 (exp(-inf) = 0 exactly, which
 * masked softmax relies on); NaN flows through the arithmetic unchanged. */
static inline float ct_expf_nonpos(float x) {
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

/* log(1 + e) for 0 <= e <= 1, branch-free: with s = e / (2 + e) in [0, 1/3],
 * log(1 + e) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), the series cut after s^14
 * (truncation < 2e-9 relative); exact in relative terms as e -> 0 (unlike log(1 + e)). */
static inline float ct_log1pf_unit(float e) {
    float s = e / (2.0f + e), z = s * s;
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

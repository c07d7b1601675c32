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

#endif

/* ct_random.c - Philox4x32-10 random number kernels (see ct_random.h).
 *
 * Philox4x32-10 follows Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3" (SC'11): ten rounds of two 32x32->64 multiplies and a Weyl-sequence
 * key schedule over a 128-bit counter. Block b of a fill uses the counter
 * (offset + b, 0), blocks are computed CT_RNG_LANES at a time (the element
 * order within such a group is in ct_random.h); per-element streams (Poisson,
 * multinomial rows) use the counter (offset + i, j) for their j-th draw.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ct_base.h"
#include "ct_random.h"

#define CT_PHILOX_M0 0xD2511F53u
#define CT_PHILOX_M1 0xCD9E8D57u
#define CT_PHILOX_W0 0x9E3779B9u
#define CT_PHILOX_W1 0xBB67AE85u
#define CT_RNG_PAR_BLOCKS 8192   /* ~32k elements: below this one thread is faster */

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* out := philox4x32_10(ctr, key) */
static inline void ct_philox_inline(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                    uint32_t k0, uint32_t k1, uint32_t out[4]) {
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)CT_PHILOX_M0 * c0, p1 = (uint64_t)CT_PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += CT_PHILOX_W0;
        k1 += CT_PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

void ct_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    ct_philox_inline(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
}

static inline void ct_block(uint64_t seed, uint64_t b, uint64_t j, uint32_t out[4]) {
    ct_philox_inline((uint32_t)b, (uint32_t)(b >> 32), (uint32_t)j, (uint32_t)(j >> 32),
                     (uint32_t)seed, (uint32_t)(seed >> 32), out);
}

/* CT_LANES consecutive blocks first .. first+CT_LANES-1 (counter words 2, 3 = 0), word-major:
 * w[k][l] is word k of block first + l. SSE2 (baseline on x86-64) runs four blocks per
 * vector; elsewhere a lane loop the compiler may vectorise. Integer-only, so both agree. */
#define CT_LANES CT_RNG_LANES
#if defined(__SSE2__)
#include <emmintrin.h>
static inline void ct_blocks(uint64_t seed, uint64_t first, uint32_t w[4][CT_LANES]) {
    const __m128i m0 = _mm_set1_epi32((int)CT_PHILOX_M0), m1 = _mm_set1_epi32((int)CT_PHILOX_M1);
    const __m128i lo_mask = _mm_set_epi32(0, -1, 0, -1);
    for (int q = 0; q < CT_LANES; q += 4) {
        uint32_t lo[4], hi[4];
        for (int l = 0; l < 4; l++) {
            uint64_t b = first + (uint64_t)(q + l);
            lo[l] = (uint32_t)b;
            hi[l] = (uint32_t)(b >> 32);
        }
        __m128i c0 = _mm_loadu_si128((const __m128i *)lo), c1 = _mm_loadu_si128((const __m128i *)hi);
        __m128i c2 = _mm_setzero_si128(), c3 = _mm_setzero_si128();
        uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
        for (int r = 0; r < 10; r++) {
            /* 32x32->64 products of lanes 0,2 (even) and 1,3 (odd), split into hi/lo words */
            __m128i e0 = _mm_mul_epu32(c0, m0), o0 = _mm_mul_epu32(_mm_srli_epi64(c0, 32), m0);
            __m128i e1 = _mm_mul_epu32(c2, m1), o1 = _mm_mul_epu32(_mm_srli_epi64(c2, 32), m1);
            __m128i lo0 = _mm_or_si128(_mm_and_si128(e0, lo_mask), _mm_slli_epi64(o0, 32));
            __m128i hi0 = _mm_or_si128(_mm_srli_epi64(e0, 32), _mm_andnot_si128(lo_mask, o0));
            __m128i lo1 = _mm_or_si128(_mm_and_si128(e1, lo_mask), _mm_slli_epi64(o1, 32));
            __m128i hi1 = _mm_or_si128(_mm_srli_epi64(e1, 32), _mm_andnot_si128(lo_mask, o1));
            c0 = _mm_xor_si128(_mm_xor_si128(hi1, c1), _mm_set1_epi32((int)k0));
            c1 = lo1;
            c2 = _mm_xor_si128(_mm_xor_si128(hi0, c3), _mm_set1_epi32((int)k1));
            c3 = lo0;
            k0 += CT_PHILOX_W0;
            k1 += CT_PHILOX_W1;
        }
        _mm_storeu_si128((__m128i *)&w[0][q], c0);
        _mm_storeu_si128((__m128i *)&w[1][q], c1);
        _mm_storeu_si128((__m128i *)&w[2][q], c2);
        _mm_storeu_si128((__m128i *)&w[3][q], c3);
    }
}
#else
static inline void ct_blocks(uint64_t seed, uint64_t first, uint32_t w[4][CT_LANES]) {
    for (int l = 0; l < CT_LANES; l++) {
        uint32_t o[4];
        ct_block(seed, first + (uint64_t)l, 0, o);
        w[0][l] = o[0]; w[1][l] = o[1]; w[2][l] = o[2]; w[3][l] = o[3];
    }
}
#endif

/* U in [0, 1) from 32 / 64 bits; U in (0, 1] for logarithms. */
static inline double ct_u01_32(uint32_t w) { return w * (1.0 / 4294967296.0); }
static inline double ct_u01_64(uint64_t x) { return (x >> 11) * (1.0 / 9007199254740992.0); }
static inline double ct_u01_open_64(uint64_t x) { return ((x >> 11) + 1.0) * (1.0 / 9007199254740992.0); }
static inline uint64_t ct_w64(const uint32_t *w) { return (uint64_t)w[0] | ((uint64_t)w[1] << 32); }

static inline double ct_stream_u01(uint64_t seed, uint64_t base, uint64_t j) {
    uint32_t w[4];
    ct_block(seed, base, j, w);
    return ct_u01_64(ct_w64(w));
}

/* Map U[0,1) (u) or a standard normal (z) to the distribution. */
static inline double ct_transform(int dist, double u, double z, double a, double b) {
    switch (dist) {
    case CT_DIST_UNIFORM: return a + (b - a) * u;
    case CT_DIST_NORMAL: return a + b * z;
    case CT_DIST_EXPONENTIAL: return -log1p(-u) / a;
    case CT_DIST_CAUCHY: return a + b * tan(M_PI * (u - 0.5));
    case CT_DIST_LOG_NORMAL: return exp(a + b * z);
    default: {                                     /* geometric: trials to first success */
        double k = ceil(log1p(-u) / log1p(-a));
        return k < 1.0 ? 1.0 : k;
    }
    }
}

/* Whole groups: a partial last group still computes (and so owns) all its blocks. */
static uint64_t ct_group_blocks(int64_t n, int64_t per_block) {
    int64_t per_group = per_block * CT_LANES;
    return (uint64_t)((n + per_group - 1) / per_group) * CT_LANES;
}

uint64_t ct_sample_blocks(int dist, int is_f64, int64_t n) {
    (void)dist;
    return ct_group_blocks(n, is_f64 ? 2 : 4);
}

uint64_t ct_bernoulli_blocks(int64_t n) {
    return ct_group_blocks(n, 4);
}

/* log(u) for u in (0, 1], branch-free so loops of it vectorise: u = m * 2^e with m in
 * [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s) = 2 (s + s^3/3 + ... + s^9/9), s = (m-1)/(m+1),
 * |s| <= 0.172 (truncation < 1e-9). */
static inline float ct_log_01f(float u) {
    union { float f; uint32_t i; } v = { u };
    int32_t e = (int32_t)((v.i >> 23) & 0xff) - 127;
    v.i = (v.i & 0x007fffffu) | 0x3f800000u;              /* m in [1, 2) */
    int32_t big = v.f > 1.41421356f;
    v.f *= 1.0f - 0.5f * (float)big;                         /* arithmetic select: vectorises */
    e += big;
    float s = (v.f - 1.0f) / (v.f + 1.0f), s2 = s * s;
    float poly = 1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9))));
    return (float)e * 0.693147180559945f + 2.0f * s * poly;
}

/* (cos 2 pi u, sin 2 pi u) for u in [0, 1): with h = pi (u - 1/2) in [-pi/2, pi/2),
 * 2 pi u = 2 h + pi, so cos = -(1 - 2 sin^2 h) and sin = -2 sin h cos h; Taylor series
 * of sin/cos on [-pi/2, pi/2] to x^11 / x^12 (error < 6e-8). */
static inline void ct_sincos_2pi_f(float u, float *c, float *s) {
    float h = 3.14159265358979f * (u - 0.5f), x2 = h * h;
    float sh = h * (1.0f + x2 * (-1.0f / 6 + x2 * (1.0f / 120 + x2 * (-1.0f / 5040 + x2 * (1.0f / 362880
               + x2 * (-1.0f / 39916800))))));
    float ch = 1.0f + x2 * (-0.5f + x2 * (1.0f / 24 + x2 * (-1.0f / 720 + x2 * (1.0f / 40320
               + x2 * (-1.0f / 3628800 + x2 * (1.0f / 479001600))))));
    *c = 2.0f * sh * sh - 1.0f;
    *s = -2.0f * sh * ch;
}

/* A group of CT_LANES blocks fills 4 * CT_LANES float32 (2 * CT_LANES float64) elements,
 * word-major: element k * CT_LANES + l of the group comes from word k of block l, so each
 * step below is one flat loop the compiler vectorises. */

/* float32: uniforms from the top 24 bits of each word; normals by Box-Muller on the
 * word pairs (w0, w1) and (w2, w3) of each block. */
int ct_sample_f32(float *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b) {
    int64_t nb = (n + 3) / 4, ng = (nb + CT_LANES - 1) / CT_LANES;
    const float fa = (float)a, fb = (float)b, span = (float)(b - a), below_b = nextafterf((float)b, (float)a);
    const int clamp = b > a;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t g = 0; g < ng; g++) {
        uint32_t w[4][CT_LANES];
        float v[4 * CT_LANES];
        const uint32_t *wf = &w[0][0];
        ct_blocks(seed, offset + (uint64_t)(g * CT_LANES), w);
        if (dist == CT_DIST_UNIFORM) {
            for (int e = 0; e < 4 * CT_LANES; e++) {
                float f = fa + span * ((float)(int32_t)(wf[e] >> 8) * 0x1p-24f);
                v[e] = (clamp && f >= fb) ? below_b : f;                        /* keep [a, b) */
            }
        } else if (dist == CT_DIST_NORMAL || dist == CT_DIST_LOG_NORMAL) {
            float z[4 * CT_LANES];
            for (int h = 0; h < 2; h++)
                for (int l = 0; l < CT_LANES; l++) {
                    float u1 = (float)(int32_t)(w[2 * h][l] >> 1) * 0x1p-31f + 0x1p-31f;   /* (0, 1] */
                    float u2 = (float)(int32_t)(w[2 * h + 1][l] >> 8) * 0x1p-24f;          /* [0, 1) */
                    float r = sqrtf(-2.0f * ct_log_01f(u1)), c, sn;
                    ct_sincos_2pi_f(u2, &c, &sn);
                    z[2 * h * CT_LANES + l] = r * c;
                    z[(2 * h + 1) * CT_LANES + l] = r * sn;
                }
            if (dist == CT_DIST_NORMAL)
                for (int e = 0; e < 4 * CT_LANES; e++) v[e] = fa + fb * z[e];
            else
                for (int e = 0; e < 4 * CT_LANES; e++) v[e] = (float)exp(a + b * z[e]);
        } else {
            for (int e = 0; e < 4 * CT_LANES; e++) v[e] = (float)ct_transform(dist, ct_u01_32(wf[e]), 0.0, a, b);
        }
        int64_t i0 = g * CT_LANES * 4, m = n - i0 < 4 * CT_LANES ? n - i0 : 4 * CT_LANES;
        memcpy(out + i0, v, (size_t)m * sizeof(float));
    }
    return CT_OK;
}

/* float64: one 64-bit word (w0, w1) or (w2, w3) per sample; normals by Box-Muller on the pair. */
int ct_sample_f64(double *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b) {
    int64_t nb = (n + 1) / 2, ng = (nb + CT_LANES - 1) / CT_LANES;
    const double below_b = nextafter(b, a);
    const int clamp = dist == CT_DIST_UNIFORM && b > a;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t g = 0; g < ng; g++) {
        uint32_t w[4][CT_LANES];
        double v[2 * CT_LANES];
        ct_blocks(seed, offset + (uint64_t)(g * CT_LANES), w);
        for (int l = 0; l < CT_LANES; l++) {
            uint64_t x0 = (uint64_t)w[0][l] | ((uint64_t)w[1][l] << 32);
            uint64_t x1 = (uint64_t)w[2][l] | ((uint64_t)w[3][l] << 32);
            if (dist == CT_DIST_NORMAL || dist == CT_DIST_LOG_NORMAL) {
                double r = sqrt(-2.0 * log(ct_u01_open_64(x0)));
                double t = 2.0 * M_PI * ct_u01_64(x1);
                v[l] = ct_transform(dist, 0.0, r * cos(t), a, b);
                v[CT_LANES + l] = ct_transform(dist, 0.0, r * sin(t), a, b);
            } else {
                v[l] = ct_transform(dist, ct_u01_64(x0), 0.0, a, b);
                v[CT_LANES + l] = ct_transform(dist, ct_u01_64(x1), 0.0, a, b);
            }
        }
        if (clamp)
            for (int e = 0; e < 2 * CT_LANES; e++) v[e] = v[e] >= b ? below_b : v[e];
        int64_t i0 = g * CT_LANES * 2, m = n - i0 < 2 * CT_LANES ? n - i0 : 2 * CT_LANES;
        memcpy(out + i0, v, (size_t)m * sizeof(double));
    }
    return CT_OK;
}

uint64_t ct_randint_blocks(uint64_t range, int64_t n) {
    return ct_group_blocks(n, (range != 0 && range <= 4294967296ull) ? 4 : 2);
}

/* floor(x * range / 2^64) where 128-bit products exist, else x mod range. */
static inline uint64_t ct_bounded64(uint64_t x, uint64_t range) {
#ifdef __SIZEOF_INT128__
    return (uint64_t)(((unsigned __int128)x * range) >> 64);
#else
    return x % range;
#endif
}

/* out[i] := low + a uniform integer in [0, range) (range 0 means 2^64: all 64 bits). */
int ct_randint_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range) {
    int small = range != 0 && range <= 4294967296ull;
    int64_t per = small ? 4 : 2, nb = (n + per - 1) / per, ng = (nb + CT_LANES - 1) / CT_LANES;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t g = 0; g < ng; g++) {
        uint32_t w[4][CT_LANES];
        int64_t v[4 * CT_LANES];
        ct_blocks(seed, offset + (uint64_t)(g * CT_LANES), w);
        if (small) {
            const uint32_t *wf = &w[0][0];
            for (int e = 0; e < 4 * CT_LANES; e++)      /* floor(w * range / 2^32): Lemire's multiply-shift */
                v[e] = (int64_t)((uint64_t)low + (((uint64_t)wf[e] * range) >> 32));
        } else {
            for (int l = 0; l < CT_LANES; l++) {
                uint64_t x0 = (uint64_t)w[0][l] | ((uint64_t)w[1][l] << 32);
                uint64_t x1 = (uint64_t)w[2][l] | ((uint64_t)w[3][l] << 32);
                if (range) { x0 = ct_bounded64(x0, range); x1 = ct_bounded64(x1, range); }
                v[l] = (int64_t)((uint64_t)low + x0);
                v[CT_LANES + l] = (int64_t)((uint64_t)low + x1);
            }
        }
        int64_t i0 = g * CT_LANES * per, m = n - i0 < per * CT_LANES ? n - i0 : per * CT_LANES;
        memcpy(out + i0, v, (size_t)m * sizeof(int64_t));
    }
    return CT_OK;
}

/* out[i] := U_i < p_i, one 32-bit word per draw (word-major within a group, as above). */
int ct_bernoulli_u8(uint8_t *out, int64_t n, const double *p, int64_t p_step, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < (p_step ? n : (n > 0)); i++) {
        double q = p[i * p_step];
        if (!(q >= 0.0 && q <= 1.0)) return CT_ERR_VALUE;
    }
    int64_t nb = (n + 3) / 4, ng = (nb + CT_LANES - 1) / CT_LANES;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t g = 0; g < ng; g++) {
        uint32_t w[4][CT_LANES];
        ct_blocks(seed, offset + (uint64_t)(g * CT_LANES), w);
        int64_t i0 = g * CT_LANES * 4, m = n - i0 < 4 * CT_LANES ? n - i0 : 4 * CT_LANES;
        for (int64_t e = 0; e < m; e++)
            out[i0 + e] = ct_u01_32(w[e / CT_LANES][e % CT_LANES]) < p[(i0 + e) * p_step];
    }
    return CT_OK;
}

/* Poisson(lam) from the stream of element `base`: Knuth's product of uniforms
 * below lam = 10, else Hormann's transformed rejection with squeeze (PTRS, 1993). */
static double ct_poisson_one(double lam, uint64_t seed, uint64_t base) {
    uint64_t j = 0;
    if (lam == 0.0) return 0.0;
    if (lam < 10.0) {
        double limit = exp(-lam), prod = 1.0, k = 0.0;
        for (;;) {
            prod *= ct_stream_u01(seed, base, j++);
            if (prod <= limit) return k;
            k += 1.0;
        }
    }
    double slam = sqrt(lam), loglam = log(lam);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = ct_stream_u01(seed, base, j++) - 0.5;
        double v = ct_stream_u01(seed, base, j++);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + lam + 0.43);
        if (us >= 0.07 && v <= v_r) return k;
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -lam + k * loglam - lgamma(k + 1.0))
            return k;
    }
}

int ct_poisson_f64(double *out, const double *rate, int64_t n, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++)
        if (!(rate[i] >= 0.0) || isinf(rate[i])) return CT_ERR_VALUE;
    #pragma omp parallel for schedule(dynamic, 256) if (n > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t i = 0; i < n; i++)
        out[i] = ct_poisson_one(rate[i], seed, offset + (uint64_t)i);
    return CT_OK;
}

/* Fisher-Yates: for i = n-1..1 swap out[i] with out[j], j = floor(x_t * (i+1) / 2^64) (Lemire's
 * multiply-shift) where x_t is the t-th 64-bit word (t = n-1-i) of the fill stream. */
uint64_t ct_randperm_blocks(int64_t n) {
    return n > 1 ? ct_group_blocks(n - 1, 2) : 0;
}

int ct_randperm_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++) out[i] = i;
    uint64_t x[2 * CT_LANES];
    int64_t t = 0;
    for (int64_t i = n - 1; i > 0; i--, t++) {
        int64_t e = t % (2 * CT_LANES);
        if (e == 0) {
            uint32_t w[4][CT_LANES];
            ct_blocks(seed, offset + (uint64_t)(t / (2 * CT_LANES)) * CT_LANES, w);
            for (int l = 0; l < CT_LANES; l++) {
                x[l] = (uint64_t)w[0][l] | ((uint64_t)w[1][l] << 32);
                x[CT_LANES + l] = (uint64_t)w[2][l] | ((uint64_t)w[3][l] << 32);
            }
        }
        int64_t j = (int64_t)ct_bounded64(x[e], (uint64_t)(i + 1));
        int64_t tmp = out[i]; out[i] = out[j]; out[j] = tmp;
    }
    return CT_OK;
}

typedef struct { double key; int64_t idx; } ct_keyed;

/* Descending key, then ascending index (so ties, e.g. zero weights, are deterministic). */
static int ct_keyed_cmp(const void *pa, const void *pb) {
    const ct_keyed *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? 1 : -1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static int ct_multinomial_row(int64_t *out, const double *w, int64_t k, int64_t ns, int replacement,
                              uint64_t seed, uint64_t base, void *scratch) {
    if (replacement) {
        double *cum = scratch, total = 0.0;
        int64_t last = 0;
        for (int64_t c = 0; c < k; c++) {
            total += w[c];
            cum[c] = total;
            if (w[c] > 0.0) last = c;
        }
        for (int64_t s = 0; s < ns; s++) {
            double target = ct_stream_u01(seed, base, (uint64_t)s) * total;
            int64_t lo = 0, hi = k - 1;      /* first c with cum[c] > target */
            while (lo < hi) {
                int64_t mid = lo + (hi - lo) / 2;
                if (cum[mid] > target) hi = mid; else lo = mid + 1;
            }
            out[s] = cum[lo] > target ? lo : last;
        }
        return CT_OK;
    }
    ct_keyed *keys = scratch;
    for (int64_t c = 0; c < k; c++) {
        keys[c].idx = c;
        if (w[c] > 0.0) {
            uint32_t bits[4];
            ct_block(seed, base, (uint64_t)c, bits);
            keys[c].key = log(ct_u01_open_64(ct_w64(bits))) / w[c];
        } else {
            keys[c].key = -INFINITY;
        }
    }
    qsort(keys, (size_t)k, sizeof(ct_keyed), ct_keyed_cmp);
    for (int64_t s = 0; s < ns; s++) out[s] = keys[s].idx;
    return CT_OK;
}

int ct_multinomial_f64(int64_t *out, const double *w, int64_t rows, int64_t k, int64_t ns,
                       int replacement, uint64_t seed, uint64_t offset) {
    for (int64_t r = 0; r < rows; r++) {
        double total = 0.0;
        for (int64_t c = 0; c < k; c++) {
            double x = w[r * k + c];
            if (!(x >= 0.0) || isinf(x)) return CT_ERR_VALUE;
            total += x;
        }
        if (!(total > 0.0)) return CT_ERR_INDEX;
    }
    int err = CT_OK;
    size_t scratch_bytes = (size_t)k * sizeof(ct_keyed);
    #pragma omp parallel if (rows * (k + ns) > 32768 && rows > 1) num_threads(ct_get_num_threads())
    {
        void *scratch = malloc(scratch_bytes ? scratch_bytes : 1);
        if (scratch == NULL) {
            #pragma omp atomic write
            err = CT_ERR_NOMEM;
        }
        #pragma omp for
        for (int64_t r = 0; r < rows; r++)
            if (scratch != NULL)
                ct_multinomial_row(out + r * ns, w + r * k, k, ns, replacement, seed, offset + (uint64_t)r, scratch);
        free(scratch);
    }
    return err;
}

/* ct_random.c - Philox4x32-10 random number kernels (see ct_random.h).
 *
 * Philox4x32-10 follows Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3" (SC'11): ten rounds of two 32x32->64 multiplies and a Weyl-sequence
 * key schedule over a 128-bit counter. Block b of a fill uses the counter
 * (offset + b, 0); per-element streams (Poisson, multinomial rows) use the
 * counter (offset + i, j) for their j-th draw.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

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
void ct_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
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

static inline void ct_block(uint64_t seed, uint64_t b, uint64_t j, uint32_t out[4]) {
    uint32_t ctr[4] = {(uint32_t)b, (uint32_t)(b >> 32), (uint32_t)j, (uint32_t)(j >> 32)};
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    ct_philox4x32_10(ctr, key, out);
}

/* U in [0, 1) from 32 / 64 bits; U in (0, 1] for logarithms. */
static inline double ct_u01_32(uint32_t w) { return w * (1.0 / 4294967296.0); }
static inline double ct_u01_64(uint64_t x) { return (x >> 11) * (1.0 / 9007199254740992.0); }
static inline double ct_u01_open_32(uint32_t w) { return (w + 1.0) * (1.0 / 4294967296.0); }
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

uint64_t ct_sample_blocks(int dist, int is_f64, int64_t n) {
    (void)dist;
    int64_t per = is_f64 ? 2 : 4;
    return (uint64_t)((n + per - 1) / per);
}

/* Four float32 samples per block: uniforms from each 32-bit word, normals by
 * Box-Muller on the word pairs (w0, w1) and (w2, w3). */
int ct_sample_f32(float *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b) {
    int64_t nb = (n + 3) / 4;
    int normal = dist == CT_DIST_NORMAL || dist == CT_DIST_LOG_NORMAL;
    float hi = (float)b;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t blk = 0; blk < nb; blk++) {
        uint32_t w[4];
        double v[4];
        ct_block(seed, offset + (uint64_t)blk, 0, w);
        if (normal) {
            for (int h = 0; h < 2; h++) {
                double r = sqrt(-2.0 * log(ct_u01_open_32(w[2 * h])));
                double t = 2.0 * M_PI * ct_u01_32(w[2 * h + 1]);
                v[2 * h] = ct_transform(dist, 0.0, r * cos(t), a, b);
                v[2 * h + 1] = ct_transform(dist, 0.0, r * sin(t), a, b);
            }
        } else {
            for (int h = 0; h < 4; h++)
                v[h] = ct_transform(dist, (w[h] >> 8) * (1.0 / 16777216.0), 0.0, a, b);
        }
        int64_t i0 = blk * 4, m = n - i0 < 4 ? n - i0 : 4;
        for (int64_t h = 0; h < m; h++) {
            float f = (float)v[h];
            if (dist == CT_DIST_UNIFORM && f >= hi && b > a) f = nextafterf(hi, (float)a);  /* keep [a, b) */
            out[i0 + h] = f;
        }
    }
    return CT_OK;
}

/* Two float64 samples per block (one 64-bit word each; a Box-Muller pair for normals). */
int ct_sample_f64(double *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b) {
    int64_t nb = (n + 1) / 2;
    int normal = dist == CT_DIST_NORMAL || dist == CT_DIST_LOG_NORMAL;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS * 2) num_threads(ct_get_num_threads())
    for (int64_t blk = 0; blk < nb; blk++) {
        uint32_t w[4];
        double v[2];
        ct_block(seed, offset + (uint64_t)blk, 0, w);
        uint64_t x0 = ct_w64(w), x1 = ct_w64(w + 2);
        if (normal) {
            double r = sqrt(-2.0 * log(ct_u01_open_64(x0)));
            double t = 2.0 * M_PI * ct_u01_64(x1);
            v[0] = ct_transform(dist, 0.0, r * cos(t), a, b);
            v[1] = ct_transform(dist, 0.0, r * sin(t), a, b);
        } else {
            v[0] = ct_transform(dist, ct_u01_64(x0), 0.0, a, b);
            v[1] = ct_transform(dist, ct_u01_64(x1), 0.0, a, b);
        }
        int64_t i0 = blk * 2, m = n - i0 < 2 ? n - i0 : 2;
        for (int64_t h = 0; h < m; h++) {
            double f = v[h];
            if (dist == CT_DIST_UNIFORM && f >= b && b > a) f = nextafter(b, a);
            out[i0 + h] = f;
        }
    }
    return CT_OK;
}

uint64_t ct_randint_blocks(uint64_t range, int64_t n) {
    int64_t per = (range != 0 && range <= 4294967296ull) ? 4 : 2;
    return (uint64_t)((n + per - 1) / per);
}

/* out[i] := low + bits mod range (range 0 means 2^64: all 64 bits). */
int ct_randint_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range) {
    int small = range != 0 && range <= 4294967296ull;
    int64_t per = small ? 4 : 2, nb = (n + per - 1) / per;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t blk = 0; blk < nb; blk++) {
        uint32_t w[4];
        uint64_t v[4];
        ct_block(seed, offset + (uint64_t)blk, 0, w);
        if (small) {
            for (int h = 0; h < 4; h++) v[h] = (uint64_t)w[h] % range;
        } else {
            v[0] = ct_w64(w);
            v[1] = ct_w64(w + 2);
            if (range) { v[0] %= range; v[1] %= range; }
        }
        int64_t i0 = blk * per, m = n - i0 < per ? n - i0 : per;
        for (int64_t h = 0; h < m; h++) out[i0 + h] = (int64_t)((uint64_t)low + v[h]);
    }
    return CT_OK;
}

/* out[i] := U_i < p_i, four draws per block. */
int ct_bernoulli_u8(uint8_t *out, int64_t n, const double *p, int64_t p_step, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < (p_step ? n : (n > 0)); i++) {
        double q = p[i * p_step];
        if (!(q >= 0.0 && q <= 1.0)) return CT_ERR_VALUE;
    }
    int64_t nb = (n + 3) / 4;
    #pragma omp parallel for if (nb > CT_RNG_PAR_BLOCKS) num_threads(ct_get_num_threads())
    for (int64_t blk = 0; blk < nb; blk++) {
        uint32_t w[4];
        ct_block(seed, offset + (uint64_t)blk, 0, w);
        int64_t i0 = blk * 4, m = n - i0 < 4 ? n - i0 : 4;
        for (int64_t h = 0; h < m; h++)
            out[i0 + h] = ct_u01_32(w[h]) < p[(i0 + h) * p_step];
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

/* Fisher-Yates: for i = n-1..1 swap out[i] with out[bits(i) mod (i+1)]. */
int ct_randperm_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset) {
    for (int64_t i = 0; i < n; i++) out[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        uint32_t w[4];
        ct_block(seed, offset + (uint64_t)i, 0, w);
        int64_t j = (int64_t)(ct_w64(w) % (uint64_t)(i + 1));
        int64_t t = out[i]; out[i] = out[j]; out[j] = t;
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

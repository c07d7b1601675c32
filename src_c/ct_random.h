/* ct_random.h - counter-based random numbers (Philox4x32-10) for cytorch.
 *
 * Every kernel is a pure function of (seed, offset, element index): element
 * blocks are produced by Philox on the counter (offset + block), so results
 * never depend on the thread count or on how the work is split.
 */
#ifndef CT_RANDOM_H
#define CT_RANDOM_H

#include <stdint.h>

/* Blocks generated together: a fill's element e of group g (g * 4 * CT_RNG_LANES float32 elements
 * or g * 2 * CT_RNG_LANES 64-bit ones) comes from word e / CT_RNG_LANES of block
 * g * CT_RNG_LANES + e % CT_RNG_LANES. Part of the stream definition: changing it changes results. */
#define CT_RNG_LANES 16

/* Distributions filled by ct_sample_f32 / ct_sample_f64 (parameters a, b). */
enum {
    CT_DIST_UNIFORM = 0,     /* a + (b - a) * U[0, 1)               */
    CT_DIST_NORMAL = 1,      /* a + b * N(0, 1)                     */
    CT_DIST_EXPONENTIAL = 2, /* -log(1 - U) / a                     */
    CT_DIST_CAUCHY = 3,      /* a + b * tan(pi * (U - 1/2))         */
    CT_DIST_LOG_NORMAL = 4,  /* exp(a + b * N(0, 1))                */
    CT_DIST_GEOMETRIC = 5    /* ceil(log(1 - U) / log(1 - a)), >= 1 */
};

/* One Philox4x32-10 block: out := philox(ctr, key). */
void ct_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Blocks of Philox output a fill of n elements consumes (advance the generator offset by this). */
uint64_t ct_sample_blocks(int dist, int is_f64, int64_t n);
int ct_sample_f32(float *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b);
int ct_sample_f64(double *out, int64_t n, uint64_t seed, uint64_t offset, int dist, double a, double b);

/* out[i] := low + floor(bits_i * range / 2^32 or 2^64) (multiply-shift), range >= 1 (0 means 2^64: all bits);
 * 64 random bits per element when range > 2^32. */
uint64_t ct_randint_blocks(uint64_t range, int64_t n);
int ct_randint_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset, int64_t low, uint64_t range);

/* out[i] := U_i < p[i * p_step]; CT_ERR_VALUE when some p is outside [0, 1]. */
uint64_t ct_bernoulli_blocks(int64_t n);
int ct_bernoulli_u8(uint8_t *out, int64_t n, const double *p, int64_t p_step, uint64_t seed, uint64_t offset);

/* out[i] := Poisson(rate[i]) (Knuth for small rates, Hormann's PTRS otherwise); n blocks. */
int ct_poisson_f64(double *out, const double *rate, int64_t n, uint64_t seed, uint64_t offset);

/* A uniformly random permutation of 0..n-1 (Fisher-Yates); ct_randperm_blocks(n) blocks. */
uint64_t ct_randperm_blocks(int64_t n);
int ct_randperm_i64(int64_t *out, int64_t n, uint64_t seed, uint64_t offset);

/* rows x k weights -> rows x ns category indices; rows blocks.
 * With replacement: inverse CDF; without: the ns largest keys log(U)/w (Efraimidis-Spirakis).
 * CT_ERR_VALUE: negative/inf/nan weight; CT_ERR_INDEX: a row sums to 0. */
int ct_multinomial_f64(int64_t *out, const double *w, int64_t rows, int64_t k, int64_t ns,
                       int replacement, uint64_t seed, uint64_t offset);

#endif

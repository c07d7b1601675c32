/* ct_nn.h - fused kernels behind cytorch.nn.functional.
 *
 * Activations are ct_iterate loops (any strides, threads split by ct_iterate):
 * forward args (out, x), backward args (gx, g, x), parameters in ct_act_args.
 * Everything else reads contiguous blocks whose layout each kernel states
 * (the Cython layer, cytorch/_C/_nn.pyx, makes inputs contiguous), and never
 * depends on the thread count: threads split rows or columns, and sums over
 * rows are cut into chunks whose number depends only on the shape, merged in
 * order.
 */
#ifndef CT_NN_H
#define CT_NN_H
#include "ct_base.h"

/* Pointwise activations with fused forward and backward (p0, p1, p2: ct_act_args a, b, c). */
enum {
    CT_ACT_GELU,           /* x * Phi(x)                                   */
    CT_ACT_GELU_TANH,      /* x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    CT_ACT_SILU,           /* x * sigmoid(x)                               */
    CT_ACT_MISH,           /* x * tanh(softplus(x))                        */
    CT_ACT_ELU,            /* x > 0 ? p1 x : p1 p0 (exp(p2 x) - 1)         */
    CT_ACT_SOFTPLUS,       /* p0 x > p1 ? x : log(1 + exp(p0 x)) / p0      */
    CT_ACT_HARDSWISH,      /* x * relu6(x + 3) / 6                         */
    CT_ACT_HARDSIGMOID,    /* relu6(x + 3) / 6                             */
    CT_ACT_LEAKY_RELU,     /* x > 0 ? x : p0 x                             */
    CT_ACT_HARDTANH,       /* clamp(x, p0, p1)                             */
    CT_ACT_LOGSIGMOID,     /* -log(1 + exp(-x))                           */
    CT_ACT_SOFTSHRINK,     /* x - clamp(x, -p0, p0)                        */
    CT_ACT_HARDSHRINK,     /* |x| <= p0 ? 0 : x                            */
    CT_ACT_THRESHOLD,      /* x <= p0 ? p1 : x                             */
    CT_ACT_SOFTSIGN,       /* x / (1 + |x|)                                */
    CT_ACT_TANHSHRINK,     /* x - tanh(x)                                  */
    CT_NACT
};

typedef struct { double a, b, c; } ct_act_args;

/* NULL where a dtype has no kernel (float16/bfloat16 are computed in float32 by the caller). */
extern const ct_loop_fn ct_act_fwd_table[CT_NACT][CT_NDTYPES];
extern const ct_loop_fn ct_act_bwd_table[CT_NACT][CT_NDTYPES];

/* Dropout: out = m ? x * scale + keep_shift : drop_shift, args (out, x, mask as uint8).
 * Plain dropout has shifts 0; alpha dropout keeps the SELU mean and variance. */
typedef struct { double scale, keep_shift, drop_shift; } ct_dropout_args;
extern const ct_loop_fn ct_dropout_table[CT_NDTYPES];

/* Softmax backward over a contiguous [A, R, B] block (R the softmax dim), y the forward output:
 * softmax: gx = y * (g - sum_r g y);  log_softmax: gx = g - exp(y) * sum_r g. */
int ct_softmax_bwd_f32(const float *g, const float *y, float *gx, int64_t A, int64_t R, int64_t B, int log);
int ct_softmax_bwd_f64(const double *g, const double *y, double *gx, int64_t A, int64_t R, int64_t B, int log);

/* Layer norm over the last N elements of [A, N] rows; w, b of N (either may be NULL).
 * Forward writes y, mean[A], rstd[A]; backward writes gx, gw, gb (each may be NULL). */
int ct_layer_norm_fwd_f32(const float *x, float *y, float *mean, float *rstd, const float *w, const float *b,
                          int64_t A, int64_t N, double eps);
int ct_layer_norm_fwd_f64(const double *x, double *y, double *mean, double *rstd, const double *w,
                          const double *b, int64_t A, int64_t N, double eps);
int ct_layer_norm_bwd_f32(const float *g, const float *x, const float *mean, const float *rstd, const float *w,
                          float *gx, float *gw, float *gb, int64_t A, int64_t N);
int ct_layer_norm_bwd_f64(const double *g, const double *x, const double *mean, const double *rstd,
                          const double *w, double *gx, double *gw, double *gb, int64_t A, int64_t N);

/* RMS norm over [A, N] rows: y = x * rstd * w, rstd = 1 / sqrt(mean(x^2) + eps); w may be NULL. */
int ct_rms_norm_fwd_f32(const float *x, float *y, float *rstd, const float *w, int64_t A, int64_t N, double eps);
int ct_rms_norm_fwd_f64(const double *x, double *y, double *rstd, const double *w, int64_t A, int64_t N,
                        double eps);
int ct_rms_norm_bwd_f32(const float *g, const float *x, const float *rstd, const float *w, float *gx, float *gw,
                        int64_t A, int64_t N);
int ct_rms_norm_bwd_f64(const double *g, const double *x, const double *rstd, const double *w, double *gx,
                        double *gw, int64_t A, int64_t N);

/* Batch norm over x of [N, C, S] (per channel c). training: batch statistics into mean/invstd
 * and, when run_mean/run_var are given, run := (1 - momentum) run + momentum stat (the variance
 * unbiased); otherwise mean/invstd come from run_mean/run_var. w, b of C may be NULL. */
int ct_batch_norm_fwd_f32(const float *x, float *y, float *mean, float *invstd, const float *w, const float *b,
                          float *run_mean, float *run_var, int64_t N, int64_t C, int64_t S, int training,
                          double momentum, double eps);
int ct_batch_norm_fwd_f64(const double *x, double *y, double *mean, double *invstd, const double *w,
                          const double *b, double *run_mean, double *run_var, int64_t N, int64_t C, int64_t S,
                          int training, double momentum, double eps);
/* training: gx through the batch statistics; else gx = g w invstd. gx, gw, gb may be NULL. */
int ct_batch_norm_bwd_f32(const float *g, const float *x, const float *mean, const float *invstd, const float *w,
                          float *gx, float *gw, float *gb, int64_t N, int64_t C, int64_t S, int training);
int ct_batch_norm_bwd_f64(const double *g, const double *x, const double *mean, const double *invstd,
                          const double *w, double *gx, double *gw, double *gb, int64_t N, int64_t C, int64_t S,
                          int training);

/* Group norm over x of [N, C, S] with G groups of C / G channels: statistics per (n, group),
 * mean/rstd of [N, G]; per-channel affine w, b of C (may be NULL). */
int ct_group_norm_fwd_f32(const float *x, float *y, float *mean, float *rstd, const float *w, const float *b,
                          int64_t N, int64_t C, int64_t S, int64_t G, double eps);
int ct_group_norm_fwd_f64(const double *x, double *y, double *mean, double *rstd, const double *w,
                          const double *b, int64_t N, int64_t C, int64_t S, int64_t G, double eps);
int ct_group_norm_bwd_f32(const float *g, const float *x, const float *mean, const float *rstd, const float *w,
                          float *gx, float *gw, float *gb, int64_t N, int64_t C, int64_t S, int64_t G);
int ct_group_norm_bwd_f64(const double *g, const double *x, const double *mean, const double *rstd,
                          const double *w, double *gx, double *gw, double *gb, int64_t N, int64_t C, int64_t S,
                          int64_t G);

/* Embedding rows: out[i, :] = w[idx[i], :] (rows of row_bytes bytes, any dtype);
 * CT_ERR_INDEX when an index is outside [0, num). */
int ct_embedding_fwd(const char *w, const int64_t *idx, char *out, int64_t n, int64_t num, int64_t row_bytes);
/* Its gradient, into a zeroed gw of [num, D]: gw[idx[i], :] += f[i] g[i, :] (f NULL: 1), added in
 * index order (threads split the columns). */
int ct_embedding_bwd_f32(const float *g, const int64_t *idx, const float *f, float *gw, int64_t n, int64_t num,
                         int64_t D);
int ct_embedding_bwd_f64(const double *g, const int64_t *idx, const double *f, double *gw, int64_t n,
                         int64_t num, int64_t D);

#endif

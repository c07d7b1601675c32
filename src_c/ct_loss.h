/* ct_loss.h - fused loss kernels: negative log-likelihood / cross-entropy over class
 * indices, and binary cross-entropy with logits. Forward and backward, float32/float64.
 *
 * Class losses see the input as a contiguous [A, C, B] block (A batch rows, C classes,
 * B spatial positions flattened) and one int64 target per position (A*B of them, laid
 * out [A, B]). With `logits` the input is raw scores and the kernel takes the
 * log-softmax over C on the way (cross_entropy); without, it is log-probabilities
 * (nll_loss). `w` (C class weights) may be NULL; `eps` is the label smoothing.
 *
 * Reduced results are sums in double over fixed blocks of positions merged in block
 * order, so they never depend on the thread count. Targets are checked before any
 * work: a target outside [0, C) that is not `ignore` returns CT_ERR_INDEX with the bad
 * value in *bad.
 */
#ifndef CT_LOSS_H
#define CT_LOSS_H
#include "ct_base.h"

/* loss[p] = -(1-eps) w_t lp_t - (eps/C) sum_c w_c lp_c (0 where t == ignore), lp = log_softmax(x)
 * (or x), t = tgt[p]; tot[0] = sum_p loss[p], tot[1] = sum of w_t over counted positions.
 * loss and lse (log-sum-exp per position, kept for backward) may be NULL. */
int ct_nll_fwd_f32(const float *x, const int64_t *tgt, const float *w, int64_t A, int64_t C,
                   int64_t B, int64_t ignore, double eps, int logits, float *loss, float *lse,
                   double *tot, int64_t *bad);
int ct_nll_fwd_f64(const double *x, const int64_t *tgt, const double *w, int64_t A, int64_t C,
                   int64_t B, int64_t ignore, double eps, int logits, double *loss, double *lse,
                   double *tot, int64_t *bad);

/* gx[a,c,b] = G (K p_c - (1-eps) w_t [c == t] - (eps/C) w_c), G = g[p * gstep] * scale,
 * K = (1-eps) w_t + (eps/C) sum w, p_c = exp(x_c - lse) (0 without logits); 0 where ignored. */
int ct_nll_bwd_f32(const float *x, const int64_t *tgt, const float *w, const float *lse, int64_t A,
                   int64_t C, int64_t B, int64_t ignore, double eps, int logits, const float *g,
                   int64_t gstep, double scale, float *gx, int64_t *bad);
int ct_nll_bwd_f64(const double *x, const int64_t *tgt, const double *w, const double *lse,
                   int64_t A, int64_t C, int64_t B, int64_t ignore, double eps, int logits,
                   const double *g, int64_t gstep, double scale, double *gx, int64_t *bad);

/* Binary cross-entropy with logits over n contiguous elements; w and pw (may be NULL)
 * repeat with periods wn and pwn (a weight broadcast over leading dims):
 * loss = w [(1 - y) x + (1 + (pw - 1) y) log(1 + exp(-x))]; tot[0] = sum loss.
 * loss may be NULL. */
int ct_bce_logits_fwd_f32(const float *x, const float *y, const float *w, int64_t wn,
                          const float *pw, int64_t pwn, int64_t n, float *loss, double *tot);
int ct_bce_logits_fwd_f64(const double *x, const double *y, const double *w, int64_t wn,
                          const double *pw, int64_t pwn, int64_t n, double *loss, double *tot);

/* gx = G w [(1 + (pw - 1) y) sigmoid(x) - pw y],  gy = G w [(1 - pw) log sigmoid(x) - x],
 * G = g[i * gstep] * scale; gx or gy may be NULL. */
int ct_bce_logits_bwd_f32(const float *x, const float *y, const float *w, int64_t wn,
                          const float *pw, int64_t pwn, int64_t n, const float *g, int64_t gstep,
                          double scale, float *gx, float *gy);
int ct_bce_logits_bwd_f64(const double *x, const double *y, const double *w, int64_t wn,
                          const double *pw, int64_t pwn, int64_t n, const double *g, int64_t gstep,
                          double scale, double *gx, double *gy);

#endif

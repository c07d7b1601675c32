/* ct_ctc.h - connectionist temporal classification loss (Graves et al. 2006), forward and
 * backward, float32/float64.
 *
 * log_probs is a contiguous [T, N, C] block. Sample n's targets are tgt[toff[n] ..
 * toff[n] + tl[n]) (padded (N, S) targets: toff[n] = n*S; concatenated: running sums),
 * with ntgt the number of int64 values behind tgt. Its extended label sequence l' has
 * L = 2 tl[n] + 1 entries, blanks at even positions. alpha is [N, T, Lmax] in log space,
 * Lmax = 2 Smax + 1 (Smax >= every tl[n]); entries past a sample's L or input length are
 * left unset. Every length, offset and label is checked before any work; a bad one
 * returns CT_ERR_INDEX with info = {kind, sample, value} (kind: CT_CTC_BAD_*).
 * Samples run in parallel (OpenMP over n); each sample's result does not depend on the
 * thread count.
 */
#ifndef CT_CTC_H
#define CT_CTC_H
#include "ct_base.h"

enum { CT_CTC_BAD_BLANK = 1, CT_CTC_BAD_INPUT_LEN = 2, CT_CTC_BAD_TARGET_LEN = 3,
       CT_CTC_BAD_TARGETS = 4, CT_CTC_BAD_LABEL = 5 };

/* nll[n] = -log sum over alignments pi of l' in the first il[n] frames of prod_t p_t(pi_t):
 * alpha_t(s) = lp_t(l'_s) + lse(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2) if l'_s != l'_{s-2}) */
int ct_ctc_fwd_f32(const float *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                   int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                   int64_t Smax, int64_t blank, float *nll, float *alpha, int64_t *info);
int ct_ctc_fwd_f64(const double *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                   int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                   int64_t Smax, int64_t blank, double *nll, double *alpha, int64_t *info);

/* grad[t,n,c] = g[n gstep] (exp(lp_t(c)) - exp(lse_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + nll[n] - lp_t(c)))
 * for t < il[n] (PyTorch's gradient: the input taken as log_softmax output), 0 for t >= il[n]
 * and, with zero_inf, for samples whose nll is inf. beta is the mirror recursion from the end. */
int ct_ctc_bwd_f32(const float *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                   int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                   int64_t Smax, int64_t blank, const float *nll, const float *alpha,
                   const float *g, int64_t gstep, int zero_inf, float *grad, int64_t *info);
int ct_ctc_bwd_f64(const double *lp, int64_t T, int64_t N, int64_t C, const int64_t *tgt,
                   int64_t ntgt, const int64_t *toff, const int64_t *il, const int64_t *tl,
                   int64_t Smax, int64_t blank, const double *nll, const double *alpha,
                   const double *g, int64_t gstep, int zero_inf, double *grad, int64_t *info);

#endif

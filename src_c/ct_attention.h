/* ct_attention.h - fused scaled dot-product attention, forward and backward (float32/float64).
 *
 * out = softmax(scale * Q K^T + bias) V for every (batch, head), computed block by block over
 * the keys with a running (online) softmax, so no L x S attention matrix is ever stored: the
 * forward keeps per query only the running max, the running sum and the output accumulator,
 * and returns each row's log-sum-exp; the backward recomputes each block's probabilities
 * from it (as flash attention does).
 *
 * Layout: Q is B x Hq x L x E, K is B x Hkv x S x E, V is B x Hkv x S x Ev, the output
 * B x Hq x L x Ev; each given by element strides of (batch, head, row) with unit stride along
 * the last dim, so a (batch, seq, 3, heads, dim) projection is read in place. Query head h
 * uses key/value head h / (Hq / Hkv) (grouped-query attention; Hkv == Hq is plain attention).
 *
 * Masks: bias is a bool mask (uint8, nonzero = attend) or an additive mask of the tensors'
 * dtype, read through (batch, head, query, key) element strides (0 = broadcast); causal masks
 * key j > query i (top-left aligned, PyTorch's is_causal). A query that may attend to no key
 * gets a zero output and zero gradients (PyTorch's result), and log-sum-exp +inf.
 *
 * Work is split between OpenMP threads over (batch, head, query block) in the forward and
 * over (batch, key/value head) in the backward; each output element is computed by one thread
 * in a fixed order, so results do not depend on the thread count.
 */
#ifndef CT_ATTENTION_H
#define CT_ATTENTION_H
#include "ct_base.h"

typedef struct {
    int64_t B, Hq, Hkv, L, S, E, Ev;
    int64_t q_s[3], k_s[3], v_s[3], o_s[3];  /* element strides of (batch, head, row) */
    int mask_kind;                            /* 0 none, 1 bool, 2 additive */
    const void *mask;
    int64_t m_s[4];                           /* mask strides (batch, head, query, key) */
    int causal;
    double scale;
    int nthreads;
} ct_attn_args;

/* o = softmax(scale Q K^T + mask) V; lse[b, h, i] (contiguous B x Hq x L) = log sum_j exp(s_ij) */
int ct_attn_fwd_f32(const ct_attn_args *p, const float *q, const float *k, const float *v, float *o,
                    float *lse);
int ct_attn_fwd_f64(const ct_attn_args *p, const double *q, const double *k, const double *v,
                    double *o, double *lse);

/* dV = P^T dO, dS = P o (dO V^T - rowsum(dO o O)), dQ = scale dS K, dK = scale dS^T Q, with
 * P = exp(scale Q K^T + mask - lse) recomputed per block. go/gq/gk/gv take (batch, head, row)
 * strides like the inputs (gk, gv by key/value head; they are overwritten, never accumulated);
 * gmask (NULL: not wanted) is a zero-filled contiguous B x Hq x L x S buffer that receives dS
 * (the gradient of an additive mask). */
int ct_attn_bwd_f32(const ct_attn_args *p, const float *q, const float *k, const float *v,
                    const float *o, const float *lse, const float *go, const int64_t *go_s,
                    float *gq, const int64_t *gq_s, float *gk, const int64_t *gk_s, float *gv,
                    const int64_t *gv_s, float *gmask);
int ct_attn_bwd_f64(const ct_attn_args *p, const double *q, const double *k, const double *v,
                    const double *o, const double *lse, const double *go, const int64_t *go_s,
                    double *gq, const int64_t *gq_s, double *gk, const int64_t *gk_s, double *gv,
                    const int64_t *gv_s, double *gmask);

#endif

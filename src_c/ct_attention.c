/* ct_attention.c - fused scaled dot-product attention (see ct_attention.h).
 *
 * Scores are computed transposed, one key block by one query block at a time: St = K_blk Q_blk^T
 * (keys x queries). Then the softmax over keys runs down the columns, so its loops are
 * contiguous along the queries and vectorise, and both products of a block are plain
 * ct_smallgemm calls: St = K_blk (rows read in place) times the packed Q_blk^T, and
 * O += St^T V_blk (St^T is a strided view, free for the A operand). The only copies are the
 * packed Q^T and dO^T of a query block, amortised over all the keys.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "ct_attention.h"
#include "ct_math.h"
#include "ct_smallgemm.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CT_ATTN_MQ 64           /* queries per block */
#define CT_ATTN_NK 64           /* keys per block */
#define CT_ATTN_GRAIN (1 << 20) /* below this many multiply-adds the kernel runs on one thread */

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(CT_NO_CLONES)
#define CT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CT_CLONES
#endif

static inline double ct_attn_expd(double x) { return exp(x); }

static int ct_attn_threads(const ct_attn_args *p, int64_t items) {
    double work = (double)p->B * p->Hq * p->L * p->S * (p->E + p->Ev);
    int nth = ct_get_num_threads();
    if (work < CT_ATTN_GRAIN || nth < 1) return 1;
    return items < nth ? (int)items : nth;
}

#define CT_ATTN_DEFINE(SUF, T, EXP, LOG)                                                             \
/* St[j, i] := scale St[j, i] + bias(i0 + i, j0 + j), -inf where masked; bm[i] = max_j St[j, i] */ \
static CT_CLONES void ct_attn_scores_##SUF(T *St, int64_t nk, int64_t mq, T scale,              \
                                            const ct_attn_args *p, const char *mb, int64_t i0,  \
                                            int64_t j0, T *bm) {                                \
    const int64_t ms2 = p->m_s[2], ms3 = p->m_s[3];                                            \
    for (int64_t j = 0; j < nk; j++) {                                                         \
        T *restrict row = St + j * CT_ATTN_MQ;                                                 \
        if (p->mask_kind == 1) {                                                               \
            const uint8_t *mj = (const uint8_t *)mb + j * ms3;                                 \
            for (int64_t i = 0; i < mq; i++) row[i] = mj[i * ms2] ? row[i] * scale : (T)-INFINITY; \
        } else if (p->mask_kind == 2) {                                                        \
            const T *mj = (const T *)mb + j * ms3;                                             \
            for (int64_t i = 0; i < mq; i++) row[i] = row[i] * scale + mj[i * ms2];            \
        } else {                                                                               \
            for (int64_t i = 0; i < mq; i++) row[i] *= scale;                                  \
        }                                                                                      \
        if (p->causal) {                                                                       \
            int64_t lim = j0 + j - i0;          /* queries i < lim may not see key j0 + j */   \
            if (lim > mq) lim = mq;                                                            \
            for (int64_t i = 0; i < lim; i++) row[i] = (T)-INFINITY;                           \
        }                                                                                      \
        if (bm)                                                                                \
            for (int64_t i = 0; i < mq; i++) bm[i] = row[i] > bm[i] ? row[i] : bm[i];          \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* online softmax step: m = max(m, bm), St := exp(St - m), l := l exp(m_old - m) + sum_j St,  \
 * and the output accumulator's rows rescaled by exp(m_old - m) */                            \
static CT_CLONES void ct_attn_online_##SUF(T *St, int64_t nk, int64_t mq, T *m, T *l,           \
                                            const T *bm, T *Oa, int64_t Ev, T *w) {             \
    T *restrict al = w, *restrict mu = w + CT_ATTN_MQ, *restrict rs = w + 2 * CT_ATTN_MQ;     \
    for (int64_t i = 0; i < mq; i++) {                                                         \
        T mn = bm[i] > m[i] ? bm[i] : m[i];                                                    \
        T u = mn == (T)-INFINITY ? (T)0 : mn;   /* all masked so far: exp(-inf - 0) = 0 */    \
        al[i] = EXP(m[i] - u);                                                                 \
        m[i] = mn;                                                                             \
        mu[i] = u;                                                                             \
        rs[i] = 0;                                                                             \
    }                                                                                          \
    for (int64_t j = 0; j < nk; j++) {                                                         \
        T *restrict row = St + j * CT_ATTN_MQ;                                                 \
        for (int64_t i = 0; i < mq; i++) {                                                     \
            T e = EXP(row[i] - mu[i]);                                                         \
            row[i] = e;                                                                        \
            rs[i] += e;                                                                        \
        }                                                                                      \
    }                                                                                          \
    for (int64_t i = 0; i < mq; i++) {                                                         \
        l[i] = al[i] * l[i] + rs[i];                                                           \
        T a = al[i];                                                                           \
        if (a != (T)1)                                                                         \
            for (int64_t e = 0; e < Ev; e++) Oa[i * Ev + e] *= a;                              \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* out = Oa / l (0 where l = 0), lse = m + log l (+inf where l = 0) */                         \
static CT_CLONES void ct_attn_finish_##SUF(T *O, int64_t os, T *ls, const T *Oa, const T *m,    \
                                            const T *l, int64_t mq, int64_t Ev) {               \
    for (int64_t i = 0; i < mq; i++) {                                                         \
        T inv = l[i] > 0 ? (T)1 / l[i] : (T)0;                                                 \
        for (int64_t e = 0; e < Ev; e++) O[i * os + e] = Oa[i * Ev + e] * inv;                 \
        ls[i] = l[i] > 0 ? m[i] + LOG(l[i]) : (T)INFINITY;                                     \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* backward: St := exp(St - lse[i]) (the block's probabilities) */                              \
static CT_CLONES void ct_attn_probs_##SUF(T *St, int64_t nk, int64_t mq, const T *lse) {       \
    for (int64_t j = 0; j < nk; j++) {                                                         \
        T *restrict row = St + j * CT_ATTN_MQ;                                                 \
        for (int64_t i = 0; i < mq; i++) row[i] = EXP(row[i] - lse[i]);                        \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* backward: dPt := scale Pt (dPt - D[i]) (the scores' gradient dS, scaled for dQ and dK);  \
 * gm (the mask's gradient, if wanted) gets dS unscaled */                                     \
static CT_CLONES void ct_attn_dscores_##SUF(T *dPt, const T *Pt, int64_t nk, int64_t mq,       \
                                             const T *D, T scale, T *gm, int64_t gm_ld) {       \
    for (int64_t j = 0; j < nk; j++) {                                                         \
        T *restrict d = dPt + j * CT_ATTN_MQ;                                                  \
        const T *restrict pr = Pt + j * CT_ATTN_MQ;                                            \
        for (int64_t i = 0; i < mq; i++) d[i] = pr[i] * (d[i] - D[i]);                         \
        if (gm)                                                                                \
            for (int64_t i = 0; i < mq; i++) gm[i * gm_ld + j] = d[i];                         \
        for (int64_t i = 0; i < mq; i++) d[i] *= scale;                                        \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* D[i] = sum_e dO[i, e] O[i, e] (the softmax backward's row term) */                          \
static CT_CLONES void ct_attn_rowdot_##SUF(T *D, const T *go, int64_t gs, const T *o, int64_t os, \
                                            int64_t mq, int64_t Ev) {                           \
    for (int64_t i = 0; i < mq; i++) {                                                         \
        const T *restrict a = go + i * gs, *restrict b = o + i * os;                           \
        T d = 0;                                                                               \
        _Pragma("omp simd reduction(+:d)")                                                     \
        for (int64_t e = 0; e < Ev; e++) d += a[e] * b[e];                                     \
        D[i] = d;                                                                              \
    }                                                                                          \
}                                                                                              \
                                                                                               \
/* dst[e * MQ + i] = src[i * rs + e]: a query block's rows packed transposed */                 \
static CT_CLONES void ct_attn_pack_##SUF(T *restrict dst, const T *restrict src, int64_t rs,  \
                                          int64_t mq, int64_t E) {                              \
    for (int64_t i = 0; i < mq; i++)                                                           \
        for (int64_t e = 0; e < E; e++) dst[e * CT_ATTN_MQ + i] = src[i * rs + e];             \
}                                                                                              \
                                                                                               \
int ct_attn_fwd_##SUF(const ct_attn_args *p, const T *q, const T *k, const T *v, T *o, T *lse) { \
    const int64_t L = p->L, S = p->S, E = p->E, Ev = p->Ev, MQ = CT_ATTN_MQ;                   \
    const int64_t nqb = (L + MQ - 1) / MQ, items = p->B * p->Hq * nqb;                         \
    const int64_t grp = p->Hkv > 0 ? p->Hq / p->Hkv : 1;                                       \
    const size_t msz = p->mask_kind == 1 ? 1 : sizeof(T);                                      \
    const T scale = (T)p->scale;                                                               \
    int err = CT_OK;                                                                           \
    if (items <= 0) return CT_OK;                                                              \
    int nth = ct_attn_threads(p, items);                                                       \
    _Pragma("omp parallel num_threads(nth)")                                                   \
    {                                                                                          \
        size_t nbuf = (size_t)(E * MQ + CT_ATTN_NK * MQ + MQ * Ev + 6 * MQ);                   \
        T *buf = (T *)malloc(nbuf * sizeof(T));                                                \
        if (!buf) {                                                                            \
            _Pragma("omp atomic write")                                                        \
            err = CT_ERR_NOMEM;                                                                \
        }                                                                                      \
        T *Qt = buf, *St = Qt + E * MQ, *Oa = St + CT_ATTN_NK * MQ, *m = Oa + MQ * Ev;         \
        T *l = m + MQ, *bm = l + MQ;                                                           \
        _Pragma("omp for schedule(static)")                                                    \
        for (int64_t it = 0; it < items; it++) {                                               \
            if (!buf) continue;                                                                \
            int64_t qb = it % nqb, bh = it / nqb, h = bh % p->Hq, b = bh / p->Hq, hk = h / grp; \
            int64_t i0 = qb * MQ, mq = L - i0 < MQ ? L - i0 : MQ;                              \
            const T *Q = q + b * p->q_s[0] + h * p->q_s[1] + i0 * p->q_s[2];                   \
            const T *K = k + b * p->k_s[0] + hk * p->k_s[1];                                   \
            const T *V = v + b * p->v_s[0] + hk * p->v_s[1];                                   \
            const char *mb = p->mask_kind ? (const char *)p->mask +                            \
                (b * p->m_s[0] + h * p->m_s[1] + i0 * p->m_s[2]) * (int64_t)msz : NULL;        \
            ct_attn_pack_##SUF(Qt, Q, p->q_s[2], mq, E);                                       \
            for (int64_t i = 0; i < mq; i++) { m[i] = (T)-INFINITY; l[i] = 0; }                \
            memset(Oa, 0, (size_t)(mq * Ev) * sizeof(T));                                      \
            int64_t kend = p->causal ? (i0 + mq < S ? i0 + mq : S) : S;                        \
            for (int64_t j0 = 0; j0 < kend; j0 += CT_ATTN_NK) {                                \
                int64_t nk = kend - j0 < CT_ATTN_NK ? kend - j0 : CT_ATTN_NK;                  \
                ct_smallgemm_##SUF(nk, mq, E, K + j0 * p->k_s[2], p->k_s[2], 1, Qt, MQ, St, MQ, 0); \
                for (int64_t i = 0; i < mq; i++) bm[i] = (T)-INFINITY;                         \
                ct_attn_scores_##SUF(St, nk, mq, scale, p, mb ? mb + j0 * p->m_s[3] * (int64_t)msz : NULL, \
                                     i0, j0, bm);                                              \
                ct_attn_online_##SUF(St, nk, mq, m, l, bm, Oa, Ev, bm + MQ);                            \
                ct_smallgemm_##SUF(mq, Ev, nk, St, 1, MQ, V + j0 * p->v_s[2], p->v_s[2], Oa, Ev, 1); \
            }                                                                                  \
            ct_attn_finish_##SUF(o + b * p->o_s[0] + h * p->o_s[1] + i0 * p->o_s[2], p->o_s[2], \
                                 lse + (b * p->Hq + h) * L + i0, Oa, m, l, mq, Ev);            \
        }                                                                                      \
        free(buf);                                                                             \
    }                                                                                          \
    return err;                                                                                \
}                                                                                              \
                                                                                               \
int ct_attn_bwd_##SUF(const ct_attn_args *p, const T *q, const T *k, const T *v, const T *o,   \
                      const T *lse, const T *go, const int64_t *go_s, T *gq, const int64_t *gq_s, \
                      T *gk, const int64_t *gk_s, T *gv, const int64_t *gv_s, T *gmask) {      \
    const int64_t L = p->L, S = p->S, E = p->E, Ev = p->Ev, MQ = CT_ATTN_MQ;                   \
    const int64_t items = p->B * p->Hkv, grp = p->Hkv > 0 ? p->Hq / p->Hkv : 1;                \
    const size_t msz = p->mask_kind == 1 ? 1 : sizeof(T);                                      \
    const T scale = (T)p->scale;                                                               \
    int err = CT_OK;                                                                           \
    if (items <= 0) return CT_OK;                                                              \
    int nth = ct_attn_threads(p, items);                                                       \
    _Pragma("omp parallel num_threads(nth)")                                                   \
    {                                                                                          \
        size_t nbuf = (size_t)(E * MQ + Ev * MQ + 2 * CT_ATTN_NK * MQ + 2 * MQ);               \
        T *buf = (T *)malloc(nbuf * sizeof(T));                                                \
        if (!buf) {                                                                            \
            _Pragma("omp atomic write")                                                        \
            err = CT_ERR_NOMEM;                                                                \
        }                                                                                      \
        T *Qt = buf, *dOt = Qt + E * MQ, *St = dOt + Ev * MQ, *dPt = St + CT_ATTN_NK * MQ;     \
        T *D = dPt + CT_ATTN_NK * MQ, *ls = D + MQ;                                            \
        _Pragma("omp for schedule(static)")                                                    \
        for (int64_t it = 0; it < items; it++) {                                               \
            if (!buf) continue;                                                                \
            int64_t hk = it % p->Hkv, b = it / p->Hkv;                                         \
            const T *K = k + b * p->k_s[0] + hk * p->k_s[1];                                   \
            const T *V = v + b * p->v_s[0] + hk * p->v_s[1];                                   \
            T *GK = gk + b * gk_s[0] + hk * gk_s[1], *GV = gv + b * gv_s[0] + hk * gv_s[1];     \
            for (int64_t j = 0; j < S; j++) {                                                  \
                memset(GK + j * gk_s[2], 0, (size_t)E * sizeof(T));                            \
                memset(GV + j * gv_s[2], 0, (size_t)Ev * sizeof(T));                           \
            }                                                                                  \
            for (int64_t h = hk * grp; h < (hk + 1) * grp; h++) {                              \
                T *GQh = gq + b * gq_s[0] + h * gq_s[1];                                       \
                for (int64_t i = 0; i < L; i++) memset(GQh + i * gq_s[2], 0, (size_t)E * sizeof(T)); \
                for (int64_t i0 = 0; i0 < L; i0 += MQ) {                                       \
                    int64_t mq = L - i0 < MQ ? L - i0 : MQ;                                    \
                    const T *Q = q + b * p->q_s[0] + h * p->q_s[1] + i0 * p->q_s[2];           \
                    const T *O = o + b * p->o_s[0] + h * p->o_s[1] + i0 * p->o_s[2];           \
                    const T *GO = go + b * go_s[0] + h * go_s[1] + i0 * go_s[2];               \
                    T *GQ = GQh + i0 * gq_s[2];                                                \
                    const char *mb = p->mask_kind ? (const char *)p->mask +                    \
                        (b * p->m_s[0] + h * p->m_s[1] + i0 * p->m_s[2]) * (int64_t)msz : NULL; \
                    T *gm = gmask ? gmask + ((b * p->Hq + h) * L + i0) * S : NULL;             \
                    ct_attn_pack_##SUF(Qt, Q, p->q_s[2], mq, E);                               \
                    ct_attn_pack_##SUF(dOt, GO, go_s[2], mq, Ev);                              \
                    ct_attn_rowdot_##SUF(D, GO, go_s[2], O, p->o_s[2], mq, Ev);                \
                    for (int64_t i = 0; i < mq; i++) ls[i] = lse[(b * p->Hq + h) * L + i0 + i]; \
                    int64_t kend = p->causal ? (i0 + mq < S ? i0 + mq : S) : S;                \
                    for (int64_t j0 = 0; j0 < kend; j0 += CT_ATTN_NK) {                        \
                        int64_t nk = kend - j0 < CT_ATTN_NK ? kend - j0 : CT_ATTN_NK;          \
                        const T *Kb = K + j0 * p->k_s[2], *Vb = V + j0 * p->v_s[2];            \
                        ct_smallgemm_##SUF(nk, mq, E, Kb, p->k_s[2], 1, Qt, MQ, St, MQ, 0);    \
                        ct_attn_scores_##SUF(St, nk, mq, scale, p,                             \
                                             mb ? mb + j0 * p->m_s[3] * (int64_t)msz : NULL, i0, j0, NULL); \
                        ct_attn_probs_##SUF(St, nk, mq, ls);                                   \
                        /* dV_blk += P^T dO */                                                 \
                        ct_smallgemm_##SUF(nk, Ev, mq, St, MQ, 1, GO, go_s[2], GV + j0 * gv_s[2], gv_s[2], 1); \
                        /* dP^T = V_blk dO^T, then dS^T */                                     \
                        ct_smallgemm_##SUF(nk, mq, Ev, Vb, p->v_s[2], 1, dOt, MQ, dPt, MQ, 0); \
                        ct_attn_dscores_##SUF(dPt, St, nk, mq, D, scale, gm ? gm + j0 : NULL, S); \
                        /* dK_blk += scale dS^T Q, dQ += scale dS K_blk */                     \
                        ct_smallgemm_##SUF(nk, E, mq, dPt, MQ, 1, Q, p->q_s[2], GK + j0 * gk_s[2], gk_s[2], 1); \
                        ct_smallgemm_##SUF(mq, E, nk, dPt, 1, MQ, Kb, p->k_s[2], GQ, gq_s[2], 1); \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        free(buf);                                                                             \
    }                                                                                          \
    return err;                                                                                \
}

CT_ATTN_DEFINE(f32, float, ct_expf_nonpos, logf)
CT_ATTN_DEFINE(f64, double, ct_attn_expd, log)

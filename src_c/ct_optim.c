/* ct_optim.c - fused optimizer updates: one pass over each parameter.
 *
 * Each kernel below updates elements [lo, hi) of one job. Its comment gives
 * the rule and what the job's state slots s[] and step values k[] hold.
 * Operations follow PyTorch's for-loop ("single tensor") implementations in
 * order, in the parameter's dtype T, with each scalar rounded to T where
 * PyTorch hands it to a tensor op (e.g. `addcdiv(p, m, d, value=-step_size)`
 * is p + ((T)(-step_size) * m) / d). -std=c11 keeps fp contraction off, so
 * every CPU variant computes the same bits.
 */
#include "ct_optim.h"
#include <math.h>
#include <stdlib.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(CT_NO_MULTIVERSION)
#define CT_MULTIVERSION __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define CT_MULTIVERSION
#endif

#define CT_OPTIM_ARGS const ct_optim_job *j, const ct_optim_hyper *h, int64_t lo, int64_t hi
/* Loops whose flags guard loads or stores are written once as an always-inline
 * body with the flags as arguments and called with constants, so each case is
 * its own branch-free (vectorisable) loop. */
#define CT_INLINE static inline __attribute__((always_inline))

/* Below this many elements in a call everything runs on one thread. */
#define CT_OPTIM_GRAIN 32768
/* Elements per work item when a call is split between threads. */
#define CT_OPTIM_CHUNK 4096

/* torch.lerp: start + w*(end - start) for |w| < 0.5, else end - (end - start)*(1 - w) */
#define CT_LERP(a, b, w, omw) (small_w ? (a) + (w) * ((b) - (a)) : (b) - ((b) - (a)) * (omw))
/* torch.maximum: NaN if either is NaN */
#define CT_MAXNAN(a, b) (((a) > (b) || (a) != (a)) ? (a) : (b))

/* The gradient as every rule starts it: g := ±grad, then g := g + wd*p unless
 * the decay is decoupled (p := p*(1 - lr*wd)) or wd is 0. */
#define CT_GRAD_SETUP(T)                                                             \
    T *P = (T *)j->p; const T *G = (const T *)j->g;                                  \
    const T gs = h->maximize ? (T)-1 : (T)1, wd = (T)h->weight_decay;                \
    const T decay = (T)(1 - h->lr * h->weight_decay);                                \
    const int use_wd = h->weight_decay != 0 && !h->decoupled;                        \
    const int use_decay = h->weight_decay != 0 && h->decoupled
#define CT_GRAD_LOAD(T)                                                              \
    T p = P[i], g = gs * G[i];                                                       \
    p = use_decay ? p * decay : p;                                                   \
    g = use_wd ? g + wd * p : g

/* SGD: b := g on the first step (k[0] = 1), else momentum*b + (1 - dampening)*g
 * (s[0] = momentum_buffer); g := g + momentum*b (nesterov) or b; p := p - lr*g. */
#define CT_SGD(name, T)                                                              \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *B = (T *)j->s[0];                                                             \
    const T mom = (T)h->momentum, damp1 = (T)(1 - h->dampening), nlr = (T)(-h->lr);  \
    const int use_mom = h->momentum != 0, first = j->k[0] != 0, nest = h->nesterov;  \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        if (use_mom) {                                                               \
            T b = first ? g : B[i] * mom + damp1 * g;                                \
            B[i] = b;                                                                \
            g = nest ? g + mom * b : b;                                              \
        }                                                                            \
        P[i] = p + nlr * g;                                                          \
    }                                                                                \
}

/* Adam/AdamW: m := lerp(m, g, 1 - beta1) (s[0]); v := beta2*v + (1 - beta2)*g*g (s[1]);
 * vmax := max(vmax, v) (s[2], amsgrad); p := p - step_size*m / (sqrt(v or vmax)/bc2_sqrt + eps)
 * with k = {step_size = lr/(1 - beta1^t), bc2_sqrt = sqrt(1 - beta2^t)}. */
#define CT_ADAM(name, T, SQRT)                                                       \
CT_INLINE void name##_loop(CT_OPTIM_ARGS, const int ams) {                           \
    CT_GRAD_SETUP(T);                                                                \
    T *M = (T *)j->s[0], *V = (T *)j->s[1], *VM = (T *)j->s[2];                      \
    const T w = (T)(1 - h->beta1), omw = (T)1 - w, b2 = (T)h->beta2;                 \
    const T omb2 = (T)(1 - h->beta2), eps = (T)h->eps;                               \
    const T nss = (T)(-j->k[0]), bc2s = (T)j->k[1];                                  \
    const int small_w = fabs((double)w) < 0.5;                                       \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T m = M[i], v = V[i];                                                        \
        m = CT_LERP(m, g, w, omw);                                                   \
        v = v * b2 + (omb2 * g) * g;                                                 \
        M[i] = m;                                                                    \
        V[i] = v;                                                                    \
        if (ams) { v = CT_MAXNAN(VM[i], v); VM[i] = v; }                             \
        T den = SQRT(v) / bc2s + eps;                                                \
        P[i] = p + (nss * m) / den;                                                  \
    }                                                                                \
}                                                                                    \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    if (h->amsgrad) name##_loop(j, h, lo, hi, 1); else name##_loop(j, h, lo, hi, 0); \
}

/* RMSprop: v := alpha*v + (1 - alpha)*g*g (s[0], alpha = beta2); centered: a := lerp(a, g, 1 - alpha)
 * (s[1]), d := sqrt(v - a*a) + eps, else d := sqrt(v) + eps; with momentum b := momentum*b + g/d
 * (s[2]), p := p - lr*b; without, p := p - lr*g/d. */
#define CT_RMSPROP(name, T, SQRT)                                                    \
CT_INLINE void name##_loop(CT_OPTIM_ARGS, const int cen, const int use_mom) {        \
    CT_GRAD_SETUP(T);                                                                \
    T *V = (T *)j->s[0], *A = (T *)j->s[1], *B = (T *)j->s[2];                       \
    const T al = (T)h->beta2, omal = (T)(1 - h->beta2), w = omal, omw = (T)1 - w;    \
    const T eps = (T)h->eps, mom = (T)h->momentum, nlr = (T)(-h->lr);                \
    const int small_w = fabs((double)w) < 0.5;                                       \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T v = V[i] * al + (omal * g) * g, d;                                         \
        V[i] = v;                                                                    \
        if (cen) {                                                                   \
            T a = CT_LERP(A[i], g, w, omw);                                          \
            A[i] = a;                                                                \
            d = SQRT(v + ((T)-1 * a) * a);                                           \
        } else {                                                                     \
            d = SQRT(v);                                                             \
        }                                                                            \
        d = d + eps;                                                                 \
        if (use_mom) {                                                               \
            T b = B[i] * mom + ((T)1 * g) / d;                                       \
            B[i] = b;                                                                \
            P[i] = p + nlr * b;                                                      \
        } else {                                                                     \
            P[i] = p + (nlr * g) / d;                                                \
        }                                                                            \
    }                                                                                \
}                                                                                    \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    const int cen = h->centered != 0, mom = h->momentum > 0;                         \
    if (cen && mom) name##_loop(j, h, lo, hi, 1, 1);                                 \
    else if (cen) name##_loop(j, h, lo, hi, 1, 0);                                   \
    else if (mom) name##_loop(j, h, lo, hi, 0, 1);                                   \
    else name##_loop(j, h, lo, hi, 0, 0);                                            \
}

/* Adagrad: s := s + g*g (s[0]); p := p - clr*g/(sqrt(s) + eps), k = {clr = lr/(1 + (t-1)*lr_decay)}. */
#define CT_ADAGRAD(name, T, SQRT)                                                    \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *S = (T *)j->s[0];                                                             \
    const T eps = (T)h->eps, nclr = (T)(-j->k[0]);                                   \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T s = S[i] + ((T)1 * g) * g;                                                 \
        S[i] = s;                                                                    \
        P[i] = p + (nclr * g) / (SQRT(s) + eps);                                     \
    }                                                                                \
}

/* Adadelta: v := rho*v + (1 - rho)*g*g (s[0], rho = beta2); d := sqrt(u + eps)/sqrt(v + eps)*g;
 * u := rho*u + (1 - rho)*d*d (s[1]); p := p - lr*d. */
#define CT_ADADELTA(name, T, SQRT)                                                   \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *V = (T *)j->s[0], *U = (T *)j->s[1];                                          \
    const T rho = (T)h->beta2, omrho = (T)(1 - h->beta2), eps = (T)h->eps;           \
    const T nlr = (T)(-h->lr);                                                       \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T v = V[i] * rho + (omrho * g) * g;                                          \
        V[i] = v;                                                                    \
        T d = SQRT(U[i] + eps) / SQRT(v + eps) * g;                                  \
        U[i] = U[i] * rho + (omrho * d) * d;                                         \
        P[i] = p + nlr * d;                                                          \
    }                                                                                \
}

/* Adamax: m := lerp(m, g, 1 - beta1) (s[0]); u := max(beta2*u, |g| + eps) (s[1]);
 * p := p - clr*m/u, k = {clr = lr/(1 - beta1^t)}. */
#define CT_ADAMAX(name, T, FABS)                                                     \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *M = (T *)j->s[0], *U = (T *)j->s[1];                                          \
    const T w = (T)(1 - h->beta1), omw = (T)1 - w, b2 = (T)h->beta2, eps = (T)h->eps; \
    const T nclr = (T)(-j->k[0]);                                                    \
    const int small_w = fabs((double)w) < 0.5;                                       \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T m = CT_LERP(M[i], g, w, omw), ub = U[i] * b2, ga = FABS(g) + eps;          \
        T u = CT_MAXNAN(ub, ga);                                                     \
        M[i] = m;                                                                    \
        U[i] = u;                                                                    \
        P[i] = p + (nclr * m) / u;                                                   \
    }                                                                                \
}

/* NAdam: m := lerp(m, g, 1 - beta1) (s[0]); v := beta2*v + (1 - beta2)*g*g (s[1]);
 * d := sqrt(v/bc2) + eps; p := p + cg*g/d; p := p + cm*m/d, with k = {bc2 = 1 - beta2^t,
 * cg = -lr*(1 - mu_t)/(1 - prod mu), cm = -lr*mu_{t+1}/(1 - prod mu * mu_{t+1})}. */
#define CT_NADAM(name, T, SQRT)                                                      \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *M = (T *)j->s[0], *V = (T *)j->s[1];                                          \
    const T w = (T)(1 - h->beta1), omw = (T)1 - w, b2 = (T)h->beta2;                 \
    const T omb2 = (T)(1 - h->beta2), eps = (T)h->eps;                               \
    const T bc2 = (T)j->k[0], cg = (T)j->k[1], cm = (T)j->k[2];                      \
    const int small_w = fabs((double)w) < 0.5;                                       \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T m = CT_LERP(M[i], g, w, omw), v = V[i] * b2 + (omb2 * g) * g;              \
        M[i] = m;                                                                    \
        V[i] = v;                                                                    \
        T d = SQRT(v / bc2) + eps;                                                   \
        p = p + (cg * g) / d;                                                        \
        P[i] = p + (cm * m) / d;                                                     \
    }                                                                                \
}

/* RAdam: m := lerp(m, g, 1 - beta1) (s[0]); v := beta2*v + (1 - beta2)*g*g (s[1]);
 * p := p - (m/bc1)*lr*(bc2_sqrt/(sqrt(v) + eps))*rect when rect >= 0, else p := p - (m/bc1)*lr,
 * with k = {bc1 = 1 - beta1^t, bc2_sqrt = sqrt(1 - beta2^t), rect (-1: not rectified)}. */
#define CT_RADAM(name, T, SQRT)                                                      \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *M = (T *)j->s[0], *V = (T *)j->s[1];                                          \
    const T w = (T)(1 - h->beta1), omw = (T)1 - w, b2 = (T)h->beta2;                 \
    const T omb2 = (T)(1 - h->beta2), eps = (T)h->eps, lr = (T)h->lr;                \
    const T bc1 = (T)j->k[0], bc2s = (T)j->k[1], rect = (T)j->k[2];                  \
    const int small_w = fabs((double)w) < 0.5, use_rect = j->k[2] >= 0;              \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        T m = CT_LERP(M[i], g, w, omw), v = V[i] * b2 + (omb2 * g) * g;              \
        M[i] = m;                                                                    \
        V[i] = v;                                                                    \
        T u = m / bc1 * lr;                                                          \
        if (use_rect) u = u * ((T)1 / (SQRT(v) + eps) * bc2s) * rect;                \
        P[i] = p + (T)-1 * u;                                                        \
    }                                                                                \
}

/* Rprop: f := etaplus, etaminus or 1 as g*prev is > 0, < 0 or neither; step := clamp(step*f,
 * step_min, step_max) (s[1]); g := 0 where f == etaminus; p := p - sign(g)*step; prev := g (s[0]). */
#define CT_RPROP(name, T)                                                            \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    T *P = (T *)j->p; const T *G = (const T *)j->g;                                  \
    T *PREV = (T *)j->s[0], *ST = (T *)j->s[1];                                      \
    const T gs = h->maximize ? (T)-1 : (T)1;                                         \
    const T up = (T)h->etaplus, down = (T)h->etaminus;                               \
    const T smin = (T)h->step_min, smax = (T)h->step_max;                            \
    for (int64_t i = lo; i < hi; i++) {                                              \
        T g = gs * G[i], prod = g * PREV[i];                                         \
        T f = prod > 0 ? up : (prod < 0 ? down : (T)1);                              \
        T s = ST[i] * f;                                                             \
        s = s < smin ? smin : s;                                                     \
        s = s > smax ? smax : s;                                                     \
        ST[i] = s;                                                                   \
        if (f == down) g = 0;                                                        \
        T sg = (T)((g > 0) - (g < 0));                                               \
        P[i] = P[i] + ((T)-1 * sg) * s;                                              \
        PREV[i] = g;                                                                 \
    }                                                                                \
}

/* ASGD: p := p*(1 - lambd*eta); p := p - eta*g; ax := ax + (p - ax)*mu, or p when mu == 1
 * (s[0]), with k = {eta, mu} (this step's values, updated by the caller afterwards). */
#define CT_ASGD(name, T)                                                             \
CT_MULTIVERSION static void name(CT_OPTIM_ARGS) {                                    \
    CT_GRAD_SETUP(T);                                                                \
    T *AX = (T *)j->s[0];                                                            \
    const T shrink = (T)(1 - h->lambd * j->k[0]), neta = (T)(-j->k[0]);              \
    const T mu = (T)j->k[1];                                                         \
    const int avg = j->k[1] != 1;                                                    \
    for (int64_t i = lo; i < hi; i++) {                                              \
        CT_GRAD_LOAD(T);                                                             \
        p = p * shrink;                                                              \
        p = p + neta * g;                                                            \
        P[i] = p;                                                                    \
        AX[i] = avg ? AX[i] + (p - AX[i]) * mu : p;                                  \
    }                                                                                \
}

CT_SGD(ct_sgd_f32, float)
CT_SGD(ct_sgd_f64, double)
CT_ADAM(ct_adam_f32, float, sqrtf)
CT_ADAM(ct_adam_f64, double, sqrt)
CT_RMSPROP(ct_rmsprop_f32, float, sqrtf)
CT_RMSPROP(ct_rmsprop_f64, double, sqrt)
CT_ADAGRAD(ct_adagrad_f32, float, sqrtf)
CT_ADAGRAD(ct_adagrad_f64, double, sqrt)
CT_ADADELTA(ct_adadelta_f32, float, sqrtf)
CT_ADADELTA(ct_adadelta_f64, double, sqrt)
CT_ADAMAX(ct_adamax_f32, float, fabsf)
CT_ADAMAX(ct_adamax_f64, double, fabs)
CT_NADAM(ct_nadam_f32, float, sqrtf)
CT_NADAM(ct_nadam_f64, double, sqrt)
CT_RADAM(ct_radam_f32, float, sqrtf)
CT_RADAM(ct_radam_f64, double, sqrt)
CT_RPROP(ct_rprop_f32, float)
CT_RPROP(ct_rprop_f64, double)
CT_ASGD(ct_asgd_f32, float)
CT_ASGD(ct_asgd_f64, double)

typedef void (*ct_optim_fn)(CT_OPTIM_ARGS);

static const ct_optim_fn ct_optim_table[CT_OPTIM_NKINDS][2] = {
    [CT_OPTIM_SGD] = {ct_sgd_f32, ct_sgd_f64},
    [CT_OPTIM_ADAM] = {ct_adam_f32, ct_adam_f64},
    [CT_OPTIM_RMSPROP] = {ct_rmsprop_f32, ct_rmsprop_f64},
    [CT_OPTIM_ADAGRAD] = {ct_adagrad_f32, ct_adagrad_f64},
    [CT_OPTIM_ADADELTA] = {ct_adadelta_f32, ct_adadelta_f64},
    [CT_OPTIM_ADAMAX] = {ct_adamax_f32, ct_adamax_f64},
    [CT_OPTIM_NADAM] = {ct_nadam_f32, ct_nadam_f64},
    [CT_OPTIM_RADAM] = {ct_radam_f32, ct_radam_f64},
    [CT_OPTIM_RPROP] = {ct_rprop_f32, ct_rprop_f64},
    [CT_OPTIM_ASGD] = {ct_asgd_f32, ct_asgd_f64},
};

int ct_optim_run(int kind, int dtype, const ct_optim_job *jobs, int64_t njobs, const ct_optim_hyper *h) {
    if (kind < 0 || kind >= CT_OPTIM_NKINDS || njobs < 0 || (dtype != CT_FLOAT32 && dtype != CT_FLOAT64))
        return CT_ERR_VALUE;
    const ct_optim_fn fn = ct_optim_table[kind][dtype == CT_FLOAT64];
    int64_t total = 0, nchunk = 0;
    for (int64_t k = 0; k < njobs; k++) {
        if (jobs[k].n < 0) return CT_ERR_VALUE;
        total += jobs[k].n;
        nchunk += (jobs[k].n + CT_OPTIM_CHUNK - 1) / CT_OPTIM_CHUNK;
    }
    int nth = ct_get_num_threads();
    int64_t *first = NULL;
    if (total >= CT_OPTIM_GRAIN && nth > 1 && nchunk > 1)
        first = (int64_t *)malloc((size_t)(njobs + 1) * sizeof(int64_t));
    if (first == NULL) {           /* small call (or no memory for the index): one thread */
        for (int64_t k = 0; k < njobs; k++) fn(&jobs[k], h, 0, jobs[k].n);
        return CT_OK;
    }
    first[0] = 0;                  /* chunks of job k are first[k] .. first[k+1]-1 */
    for (int64_t k = 0; k < njobs; k++)
        first[k + 1] = first[k] + (jobs[k].n + CT_OPTIM_CHUNK - 1) / CT_OPTIM_CHUNK;
    #pragma omp parallel for num_threads(nth) schedule(static)
    for (int64_t c = 0; c < nchunk; c++) {
        int64_t a = 0, b = njobs - 1;          /* the job with first[k] <= c < first[k+1] */
        while (a < b) {
            int64_t mid = (a + b + 1) / 2;
            if (first[mid] <= c) a = mid; else b = mid - 1;
        }
        const ct_optim_job *jb = &jobs[a];
        int64_t lo = (c - first[a]) * CT_OPTIM_CHUNK;
        int64_t hi = lo + CT_OPTIM_CHUNK < jb->n ? lo + CT_OPTIM_CHUNK : jb->n;
        fn(jb, h, lo, hi);
    }
    free(first);
    return CT_OK;
}

/* ct_optim.h - fused optimizer updates (plain C11 + OpenMP).
 *
 * One call updates every parameter of a group: each job is one contiguous
 * parameter with its gradient and state buffers, and each element of a job is
 * read and written once (param, grad and state in one pass). The arithmetic
 * follows PyTorch's single-tensor implementations operation by operation, in
 * the parameter's dtype, with each hyper-parameter rounded to that dtype where
 * PyTorch passes it to a tensor op, so trajectories agree to float32 rounding.
 *
 * Large groups are split into fixed chunks shared between OpenMP threads;
 * every element is computed by one thread in the same way, so results never
 * depend on the thread count.
 */
#ifndef CT_OPTIM_H
#define CT_OPTIM_H

#include "ct_base.h"

/* Update rules (ct_optim_run's `kind`); the per-kind slot meanings are in ct_optim.c. */
enum {
    CT_OPTIM_SGD = 0,
    CT_OPTIM_ADAM,
    CT_OPTIM_RMSPROP,
    CT_OPTIM_ADAGRAD,
    CT_OPTIM_ADADELTA,
    CT_OPTIM_ADAMAX,
    CT_OPTIM_NADAM,
    CT_OPTIM_RADAM,
    CT_OPTIM_RPROP,
    CT_OPTIM_ASGD,
    CT_OPTIM_NKINDS
};

/* Group options (the same for every job of a call). */
typedef struct {
    double lr, weight_decay, eps;
    double beta1, beta2;          /* Adam family; RMSprop alpha is beta2, Adadelta rho is beta2 */
    double momentum, dampening;   /* SGD, RMSprop */
    double lambd;                 /* ASGD */
    double etaminus, etaplus, step_min, step_max;   /* Rprop */
    int maximize, nesterov, amsgrad, decoupled, centered;
} ct_optim_hyper;

/* One parameter: n elements of p (updated), g (read) and up to three state
 * buffers (updated), all contiguous and of the same real dtype. k[] holds the
 * values that depend on this parameter's step count. */
typedef struct {
    char *p;
    const char *g;
    char *s[3];
    int64_t n;
    double k[3];
} ct_optim_job;

/* Apply update `kind` to every job; dtype is CT_FLOAT32 or CT_FLOAT64. */
int ct_optim_run(int kind, int dtype, const ct_optim_job *jobs, int64_t njobs, const ct_optim_hyper *h);

#endif

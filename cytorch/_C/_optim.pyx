# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Fused optimizer steps over the kernels in src_c/ct_optim.c.

Each function takes one parameter group as lists (params, grads, state
tensors, 0-d step counters) and the group's options, advances the counters
the way PyTorch does (in their own dtype), works out the per-parameter
values that depend on the step (bias corrections, ...) in double precision
as PyTorch's Python code does, then updates every parameter and its state in
one C call with the GIL released.

A parameter is updated in place. Kernels need contiguous float32/float64
data: complex tensors are updated as their real view (as PyTorch does), and
any other layout or dtype (a strided view, float16, a state tensor of another
dtype) goes through a contiguous temporary that is copied back afterwards.
Version counters of every written tensor are bumped.
"""
from libc.stdint cimport int64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memset
from libc.math cimport pow
from cytorch._C._tensor cimport (TensorBase, _cast, _contiguous, _is_contiguous, _copy_into,
                                 _check_err, _store_scalar, _load_scalar)
from cytorch._C.ct cimport *

cdef extern from "ct_optim.h" nogil:
    enum:
        CT_OPTIM_SGD
        CT_OPTIM_ADAM
        CT_OPTIM_RMSPROP
        CT_OPTIM_ADAGRAD
        CT_OPTIM_ADADELTA
        CT_OPTIM_ADAMAX
        CT_OPTIM_NADAM
        CT_OPTIM_RADAM
        CT_OPTIM_RPROP
        CT_OPTIM_ASGD
    ctypedef struct ct_optim_hyper:
        double lr, weight_decay, eps
        double beta1, beta2
        double momentum, dampening
        double lambd
        double etaminus, etaplus, step_min, step_max
        int maximize, nesterov, amsgrad, decoupled, centered
    ctypedef struct ct_optim_job:
        char *p
        const char *g
        char *s[3]
        int64_t n
        double k[3]
    int ct_optim_run(int kind, int dtype, const ct_optim_job *jobs, int64_t njobs, const ct_optim_hyper *h)

_NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64",
          "float16", "bfloat16", "float32", "float64", "complex64", "complex128")


cdef class _Group:
    """The jobs of one call, split by kernel dtype, and the temporaries to copy back."""
    cdef ct_optim_job *jobs[2]     # [0]: float32 kernel, [1]: float64 kernel
    cdef int64_t count[2]
    cdef ct_optim_job **order      # the jobs in the order they were added
    cdef Py_ssize_t cap
    cdef str op
    cdef list writeback            # (tensor, its contiguous temporary)
    cdef list written              # tensors whose version goes up

    def __cinit__(self, str op, Py_ssize_t cap):
        self.op = op
        self.cap = cap if cap > 0 else 1
        self.count[0] = self.count[1] = 0
        self.jobs[0] = <ct_optim_job *>malloc(self.cap * sizeof(ct_optim_job))
        self.jobs[1] = <ct_optim_job *>malloc(self.cap * sizeof(ct_optim_job))
        self.order = <ct_optim_job **>malloc(self.cap * sizeof(ct_optim_job *))
        if self.jobs[0] == NULL or self.jobs[1] == NULL or self.order == NULL:
            raise MemoryError(f"{op}: out of memory")
        self.writeback = []
        self.written = []

    def __dealloc__(self):
        free(self.jobs[0])
        free(self.jobs[1])
        free(self.order)

    cdef char *_data(self, object t, TensorBase p, int sd, bint write, str what) except NULL:
        """Pointer to t's elements as contiguous dtype sd (through a temporary if needed)."""
        if not isinstance(t, TensorBase):
            raise TypeError(f"{self.op}: {what} must be a Tensor, got {type(t).__name__}")
        cdef TensorBase x = <TensorBase>t, tmp
        cdef int d
        cdef bint same = x._ndim == p._ndim
        if same:
            for d in range(p._ndim):
                if x._shape[d] != p._shape[d]:
                    same = False
        if not same:
            raise RuntimeError(f"{self.op}: {what} has shape {list(x.shape)} but the parameter has shape "
                               f"{list(p.shape)}")
        if x._dtype >= CT_COMPLEX64 and sd < CT_COMPLEX64:
            raise RuntimeError(f"{self.op}: {what} is {_NAMES[x._dtype]} but the parameter is {_NAMES[p._dtype]}")
        if write:
            self.written.append(x)
        if x._dtype == sd and _is_contiguous(x):
            return x._data
        tmp = _contiguous(_cast(x, sd))
        if write:
            self.writeback.append((x, tmp))
        else:
            self.writeback.append((None, tmp))     # keeps a read-only temporary alive
        return tmp._data

    cdef ct_optim_job *add(self, object param, object grad, object s0, object s1, object s2) except NULL:
        """A job for one parameter: its grad and up to three state tensors (None: unused)."""
        if not isinstance(param, TensorBase):
            raise TypeError(f"{self.op}: parameters must be Tensors, got {type(param).__name__}")
        cdef TensorBase p = <TensorBase>param
        cdef int dt = p._dtype, sd, kd
        if dt in (CT_FLOAT32, CT_FLOAT64, CT_COMPLEX64, CT_COMPLEX128):
            sd = dt
        elif dt in (CT_FLOAT16, CT_BFLOAT16):
            sd = CT_FLOAT32
        else:
            raise RuntimeError(f"{self.op}: parameters must be floating point or complex, got {_NAMES[dt]}")
        kd = CT_FLOAT64 if sd in (CT_FLOAT64, CT_COMPLEX128) else CT_FLOAT32
        cdef int which = 1 if kd == CT_FLOAT64 else 0
        if self.count[0] + self.count[1] >= self.cap:
            raise RuntimeError(f"{self.op}: more jobs than parameters")
        cdef ct_optim_job *j = &self.jobs[which][self.count[which]]
        memset(j, 0, sizeof(ct_optim_job))
        j.n = p._numel * (2 if sd >= CT_COMPLEX64 else 1)
        j.p = self._data(p, p, sd, True, "the parameter")
        j.g = self._data(grad, p, sd, False, "the gradient")
        j.s[0] = self._data(s0, p, sd, True, "a state tensor") if s0 is not None else NULL
        j.s[1] = self._data(s1, p, sd, True, "a state tensor") if s1 is not None else NULL
        j.s[2] = self._data(s2, p, sd, True, "a state tensor") if s2 is not None else NULL
        self.order[self.count[0] + self.count[1]] = j
        self.count[which] += 1
        return j

    cdef int run(self, int kind, ct_optim_hyper *h) except -1:
        cdef int err = CT_OK
        cdef TensorBase dst, tmp
        with nogil:
            if self.count[0] > 0:
                err = ct_optim_run(kind, CT_FLOAT32, self.jobs[0], self.count[0], h)
            if err == CT_OK and self.count[1] > 0:
                err = ct_optim_run(kind, CT_FLOAT64, self.jobs[1], self.count[1], h)
        _check_err(err, self.op)
        for dst, tmp in self.writeback:
            if dst is not None:
                _copy_into(dst, tmp)
        for dst in self.written:
            dst._storage._version += 1
        return 0


cdef inline TensorBase _scalar_tensor(object t, str op, str what):
    if not isinstance(t, TensorBase) or (<TensorBase>t)._numel != 1:
        raise TypeError(f"{op}: state '{what}' must be a one-element tensor")
    return <TensorBase>t


cdef double _get(object t, str op, str what) except? -1:
    cdef TensorBase s = _scalar_tensor(t, op, what)
    if s._dtype == CT_FLOAT32:
        return (<float *>s._data)[0]
    if s._dtype == CT_FLOAT64:
        return (<double *>s._data)[0]
    return float(_load_scalar(s._data, s._dtype))


cdef double _set(object t, double v, str op, str what) except? -1:
    """t := v rounded to t's dtype; returns the stored value."""
    cdef TensorBase s = _scalar_tensor(t, op, what)
    if s._dtype == CT_FLOAT32:
        (<float *>s._data)[0] = <float>v
    elif s._dtype == CT_FLOAT64:
        (<double *>s._data)[0] = v
    else:
        _store_scalar(s._data, s._dtype, v)
    s._storage._version += 1
    return _get(s, op, what)


cdef double _mul(object t, double v, str op, str what) except? -1:
    """t *= v computed in t's dtype (as `tensor *= python_float` is); returns the new value."""
    cdef TensorBase s = _scalar_tensor(t, op, what)
    if s._dtype == CT_FLOAT32:
        return _set(s, <float>((<float *>s._data)[0] * <float>v), op, what)
    return _set(s, _get(s, op, what) * v, op, what)


cdef double _bump(object t, str op) except? -1:
    """step += 1 in the counter's dtype; returns the new count."""
    cdef TensorBase s = _scalar_tensor(t, op, "step")
    if s._dtype == CT_FLOAT32:
        return _set(s, <float>((<float *>s._data)[0] + <float>1), op, "step")
    return _set(s, _get(s, op, "step") + 1, op, "step")


cdef ct_optim_hyper _hyper(double lr, double weight_decay, bint maximize):
    cdef ct_optim_hyper h
    memset(&h, 0, sizeof(h))
    h.lr = lr
    h.weight_decay = weight_decay
    h.maximize = maximize
    return h


def sgd(list params, list grads, list bufs, list fresh, double lr, double momentum,
        double dampening, double weight_decay, bint nesterov, bint maximize):
    """One SGD step; bufs[i] is the momentum buffer (ignored when momentum is 0), fresh[i] True
    when it was just created (it is then set to the gradient, as PyTorch's clone is)."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("SGD", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef ct_optim_job *j
    h.momentum = momentum
    h.dampening = dampening
    h.nesterov = nesterov
    for i in range(n):
        j = grp.add(params[i], grads[i], bufs[i] if momentum != 0 else None, None, None)
        j.k[0] = 1 if (momentum != 0 and fresh[i]) else 0
    grp.run(CT_OPTIM_SGD, &h)


def adam(list params, list grads, list exp_avgs, list exp_avg_sqs, list max_exp_avg_sqs, list steps,
         double lr, double beta1, double beta2, double eps, double weight_decay, bint amsgrad,
         bint maximize, bint decoupled):
    """One Adam (decoupled: AdamW) step; max_exp_avg_sqs is used only with amsgrad."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("AdamW" if decoupled else "Adam", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef double t
    h.beta1, h.beta2, h.eps, h.amsgrad, h.decoupled = beta1, beta2, eps, amsgrad, decoupled
    for i in range(n):
        grp.add(params[i], grads[i], exp_avgs[i], exp_avg_sqs[i], max_exp_avg_sqs[i] if amsgrad else None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        t = _bump(steps[i], grp.op)
        grp.order[i].k[0] = lr / (1 - pow(beta1, t))
        grp.order[i].k[1] = pow(1 - pow(beta2, t), 0.5)
    grp.run(CT_OPTIM_ADAM, &h)


def rmsprop(list params, list grads, list square_avgs, list grad_avgs, list momentum_buffers,
            list steps, double lr, double alpha, double eps, double weight_decay, double momentum,
            bint centered, bint maximize):
    """One RMSprop step; grad_avgs is used only when centered, momentum_buffers when momentum > 0."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("RMSprop", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    h.beta2, h.eps, h.momentum, h.centered = alpha, eps, momentum, centered
    for i in range(n):
        grp.add(params[i], grads[i], square_avgs[i], grad_avgs[i] if centered else None,
                momentum_buffers[i] if momentum > 0 else None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        _bump(steps[i], grp.op)
    grp.run(CT_OPTIM_RMSPROP, &h)


def adagrad(list params, list grads, list sums, list steps, double lr, double lr_decay,
            double weight_decay, double eps, bint maximize):
    """One Adagrad step."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("Adagrad", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef double t
    h.eps = eps
    for i in range(n):
        grp.add(params[i], grads[i], sums[i], None, None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        t = _bump(steps[i], grp.op)
        grp.order[i].k[0] = lr / (1 + (t - 1) * lr_decay)
    grp.run(CT_OPTIM_ADAGRAD, &h)


def adadelta(list params, list grads, list square_avgs, list acc_deltas, list steps, double lr,
             double rho, double eps, double weight_decay, bint maximize):
    """One Adadelta step."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("Adadelta", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    h.beta2, h.eps = rho, eps
    for i in range(n):
        grp.add(params[i], grads[i], square_avgs[i], acc_deltas[i], None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        _bump(steps[i], grp.op)
    grp.run(CT_OPTIM_ADADELTA, &h)


def adamax(list params, list grads, list exp_avgs, list exp_infs, list steps, double lr,
           double beta1, double beta2, double eps, double weight_decay, bint maximize):
    """One Adamax step."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("Adamax", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef double t
    h.beta1, h.beta2, h.eps = beta1, beta2, eps
    for i in range(n):
        grp.add(params[i], grads[i], exp_avgs[i], exp_infs[i], None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        t = _bump(steps[i], grp.op)
        grp.order[i].k[0] = lr / (1 - pow(beta1, t))
    grp.run(CT_OPTIM_ADAMAX, &h)


def nadam(list params, list grads, list exp_avgs, list exp_avg_sqs, list mu_products, list steps,
          double lr, double beta1, double beta2, double eps, double weight_decay,
          double momentum_decay, bint decoupled, bint maximize):
    """One NAdam step; mu_products are 0-d tensors (the running product of the momentum schedule)."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("NAdam", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef double t, mu, mu_next, prod
    h.beta1, h.beta2, h.eps, h.decoupled = beta1, beta2, eps, decoupled
    for i in range(n):
        grp.add(params[i], grads[i], exp_avgs[i], exp_avg_sqs[i], None)
        _scalar_tensor(steps[i], grp.op, "step")
        _scalar_tensor(mu_products[i], grp.op, "mu_product")
    for i in range(n):
        t = _bump(steps[i], grp.op)
        mu = beta1 * (1.0 - 0.5 * pow(0.96, t * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * pow(0.96, (t + 1) * momentum_decay))
        prod = _mul(mu_products[i], mu, grp.op, "mu_product")
        grp.order[i].k[0] = 1 - pow(beta2, t)
        grp.order[i].k[1] = -lr * (1.0 - mu) / (1.0 - prod)
        grp.order[i].k[2] = (-lr * mu_next) / (1.0 - prod * mu_next)
    grp.run(CT_OPTIM_NADAM, &h)


def radam(list params, list grads, list exp_avgs, list exp_avg_sqs, list steps, double lr,
          double beta1, double beta2, double eps, double weight_decay, bint decoupled, bint maximize):
    """One RAdam step."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("RAdam", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef double t, bc2, rho_t
    cdef double rho_inf = 2 / (1 - beta2) - 1
    h.beta1, h.beta2, h.eps, h.decoupled = beta1, beta2, eps, decoupled
    for i in range(n):
        grp.add(params[i], grads[i], exp_avgs[i], exp_avg_sqs[i], None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        t = _bump(steps[i], grp.op)
        bc2 = 1 - pow(beta2, t)
        rho_t = rho_inf - 2 * t * pow(beta2, t) / bc2
        grp.order[i].k[0] = 1 - pow(beta1, t)
        grp.order[i].k[1] = pow(bc2, 0.5)
        if rho_t > 5.0:     # the variance is tractable: rectify
            grp.order[i].k[2] = pow((rho_t - 4) * (rho_t - 2) * rho_inf
                                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.5)
        else:
            grp.order[i].k[2] = -1
    grp.run(CT_OPTIM_RADAM, &h)


def rprop(list params, list grads, list prevs, list step_sizes, list steps, double etaminus,
          double etaplus, double step_min, double step_max, bint maximize):
    """One Rprop step."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("Rprop", n)
    cdef ct_optim_hyper h = _hyper(0, 0, maximize)
    h.etaminus, h.etaplus, h.step_min, h.step_max = etaminus, etaplus, step_min, step_max
    for i in range(n):
        grp.add(params[i], grads[i], prevs[i], step_sizes[i], None)
        _scalar_tensor(steps[i], grp.op, "step")
    for i in range(n):
        _bump(steps[i], grp.op)
    grp.run(CT_OPTIM_RPROP, &h)


def asgd(list params, list grads, list axs, list etas, list mus, list steps, double lr,
         double lambd, double alpha, double t0, double weight_decay, bint maximize):
    """One ASGD step; etas and mus are 0-d tensors, set to the next step's values afterwards."""
    cdef Py_ssize_t i, n = len(params)
    cdef _Group grp = _Group("ASGD", n)
    cdef ct_optim_hyper h = _hyper(lr, weight_decay, maximize)
    cdef double t
    cdef list counts = []
    h.lambd = lambd
    for i in range(n):
        grp.add(params[i], grads[i], axs[i], None, None)
        _scalar_tensor(steps[i], grp.op, "step")
        _scalar_tensor(etas[i], grp.op, "eta")
        _scalar_tensor(mus[i], grp.op, "mu")
    for i in range(n):
        counts.append(_bump(steps[i], grp.op))
        grp.order[i].k[0] = _get(etas[i], grp.op, "eta")
        grp.order[i].k[1] = _get(mus[i], grp.op, "mu")
    grp.run(CT_OPTIM_ASGD, &h)
    for i in range(n):
        t = counts[i]
        _set(etas[i], lr / pow(1 + lambd * lr * t, alpha), grp.op, "eta")
        _set(mus[i], 1 / max(1.0, t - t0), grp.op, "mu")

"""gradcheck / gradgradcheck: analytical gradients against central finite differences.

Use float64 inputs. The numerical Jacobian perturbs one input element at a time by ±eps;
the analytical one is one ``autograd.grad`` call per output element.
"""
import numpy as np

from cytorch._C._tensor import TensorBase

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """gradcheck found a mismatch (a RuntimeError, like PyTorch's)."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else ((x,) if not isinstance(x, list) else tuple(x))


def _np(t):
    return np.array(t.detach().tolist(), dtype=np.complex128 if t.is_complex() else np.float64).reshape(tuple(t.shape))


def _diff_outputs(outs):
    return [o for o in outs if isinstance(o, TensorBase) and (o.is_floating_point() or o.is_complex())]


def _real_cols(o):
    """An output's entries as real numbers: complex outputs give (real, imag) per element."""
    v = _np(o).ravel()
    return np.concatenate([v.real, v.imag]) if o.is_complex() else v.real


def _numerical_jacobians(func, inputs, idx, outs0, eps):
    """Central differences of the outputs (real and imaginary parts apart) with respect to each
    input entry (a complex entry is perturbed along 1 and along i: two rows)."""
    jac = {}
    for i in idx:
        x = inputs[i]
        n = x.numel()
        steps = (eps, eps * 1j) if x.is_complex() else (eps,)
        cols = [np.zeros((n * len(steps), o.numel() * (2 if o.is_complex() else 1))) for o in outs0]
        xd = x.detach()
        for k, pos in enumerate(np.ndindex(*tuple(x.shape))):
            orig = xd[pos].item()
            for r, step in enumerate(steps):
                # xd is outside any graph, so writing into it records nothing; func runs with
                # grad mode as the caller has it (gradgradcheck's func differentiates inside)
                xd[pos] = orig + step
                plus = [_real_cols(o) for o in _diff_outputs(_as_tuple(func(*inputs)))]
                xd[pos] = orig - step
                minus = [_real_cols(o) for o in _diff_outputs(_as_tuple(func(*inputs)))]
                xd[pos] = orig
                for j in range(len(outs0)):
                    cols[j][r * n + k] = (plus[j] - minus[j]) / (2 * eps)
        jac[i] = cols
    return jac


def _analytical_jacobians(outs, inputs, idx):
    """One backward per real output entry. PyTorch's convention: a grad_output of 1 (or 1j) at a
    complex output asks for the gradient of its real (or imaginary) part, and a complex input's
    gradient is d/d(real) + i d/d(imag)."""
    import cytorch
    from cytorch.autograd import grad
    jac = {i: [np.zeros((inputs[i].numel() * (2 if inputs[i].is_complex() else 1),
                         o.numel() * (2 if o.is_complex() else 1))) for o in outs] for i in idx}
    for j, o in enumerate(outs):
        flat = o.numel()
        units = (1, 1j) if o.is_complex() else (1,)
        for c, unit in enumerate(units):
            for m in range(flat):
                go = cytorch.zeros(flat, dtype=o.dtype)
                go[m] = unit
                gs = grad(o, [inputs[i] for i in idx], go.reshape(tuple(o.shape)), retain_graph=True,
                          allow_unused=True)
                for i, g in zip(idx, gs):
                    if g is None:
                        continue
                    v = _np(g).ravel()
                    n = inputs[i].numel()
                    jac[i][j][:n, c * flat + m] = v.real
                    if inputs[i].is_complex():
                        jac[i][j][n:, c * flat + m] = v.imag
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """Check the gradients of ``func(*inputs)`` w.r.t. the inputs that require grad.

    Returns True, or raises GradcheckError (``raise_exception=False``: returns False).
    """
    inputs = _as_tuple(inputs)
    idx = [i for i, x in enumerate(inputs) if isinstance(x, TensorBase) and x.requires_grad]
    if not idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i in idx:
        if inputs[i].dtype.itemsize < 8 or inputs[i].is_complex() and inputs[i].dtype.itemsize < 16:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. ")
    outs = _diff_outputs(_as_tuple(func(*inputs)))
    if not check_backward_ad:
        return True
    ana = _analytical_jacobians(outs, inputs, idx)    # before perturbing: that bumps versions
    num = _numerical_jacobians(func, inputs, idx, outs, eps)
    for i in idx:
        for j in range(len(outs)):
            a, n = ana[i][j], num[i][j]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(f"Jacobian mismatch for output {j} with respect to input {i},\n"
                                         f"numerical:{n}\nanalytical:{a}\n")
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradients: checks second derivatives through create_graph=True."""
    import cytorch
    from cytorch.autograd import grad
    inputs = _as_tuple(inputs)
    outs = _diff_outputs(_as_tuple(func(*inputs)))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(cytorch.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype).requires_grad_()
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    idx = [i for i, x in enumerate(inputs) if isinstance(x, TensorBase) and x.requires_grad]

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        o = _diff_outputs(_as_tuple(func(*ins)))
        gs = grad(o, [ins[i] for i in idx], gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)

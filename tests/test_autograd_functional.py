"""cytorch.autograd.functional: vjp, jvp, jacobian, hessian, vhp, hvp.

Checked against finite differences (float64) always and against PyTorch when installed.
"""
import numpy as np
import pytest

import cytorch
from cytorch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp
from conftest import assert_close, np_of


def f_single(x):
    return (x.sin() * x[0]).exp()


def f_scalar(x):
    return (x ** 3).sum() + x.prod() * x[0]


def f_pair(a, b):
    return (a * b.tanh(), (a ** 2).sum() + b.sum())


def _fd_jacobian(fn, x, eps=1e-6):
    """Central differences: J[i, j] = d out_i / d x_j (one input, one output)."""
    base = np_of(x)
    cols = []
    for j in range(base.size):
        d = np.zeros(base.size)
        d[j] = eps
        hi = np_of(fn(cytorch.tensor((base.ravel() + d).reshape(base.shape))))
        lo = np_of(fn(cytorch.tensor((base.ravel() - d).reshape(base.shape))))
        cols.append(((hi - lo) / (2 * eps)).ravel())
    out_shape = np_of(fn(x)).shape
    return np.stack(cols, axis=-1).reshape(out_shape + base.shape)


X = np.array([0.3, -1.2, 0.7], dtype=np.float64)


def test_jacobian_matches_finite_differences():
    x = cytorch.tensor(X)
    assert_close(jacobian(f_single, x), _fd_jacobian(f_single, x), rtol=1e-6, atol=1e-8)


def test_hessian_matches_finite_differences_of_gradient():
    x = cytorch.tensor(X)

    def g(y):
        y = y.detach().requires_grad_()
        return cytorch.autograd.grad(f_scalar(y), y)[0]
    assert_close(hessian(f_scalar, x), _fd_jacobian(g, x), rtol=1e-6, atol=1e-7)


def test_vjp_jvp_are_products_with_the_jacobian():
    x = cytorch.tensor(X)
    J = np_of(jacobian(f_single, x))
    v = np.array([1.0, -2.0, 0.5])
    out, p = vjp(f_single, x, cytorch.tensor(v))
    assert_close(out, np_of(f_single(x)))
    assert_close(p, v @ J, rtol=1e-10)
    out, p = jvp(f_single, x, cytorch.tensor(v))
    assert_close(p, J @ v, rtol=1e-10)


def test_hvp_vhp_are_products_with_the_hessian():
    x = cytorch.tensor(X)
    H = np_of(hessian(f_scalar, x))
    v = np.array([0.5, 1.0, -1.0])
    y, p = hvp(f_scalar, x, cytorch.tensor(v))
    assert_close(y, np_of(f_scalar(x)))
    assert_close(p, H @ v, rtol=1e-10)
    _, p = vhp(f_scalar, x, cytorch.tensor(v))
    assert_close(p, v @ H, rtol=1e-10)


def test_structures_follow_inputs_and_outputs(torch):
    a, b = np.array([0.5, -0.25]), np.array([1.5, 0.1])
    ours = jacobian(f_pair, (cytorch.tensor(a), cytorch.tensor(b)))
    theirs = torch.autograd.functional.jacobian(f_pair, (torch.tensor(a), torch.tensor(b)))
    assert len(ours) == 2 and all(len(r) == 2 for r in ours)
    for i in range(2):
        for j in range(2):
            assert_close(ours[i][j], theirs[i][j].numpy(), rtol=1e-12)
    h_ours = hessian(lambda p, q: (p * q.exp()).sum(), (cytorch.tensor(a), cytorch.tensor(b)))
    h_theirs = torch.autograd.functional.hessian(lambda p, q: (p * q.exp()).sum(), (torch.tensor(a), torch.tensor(b)))
    for i in range(2):
        for j in range(2):
            assert_close(h_ours[i][j], h_theirs[i][j].numpy(), rtol=1e-12)


def test_against_torch_single(torch):
    tx = torch.tensor(X)
    x = cytorch.tensor(X)
    v = np.array([0.1, 0.2, -0.3])
    assert_close(jacobian(f_single, x), torch.autograd.functional.jacobian(f_single, tx).numpy(), rtol=1e-12)
    assert_close(hessian(f_scalar, x), torch.autograd.functional.hessian(f_scalar, tx).numpy(), rtol=1e-12)
    assert_close(jvp(f_single, x, cytorch.tensor(v))[1],
                 torch.autograd.functional.jvp(f_single, tx, torch.tensor(v))[1].numpy(), rtol=1e-12)
    assert_close(vhp(f_scalar, x, cytorch.tensor(v))[1],
                 torch.autograd.functional.vhp(f_scalar, tx, torch.tensor(v))[1].numpy(), rtol=1e-12)


def test_results_detached_unless_create_graph():
    x = cytorch.tensor(X, requires_grad=True)
    assert not jacobian(f_single, x).requires_grad
    J = jacobian(lambda y: (y ** 3), x, create_graph=True)
    assert J.requires_grad
    # d/dx trace(J) = d/dx sum(3 x^2) = 6x
    (g,) = cytorch.autograd.grad(J.diagonal().sum(), x)
    assert_close(g, 6 * X)


def test_independent_outputs_and_strict_mode():
    x = cytorch.tensor(X)
    assert_close(jacobian(lambda y: cytorch.ones(2, dtype=cytorch.float64), x), np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="does not require gradients"):
        jacobian(lambda y: cytorch.ones(2, dtype=cytorch.float64), x, strict=True)
    with pytest.raises(RuntimeError, match="independent"):
        jacobian(lambda a, b: a * 2, (x, x.clone()), strict=True)


def test_errors():
    x = cytorch.tensor(X)
    with pytest.raises(RuntimeError, match="v can only be None"):
        vjp(f_single, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        jvp(f_single, x)
    with pytest.raises(RuntimeError, match="invalid size"):
        vjp(f_single, x, cytorch.ones(2, dtype=cytorch.float64))
    with pytest.raises(RuntimeError, match="single element"):
        hessian(lambda y: y * 2, x)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple"):
        jacobian(lambda y: 3, x)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple"):
        jacobian(f_single, [1.0, 2.0])
    with pytest.raises(ValueError, match="strategy"):
        jacobian(f_single, x, strategy="sideways")

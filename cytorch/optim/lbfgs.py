"""L-BFGS with an optional strong-Wolfe line search."""
import math

import cytorch
from cytorch.autograd.grad_mode import enable_grad, no_grad
from cytorch.optim.optimizer import Optimizer, _check_lr, _value

__all__ = ["LBFGS"]


def _cubic_min(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to
    bounds (default: the interval between x1 and x2); the midpoint when the cubic has none."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = math.sqrt(disc)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search along d from step t for a point meeting the strong Wolfe conditions
    (sufficient decrease c1, curvature c2). evaluate(t) -> (loss, flat grad) at x + t*d.
    Returns (loss, grad, t, evaluations)."""
    d_norm = float(d.abs().max())
    g = g.clone()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = float(g_new.dot(d))
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    it = 0
    # bracketing: grow t until an interval surely holds a Wolfe point
    while it < max_ls:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev):
            bracket = [[t_prev, f_prev, g_prev, gtd_prev], [t, f_new, g_new.clone(), gtd_new]]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = [[t, f_new, g_new, gtd_new]]
            done = True
            break
        if gtd_new >= 0:
            bracket = [[t_prev, f_prev, g_prev, gtd_prev], [t, f_new, g_new.clone(), gtd_new]]
            break
        t_next = _cubic_min(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                            bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.clone(), gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new.dot(d))
        it += 1
    if it == max_ls:
        bracket = [[0, f, g, None], [t, f_new, g_new, None]]
    # zoom: shrink the bracket; `low` is its end with the lower loss
    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    stalled = False
    while not done and it < max_ls:
        (a, fa, _, ga), (b, fb, _, gb) = bracket
        if abs(b - a) * d_norm < tolerance_change:
            break
        t = _cubic_min(a, fa, ga, b, fb, gb)
        top, bottom = max(a, b), min(a, b)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:          # too close to an end: move inside
            if stalled or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new.dot(d))
        it += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket[low][1]:
            bracket[high] = [t, f_new, g_new.clone(), gtd_new]
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = [t, f_new, g_new.clone(), gtd_new]
    t, f_new, g_new, _ = bracket[low]
    return f_new, g_new, t, evals


class LBFGS(Optimizer):
    r"""L-BFGS: quasi-Newton steps from the last ``history_size`` curvature pairs (as minFunc).

    Each :meth:`step` runs up to ``max_iter`` iterations: the direction is the two-loop
    recursion :math:`d = -H g` over stored pairs :math:`(s_k, y_k)` (with
    :math:`H_0 = s^T y / y^T y`), then :math:`p \leftarrow p + t d` with :math:`t` = lr (the first
    iteration ever uses :math:`\min(1, 1/\|g\|_1) \cdot lr`), or a strong-Wolfe line search.
    It stops when :math:`\max|g| \le` tolerance_grad, when the step or the loss changes by less
    than tolerance_change, or after ``max_eval`` closure calls.

    Args:
        params (iterable): parameters (one group only; all flattened together).
        lr (float or Tensor): learning rate (default: 1).
        max_iter (int): iterations per step (default: 20).
        max_eval (int, optional): closure evaluations per step (default: max_iter * 1.25).
        tolerance_grad (float): stop when the largest gradient element is this small (default: 1e-7).
        tolerance_change (float): stop when the step or loss changes by less (default: 1e-9).
        history_size (int): curvature pairs kept (default: 100).
        line_search_fn (str, optional): ``"strong_wolfe"`` or None (default: None).

    Example::

        >>> x = cytorch.tensor([-1.2, 1.0], dtype=cytorch.float64, requires_grad=True)
        >>> opt = cytorch.optim.LBFGS([x], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2    # Rosenbrock
        ...     loss.backward()
        ...     return loss
        >>> for _ in range(5):
        ...     _ = opt.step(closure)
        >>> [round(v, 4) for v in x.tolist()]
        [1.0, 1.0]
    """

    _scalar_state = ()

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        parts = []
        for p in self._params:
            g = p.grad
            parts.append(cytorch.zeros(p.numel(), dtype=p.dtype) if g is None else g.reshape(-1))
        return cytorch.cat(parts, 0)

    def _move(self, t, d):
        """p := p + t * d (d flat over all parameters)."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(d[offset:offset + n].view_as(p), alpha=t)
            offset += n

    def _evaluator(self, closure, d):
        """evaluate(t): loss and flat gradient at x + t*d, leaving the parameters at x."""
        x0 = [p.clone() for p in self._params]

        def evaluate(t):
            self._move(t, d)
            loss = float(closure())
            g = self._flat_grad()
            for p, x in zip(self._params, x0):
                p.copy_(x)
            return loss, g
        return evaluate

    @staticmethod
    def _direction(g, dirs, stps, ro, h_diag, al):
        """d = -H g by the two-loop recursion over the stored pairs."""
        q = g.neg()
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = float(stps[i].dot(q)) * ro[i]
            q.add_(dirs[i], alpha=-al[i])
        r = q.mul(h_diag)
        for i in range(len(dirs)):
            be = float(dirs[i].dot(r)) * ro[i]
            r.add_(stps[i], alpha=al[i] - be)
        return r

    @no_grad()
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss at the starting point.

        Args:
            closure (Callable): re-evaluates the model and returns the loss (required).
        """
        group = self.param_groups[0]
        lr = _value(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        line_search, history = group["line_search_fn"], group["history_size"]
        if line_search is not None and line_search != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        closure = enable_grad()(closure)

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if float(g.abs().max()) <= tol_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        dirs, stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag, prev_g, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = g.neg()
                dirs, stps, ro, h_diag = [], [], [], 1
            else:
                y = g.sub(prev_g)
                s = d.mul(t)
                ys = float(y.dot(s))
                if ys > 1e-10:              # keep the pair only if the curvature is positive
                    if len(dirs) == history:
                        dirs.pop(0)
                        stps.pop(0)
                        ro.pop(0)
                    dirs.append(y)
                    stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y.dot(y))
                if "al" not in state:
                    state["al"] = [None] * history
                d = self._direction(g, dirs, stps, ro, h_diag, state["al"])
            if prev_g is None:
                prev_g = g.clone()
            else:
                prev_g.copy_(g)
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(g.abs().sum())) * lr
            else:
                t = lr
            gtd = float(g.dot(d))
            if gtd > -tol_change:           # not a descent direction
                break

            used = 0
            if line_search is not None:
                loss, g, t, used = _strong_wolfe(self._evaluator(closure, d), t, d, loss, g, gtd,
                                                 max_ls=max_eval - evals)
                self._move(t, d)
                converged = float(g.abs().max()) <= tol_grad
            else:
                self._move(t, d)
                converged = False
                if n_iter != max_iter:      # the last iteration's loss is the next step's start
                    loss = float(closure())
                    g = self._flat_grad()
                    converged = float(g.abs().max()) <= tol_grad
                    used = 1
            evals += used
            state["func_evals"] += used

            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if float(d.mul(t).abs().max()) <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        state.update({"d": d, "t": t, "old_dirs": dirs, "old_stps": stps, "ro": ro, "H_diag": h_diag,
                      "prev_flat_grad": prev_g, "prev_loss": prev_loss})
        return orig_loss

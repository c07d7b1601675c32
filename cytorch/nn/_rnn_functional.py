"""The recurrent layers' computation: one fused C call per layer and direction
(cytorch/_C/_rnn.pyx, src_c/ct_rnn.c), recorded as one autograd node per layer whose
backward formula sits below it.

``rnn_stack`` is what ``nn.RNN``/``nn.LSTM``/``nn.GRU`` run (PyTorch's ``_VF.lstm`` & co.):
the layers in turn, dropout between them in training, on a padded time-major batch or on a
PackedSequence's rows. The explicit per-step form (``_layer_math``, differentiable cytorch
ops) is the reference the double backward differentiates.
"""
import cytorch
from cytorch._C import _autograd as _A
from cytorch._C import _rnn as _K

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _dropout(x, p, training):
    import cytorch.nn.functional as F
    return F.dropout(x, p, training)


def _layer(mode, x, batch_sizes, T, B, h0, c0, weights):
    """One layer, all its directions: x (N, I); h0 (D, B, P); c0 (D, B, H) (LSTM, else None);
    weights: per direction (w_ih, w_hh, b_ih, b_hh, w_hr), None where absent.
    Returns y (N, D*P) and the final states hn (D, B, P), cn (D, B, H) (or None)."""
    D = len(weights)
    P = h0.shape[2]
    N = x.shape[0]
    xd = x.detach()
    y = cytorch.empty((N, D * P), dtype=x.dtype)
    hn = cytorch.empty(tuple(h0.shape), dtype=x.dtype)
    cn = cytorch.empty(tuple(c0.shape), dtype=x.dtype) if c0 is not None else None
    wss = []
    for d, (w_ih, w_hh, b_ih, b_hh, w_hr) in enumerate(weights):
        wss.append(_K.forward(mode, d == 1, xd, w_ih.detach(), w_hh.detach(), _det(b_ih), _det(b_hh), _det(w_hr),
                              h0[d].detach(), None if c0 is None else c0[d].detach(), batch_sizes, T, B, y, d * P,
                              hn[d], None if cn is None else cn[d]))
    flat = tuple(w for ws in weights for w in ws)
    ins = (x, h0, c0) + flat
    if _A.is_grad_enabled() and any(t is not None and t.requires_grad for t in ins):
        outs = (y, hn) if cn is None else (y, hn, cn)
        _A._record("rnn_layer", ins, outs, ctx=(mode, T, B, D, batch_sizes),
                   saved=ins + (y,) + tuple(wss))
    return y, hn, cn


def _det(t):
    return None if t is None else t.detach()


def _layer_bw(n, grads):
    # per direction: the fused kernel's backward through time (dx summed over directions)
    mode, T, B, D, batch_sizes = n.ctx
    saved = n.saved_tensors
    x, h0, c0 = saved[0], saved[1], saved[2]
    flat = saved[3:3 + 5 * D]
    y = saved[3 + 5 * D]
    wss = saved[4 + 5 * D:]
    gy, ghn = grads[0], grads[1]
    gcn = grads[2] if len(grads) > 2 else None
    need = n.needs_input_grad
    if cytorch.is_grad_enabled():
        return _layer_bw_graph(n, grads, x, h0, c0, flat, mode, T, B, D, batch_sizes)
    P = h0.shape[2]
    gy = cytorch.zeros(tuple(y.shape), dtype=y.dtype) if gy is None else gy.contiguous()
    gx = cytorch.empty(tuple(x.shape), dtype=x.dtype) if need[0] else None
    gh0 = cytorch.empty(tuple(h0.shape), dtype=h0.dtype) if need[1] else None
    gc0 = cytorch.empty(tuple(c0.shape), dtype=c0.dtype) if c0 is not None and need[2] else None
    gw = []
    for d in range(D):
        w_ih, w_hh, b_ih, b_hh, w_hr = flat[5 * d:5 * d + 5]
        r = _K.backward(mode, d == 1, x, w_ih, w_hh, w_hr, h0[d], None if c0 is None else c0[d], batch_sizes, T, B,
                        y, d * P, wss[d], gy, d * P, None if ghn is None else ghn[d],
                        None if gcn is None else gcn[d], gx, d == 1, b_ih is not None)
        gwi, gwh, gbi, gbh, gwr, gh, gc = r
        if gh0 is not None:
            gh0[d].copy_(gh)
        if gc0 is not None:
            gc0[d].copy_(gc)
        gw += [gwi, gwh, gbi, gbh, gwr]
    gw = [g if need[3 + i] else None for i, g in enumerate(gw)]
    return (gx, gh0, gc0) + tuple(gw)


def _layer_bw_graph(n, grads, x, h0, c0, flat, mode, T, B, D, batch_sizes):
    """create_graph: differentiate the explicit per-step computation instead."""
    need = n.needs_input_grad
    ins = (x, h0, c0) + tuple(flat)
    with cytorch.enable_grad():
        outs = _layer_math(mode, x, batch_sizes, T, B, h0, c0,
                           [tuple(flat[5 * d:5 * d + 5]) for d in range(D)])
        pairs = [(o, g) for o, g in zip(outs, grads) if o is not None and g is not None]
        wrt = [t for i, t in enumerate(ins) if need[i]]
        got = list(cytorch.autograd.grad([o for o, _ in pairs], wrt, [g for _, g in pairs], create_graph=True,
                                         allow_unused=True))
    res = []
    for i, t in enumerate(ins):
        g = got.pop(0) if need[i] else None
        if need[i] and g is None:
            g = cytorch.zeros(tuple(t.shape), dtype=t.dtype)
        res.append(g)
    return tuple(res)


_A._register_generic("rnn_layer", "RnnLayerBackward0", _layer_bw)


def _cell_math(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr):
    """One step with differentiable ops (PyTorch's formulas): returns (h, c)."""
    gi = cytorch.matmul(x, w_ih.t())
    if b_ih is not None:
        gi = gi + b_ih
    gh = cytorch.matmul(h, w_hh.t())
    if b_hh is not None:
        gh = gh + b_hh
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, 1)
        c = cytorch.sigmoid(f) * c + cytorch.sigmoid(i) * cytorch.tanh(g)
        h = cytorch.sigmoid(o) * cytorch.tanh(c)
        if w_hr is not None:
            h = cytorch.matmul(h, w_hr.t())
        return h, c
    if mode == "GRU":
        ir, iz, inn = gi.chunk(3, 1)
        hr, hz, hn = gh.chunk(3, 1)
        r = cytorch.sigmoid(ir + hr)
        z = cytorch.sigmoid(iz + hz)
        nn_ = cytorch.tanh(inn + r * hn)
        return (1 - z) * nn_ + z * h, None
    pre = gi + gh
    return (cytorch.tanh(pre) if mode == "RNN_TANH" else cytorch.relu(pre)), None


def _layer_math(mode, x, batch_sizes, T, B, h0, c0, weights):
    """_layer's results from differentiable per-step ops (rows layout as the kernel's)."""
    bs = [B] * T if batch_sizes is None else [int(v) for v in batch_sizes.tolist()]
    off = [0]
    for b in bs:
        off.append(off[-1] + b)
    ys, hns, cns = [], [], []
    for d, (w_ih, w_hh, b_ih, b_hh, w_hr) in enumerate(weights):
        h, c = h0[d], (c0[d] if c0 is not None else None)
        outs = [None] * T
        hfin = [None] * B
        cfin = [None] * B
        order = range(T - 1, -1, -1) if d == 1 else range(T)
        for t in order:
            n = bs[t]
            hx = h[:n] if h.shape[0] >= n else cytorch.cat([h, h0[d][h.shape[0]:n]], 0)
            cx = None
            if c is not None:
                cx = c[:n] if c.shape[0] >= n else cytorch.cat([c, c0[d][c.shape[0]:n]], 0)
            h_new, c_new = _cell_math(mode, x[off[t]:off[t] + n], hx, cx, w_ih, w_hh, b_ih, b_hh, w_hr)
            outs[t] = h_new
            # rows that end here (forward direction) keep their state as the final one
            if d == 0:
                nxt = bs[t + 1] if t + 1 < T else 0
                for r in range(nxt, n):
                    hfin[r] = h_new[r]
                    if c_new is not None:
                        cfin[r] = c_new[r]
            h, c = h_new, c_new
        if d == 1 and T:
            hfin = list(h.unbind(0)) + [None] * (B - h.shape[0])
            cfin = (list(c.unbind(0)) + [None] * (B - c.shape[0])) if c is not None else cfin
        for r in range(B):
            if hfin[r] is None:
                hfin[r] = h0[d][r]
                if c0 is not None:
                    cfin[r] = c0[d][r]
        ys.append(cytorch.cat(outs, 0) if T else cytorch.zeros((0, h0.shape[2]), dtype=x.dtype))
        hns.append(cytorch.stack(hfin, 0))
        if c0 is not None:
            cns.append(cytorch.stack(cfin, 0))
    y = cytorch.cat(ys, 1) if len(ys) > 1 else ys[0]
    return y, cytorch.stack(hns, 0), (cytorch.stack(cns, 0) if c0 is not None else None)


def rnn_stack(mode, x, batch_sizes, T, B, hx, cx, weights, num_layers, dropout, training, bidirectional):
    """All layers: x (N, I) rows (time-major padded, or packed); hx (L*D, B, P), cx (L*D, B, H)
    or None; weights: per layer, per direction (w_ih, w_hh, b_ih, b_hh, w_hr).
    Returns (y (N, D*P), h_n (L*D, B, P), c_n (L*D, B, H) or None)."""
    D = 2 if bidirectional else 1
    hs, cs = [], []
    for layer in range(num_layers):
        sl = slice(layer * D, (layer + 1) * D)
        x, hn, cn = _layer(mode, x, batch_sizes, T, B, hx[sl], None if cx is None else cx[sl], weights[layer])
        hs.append(hn)
        if cn is not None:
            cs.append(cn)
        if dropout > 0 and training and layer < num_layers - 1:
            x = _dropout(x, dropout, True)
    h_n = hs[0] if len(hs) == 1 else cytorch.cat(hs, 0)
    c_n = None if not cs else (cs[0] if len(cs) == 1 else cytorch.cat(cs, 0))
    return x, h_n, c_n

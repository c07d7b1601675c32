# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The autograd core: graph nodes, the recording hooks the dispatchers call, and the engine.

A recorded op's output gets a ``Node`` (its ``grad_fn``) holding the edges to its inputs'
nodes, what the op's backward formula needs (only that) and the version counters of the
saved tensors. Formulas live in one table, cytorch/autograd/_formulas.py; they are written
with differentiable tensor ops, so running them with grad mode on (create_graph=True)
records the graph of the gradient itself.

The engine walks the graph iteratively: it counts each node's incoming edges, then runs
nodes whose count drops to zero, summing gradients that meet at a node. Leaves are reached
through ``AccumulateGrad`` nodes that add into ``.grad``.

Saved outputs are stored detached (an output that held its own grad_fn would make a
reference cycle) and re-attached to the node when a formula unpacks them.
"""
cimport cython
from libc.stdint cimport int64_t
from libc.string cimport memset
from cytorch._C.ct cimport *
from cpython.ref cimport Py_REFCNT
from cytorch._C._tensor cimport (TensorBase, Storage, _make_view, _empty, _set_autograd_hooks, _grad_enabled,
                                 _set_grad_enabled, _SIZES_C, _cast, _check_err, _is_contiguous,
                                 _new_tensor_type)
import weakref

_PRETTY = ("Bool", "Byte", "Char", "Short", "Int", "Long",
           "Half", "BFloat16", "Float", "Double", "ComplexFloat", "ComplexDouble")

# ---------------------------------------------------------------- grad mode

def is_grad_enabled():
    """Whether ops record a graph (thread-local, like PyTorch)."""
    return _grad_enabled()

def _set_grad_mode(bint on):
    """Set grad mode; returns the previous value."""
    cdef bint prev = _grad_enabled()
    _set_grad_enabled(on)
    return prev

# ---------------------------------------------------------------- anomaly mode

cdef bint _anomaly = False        # record forward stacks; check backward outputs
cdef bint _anomaly_nan = True     # ... for nan

def _set_anomaly(bint enabled, bint check_nan=True):
    """Set anomaly mode; returns the previous (enabled, check_nan)."""
    global _anomaly, _anomaly_nan
    prev = (_anomaly, _anomaly_nan)
    _anomaly = enabled
    _anomaly_nan = check_nan
    return prev

def _anomaly_state():
    return (_anomaly, _anomaly_nan)

cdef inline void _trace_if_anomalous(Node n):
    if _anomaly:
        import traceback
        n._trace = traceback.format_stack()[:-1]

cdef object _warn_forward_trace(Node n):
    import warnings
    trace = "".join(n._trace) if n._trace else "(no forward trace: the op ran before anomaly mode was on)\n"
    warnings.warn(f"Error detected in {n._name}. Traceback of forward call that caused the error:\n{trace}",
                  UserWarning, stacklevel=3)

cdef object _check_outputs(Node n, tuple outs):
    cdef int i
    for i in range(len(outs)):
        g = outs[i]
        if _anomaly_nan and isinstance(g, TensorBase) and (<TensorBase>g)._numel and bool(g.isnan().any()):
            _warn_forward_trace(n)
            raise RuntimeError(f"Function '{n._name}' returned nan values in its {i}th output.")

# ---------------------------------------------------------------- nodes

cdef str _SECOND_TIME = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward.")


@cython.trashcan(True)
cdef class Node:
    """A backward function in the graph (what ``tensor.grad_fn`` returns)."""
    cdef public str _name
    cdef public object _fn          # formula: fn(node, grads) -> tuple of input grads
    cdef public tuple _edges        # per input: (Node or None, output_nr)
    cdef public tuple _in_meta      # per input: (shape tuple, dtype code) or None for non-tensors
    cdef public tuple _out_meta     # per output: (shape tuple, dtype code)
    cdef public object ctx          # op arguments the formula needs (dims, sizes, ...)
    cdef tuple _saved               # saved tensors (outputs stored detached), None once freed
    cdef tuple _saved_out           # per saved: output number, or -1 for an input
    cdef tuple _versions
    cdef public bint _freed
    cdef public object _pre_hooks   # {output_nr: [hook, ...]} of tensor hooks on this node's outputs
    cdef public object _hooks       # node hooks fn(grad_inputs, grad_outputs)
    cdef public object _retain      # {output_nr: weakref to the tensor} for retain_grad()
    cdef public object _trace       # the forward call's stack (anomaly mode only), else None
    cdef object __weakref__

    def name(self):
        return self._name

    def __repr__(self):
        return f"<{self._name} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return self._edges

    @property
    def metadata(self):
        return {}

    def register_hook(self, fn):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        return self._add_pre_hook(0, fn)

    def _add_pre_hook(self, int nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        lst = self._pre_hooks.setdefault(nr, [])
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    @property
    def needs_input_grad(self):
        return tuple([e[0] is not None for e in self._edges])

    @property
    def in_shapes(self):
        return tuple([None if m is None else m[0] for m in self._in_meta])

    def _save(self, tensors, outputs=()):
        """Keep ``tensors`` for backward; those that are among ``outputs`` are stored detached."""
        _save(self, tuple(tensors), tuple(outputs))

    @property
    def saved_tensors(self):
        return self._unpack_all()

    cdef tuple _unpack_all(self):
        if self._saved is None:
            if self._freed:
                raise RuntimeError(_SECOND_TIME)
            return ()
        return tuple([self._unpack(i) for i in range(len(self._saved))])

    cdef object _unpack(self, int i):
        cdef TensorBase t, r
        if self._freed:
            raise RuntimeError(_SECOND_TIME)
        x = self._saved[i]
        if x is None:
            return None
        t = <TensorBase>x
        cdef int64_t v = self._versions[i]
        cdef int nr = self._saved_out[i]
        if t._storage._version != v:
            what = f"output {nr} of {self._name}" if nr >= 0 else (
                f"output {t._output_nr} of {t._grad_fn.name()}" if t._grad_fn is not None else "a leaf")
            legacy = "cytorch." + _PRETTY[t._dtype] + "Tensor"
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{legacy} {list(t.shape)}], which is {what}, is at version {t._storage._version}; "
                f"expected version {v} instead. Hint: the backtrace further above shows the operation that "
                f"failed to compute its gradient. The variable in question was changed in there or anywhere later.")
        if nr < 0:
            return t
        r = _make_view(t, t._ndim, t._shape, t._stride, t._offset)
        r._vbase = None
        r._requires_grad = True
        r._grad_fn = self
        r._output_nr = nr
        return r

    def _saved_tensors_or_none(self):
        """The saved tensors (checked against their versions), or None if the op saved none."""
        if self._saved is None:
            if self._freed:
                raise RuntimeError(_SECOND_TIME)
            return None
        return self._unpack_all()

    def _saved_tensor(self, int i):
        return self._unpack(i)

    def _release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    def _apply(self, tuple grads):
        """Run the formula for the output gradients ``grads`` (None where none arrived)."""
        return self._fn(self, grads)


cdef class AccumulateGrad(Node):
    """The node of a leaf: adds the incoming gradient into ``variable.grad``."""
    cdef public TensorBase variable

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    """What register_hook returns: ``handle.remove()`` takes the hook out again."""

    def __init__(self, lst, fn):
        self._lst = lst
        self._fn = fn

    def remove(self):
        try:
            self._lst.remove(self._fn)
        except ValueError:
            pass


cdef int _save(Node n, tuple tensors, tuple outputs) except -1:
    cdef list saved = [], outs = [], vers = []
    cdef TensorBase t, r
    cdef int k
    for x in tensors:
        if x is None or not isinstance(x, TensorBase):
            saved.append(None)
            outs.append(-1)
            vers.append(0)
            continue
        t = <TensorBase>x
        vers.append(t._storage._version)
        for k in range(len(outputs)):
            if outputs[k] is x:
                r = _make_view(t, t._ndim, t._shape, t._stride, t._offset)
                r._vbase = None
                saved.append(r)
                outs.append(k)
                break
        else:
            saved.append(t)
            outs.append(-1)
    n._saved = tuple(saved)
    n._saved_out = tuple(outs)
    n._versions = tuple(vers)
    return 0


cdef tuple _edge(TensorBase t):
    """The graph edge a gradient for t flows along: its grad_fn, or its leaf accumulator."""
    cdef AccumulateGrad acc
    if not t._requires_grad:
        return (None, 0)
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    if t._grad_acc is not None:
        acc = t._grad_acc()
        if acc is not None:
            return (acc, 0)
    acc = AccumulateGrad.__new__(AccumulateGrad)
    acc._name = "AccumulateGrad"
    acc.variable = t
    acc._edges = ()
    acc._in_meta = ()
    acc._out_meta = ((_shape_of(t), t._dtype),)
    t._grad_acc = weakref.ref(acc)
    return (acc, 0)

def _edge_of(TensorBase t):
    return _edge(t)

def _grad_accumulator(TensorBase t):
    return _edge(t)[0]

cdef tuple _shape_of(TensorBase t):
    cdef int d
    return tuple([t._shape[d] for d in range(t._ndim)])

cdef inline tuple _meta(object x):
    if isinstance(x, TensorBase):
        return (_shape_of(<TensorBase>x), (<TensorBase>x)._dtype)
    return None

# ---------------------------------------------------------------- the formula table

# Filled by cytorch/autograd/_formulas.py: per op code (name, formula, what to save).
DEF SAVE_A = 1
DEF SAVE_B = 2
DEF SAVE_Y = 4
cdef list _BIN = [None] * 64
cdef list _UN = [None] * 64
cdef dict _GENERIC = {}

def _register_binary(int op, str name, fn, int save):
    _BIN[op] = (name, fn, save)

def _register_unary(int op, str name, fn, int save):
    _UN[op] = (name, fn, save)

def _register_generic(str key, str name, fn):
    _GENERIC[key] = (name, fn)

def _registered():
    """(binary op codes, unary op codes, generic keys) that have a backward formula (for tests)."""
    return ([i for i in range(64) if _BIN[i] is not None], [i for i in range(64) if _UN[i] is not None],
            sorted(_GENERIC))

cdef object _record_binary(int op, object a, object b, TensorBase res):
    entry = _BIN[op]
    if entry is None or res._dtype < CT_FLOAT16:
        return res          # not differentiable (comparisons, bit ops, integer results)
    cdef Node n = Node.__new__(Node)
    n._name = entry[0]
    n._fn = entry[1]
    cdef int save = entry[2]
    n._edges = (_edge(<TensorBase>a) if isinstance(a, TensorBase) else (None, 0),
                _edge(<TensorBase>b) if isinstance(b, TensorBase) else (None, 0))
    n._in_meta = (_meta(a), _meta(b))
    n._out_meta = None
    if not isinstance(a, TensorBase) or not isinstance(b, TensorBase):
        n.ctx = (None if isinstance(a, TensorBase) else a, None if isinstance(b, TensorBase) else b)
    if save:
        _save(n, (a if save & SAVE_A else None, b if save & SAVE_B else None, res if save & SAVE_Y else None),
              (res,))
    _trace_if_anomalous(n)
    res._requires_grad = True
    res._grad_fn = n
    res._output_nr = 0
    return res

cdef object _record_unary(int op, TensorBase a, TensorBase res):
    entry = _UN[op]
    if entry is None or res._dtype < CT_FLOAT16:
        return res
    cdef Node n = Node.__new__(Node)
    n._name = entry[0]
    n._fn = entry[1]
    cdef int save = entry[2]
    n._edges = (_edge(a),)
    n._in_meta = ((_shape_of(a), a._dtype),)
    n._out_meta = None
    if save:
        _save(n, (a if save & SAVE_A else None, res if save & SAVE_Y else None), (res,))
    _trace_if_anomalous(n)
    res._requires_grad = True
    res._grad_fn = n
    res._output_nr = 0
    return res

cdef object _record_view(str key, TensorBase a, TensorBase res, object args):
    if res._dtype < CT_FLOAT16:
        return res          # x.long(): integer results are outside the graph
    entry = _GENERIC.get(key)
    if entry is None:
        raise RuntimeError(f"cytorch autograd: no backward formula registered for '{key}'")
    cdef Node n = Node.__new__(Node)
    n._name = entry[0]
    n._fn = entry[1]
    n._edges = (_edge(a),)
    n._in_meta = ((_shape_of(a), a._dtype),)
    n.ctx = args
    _trace_if_anomalous(n)
    res._requires_grad = True
    res._grad_fn = n
    res._output_nr = 0
    res._ag_view = res._storage is a._storage
    return res

def _record(str key, tuple inputs, outputs, ctx=None, saved=(), bint is_view=False):
    """Record op ``key`` (formula from the table) with ``inputs`` (tensors or anything else) and
    ``outputs`` (a tensor or a tuple of them). ``saved`` tensors may include outputs."""
    entry = _GENERIC.get(key)
    if entry is None:
        raise RuntimeError(f"cytorch autograd: no backward formula registered for '{key}'")
    cdef Node n = Node.__new__(Node)
    cdef TensorBase t
    cdef int k
    n._name = entry[0]
    n._fn = entry[1]
    n._edges = tuple([_edge(<TensorBase>x) if isinstance(x, TensorBase) else (None, 0) for x in inputs])
    n._in_meta = tuple([_meta(x) for x in inputs])
    n.ctx = ctx
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    n._out_meta = tuple([_meta(o) for o in outs])
    if saved:
        _save(n, tuple(saved), outs)
    _trace_if_anomalous(n)
    for k in range(len(outs)):
        if isinstance(outs[k], TensorBase):
            t = <TensorBase>outs[k]
            if t._dtype < CT_FLOAT16:
                continue
            t._requires_grad = True
            t._grad_fn = n
            t._output_nr = k
            if is_view or any([isinstance(x, TensorBase) and (<TensorBase>x)._storage is t._storage
                               for x in inputs]):
                t._ag_view = True     # shares memory with an input: in-place on it is refused for now
    return outputs

def _new_node(str name, fn, tuple inputs, ctx=None):
    """A bare node for a custom Function (cytorch.autograd.Function)."""
    n = Node.__new__(Node)
    _init_node(n, name, fn, inputs, ctx)
    return n

def _init_node(Node n, str name, fn, tuple inputs, ctx=None):
    n._name = name
    n._fn = fn
    n._edges = tuple([_edge(<TensorBase>x) if isinstance(x, TensorBase) else (None, 0) for x in inputs])
    n._in_meta = tuple([_meta(x) for x in inputs])
    n.ctx = ctx
    _trace_if_anomalous(n)
    return n

_set_autograd_hooks(_record_binary, _record_unary, _record_view)

# ---------------------------------------------------------------- reduce to a shape (undo broadcasting)

cdef extern from "ct_autograd.h" nogil:
    int ct_sum_to_f32(const float *x, int ndim, const int64_t *shape, const int64_t *xstride,
                      float *out, const int64_t *ostride)
    int ct_sum_to_f64(const double *x, int ndim, const int64_t *shape, const int64_t *xstride,
                      double *out, const int64_t *ostride)

def _sum_to_kernel(TensorBase g, tuple shape):
    """g summed over the dims that broadcasting expanded to reach g's shape from ``shape``."""
    cdef int nd = g._ndim, k = len(shape), d, sd, err
    cdef int64_t osh[16]
    cdef int64_t ost[16]
    cdef int dt = g._dtype, cdt
    cdef TensorBase src, r
    if k > nd or k > 16:
        raise RuntimeError(f"sum_to: a gradient of shape {list(g.shape)} can't be reduced to shape {list(shape)}")
    for d in range(k):
        osh[d] = shape[d]
        if osh[d] != 1 and osh[d] != g._shape[d + nd - k]:
            raise RuntimeError(f"sum_to: a gradient of shape {list(g.shape)} can't be reduced to shape {list(shape)}")
    cdt = CT_FLOAT32 if dt <= CT_FLOAT32 else (CT_FLOAT64 if dt == CT_FLOAT64 else dt)
    src = _cast(g, cdt) if cdt != dt else g
    r = _empty(cdt, k, osh)
    cdef int64_t n = r._numel * (2 if cdt >= CT_COMPLEX64 else 1)
    memset(r._data, 0, n * _SIZES_C[CT_FLOAT32 if cdt == CT_FLOAT32 or cdt == CT_COMPLEX64 else CT_FLOAT64])
    cdef int64_t xst[17]
    cdef int64_t rst[17]
    cdef int64_t sh[17]
    cdef int m = nd
    for d in range(nd):
        sd = d - (nd - k)
        sh[d] = g._shape[d]
        xst[d] = src._stride[d]
        rst[d] = 0 if sd < 0 or osh[sd] != g._shape[d] else r._stride[sd]
    if cdt >= CT_COMPLEX64:
        # a complex number is two reals side by side: one more (innermost) dim of size 2
        for d in range(nd):
            xst[d] *= 2
            rst[d] *= 2
        sh[nd] = 2
        xst[nd] = 1
        rst[nd] = 1
        m = nd + 1
    if m > 16:
        raise RuntimeError("sum_to: too many dimensions")
    if g._numel > 0:
        with nogil:
            if cdt == CT_FLOAT32 or cdt == CT_COMPLEX64:
                err = ct_sum_to_f32(<const float *>src._data, m, sh, xst, <float *>r._data, rst)
            else:
                err = ct_sum_to_f64(<const double *>src._data, m, sh, xst, <double *>r._data, rst)
        _check_err(err, "sum_to")
    return _cast(r, dt) if cdt != dt else r

# ---------------------------------------------------------------- the engine

cdef inline bint _same_shape(TensorBase g, tuple shape):
    cdef int d
    if g._ndim != len(shape):
        return False
    for d in range(g._ndim):
        if g._shape[d] != shape[d]:
            return False
    return True

cdef object _fit(object g, tuple meta, object sum_to):
    """Make an input gradient match its input: undo broadcasting, cast back to the input's dtype."""
    cdef TensorBase t = <TensorBase>g
    cdef int dt = meta[1]
    if not _same_shape(t, meta[0]):
        g = sum_to(g, meta[0])
        t = <TensorBase>g
    if t._dtype != dt:
        if t._dtype >= CT_COMPLEX64 and dt < CT_COMPLEX64:
            g = g.real
        g = g.to(dtype_of_code(dt))
    return g

cdef object _dtypes = None

cdef object dtype_of_code(int dt):
    global _dtypes
    if _dtypes is None:
        from cytorch._C._tensor import ALL_DTYPES
        _dtypes = ALL_DTYPES
    return _dtypes[dt]

cdef object _run_hooks(list hooks, object g):
    for h in hooks:
        r = h(g)
        if r is not None:
            g = r
    return g

cdef inline bint _can_steal(TensorBase g, TensorBase leaf):
    """Whether g may become leaf.grad as it is, without a copy (PyTorch's "steal"): the caller
    holds the engine's only reference to g, so a reference count of 1 means no one else -- the
    user, a hook, a node, another gradient -- can reach g; its Storage counted once means no other
    tensor views its memory, which is our own allocation (not a NumPy array's), exactly g's size;
    no weak reference, no autograd state; and g has leaf's shape, dtype, dense row-major layout."""
    cdef Storage st = g._storage       # (this local is the second reference to the Storage)
    cdef int d
    if (Py_REFCNT(g) != 1 or Py_REFCNT(st) != 2 or type(g) is not _new_tensor_type()
            or not st._owned or g._offset != 0 or st.nbytes != g._numel * _SIZES_C[g._dtype]
            or g._requires_grad or g._grad_fn is not None or g._grad is not None or g._hooks is not None
            or g._vbase is not None
            or g._dtype != leaf._dtype or g._ndim != leaf._ndim or not _is_contiguous(g)):
        return False
    for d in range(g._ndim):
        if g._shape[d] != leaf._shape[d]:
            return False
    return weakref.getweakrefcount(g) == 0


cdef object _accumulate(AccumulateGrad acc, list buf, bint create_graph):
    """Add the gradient in buf[0] into acc's leaf's .grad (buf[0] is taken out of buf)."""
    cdef TensorBase leaf = acc.variable
    g = buf[0]
    buf[0] = None           # from here on the local g holds the engine's only reference
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g)
    if leaf._grad is None:
        if create_graph:
            leaf._grad = g.clone()      # recorded: .grad keeps its graph, and never is a tensor the user holds
        elif _can_steal(<TensorBase>g, leaf):
            leaf._grad = g
        else:
            # g may also be held elsewhere (a formula passing it through, the caller's seed, a hook)
            leaf._grad = g.detach().clone()
    elif create_graph:
        leaf._grad = leaf._grad + g
    else:
        leaf._grad.add_(g.detach() if (<TensorBase>g)._requires_grad else g)
    g = None
    post = getattr(leaf, "_post_accumulate_hooks", None)
    if post:
        for h in list(post):
            h(leaf)
    return None


def run_backward(tuple roots, tuple root_grads, bint keep_graph, bint create_graph, inputs=None,
                 bint accumulate=True, bint allow_unused=False, sum_to=None):
    """Backpropagate ``root_grads`` from ``roots``.

    accumulate=True: add into the leaves' .grad (all of them, or only ``inputs`` when given).
    accumulate=False: return the gradients of ``inputs`` (autograd.grad), touching no .grad.
    """
    cdef Node n, m
    cdef TensorBase t
    cdef int i, k
    cdef bint prev_mode
    cdef dict deps = {}, parents = {}, buffers = {}, captures = {}
    cdef list stack, order, ready
    cdef set ingraph
    root_edges = []
    for k in range(len(roots)):
        t = <TensorBase>roots[k]
        e = _edge(t)
        root_edges.append(e)
    # discover the graph (iteratively) and each node's parents
    stack = [e[0] for e in root_edges if e[0] is not None]
    seen = set(stack)
    order = list(stack)
    while stack:
        n = <Node>stack.pop()
        for e in n._edges:
            m_obj = e[0]
            if m_obj is None:
                continue
            p = parents.get(m_obj)
            if p is None:
                parents[m_obj] = [n]
            else:
                p.append(n)
            if m_obj not in seen:
                seen.add(m_obj)
                stack.append(m_obj)
                order.append(m_obj)
    # targets: where gradients are captured (autograd.grad) or the only leaves filled (inputs=)
    targets = None
    if inputs is not None:
        targets = []
        for k in range(len(inputs)):
            t = <TensorBase>inputs[k]
            if not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            e = _edge(t)
            targets.append(e)
            captures.setdefault(e, []).append(k)
        # only nodes that lead to a target run
        ingraph = set()
        stack = [e[0] for e in targets if e[0] in seen]
        for x in stack:
            ingraph.add(x)
        while stack:
            x = stack.pop()
            for p in parents.get(x, ()):
                if p not in ingraph:
                    ingraph.add(p)
                    stack.append(p)
    else:
        ingraph = seen
    target_nodes = None if targets is None else set([e[0] for e in targets])
    for x in order:
        if x not in ingraph:
            continue
        for e in (<Node>x)._edges:
            if e[0] is not None and e[0] in ingraph:
                deps[e[0]] = deps.get(e[0], 0) + 1
    # seed
    for k in range(len(root_edges)):
        x = root_edges[k][0]
        if x is None or x not in ingraph:
            continue
        buf = buffers.get(x)
        if buf is None:
            buf = [None] * (len((<Node>x)._out_meta) if (<Node>x)._out_meta is not None else 1)
            buffers[x] = buf
        i = root_edges[k][1]
        buf[i] = root_grads[k] if buf[i] is None else buf[i] + root_grads[k]
    ready = []
    for x in buffers:
        if deps.get(x, 0) == 0 and x not in ready:
            ready.append(x)
    results = [None] * (len(inputs) if inputs is not None else 0)
    prev_mode = _grad_enabled()
    _set_grad_enabled(create_graph)
    try:
        while ready:
            n = <Node>ready.pop()
            buf = buffers.pop(n, None)
            if buf is None:
                buf = [None]
            # tensor hooks and retain_grad on this node's outputs
            if n._pre_hooks:
                for i in range(len(buf)):
                    hooks = n._pre_hooks.get(i)
                    if hooks and buf[i] is not None:
                        buf[i] = _run_hooks(hooks, buf[i])
            if n._retain:
                for i, ref in n._retain.items():
                    tt = ref()
                    if tt is not None and buf[i] is not None:
                        g = buf[i] if create_graph else buf[i].detach()
                        if (<TensorBase>tt)._grad is None:
                            (<TensorBase>tt)._grad = g.clone()
                        else:
                            (<TensorBase>tt)._grad = (<TensorBase>tt)._grad + g
            if target_nodes is not None and n in target_nodes:
                for i in range(len(buf)):
                    slots = captures.get((n, i))
                    if slots is not None:
                        if isinstance(n, AccumulateGrad) and (<AccumulateGrad>n).variable._hooks and buf[i] is not None:
                            buf[i] = _run_hooks((<AccumulateGrad>n).variable._hooks, buf[i])
                        for k in slots:
                            results[k] = buf[i]
                            if accumulate and buf[i] is not None:
                                _accumulate_plain(<AccumulateGrad>n if isinstance(n, AccumulateGrad) else None,
                                                  inputs[k], buf[i], create_graph)
            if isinstance(n, AccumulateGrad):
                if targets is None and accumulate and buf[0] is not None:
                    _accumulate(<AccumulateGrad>n, buf, create_graph)
                continue
            if target_nodes is not None and not any([(<tuple>e)[0] in ingraph for e in n._edges]):
                continue
            grads = tuple(buf)
            if all([g is None for g in grads]):
                outs = (None,) * len(n._edges)
            else:
                if _anomaly:
                    try:
                        outs = n._fn(n, grads)
                    except Exception:
                        _warn_forward_trace(n)
                        raise
                else:
                    outs = n._fn(n, grads)
                if not isinstance(outs, tuple):
                    outs = (outs,)
                if _anomaly:
                    _check_outputs(n, outs)
                if len(outs) < len(n._edges):
                    outs = tuple(outs) + (None,) * (len(n._edges) - len(outs))
            if n._hooks:
                for h in n._hooks:
                    r = h(outs, grads)
                    if r is not None:
                        outs = tuple(r)
            if not keep_graph:
                n._release()
            for k in range(len(n._edges)):
                e = n._edges[k]
                m_obj = e[0]
                if m_obj is None or m_obj not in ingraph:
                    continue
                g = outs[k]
                if g is not None:
                    meta = n._in_meta[k]
                    if meta is not None:
                        g = _fit(g, meta, sum_to)
                    buf = buffers.get(m_obj)
                    if buf is None:
                        buf = [None] * (len((<Node>m_obj)._out_meta) if (<Node>m_obj)._out_meta is not None else 1)
                        buffers[m_obj] = buf
                    i = e[1]
                    if i >= len(buf):
                        raise RuntimeError(f"autograd: {n._name} sends a gradient to output {i} of "
                                           f"{(<Node>m_obj)._name}, which has {len(buf)}")
                    buf[i] = g if buf[i] is None else buf[i] + g
                c = deps[m_obj] - 1
                deps[m_obj] = c
                if c == 0:
                    ready.append(m_obj)
            # the gradients now live in the buffers alone: a leaf's .grad may take them without a copy
            outs = grads = g = r = None
    finally:
        _set_grad_enabled(prev_mode)
    if inputs is not None and not accumulate:
        for k in range(len(results)):
            if results[k] is None and not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {k} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
    return results


cdef object _accumulate_plain(object acc, object target, object g, bint create_graph):
    """backward(inputs=...): add g into target.grad (target may be a non-leaf)."""
    cdef TensorBase t = <TensorBase>target
    if t._grad is None:
        t._grad = g.clone() if create_graph else g.detach().clone()
    elif create_graph:
        t._grad = t._grad + g
    else:
        t._grad.add_(g.detach())
    return None


def _zeros_for(tuple grads, tuple out_meta):
    """grads with zeros in place of the missing ones (shapes and dtypes from out_meta)."""
    from cytorch._ops.creation import zeros
    cdef list r = list(grads)
    cdef int i
    for i in range(len(r)):
        if r[i] is None and out_meta[i] is not None:
            r[i] = zeros(out_meta[i][0], dtype=dtype_of_code(out_meta[i][1]))
    return tuple(r)

# ---------------------------------------------------------------- wrappers for Python-level ops (fast no-grad path)

cdef bint _seq_needs_grad(object seq) except -1:
    if isinstance(seq, (list, tuple)):
        for x in seq:
            if isinstance(x, TensorBase) and (<TensorBase>x)._requires_grad:
                return True
    return False

cdef bint _args_need_grad(int mode, tuple args, dict kw) except -1:
    if mode == 1:
        return len(args) > 0 and isinstance(args[0], TensorBase) and (<TensorBase>args[0])._requires_grad
    if mode == 2:
        return len(args) > 0 and _seq_needs_grad(args[0])
    for x in args:
        if isinstance(x, TensorBase) and (<TensorBase>x)._requires_grad:
            return True
    if kw:
        for x in kw.values():
            if isinstance(x, TensorBase) and (<TensorBase>x)._requires_grad:
                return True
    return False

def _make_wrapper(fn, int mode, record):
    """fn itself unless grad mode is on and an input requires grad; then record(args, kw).

    mode 0: any tensor argument may require grad; 1: only the first; 2: the first is a sequence.
    """
    def wrapper(*args, **kw):
        if _grad_enabled() and _args_need_grad(mode, args, kw):
            return record(args, kw)
        return fn(*args, **kw)
    return wrapper

def _make_getitem(fn, record):
    def __getitem__(self, key):
        if (<TensorBase>self)._requires_grad and _grad_enabled():
            return record((self, key), {})
        return fn(self, key)
    return __getitem__

"""Printing tensors the way PyTorch does (``tensor([1., 2.], dtype=cytorch.float64)``).

The layout rules follow PyTorch's documented output: one formatter per
tensor (integer, fixed-point or scientific, chosen from the magnitudes of
its finite non-zero values), elements right-aligned to a common width,
rows wrapped at ``linewidth``, and tensors above ``threshold`` elements
summarised to ``edgeitems`` per edge with ``...``. Printing is not a hot
path, so values are read with ``tolist()`` on (summarised) views.
"""
import math

from cytorch._C import _tensor as _C

__all__ = ["set_printoptions", "get_printoptions"]


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


_OPTS = _Options()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: element count above which tensors are summarised (default 1000).
        edgeitems: items shown at each edge of a summarised dimension (default 3).
        linewidth: characters per line (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"`` (applied first; explicit options win).
        sci_mode: True/False forces scientific notation on/off; None chooses automatically.

    Example::

        >>> cytorch.set_printoptions(precision=2)
        >>> cytorch.tensor([1.12345])
        tensor([1.12])
        >>> cytorch.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"Unknown profile {profile!r}: expected one of {sorted(_PROFILES)}")
        for k, v in _PROFILES[profile].items():
            setattr(_OPTS, k, v)
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            setattr(_OPTS, k, v)
    _OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict."""
    return {"precision": _OPTS.precision, "threshold": _OPTS.threshold, "edgeitems": _OPTS.edgeitems,
            "linewidth": _OPTS.linewidth, "sci_mode": _OPTS.sci_mode}


class _Ellipsis:
    """Marks the elided middle of a summarised dimension."""


_ELL = _Ellipsis()


def _collect(t, summarize):
    """Nested lists of Python values, with _ELL where a summarised dimension is cut."""
    if t.dim() == 0:
        return t.item()
    n, e = t.shape[0], _OPTS.edgeitems
    cut = summarize and n > 2 * e
    if t.dim() == 1:
        if cut:
            return t.narrow(0, 0, e).tolist() + [_ELL] + t.narrow(0, n - e, e).tolist()
        return t.tolist()
    idx = list(range(e)) + [None] + list(range(n - e, n)) if cut else range(n)
    return [_ELL if i is None else _collect(t.select(0, i), summarize) for i in idx]


def _flat(nested, out):
    if isinstance(nested, list):
        for x in nested:
            _flat(x, out)
    elif nested is not _ELL:
        out.append(nested)
    return out


class _Formatter:
    """Chooses one format for a set of values and pads them to a common width."""

    def __init__(self, values, kind):
        self.kind = kind            # "bool", "int" or "float"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = _OPTS.precision
        if kind != "float":
            self.max_width = max((len(str(v)) for v in values), default=1)
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if finite:
            mags = [abs(v) for v in finite]
            lo, hi = min(mags), max(mags)
            self.int_mode = all(v == math.ceil(v) for v in mags)
            if self.int_mode:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            if _OPTS.sci_mode is not None:   # the option only applies when there is something to scale
                self.sci_mode = _OPTS.sci_mode
        for v in finite:     # non-finite values and zeros never widen the columns
            if self.sci_mode:
                w = len(f"{v:.{p}e}")
            elif self.int_mode:
                w = len(f"{v:.0f}") + 1
            else:
                w = len(f"{v:.{p}f}")
            self.max_width = max(self.max_width, w)

    def width(self):
        return self.max_width

    def format(self, v):
        if self.kind != "float":
            s = str(v)
        elif self.sci_mode:
            s = f"{v:.{_OPTS.precision}e}"
        elif self.int_mode:
            s = f"{v:.0f}" + ("." if math.isfinite(v) else "")
        else:
            s = f"{v:.{_OPTS.precision}f}"
        return " " * (self.max_width - len(s)) + s


def _make_formatters(values, dt):
    if dt.is_complex:
        return (_Formatter([v.real for v in values], "float"), _Formatter([v.imag for v in values], "float"))
    kind = "float" if dt.is_floating_point else "bool" if dt._name == "bool" else "int"
    return _Formatter(values, kind), None


def _element(v, f1, f2, scalar=False):
    if f2 is None:
        s = f1.format(v)
        return s.lstrip() if scalar else s
    re = f1.format(v.real)
    im = (f2.format(v.imag) + "j").lstrip()
    if scalar:
        re = re.lstrip()
    return re + im if im[0] in "+-" else re + "+" + im


def _vector(data, indent, f1, f2):
    elem_len = f1.width() + 2 + (f2.width() + 1 if f2 is not None else 0)
    per_line = max(1, int(math.floor((_OPTS.linewidth - indent) / elem_len)))
    items = [" ..." if v is _ELL else _element(v, f1, f2) for v in data]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(data, ndim, indent, f1, f2):
    if ndim == 1:
        return _vector(data, indent, f1, f2)
    parts = ["..." if x is _ELL else _nested(x, ndim - 1, indent + 1, f1, f2) for x in data]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _tensor_body(t, indent):
    summarize = t.numel() > _OPTS.threshold
    data = _collect(t, summarize)
    values = _flat(data, []) if t.dim() > 0 else [data]
    f1, f2 = _make_formatters(values, t.dtype)
    if t.dim() == 0:
        return _element(data, f1, f2, scalar=True)
    return _nested(data, t.dim(), indent, f1, f2)


def _width(s):
    """Printed width as PyTorch counts it: lines break where they break in PyTorch's output,
    so the two differ only by the module name in ``dtype=cytorch.float64``."""
    return len(s.replace("cytorch.", "torch."))


def _add_suffixes(body, suffixes, indent):
    """Append ', suffix' pieces, moving one to a new line when it would pass linewidth."""
    out = [body]
    last_len = len(body) - body.rfind("\n") + 1
    for s in suffixes:
        if last_len + _width(s) + 2 > _OPTS.linewidth:
            out.append(",\n" + " " * indent + s)
            last_len = indent + _width(s)
        else:
            out.append(", " + s)
            last_len += _width(s) + 2
    out.append(")")
    return "".join(out)


def _default_dtypes():
    d = _C.get_default_dtype()
    cplx = _C._dtype_from_name("complex128" if d._name == "float64" else "complex64")
    return (d, cplx, _C._dtype_from_name("int64"), _C._dtype_from_name("bool"))


def _str(t, tensor_contents=None):
    """repr(t): ``tensor(<values>[, size=...][, dtype=...][, requires_grad=True][, grad_fn=<...>])``."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if tensor_contents is not None:
        body = tensor_contents
    elif t.numel() == 0:
        body = "[]"
    else:
        body = _tensor_body(t, indent)
    if t.numel() == 0:
        if t.dim() != 1:
            suffixes.append("size=" + str(tuple(t.shape)))
        if t.dtype != _C.get_default_dtype():
            suffixes.append("dtype=" + repr(t.dtype))
    elif t.dtype not in _default_dtypes():
        suffixes.append("dtype=" + repr(t.dtype))
    suffixes.extend(_autograd_suffixes(t))
    return _add_suffixes(prefix + body, suffixes, indent)


def _autograd_suffixes(t):
    """requires_grad / grad_fn annotations (empty until autograd exists)."""
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        name = getattr(grad_fn, "name", None)
        name = name() if callable(name) else type(grad_fn).__name__
        return [f"grad_fn=<{name}>"]
    if getattr(t, "requires_grad", False):
        return ["requires_grad=True"]
    return []

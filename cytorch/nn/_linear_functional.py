"""linear and bilinear, the functional forms of nn.Linear and nn.Bilinear.

``linear`` is one BLAS call (addmm with the bias folded in as gemm's C, or mm) on the
transposed weight *view* (a transpose flag, no copy), and it records one autograd node whose
backward sits right below it: two gemms and a column sum. ``bilinear`` is built from
differentiable ops (one gemm, a product and a sum), so autograd needs no entry for it.
"""
import cytorch
from cytorch._C._tensor import TensorBase
from cytorch.autograd._formulas import generic
from cytorch.autograd._wrap import differentiable

__all__ = ["linear", "bilinear"]


def _check_tensor(x, op, name):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{op}(): argument '{name}' (position {1 + ('input', 'weight', 'bias').index(name)}) "
                        f"must be Tensor, not {type(x).__name__}")


def _linear(input, weight, bias=None):
    # y = x W^T + b
    if not isinstance(input, TensorBase) or not isinstance(weight, TensorBase):
        _check_tensor(input, "linear", "input")
        _check_tensor(weight, "linear", "weight")
    if bias is not None and not isinstance(bias, TensorBase):
        _check_tensor(bias, "linear", "bias")
    if weight.dim() == 2:
        nd = input.dim()
        if nd == 2:
            return cytorch.addmm(bias, input, weight.t()) if bias is not None else cytorch.mm(input, weight.t())
        if nd > 2:
            # (..., K) as one (M, K) matrix: a single gemm instead of a batched matmul
            lead = input.shape[:-1]
            m = 1
            for s in lead:
                m *= s
            x2 = input.reshape(m, input.shape[-1])
            y = cytorch.addmm(bias, x2, weight.t()) if bias is not None else cytorch.mm(x2, weight.t())
            return y.view(*lead, weight.shape[0])
    y = cytorch.matmul(input, weight.t())
    if bias is not None:
        y = y + bias
    return y


@generic("linear", name="LinearBackward0")
def _linear_bw(n, g):
    # y = x W^T + b:  dx = g W,  dW = g^T x (over all leading dims),  db = sum of g's rows
    x, w = n.saved_tensors
    need = n.needs_input_grad
    gx = gw = gb = None
    if w.dim() == 1:                 # y = x . w (the last dim contracted away)
        if need[0]:
            gx = g.unsqueeze(-1) * w
        if need[1]:
            gw = (g.unsqueeze(-1) * x).reshape(-1, w.shape[0]).sum(0)
        if need[2]:
            gb = g.sum() if g.dim() else g
        return gx, gw, gb
    if need[0]:
        gx = cytorch.mm(g, w) if g.dim() == 2 else cytorch.matmul(g, w)
    if need[1] or need[2]:
        g2 = g if g.dim() == 2 else g.reshape(-1, w.shape[0])
        if need[1]:
            x2 = x if x.dim() == 2 else x.reshape(-1, w.shape[1])
            gw = cytorch.mm(g2.t(), x2)
        if need[2]:
            gb = g2.sum(0)
    return gx, gw, gb


linear = differentiable("linear", _linear, lambda input, weight, bias=None: (input, weight, bias),
                        save=lambda input, weight, bias=None: (input, weight), name="linear")
linear.__doc__ = r"""linear(input, weight, bias=None) -> Tensor

Applies an affine map: :math:`y = x W^T + b`.

Args:
    input (Tensor): :math:`(*, \text{in\_features})`
    weight (Tensor): :math:`(\text{out\_features}, \text{in\_features})` (or :math:`(\text{in\_features})`)
    bias (Tensor, optional): :math:`(\text{out\_features})` (or :math:`()`)

Shape:
    Output: :math:`(*, \text{out\_features})`

Example::

    >>> y = F.linear(cytorch.randn(64, 784), cytorch.randn(128, 784), cytorch.zeros(128))
    >>> y.shape
    cytorch.Size([64, 128])
"""


def bilinear(input1, input2, weight, bias=None):
    r"""Applies a bilinear map: :math:`y_k = x_1^T A_k x_2 + b_k`.

    Args:
        input1 (Tensor): :math:`(*, \text{in1\_features})`
        input2 (Tensor): :math:`(*, \text{in2\_features})`, the same leading dims as input1
        weight (Tensor): :math:`(\text{out\_features}, \text{in1\_features}, \text{in2\_features})`
        bias (Tensor, optional): :math:`(\text{out\_features})`

    Shape:
        Output: :math:`(*, \text{out\_features})`

    Example::

        >>> F.bilinear(cytorch.randn(8, 4), cytorch.randn(8, 5), cytorch.randn(3, 4, 5)).shape
        cytorch.Size([8, 3])
    """
    for x, nm in ((input1, "input1"), (input2, "input2"), (weight, "weight")):
        if not isinstance(x, TensorBase):
            raise TypeError(f"bilinear(): argument '{nm}' must be Tensor, not {type(x).__name__}")
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {input1.shape[d]} and {input2.shape[d]}")
    if weight.dim() < 2 or input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} "
                           f"but expected {weight.shape[1] if weight.dim() > 1 else weight.numel()}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, got {weight.dim()}-D")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} "
                           f"but expected {weight.shape[2]}")
    out_f, in1, in2 = weight.shape
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_f):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0] if bias.dim() else bias.numel()} but expected {out_f}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # t[n, o, j] = sum_i x1[n, i] A[o, i, j]: one gemm against A laid out as (in1, out * in2)
    a = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = cytorch.mm(x1, a).view(x1.shape[0], out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out_f)

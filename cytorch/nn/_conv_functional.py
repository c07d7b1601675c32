"""Convolution, pooling, resampling and pixel-rearranging functions of cytorch.nn.functional.

PyTorch's signatures, defaults, output sizes and error messages; the arithmetic is in the
differentiable primitives of ``cytorch/nn/_conv_formulas.py`` (C kernels in src_c/ct_conv.c
and src_c/ct_pool.c). Channels-first layout; every op takes a batch dim or, where PyTorch
does, an unbatched input (one dim fewer), handled by adding and removing a batch dim of 1.
float32 and float64 run natively; float16/bfloat16 are computed in float32 and cast back.
"""
import math

import cytorch as _t
from cytorch._C._tensor import TensorBase
from cytorch.nn import _conv_formulas as _F

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "unfold", "fold",
]

_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
           "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
           "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
           "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}
_PRETTY = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
           "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _dname(dt):
    return str(dt).split(".")[-1]


def _tensor(x, fname, arg):
    if not isinstance(x, TensorBase):
        raise TypeError(f"{fname}(): argument '{arg}' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def _ints(v, n, name, fname):
    """v as a tuple of n ints (an int, or a sequence of 1 or n ints)."""
    if isinstance(v, bool) or isinstance(v, float) or isinstance(v, str):
        raise TypeError(f"{fname}(): argument '{name}' must be tuple of ints, not {type(v).__name__}")
    if hasattr(v, "__index__"):
        return (v.__index__(),) * n
    try:
        vals = tuple(int(i) if not isinstance(i, float) else _bad_float(fname, name) for i in v)
    except TypeError:
        raise TypeError(f"{fname}(): argument '{name}' must be tuple of ints, not {type(v).__name__}") from None
    if len(vals) == 1:
        return vals * n
    if len(vals) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                           f"the convolution dimensions, but got {name}={list(vals)}")
    return vals


def _bad_float(fname, name):
    raise TypeError(f"{fname}(): argument '{name}' must be tuple of ints, not float")


def _float_kind(x, fname):
    """The dtype to compute in (float32/float64); half types go through float32."""
    dt = _dname(x.dtype)
    if dt in ("float32", "float64"):
        return None
    if dt in ("float16", "bfloat16"):
        return _t.float32
    raise RuntimeError(f"\"{fname}\" not implemented for '{_PRETTY.get(dt, dt)}'")


def _batched(x, nsp, fname, unbatched_ok=True):
    """x with a batch dim (and whether one was added), after PyTorch's rank check."""
    if x.dim() == nsp + 2:
        return x, False
    if unbatched_ok and x.dim() == nsp + 1:
        return x.unsqueeze(0), True
    raise RuntimeError(f"Expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input to {fname}, "
                       f"but got input of size: {list(x.shape)}")


# ---------------------------------------------------------------- convolution

def _conv_checks(x, weight, bias, groups, fname, transposed):
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"{fname}(): argument 'groups' must be int, not {type(groups).__name__}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.dim() != x.dim():
        raise RuntimeError(f"Expected {x.dim()}-dimensional weight for {x.dim()}-dimensional input "
                           f"{list(x.shape)}, but got {weight.dim()}-dimensional weight of size "
                           f"{list(weight.shape)} instead")
    w0 = weight.shape[0]
    if w0 < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    if w0 % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{list(weight.shape)}] instead")
    if transposed:
        if x.shape[1] != w0:
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                               f"{list(x.shape)} to have {w0} channels, but got {x.shape[1]} channels instead")
        cout = weight.shape[1] * groups
    else:
        if x.shape[1] != weight.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                               f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got "
                               f"{x.shape[1]} channels instead")
        cout = w0
    if x.dtype != weight.dtype:
        raise RuntimeError(f"Input type (cytorch.{_LEGACY.get(_dname(x.dtype))}) and weight type "
                           f"(cytorch.{_LEGACY.get(_dname(weight.dtype))}) should be the same")
    if bias is not None:
        _tensor(bias, fname, "bias")
        if bias.dim() != 1 or bias.shape[0] != cout:
            raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional "
                               f"with {cout} elements, but got bias of size {list(bias.shape)} instead")
        if bias.dtype != x.dtype:
            raise RuntimeError(f"Input type (cytorch.{_LEGACY.get(_dname(x.dtype))}) and bias type "
                               f"(cytorch.{_LEGACY.get(_dname(bias.dtype))}) should be the same")
    return cout


def _conv(input, weight, bias, stride, padding, dilation, groups, nsp, fname):
    _tensor(input, fname, "input")
    _tensor(weight, fname, "weight")
    x, unbatched = _batched(input, nsp, fname)
    _conv_checks(x, weight, bias, groups, fname, False)
    stride = _ints(stride, nsp, "stride", fname)
    dilation = _ints(dilation, nsp, "dilation", fname)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    insize = tuple(x.shape[2:])
    ksize = tuple(weight.shape[2:])
    span = tuple(d * (k - 1) + 1 for d, k in zip(dilation, ksize))
    if isinstance(padding, str):
        if padding == "valid":
            lead, total = (0,) * nsp, (0,) * nsp
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = tuple(sp - 1 for sp in span)
            lead = tuple(tp // 2 for tp in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        lead = _ints(padding, nsp, "padding", fname)
        if any(p < 0 for p in lead):
            raise RuntimeError("negative padding is not supported")
        total = tuple(2 * p for p in lead)
    padded = tuple(i + tp for i, tp in zip(insize, total))
    if any(pd < sp for pd, sp in zip(padded, span)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than "
                           f"actual input size")
    out = tuple((pd - sp) // s + 1 for pd, sp, s in zip(padded, span, stride))
    half = _float_kind(x, fname)
    if half is not None:
        y = _F.conv(x.to(half), weight.to(half), None if bias is None else bias.to(half), out, stride, lead,
                    dilation, groups).to(x.dtype)
    else:
        y = _F.conv(x, weight, bias, out, stride, lead, dilation, groups)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) over an input of shape (N, C_in, L) or (C_in, L).

    Args:
        input: (N, C_in, L_in) or (C_in, L_in).
        weight: (C_out, C_in / groups, kW).
        bias: optional (C_out,).
        stride, padding, dilation: an int or a 1-tuple; padding may be 'valid' or 'same'.
        groups: split input and output channels into this many independent groups.

    Shape:
        L_out = floor((L_in + 2*padding - dilation*(kW - 1) - 1) / stride + 1)

    Example::
        >>> F.conv1d(cytorch.ones(1, 1, 5), cytorch.ones(1, 1, 3)).tolist()
        [[[3.0, 3.0, 3.0]]]
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) over an input of shape (N, C_in, H, W) or (C_in, H, W).

    Args:
        input: (N, C_in, H_in, W_in) or (C_in, H_in, W_in).
        weight: (C_out, C_in / groups, kH, kW).
        bias: optional (C_out,).
        stride, padding, dilation: an int or a pair; padding may be 'valid' or 'same' (stride 1;
            with an even kernel the extra zero goes after, as in PyTorch).
        groups: split input and output channels into this many independent groups
            (groups == C_in is a depthwise convolution).

    Shape:
        H_out = floor((H_in + 2*padding[0] - dilation[0]*(kH - 1) - 1) / stride[0] + 1), W likewise.

    Example::
        >>> F.conv2d(cytorch.ones(1, 1, 4, 4), cytorch.ones(2, 1, 3, 3), padding=1).shape
        cytorch.Size([1, 2, 4, 4])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over an input of shape (N, C_in, D, H, W) or (C_in, D, H, W).

    Args and Shape as conv2d, with a third spatial dim (kernel (C_out, C_in / groups, kD, kH, kW)).

    Example::
        >>> F.conv3d(cytorch.ones(1, 1, 3, 3, 3), cytorch.ones(1, 1, 3, 3, 3)).item()
        27.0
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nsp, fname):
    _tensor(input, fname, "input")
    _tensor(weight, fname, "weight")
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
    x, unbatched = _batched(input, nsp, fname)
    _conv_checks(x, weight, bias, groups, fname, True)
    stride = _ints(stride, nsp, "stride", fname)
    dilation = _ints(dilation, nsp, "dilation", fname)
    pad = _ints(padding, nsp, "padding", fname)
    opad = _ints(output_padding, nsp, "output_padding", fname)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if any(p < 0 for p in pad):
        raise RuntimeError("negative padding is not supported")
    if any(o < 0 for o in opad):
        raise RuntimeError("negative output_padding is not supported")
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dilation)):
        names = ("depth", "height", "width")[3 - nsp:]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           + " ".join(f"output_padding_{n}: {o}" for n, o in zip(names, opad)) + " "
                           + " ".join(f"stride_{n}: {s}" for n, s in zip(names, stride)) + " "
                           + " ".join(f"dilation_{n}: {d}" for n, d in zip(names, dilation)))
    insize = tuple(x.shape[2:])
    ksize = tuple(weight.shape[2:])
    out = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1
                for i, s, p, d, k, o in zip(insize, stride, pad, dilation, ksize, opad))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, insize))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, out))}). Output size is too small")
    half = _float_kind(x, fname)
    xx, ww, bb = (x, weight, bias) if half is None else (
        x.to(half), weight.to(half), None if bias is None else bias.to(half))
    y = _F.conv_input_grad(xx, ww, out, stride, pad, dilation, groups)
    if bb is not None:
        y = y + bb.reshape((1, -1) + (1,) * nsp)
    if half is not None:
        y = y.to(x.dtype)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-d transposed convolution (the gradient of conv1d with respect to its input).

    Args:
        input: (N, C_in, L_in) or (C_in, L_in).
        weight: (C_in, C_out / groups, kW).
        bias: optional (C_out,).
        stride, padding, output_padding, dilation: an int or a 1-tuple; output_padding adds
            positions at the end (smaller than stride or dilation).

    Shape:
        L_out = (L_in - 1)*stride - 2*padding + dilation*(kW - 1) + output_padding + 1

    Example::
        >>> F.conv_transpose1d(cytorch.ones(1, 1, 2), cytorch.ones(1, 1, 2)).tolist()
        [[[1.0, 2.0, 1.0]]]
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-d transposed convolution (the gradient of conv2d with respect to its input).

    Args:
        input: (N, C_in, H_in, W_in) or (C_in, H_in, W_in).
        weight: (C_in, C_out / groups, kH, kW).
        bias: optional (C_out,).
        stride, padding, output_padding, dilation: an int or a pair.
        groups: independent groups of channels.

    Shape:
        H_out = (H_in - 1)*stride[0] - 2*padding[0] + dilation[0]*(kH - 1) + output_padding[0] + 1

    Example::
        >>> F.conv_transpose2d(cytorch.ones(1, 1, 2, 2), cytorch.ones(1, 1, 2, 2), stride=2).shape
        cytorch.Size([1, 1, 4, 4])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-d transposed convolution; Args and Shape as conv_transpose2d with a third spatial dim.

    Example::
        >>> F.conv_transpose3d(cytorch.ones(1, 1, 1, 1, 1), cytorch.ones(1, 2, 2, 2, 2)).shape
        cytorch.Size([1, 2, 2, 2, 2])
    """
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


# ---------------------------------------------------------------- unfold / fold

def _fold_args(kernel_size, dilation, padding, stride):
    names = ("kernel_size", "dilation", "padding", "stride")
    vals = []
    for nm, v in zip(names, (kernel_size, dilation, padding, stride)):
        if hasattr(v, "__index__") and not isinstance(v, bool):
            vals.append((v.__index__(),) * 2)
            continue
        v = tuple(v)
        if len(v) != 2:
            raise RuntimeError(f"It is expected {nm} equals to 2, but got size {len(v)}")
        vals.append(tuple(int(i) for i in v))
    k, d, p, s = vals
    if any(i <= 0 for i in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
                           f"kernel_width: {k[1]}")
    if any(i <= 0 for i in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} stride_width: {s[1]}")
    if any(i <= 0 for i in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {d[0]} "
                           f"dilation_width: {d[1]}")
    if any(i < 0 for i in p):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    return k, d, p, s


def _blocks(size, k, d, p, s):
    return tuple((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, pp, ss in zip(size, k, d, p, s))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks (im2col): (N, C, H, W) -> (N, C*kH*kW, L), L the number of blocks.

    Args:
        input: (N, C, H, W) or (C, H, W).
        kernel_size, dilation, padding, stride: an int or a pair.

    Shape:
        L = prod over (H, W) of floor((size + 2*padding - dilation*(k - 1) - 1) / stride + 1)

    Example::
        >>> F.unfold(cytorch.arange(16.).reshape(1, 1, 4, 4), 2, stride=2).shape
        cytorch.Size([1, 4, 4])
    """
    _tensor(input, "unfold", "input")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    x = input.unsqueeze(0) if input.dim() == 3 else input
    size = tuple(x.shape[2:])
    out = _blocks(size, k, d, p, s)
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input with spatial size {size}, kernel_size={k}, dilation={d}, padding={p}, "
                           f"calculated shape of the array of sliding blocks as {out}, but its components must "
                           f"be at least one.")
    dt = _dname(x.dtype)
    if dt not in ("float32", "float64", "float16", "bfloat16"):
        raise NotImplementedError(f"\"im2col_out_cpu\" not implemented for '{_PRETTY.get(dt, dt)}'")
    half = _float_kind(x, "im2col")
    cols = _F.im2col(x if half is None else x.to(half), out, k, s, p, d)
    if half is not None:
        cols = cols.to(x.dtype)
    return cols.squeeze(0) if input.dim() == 3 else cols


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into a tensor, summing overlaps (col2im; the adjoint of unfold).

    Args:
        input: (N, C*kH*kW, L) or (C*kH*kW, L).
        output_size: the spatial size (H, W) of the result (an int or a pair).
        kernel_size, dilation, padding, stride: an int or a pair, as given to unfold.

    Shape:
        output (N, C, H, W)

    Example::
        >>> F.fold(cytorch.ones(1, 4, 4), (4, 4), 2, stride=2).sum().item()
        16.0
    """
    _tensor(input, "fold", "input")
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {list(input.shape)}")
    k, d, p, s = _fold_args(kernel_size, dilation, padding, stride)
    if hasattr(output_size, "__index__"):
        osz = (output_size.__index__(),) * 2
    else:
        osz = tuple(int(i) for i in output_size)
        if len(osz) != 2:
            raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(osz)}")
    x = input.unsqueeze(0) if input.dim() == 2 else input
    kk = k[0] * k[1]
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size={k}.")
    out = _blocks(osz, k, d, p, s)
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given output_size={osz}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                           f"calculated shape of the array of sliding blocks as {out}, but its components must "
                           f"be at least one.")
    if x.shape[2] != out[0] * out[1]:
        raise RuntimeError(f"Given output_size={osz}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                           f"expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got input.size(2)={x.shape[2]}.")
    dt = _dname(x.dtype)
    if dt not in ("float32", "float64", "float16", "bfloat16"):
        raise NotImplementedError(f"\"col2im_out_cpu\" not implemented for '{_PRETTY.get(dt, dt)}'")
    half = _float_kind(x, "col2im")
    y = _F.col2im(x if half is None else x.to(half), osz, out, k, s, p, d)
    if half is not None:
        y = y.to(x.dtype)
    return y.squeeze(0) if input.dim() == 2 else y

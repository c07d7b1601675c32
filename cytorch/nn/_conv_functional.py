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
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices",
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "grid_sample", "affine_grid",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
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


def _float_or_raise(x, fname):
    """x in the dtype its kernel computes in (see _float_kind)."""
    half = _float_kind(x, fname)
    return x if half is None else x.to(half)


def _restore(y, x, unbatched):
    """A kernel's result y back in x's dtype, without the batch dim that _batched added."""
    if y.dtype != x.dtype:
        y = y.to(x.dtype)
    return y.squeeze(0) if unbatched else y


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


def _conv_setup(input, weight, bias, groups, stride, dilation, nsp, fname, transposed):
    """(x with a batch dim, whether one was added, stride, dilation as nsp ints) after the checks a
    convolution and a transposed one share."""
    x, unbatched = _batched(input, nsp, fname)
    _conv_checks(x, weight, bias, groups, fname, transposed)
    return x, unbatched, _ints(stride, nsp, "stride", fname), _ints(dilation, nsp, "dilation", fname)


def _positive(stride, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")


def _conv(input, weight, bias, stride, padding, dilation, groups, nsp, fname):
    _tensor(input, fname, "input")
    _tensor(weight, fname, "weight")
    x, unbatched, stride, dilation = _conv_setup(input, weight, bias, groups, stride, dilation, nsp, fname, False)
    _positive(stride, dilation)
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
    y = _F.conv(_float_or_raise(x, fname), _float_or_raise(weight, fname),
                None if bias is None else _float_or_raise(bias, fname), out, stride, lead, dilation, groups)
    return _restore(y, x, unbatched)


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
    x, unbatched, stride, dilation = _conv_setup(input, weight, bias, groups, stride, dilation, nsp, fname, True)
    pad = _ints(padding, nsp, "padding", fname)
    opad = _ints(output_padding, nsp, "output_padding", fname)
    _positive(stride, dilation)
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
    y = _F.conv_input_grad(_float_or_raise(x, fname), _float_or_raise(weight, fname), out, stride, pad, dilation,
                           groups)
    if bias is not None:
        y = y + _float_or_raise(bias, fname).reshape((1, -1) + (1,) * nsp)
    return _restore(y, x, unbatched)


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


def _fold_input(x, kernel):
    """x in its compute dtype for the im2col / col2im kernel (PyTorch's NotImplementedError for
    non-float dtypes)."""
    dt = _dname(x.dtype)
    if dt not in ("float32", "float64", "float16", "bfloat16"):
        raise NotImplementedError(f"\"{kernel}_out_cpu\" not implemented for '{_PRETTY.get(dt, dt)}'")
    return _float_or_raise(x, kernel)


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
    cols = _F.im2col(_fold_input(x, "im2col"), out, k, s, p, d)
    return _restore(cols, x, input.dim() == 3)


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
    y = _F.col2im(_fold_input(x, "col2im"), osz, out, k, s, p, d)
    return _restore(y, x, input.dim() == 2)


# ---------------------------------------------------------------- pooling

def _pool_ints(v, n, name, fname):
    """kernel_size / stride / padding / dilation of an n-d pool: an int or a tuple of 1 or n ints."""
    if hasattr(v, "__index__") and not isinstance(v, bool):
        return (v.__index__(),) * n
    if isinstance(v, (tuple, list)) and len(v) in (1, n) and all(hasattr(i, "__index__") for i in v):
        return tuple(i.__index__() for i in v) * (n if len(v) == 1 else 1)
    what = {1: "a single int", 2: "a single int, or a tuple of two ints",
            3: "a single int, or a tuple of three ints"}[n]
    raise RuntimeError(f"{fname}: {name} must either be {what}")


def _pool_stride(stride, k, nsp, fname):
    """A pool's stride as nsp ints; None or an empty sequence means the kernel size k."""
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        return k
    return _pool_ints(stride, nsp, "stride", fname)


def _pool_input(input, nsp, fname):
    _tensor(input, fname, "input")
    if input.dim() not in (nsp + 1, nsp + 2) or any(s == 0 for s in input.shape[-nsp - 1:]):
        lo, hi = nsp + 1, nsp + 2
        raise RuntimeError(f"non-empty {lo}D or {hi}D (batch mode) tensor expected for input")
    return _batched(input, nsp, fname)


def _pool_out_size(i, k, s, p, d, ceil_mode):
    o = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    return o


def _pool_sizes(x, nsp, k, stride, pad, dil, ceil_mode, fname):
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got {k}")
    if any(v <= 0 for v in stride):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation {dil}")
    for kk, pp, dd in zip(k, pad, dil):
        if pp < 0 or pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    insize = tuple(x.shape[2:])
    out = tuple(_pool_out_size(i, kk, s, pp, dd, ceil_mode) for i, kk, s, pp, dd in zip(insize, k, stride, pad, dil))
    if any(o < 1 for o in out):
        c = x.shape[1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + insize))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + out))}). Output size is too small")
    return out


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nsp, fname):
    x, unbatched = _pool_input(input, nsp, fname)
    k = _pool_ints(kernel_size, nsp, "kernel_size", fname)
    st = _pool_stride(stride, k, nsp, fname)
    pad = _pool_ints(padding, nsp, "padding", fname)
    dil = _pool_ints(dilation, nsp, "dilation", fname)
    out = _pool_sizes(x, nsp, k, st, pad, dil, ceil_mode, fname)
    y, idx = _F.max_pool(_float_or_raise(x, fname), out, k, st, pad, dil, return_indices)
    y = _restore(y, x, unbatched)
    if unbatched and idx is not None:
        idx = idx.squeeze(0)
    return (y, idx) if return_indices else y


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-d max pooling over (N, C, L) or (C, L).

    Args:
        kernel_size: window size; stride: defaults to kernel_size; padding: implicit -inf on
            both sides (at most half the kernel); dilation: spacing of window elements;
        ceil_mode: round the output size up (windows may start in the right padding, not past it);
        return_indices: also return the flat index of each maximum (for max_unpool1d).

    Shape:
        L_out = floor((L + 2*padding - dilation*(kernel_size - 1) - 1) / stride + 1) (ceil with ceil_mode)

    Example::
        >>> F.max_pool1d(cytorch.tensor([[[1., 3., 2., 5.]]]), 2).tolist()
        [[[3.0, 5.0]]]
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-d max pooling over (N, C, H, W) or (C, H, W); arguments as max_pool1d, each an int or a pair.
    NaN propagates (a window holding NaN gives NaN).

    Example::
        >>> F.max_pool2d(cytorch.arange(16.).reshape(1, 1, 4, 4), 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W); arguments as max_pool1d.

    Example::
        >>> F.max_pool3d(cytorch.arange(8.).reshape(1, 1, 2, 2, 2), 2).item()
        7.0
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool1d returning (values, indices)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 1, "max_pool1d")


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool2d returning (values, indices)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 2, "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool3d returning (values, indices)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, True, 3, "max_pool3d")


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nsp, fname):
    _tensor(input, fname, "input")
    _tensor(indices, fname, "indices")
    k = _pool_ints(kernel_size, nsp, "kernel_size", fname)
    st = k if stride is None else _pool_ints(stride, nsp, "stride", fname)
    pad = _pool_ints(padding, nsp, "padding", fname)
    x, unbatched = _batched(input, nsp, fname)
    idx = indices.unsqueeze(0) if unbatched else indices
    insize = tuple(x.shape[2:])
    default = tuple((i - 1) * s + kk - 2 * p for i, s, kk, p in zip(insize, st, k, pad))
    if output_size is None:
        size = default
    else:
        size = tuple(int(v) for v in output_size)
        if len(size) == nsp + 2 or len(size) == nsp + 1:
            size = size[-nsp:]
        if len(size) != nsp:
            raise ValueError(f"output_size should be a sequence containing {nsp} or {nsp + 2} elements, "
                             f"but it has a length of '{len(size)}'")
        for o, dflt, s in zip(size, default, st):
            if o < dflt - s or o > dflt + s:
                raise ValueError(f"invalid output_size \"{list(size)}\" (dim {list(size).index(o)} must be between "
                                 f"{dflt - s} and {dflt + s})")
    if idx.dtype != _t.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {idx.dtype}")
    return _restore(_F.max_unpool(_float_or_raise(x, fname), idx, size), x, unbatched)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: put each value at its index, zeros elsewhere.

    Args:
        input, indices: the outputs of max_pool1d(..., return_indices=True).
        kernel_size, stride, padding: as given to max_pool1d; output_size: the exact size wanted
            (within one stride of the default (L_in - 1)*stride - 2*padding + kernel_size).

    Example::
        >>> y, i = F.max_pool1d(cytorch.tensor([[[1., 3., 2., 5.]]]), 2, return_indices=True)
        >>> F.max_unpool1d(y, i, 2).tolist()
        [[[0.0, 3.0, 0.0, 5.0]]]
    """
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d (see max_unpool1d); indices index the H*W output plane."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d (see max_unpool1d)."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nsp, fname):
    x, unbatched = _pool_input(input, nsp, fname)
    k = _pool_ints(kernel_size, nsp, "kernel_size", fname)
    st = _pool_stride(stride, k, nsp, fname)
    pad = _pool_ints(padding, nsp, "padding", fname)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out = _pool_sizes(x, nsp, k, st, pad, (1,) * nsp, ceil_mode, fname)
    y = _F.avg_pool(_float_or_raise(x, fname), out, k, st, pad, bool(count_include_pad),
                    int(divisor_override) if divisor_override is not None else 0)
    return _restore(y, x, unbatched)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-d average pooling over (N, C, L) or (C, L).

    Args:
        kernel_size, stride (default kernel_size), padding (zeros, at most half the kernel),
        ceil_mode: as max_pool1d;
        count_include_pad: divide by the window size including the padding (else only the
            input values in it).

    Example::
        >>> F.avg_pool1d(cytorch.tensor([[[1., 3., 2., 6.]]]), 2).tolist()
        [[[2.0, 4.0]]]
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-d average pooling over (N, C, H, W) or (C, H, W); as avg_pool1d, plus divisor_override
    (divide every window by this number instead).

    Example::
        >>> F.avg_pool2d(cytorch.ones(1, 1, 4, 4), 2, divisor_override=1).tolist()
        [[[[4.0, 4.0], [4.0, 4.0]]]]
    """
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W); as avg_pool2d."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                     "avg_pool3d")


def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nsp, fname):
    k = _pool_ints(kernel_size, nsp, "kernel_size", fname)
    avg = (avg_pool1d, avg_pool2d, avg_pool3d)[nsp - 1]
    if stride is not None:
        out = avg(input.pow(norm_type), k, stride, 0, ceil_mode)
    else:
        out = avg(input.pow(norm_type), k, padding=0, ceil_mode=ceil_mode)
    return (_t.sign(out) * _t.relu(_t.abs(out))).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: (sum over the window of x^p)^(1/p), p = norm_type (PyTorch's formula,
    so windows of negative sums give NaN for fractional 1/p, as there).

    Example::
        >>> F.lp_pool1d(cytorch.tensor([[[3., 4.]]]), 2, 2).tolist()
        [[[5.0]]]
    """
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, "lp_pool1d")


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-d power-average pooling (see lp_pool1d)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, "lp_pool2d")


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-d power-average pooling (see lp_pool1d)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, "lp_pool3d")


def _adaptive_size(x, output_size, nsp, fname):
    if hasattr(output_size, "__index__") and not isinstance(output_size, bool):
        size = (output_size.__index__(),) * nsp
    else:
        size = tuple(output_size)
        if len(size) == 1 and nsp > 1:
            size = size * nsp
        if len(size) != nsp:
            raise RuntimeError(f"{fname}: output_size must be {nsp}")
        size = tuple(x.shape[2 + d] if v is None else int(v) for d, v in enumerate(size))
    if any(v < 0 for v in size):
        raise RuntimeError(f"{fname}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(size)}")
    return size


def _adaptive_input(input, nsp, fname):
    _tensor(input, fname, "input")
    if input.dim() not in (nsp + 1, nsp + 2):
        raise RuntimeError(f"{fname}(): Expected {nsp + 1}D or {nsp + 2}D tensor, but got {list(input.shape)}")
    for d in range(input.dim() - nsp, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"{fname}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(input.shape)} with dimension {d} being empty")
    return _batched(input, nsp, fname)


def _adaptive_avg(input, output_size, nsp, fname):
    x, unbatched = _adaptive_input(input, nsp, fname)
    size = _adaptive_size(x, output_size, nsp, fname)
    return _restore(_F.adaptive_avg_pool(_float_or_raise(x, fname), size), x, unbatched)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a given output size: output o averages input [floor(o*L/O), ceil((o+1)*L/O)).

    Args:
        input: (N, C, L) or (C, L); output_size: an int.

    Example::
        >>> F.adaptive_avg_pool1d(cytorch.tensor([[[1., 2., 3., 4.]]]), 2).tolist()
        [[[1.5, 3.5]]]
    """
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """2-d adaptive average pooling; output_size an int or a pair (None keeps that input size).

    Example::
        >>> F.adaptive_avg_pool2d(cytorch.ones(1, 3, 7, 5), 1).shape
        cytorch.Size([1, 3, 1, 1])
    """
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    """3-d adaptive average pooling (see adaptive_avg_pool2d)."""
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max(input, output_size, return_indices, nsp, fname):
    x, unbatched = _adaptive_input(input, nsp, fname)
    size = _adaptive_size(x, output_size, nsp, fname)
    y, idx = _F.adaptive_max_pool(_float_or_raise(x, fname), size)
    y = _restore(y, x, unbatched)
    if unbatched:
        idx = idx.squeeze(0)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a given output size (windows as adaptive_avg_pool1d); return_indices also
    returns the flat index of each maximum.

    Example::
        >>> F.adaptive_max_pool1d(cytorch.tensor([[[1., 2., 3., 4.]]]), 2).tolist()
        [[[2.0, 4.0]]]
    """
    return _adaptive_max(input, output_size, return_indices, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-d adaptive max pooling (see adaptive_max_pool1d)."""
    return _adaptive_max(input, output_size, return_indices, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-d adaptive max pooling (see adaptive_max_pool1d)."""
    return _adaptive_max(input, output_size, return_indices, 3, "adaptive_max_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, True, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, True, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, True, 3, "adaptive_max_pool3d")


# ---------------------------------------------------------------- interpolation

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, *spatial) with 1 to 3 spatial dims to ``size`` or by ``scale_factor``.

    Args:
        size: output spatial size (an int or one per dim); or scale_factor (a float or one per
            dim; the output size is floor(input_size * scale_factor)).
        mode: 'nearest' (PyTorch's legacy index floor(o * in/out)), 'nearest-exact',
            'linear' (3-d input), 'bilinear' / 'bicubic' (4-d), 'trilinear' (5-d), 'area'
            (adaptive average pooling).
        align_corners: for the interpolating modes, map corner pixel centres to corner pixel
            centres (True) or pixel edges to edges (False, the default).
        recompute_scale_factor: compute the scale from the output size instead of passing the
            given scale factor to the kernel.
        antialias: not supported (raises NotImplementedError when True).

    Shape:
        (N, C, *size)

    Example::
        >>> F.interpolate(cytorch.tensor([[[1., 2.]]]), scale_factor=2, mode='linear').tolist()
        [[[1.0, 1.25, 1.75, 2.0]]]
    """
    _tensor(input, "interpolate", "input")
    interp = ("linear", "bilinear", "bicubic", "trilinear")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif mode in interp:
        if align_corners is None:
            align_corners = False
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                                 f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 f"(o1, o2, ...,oK) format.")
            out = tuple(int(v) for v in size)
        else:
            out = (int(size),) * dim
    elif scale_factor is not None:
        out = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(input.shape[2:])} and scale_factor of "
                                 f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                                 f"format and scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(float(v) for v in scale_factor)
        else:
            scales = (float(scale_factor),) * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if out is None:
        out = tuple(int(math.floor(float(n) * s)) for n, s in zip(input.shape[2:], scales))
    if recompute_scale_factor:
        scales = None
    if antialias:
        if not (mode in ("bilinear", "bicubic") and input.dim() == 4):
            raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D "
                             "tensor as input")
        raise NotImplementedError("interpolate: antialias=True is not supported by cytorch yet")
    if dim not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != dim:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D input")
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, out)
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({', '.join(map(str, input.shape[2:]))}) "
                           f"and output ({', '.join(map(str, out))})")
    if input.dim() >= 2 and input.shape[1] == 0 and input.shape[0] != 0:
        raise RuntimeError(f"Non-empty {dim + 2}D data tensor expected but got a tensor with sizes "
                           f"{list(input.shape)}")
    sc = scales if scales is not None else (None,) * dim
    y = _F.resample(_float_or_raise(input, "upsample_" + mode), out, sc, mode,
                    bool(align_corners) if mode in interp else False)
    return _restore(y, input, False)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (same arguments)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """interpolate(..., mode='nearest') (deprecated alias)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """interpolate(..., mode='bilinear', align_corners=True) (deprecated alias)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- grid sampling

def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at the locations of ``grid`` (normalized: -1 and 1 are the input's edges
    (align_corners=False) or its corner pixel centres (True)).

    Args:
        input: (N, C, H_in, W_in).
        grid: (N, H_out, W_out, 2), the last dim (x, y).
        mode: 'bilinear' | 'nearest' | 'bicubic'.
        padding_mode: 'zeros' | 'border' | 'reflection' (values for locations outside).
        align_corners: default False.

    Shape:
        (N, C, H_out, W_out). Differentiable in input and grid (once, as in PyTorch).

    Example::
        >>> F.grid_sample(cytorch.ones(1, 1, 2, 2), cytorch.zeros(1, 1, 1, 2)).item()
        1.0
    """
    _tensor(input, "grid_sample", "input")
    _tensor(grid, "grid_sample", "grid")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if input.dim() == 5:
        raise NotImplementedError("grid_sample: 5-D (volumetric) inputs are not supported by cytorch yet")
    if input.dim() != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.dim() != 4 or grid.shape[-1] != 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size 2 in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    if any(s == 0 for s in input.shape[2:]):
        raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                           f"sizes {list(input.shape)} with dimension {2 + list(input.shape[2:]).index(0)} being empty")
    y = _F.grid_sample(_float_or_raise(input, "grid_sampler_2d"), _float_or_raise(grid, "grid_sampler_2d"), mode,
                       padding_mode, bool(align_corners))
    return _restore(y, input, False)


def _linspace_from_neg_one(n, align_corners, dtype):
    if n <= 1:
        return _t.zeros(1, dtype=dtype)
    r = _t.linspace(-1, 1, n, dtype=dtype)
    return r if align_corners else r * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of an affine map, for grid_sample: grid[n, h, w] = theta[n] @ (x_w, y_h, 1).

    Args:
        theta: (N, 2, 3) for 2-d (or (N, 3, 4) for 3-d) affine matrices.
        size: the target size (N, C, H, W) (or (N, C, D, H, W)).
        align_corners: as in grid_sample (default False).

    Shape:
        (N, H, W, 2) (or (N, D, H, W, 3)); differentiable in theta.

    Example::
        >>> F.affine_grid(cytorch.tensor([[[1., 0., 0.], [0., 1., 0.]]]), (1, 1, 2, 2), align_corners=True).tolist()
        [[[[-1.0, -1.0], [1.0, -1.0]], [[-1.0, 1.0], [1.0, 1.0]]]]
    """
    _tensor(theta, "affine_grid", "theta")
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(v) for v in size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {list(theta.shape)}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {list(theta.shape)}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected theta to have batch size {size[0]}, but got {theta.shape[0]}")
    ac = bool(align_corners)
    dt = theta.dtype
    # base[..., :] = (x, y[, z], 1): x varies along the last spatial dim
    axes = [_linspace_from_neg_one(n, ac, dt) for n in reversed(spatial)]
    npts = math.prod(spatial)
    cols = []
    for i, ax in enumerate(axes):
        shape = [1] * len(spatial)
        shape[len(spatial) - 1 - i] = ax.shape[0]
        cols.append(ax.reshape(shape).expand(*spatial).reshape(npts))
    cols.append(_t.ones(npts, dtype=dt))
    base = _t.stack(cols, 1)
    grid = _t.matmul(base.unsqueeze(0), theta.transpose(1, 2))
    return grid.reshape((size[0],) + tuple(spatial) + (len(spatial),))


# ---------------------------------------------------------------- pixel and channel rearranging

def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r): channel blocks of r^2 become r x r pixel blocks.

    Example::
        >>> F.pixel_shuffle(cytorch.arange(4.).reshape(1, 4, 1, 1), 2).tolist()
        [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    _tensor(input, "pixel_shuffle", "input")
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = input.shape[-3:]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    lead = tuple(input.shape[:-3])
    n = len(lead)
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W), the inverse of pixel_shuffle.

    Example::
        >>> F.pixel_unshuffle(cytorch.arange(4.).reshape(1, 1, 2, 2), 2).reshape(-1).tolist()
        [0.0, 1.0, 2.0, 3.0]
    """
    _tensor(input, "pixel_unshuffle", "input")
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = input.shape[-3:]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
                           f"{h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
                           f"{w} is not divisible by {r}")
    lead = tuple(input.shape[:-3])
    n = len(lead)
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """(N, g*k, *) -> (N, k*g, *): channel c*k + j moves to j*g + c (ShuffleNet's shuffle).

    Example::
        >>> F.channel_shuffle(cytorch.arange(4.).reshape(1, 4, 1), 2).reshape(-1).tolist()
        [0.0, 2.0, 1.0, 3.0]
    """
    _tensor(input, "channel_shuffle", "input")
    g = int(groups)
    if input.dim() < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    c = input.shape[1]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    rest = tuple(input.shape[2:])
    x = input.reshape((input.shape[0], g, c // g) + rest).transpose(1, 2)
    return x.reshape(input.shape)


native_channel_shuffle = channel_shuffle


# ---------------------------------------------------------------- padding (for the padding layers and
# Conv padding_mode; nn.functional.pad itself belongs to the functional family)

def _pad(input, pad, mode="constant", value=None):
    """PyTorch's F.pad: pad = (left, right) for the last dim, then the one before, ...; negative
    entries crop. Modes 'constant', 'reflect', 'replicate', 'circular' (the last three pad 1 to 3
    trailing dims of a (C, *) or (N, C, *) input). Built from differentiable ops (index_select /
    cat), so it records its own gradient."""
    _tensor(input, "pad", "input")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    if n > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    x = input
    if mode == "constant":
        v = 0.0 if value is None else value
        for i in range(n):
            d = input.dim() - 1 - i
            lo, hi = pad[2 * i], pad[2 * i + 1]
            if lo < 0 or hi < 0:
                size = x.shape[d]
                x = x.narrow(d, max(-lo, 0), size - max(-lo, 0) - max(-hi, 0))
            parts = []
            for p in (lo, hi):
                shape = list(x.shape)
                shape[d] = max(p, 0)
                parts.append(_t.full(shape, v, dtype=x.dtype))
            if lo > 0 or hi > 0:
                x = _t.cat([parts[0], x, parts[1]], d)
        return x
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    if n not in (1, 2, 3) or input.dim() not in (n + 1, n + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for i in range(n):
        d = input.dim() - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        size = x.shape[d]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {d} of input {list(input.shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + lo + hi <= 0:
            raise RuntimeError(f"input tensor size {list(input.shape)} with padding {list(pad)} gives an empty "
                               f"dimension {d}")
        idx = []
        for j in range(size + lo + hi):
            s = j - lo
            if mode == "reflect":
                s = -s if s < 0 else (2 * (size - 1) - s if s >= size else s)
            elif mode == "replicate":
                s = min(max(s, 0), size - 1)
            else:
                s %= size
            idx.append(s)
        x = x.index_select(d, _t.tensor(idx, dtype=_t.int64))
    return x

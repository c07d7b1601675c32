"""parameters_to_vector and vector_to_parameters."""
import cytorch
from cytorch._C._tensor import TensorBase

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _typename(o):
    return o.type() if isinstance(o, TensorBase) else type(o).__name__


def parameters_to_vector(parameters):
    r"""All ``parameters`` flattened and concatenated into one new 1-D tensor.

    Example::

        >>> v = nn.utils.parameters_to_vector(model.parameters())
    """
    return cytorch.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    r"""Make each of ``parameters`` a view of its slice of the 1-D ``vec`` (in order): the
    parameters then share ``vec``'s memory.

    Args:
        vec (Tensor): one vector holding every parameter's values.
        parameters (iterable of Tensors): the parameters to fill.
    """
    if not isinstance(vec, TensorBase):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n

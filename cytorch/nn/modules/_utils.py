"""Helpers the layer modules share: parameters that a constructor flag may leave out, and the
affine part of the normalisation layers."""
import cytorch
from cytorch.nn import init
from cytorch.nn.parameter import Parameter


def _optional_parameter(module, name, present, shape, device=None, dtype=None):
    """Give ``module`` the parameter ``name``: a new Parameter of ``shape`` (its values set later by
    ``reset_parameters``) when ``present``, else a registered None (PyTorch's ``bias=False``: the
    attribute exists, ``state_dict`` leaves it out)."""
    if present:
        setattr(module, name, Parameter(cytorch.empty(shape, device=device, dtype=dtype)))
    else:
        module.register_parameter(name, None)


def _affine_parameters(module, affine, bias, shape, device=None, dtype=None):
    """``weight`` and ``bias`` of a normalisation layer, both of ``shape``; None without ``affine``
    (``bias`` also None with ``bias=False``)."""
    _optional_parameter(module, "weight", affine, shape, device, dtype)
    _optional_parameter(module, "bias", affine and bias, shape, device, dtype)


def _reset_affine(module):
    """weight := 1, bias := 0 (a None bias is skipped)."""
    init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)

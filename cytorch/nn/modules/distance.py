"""PairwiseDistance and CosineSimilarity."""
from cytorch.nn import functional as F
from cytorch.nn.modules.module import Module

__all__ = ["PairwiseDistance", "CosineSimilarity"]


class PairwiseDistance(Module):
    r"""``||x1 - x2 + eps||_p`` over the last dim.

    Args: p (float): Default 2; eps (float): Default 1e-6; keepdim (bool): Default False.
    Shape: Input1 :math:`(N, D)` or :math:`(D)`, Input2 broadcastable to it; Output :math:`(N)`
        (or :math:`(N, 1)` with keepdim).

    Example::

        >>> nn.PairwiseDistance(eps=0)(cytorch.tensor([[0., 0.]]), cytorch.tensor([[3., 4.]]))
        tensor([5.])
    """

    __constants__ = ["norm", "eps", "keepdim"]

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    r"""Cosine of the angle between ``x1`` and ``x2`` along ``dim``.

    Args: dim (int): Default 1; eps (float): lower bound of each norm. Default 1e-8.
    Shape: Inputs :math:`(*, D, *)` (broadcastable); Output: without ``dim``.

    Example::

        >>> nn.CosineSimilarity()(cytorch.tensor([[1., 0.]]), cytorch.tensor([[1., 1.]]))
        tensor([0.7071])
    """

    __constants__ = ["dim", "eps"]

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)

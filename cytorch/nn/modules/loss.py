"""Loss modules: each stores its options (weights as buffers, so state_dict keys match
PyTorch's) and forwards to the function of the same name in ``cytorch.nn.functional``."""
from cytorch.nn import _reduction as _Reduction
from cytorch.nn import _loss_functional as F
from cytorch.nn._ctc import ctc_loss as _ctc_loss
from cytorch.nn.modules.module import Module

__all__ = ["L1Loss", "NLLLoss", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "MSELoss", "BCELoss",
           "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "SmoothL1Loss", "HuberLoss",
           "SoftMarginLoss", "CrossEntropyLoss", "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss",
           "MarginRankingLoss", "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
           "CTCLoss"]


class _Loss(Module):
    """Base of the losses: ``reduction`` ('none' | 'mean' | 'sum'), or the deprecated
    ``size_average``/``reduce`` pair mapped onto it."""

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = _Reduction.legacy_get_string(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with a per-class ``weight`` buffer (None when not given: then not in state_dict)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error; see :func:`cytorch.nn.functional.l1_loss`.

    Shape: input (*), target (*) same shape; output scalar, or (*) with reduction='none'.

    Example::

        >>> loss = nn.L1Loss()(cytorch.randn(3, 5, requires_grad=True), cytorch.randn(3, 5))
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error; see :func:`cytorch.nn.functional.mse_loss`.

    Shape: input (*), target (*) same shape; output scalar, or (*) with reduction='none'.

    Example::

        >>> loss = nn.MSELoss()(cytorch.randn(3, 5, requires_grad=True), cytorch.randn(3, 5))
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above; see :func:`cytorch.nn.functional.smooth_l1_loss`.

    Example::

        >>> nn.SmoothL1Loss(beta=0.5)(cytorch.randn(3), cytorch.randn(3))
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear (slope delta) above; see
    :func:`cytorch.nn.functional.huber_loss`.

    Example::

        >>> nn.HuberLoss(delta=2.0)(cytorch.randn(3), cytorch.randn(3))
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices; see :func:`cytorch.nn.functional.nll_loss`.

    Shape: input (N, C), (C,) or (N, C, d1, ...) log-probabilities; target (N,), () or
    (N, d1, ...) class indices; output scalar, or the target's shape with reduction='none'.

    Example::

        >>> nn.NLLLoss()(cytorch.log_softmax(cytorch.randn(3, 5), 1), cytorch.tensor([1, 0, 4]))
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of unnormalised scores against class indices or class probabilities (one
    fused kernel forward and backward); see :func:`cytorch.nn.functional.cross_entropy`.

    Args:
        weight: (C,) class weights (a buffer). ignore_index: target value that is skipped.
        reduction: 'none' | 'mean' | 'sum'. label_smoothing: in [0, 1].

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...) class
    indices, or probabilities of the input's shape.

    Example::

        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> out = loss(cytorch.randn(3, 5, requires_grad=True), cytorch.tensor([1, 0, 4]))
        >>> out.backward()
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities; see :func:`cytorch.nn.functional.binary_cross_entropy`.

    Example::

        >>> nn.BCELoss()(cytorch.sigmoid(cytorch.randn(3)), cytorch.tensor([1., 0., 1.]))
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable fused kernel; see
    :func:`cytorch.nn.functional.binary_cross_entropy_with_logits`.

    Args:
        weight: broadcast to the input (a buffer). pos_weight: weight of positive examples,
            broadcast to the input, e.g. (C,) (a buffer).

    Example::

        >>> nn.BCEWithLogitsLoss(pos_weight=cytorch.ones(3) * 2)(cytorch.randn(4, 3), cytorch.rand(4, 3))
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence with log-probability input; see :func:`cytorch.nn.functional.kl_div`
    (reduction='batchmean' gives the divergence proper).

    Example::

        >>> nn.KLDivLoss(reduction="batchmean")(cytorch.log_softmax(cytorch.randn(3, 5), 1),
        ...                                      cytorch.softmax(cytorch.randn(3, 5), 1))
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood; see :func:`cytorch.nn.functional.poisson_nll_loss`.

    Example::

        >>> nn.PoissonNLLLoss()(cytorch.randn(5), cytorch.tensor([0., 1., 2., 1., 3.]))
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood with predicted variances; see
    :func:`cytorch.nn.functional.gaussian_nll_loss`.

    Shape: input (N, *), target (N, *), var (N, *), (N, *) with the last dim 1 or missing.

    Example::

        >>> nn.GaussianNLLLoss()(cytorch.randn(5, 2), cytorch.randn(5, 2), cytorch.ones(5, 1))
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """See :func:`cytorch.nn.functional.hinge_embedding_loss`.

    Example::

        >>> nn.HingeEmbeddingLoss(margin=0.5)(cytorch.randn(4), cytorch.tensor([1., -1., 1., -1.]))
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """See :func:`cytorch.nn.functional.multilabel_margin_loss`.

    Example::

        >>> nn.MultiLabelMarginLoss()(cytorch.tensor([[0.1, 0.2, 0.4, 0.8]]), cytorch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """See :func:`cytorch.nn.functional.soft_margin_loss`.

    Example::

        >>> nn.SoftMarginLoss()(cytorch.randn(4), cytorch.tensor([1., -1., 1., -1.]))
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """See :func:`cytorch.nn.functional.multilabel_soft_margin_loss`.

    Example::

        >>> nn.MultiLabelSoftMarginLoss()(cytorch.randn(2, 3), cytorch.tensor([[1., 0., 1.], [0., 1., 0.]]))
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """See :func:`cytorch.nn.functional.cosine_embedding_loss`.

    Example::

        >>> nn.CosineEmbeddingLoss()(cytorch.randn(3, 4), cytorch.randn(3, 4), cytorch.tensor([1, -1, 1]))
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """See :func:`cytorch.nn.functional.margin_ranking_loss`.

    Example::

        >>> nn.MarginRankingLoss(margin=0.1)(cytorch.randn(3), cytorch.randn(3), cytorch.tensor([1., -1., 1.]))
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss; see :func:`cytorch.nn.functional.multi_margin_loss`.

    Example::

        >>> nn.MultiMarginLoss()(cytorch.tensor([[0.1, 0.2, 0.4, 0.8]]), cytorch.tensor([3]))
        tensor(0.3250)
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """See :func:`cytorch.nn.functional.triplet_margin_loss`.

    Example::

        >>> a, p, n = cytorch.randn(3, 4), cytorch.randn(3, 4), cytorch.randn(3, 4)
        >>> nn.TripletMarginLoss(margin=1.0, p=2)(a, p, n)
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """See :func:`cytorch.nn.functional.triplet_margin_with_distance_loss`.

    Example::

        >>> nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance())(a, p, n)
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        if distance_function is None:
            try:        # PyTorch's default is a PairwiseDistance module (it shows in the repr)
                from cytorch.nn.modules.distance import PairwiseDistance
                distance_function = PairwiseDistance()
            except ImportError:
                pass    # the functional's default distance (the same maths)
        self.distance_function = distance_function
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)


class CTCLoss(_Loss):
    r"""Connectionist Temporal Classification loss; see :func:`cytorch.nn.functional.ctc_loss`.

    Args:
        blank: the blank label (default 0).
        reduction: 'none' | 'mean' (each loss divided by its target length, then averaged) | 'sum'.
        zero_infinity: infinite losses (infeasible alignments) and their gradients become 0.

    Shape: log_probs (T, N, C) or (T, C); targets (N, S) padded or 1-d concatenated;
    input_lengths, target_lengths (N,) tensors or tuples; output (N,) for 'none', else ().

    Example::

        >>> ctc = nn.CTCLoss()
        >>> lp = torch.randn(50, 16, 20).log_softmax(2).requires_grad_()
        >>> loss = ctc(lp, torch.randint(1, 20, (16, 10)), torch.full((16,), 50), torch.full((16,), 10))
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return _ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                         self.zero_infinity)

"""cytorch.optim: optimizers and learning-rate schedulers (PyTorch's ``torch.optim``).

Every optimizer updates each parameter group with one fused C loop per parameter
(``src_c/ct_optim.c``); LBFGS is written with tensor ops.
"""
from cytorch.optim import lr_scheduler, swa_utils  # noqa: F401
from cytorch.optim.adadelta import Adadelta
from cytorch.optim.adagrad import Adagrad
from cytorch.optim.adam import Adam
from cytorch.optim.adamax import Adamax
from cytorch.optim.adamw import AdamW
from cytorch.optim.asgd import ASGD
from cytorch.optim.lbfgs import LBFGS
from cytorch.optim.nadam import NAdam
from cytorch.optim.optimizer import Optimizer
from cytorch.optim.radam import RAdam
from cytorch.optim.rmsprop import RMSprop
from cytorch.optim.rprop import Rprop
from cytorch.optim.sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "ASGD", "LBFGS", "NAdam", "Optimizer", "RAdam",
           "RMSprop", "Rprop", "SGD", "lr_scheduler", "swa_utils"]

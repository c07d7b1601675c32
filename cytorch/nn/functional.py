"""cytorch.nn.functional: the stateless forms of every layer and loss (PyTorch's API)."""
from cytorch.nn._linear_functional import *  # noqa: F401,F403
from cytorch.nn._loss_functional import *  # noqa: F401,F403
from cytorch.nn._conv_functional import *  # noqa: F401,F403
from cytorch.nn._attention_functional import *  # noqa: F401,F403

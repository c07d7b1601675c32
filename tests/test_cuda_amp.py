"""cytorch.cuda.amp: disabled without CUDA, as PyTorch's is on a CPU-only machine."""
import warnings

import pytest

import cytorch
from cytorch.cuda.amp import GradScaler, autocast


def test_grad_scaler_is_a_disabled_identity():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    model = cytorch.nn.Linear(3, 1)
    opt = cytorch.optim.SGD(model.parameters(), lr=0.5)
    w0 = model.weight.detach().clone()
    loss = model(cytorch.ones(2, 3)).sum()
    assert scaler.scale(loss) is loss
    scaler.scale(loss).backward()
    scaler.step(opt)                               # a plain optimizer.step()
    scaler.update()
    assert cytorch.allclose(model.weight, w0 - 0.5 * model.weight.grad)


def test_autocast_is_disabled_and_works_as_decorator():
    with pytest.warns(UserWarning, match="Disabling autocast"):
        ctx = autocast()
    with ctx:
        out = cytorch.nn.Linear(2, 2)(cytorch.ones(1, 2))
    assert out.dtype == cytorch.float32
    with pytest.warns(UserWarning):
        double = autocast()(lambda t: t * 2)
    assert double(cytorch.ones(1)).item() == 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # no warning when not asked to enable
        with autocast(enabled=False):
            pass
        GradScaler(enabled=False)


def test_matches_torch_on_this_machine(torch):
    if torch.cuda.is_available():
        pytest.skip("PyTorch has CUDA here: its amp is enabled")
    with pytest.warns(UserWarning):
        assert GradScaler().get_scale() == torch.cuda.amp.GradScaler().get_scale()

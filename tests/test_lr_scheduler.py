"""cytorch.optim.lr_scheduler and swa_utils: lr sequences vs PyTorch, state_dict round trips, errors."""
import copy
import math
import warnings

import numpy as np
import pytest

import cytorch
from cytorch.optim import lr_scheduler as ls
from cytorch.optim import swa_utils
from conftest import np_of

EPOCHS = 40


def _opt(lib, kind="sgd"):
    """An optimizer with two groups (lr 0.1 and 0.05); no parameter has a grad, so step() is a no-op."""
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(2, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _record(opt, sched, epochs, metrics=None):
    out = []
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        row = [list(sched.get_last_lr())]
        for g in opt.param_groups:
            row.append((g["lr"], g.get("momentum"), g.get("betas")))
        out.append(row)
    return out


def _lrs(lib, kind, make, epochs=EPOCHS, metrics=None):
    opt = _opt(lib, kind)
    sched = make(lib, opt)
    first = [list(sched.get_last_lr())] + [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]
    return [first] + _record(opt, sched, epochs, metrics)


def _sched(name, *args, **kwargs):
    return lambda lib, opt: getattr(lib.optim.lr_scheduler, name)(opt, *args, **kwargs)


def _scale(x):
    return 1 / (1.0 + 0.1 * x)


CASES = [
    ("sgd", _sched("LambdaLR", lambda e: 0.95 ** e)),
    ("sgd", _sched("LambdaLR", [lambda e: 0.9 ** e, lambda e: 1.0 / (e + 1)])),
    ("sgd", _sched("MultiplicativeLR", lambda e: 0.9)),
    ("sgd", _sched("StepLR", 3, gamma=0.5)),
    ("sgd", _sched("StepLR", 7)),
    ("sgd", _sched("MultiStepLR", [2, 5, 5, 9], gamma=0.3)),
    ("sgd", _sched("ConstantLR", factor=0.5, total_iters=4)),
    ("sgd", _sched("ConstantLR")),
    ("sgd", _sched("LinearLR", start_factor=0.25, end_factor=0.9, total_iters=6)),
    ("sgd", _sched("LinearLR")),
    ("sgd", _sched("ExponentialLR", 0.93)),
    ("sgd", _sched("PolynomialLR", total_iters=10, power=2.0)),
    ("sgd", _sched("PolynomialLR")),
    ("sgd", _sched("CosineAnnealingLR", T_max=7, eta_min=0.001)),
    ("sgd", _sched("CosineAnnealingLR", T_max=10)),
    ("sgd", _sched("CosineAnnealingWarmRestarts", T_0=5, T_mult=2, eta_min=0.01)),
    ("sgd", _sched("CosineAnnealingWarmRestarts", T_0=3)),
    ("sgd", _sched("CyclicLR", 0.01, 0.1, step_size_up=4)),
    ("sgd", _sched("CyclicLR", [0.01, 0.02], [0.1, 0.2], step_size_up=4, step_size_down=3, mode="triangular2")),
    ("sgd", _sched("CyclicLR", 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.9, base_momentum=0.7,
                   max_momentum=0.95)),
    ("sgd", _sched("CyclicLR", 0.01, 0.1, step_size_up=3, scale_fn=_scale, scale_mode="iterations")),
    ("sgd", _sched("CyclicLR", 0.01, 0.1, step_size_up=3, cycle_momentum=False)),
    ("adam", _sched("CyclicLR", 0.001, 0.01, step_size_up=4)),
    ("sgd", _sched("OneCycleLR", 0.1, total_steps=EPOCHS)),
    ("sgd", _sched("OneCycleLR", [0.1, 0.3], epochs=4, steps_per_epoch=10, anneal_strategy="linear",
                   three_phase=True)),
    ("adam", _sched("OneCycleLR", 0.01, total_steps=EPOCHS, pct_start=0.25, div_factor=10.0,
                    final_div_factor=100.0)),
    ("sgd", _sched("OneCycleLR", 0.1, total_steps=EPOCHS, cycle_momentum=False, three_phase=True)),
    ("sgd", lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
              lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[5])),
    ("sgd", lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.2, total_iters=3),
              lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=8),
              lib.optim.lr_scheduler.StepLR(opt, 4, 0.5)], milestones=[4, 15])),
    ("sgd", lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2),
         lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)])),
    ("sgd", lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=6),
         lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=9, eta_min=0.01),
         lib.optim.lr_scheduler.MultiStepLR(opt, [10, 20])], optimizer=opt)),
    ("sgd", lambda lib, opt: lib.optim.swa_utils.SWALR(opt, swa_lr=0.02, anneal_epochs=6)),
    ("sgd", lambda lib, opt: lib.optim.swa_utils.SWALR(opt, swa_lr=[0.02, 0.01], anneal_epochs=4,
                                                       anneal_strategy="linear")),
    ("sgd", lambda lib, opt: lib.optim.swa_utils.SWALR(opt, swa_lr=0.02, anneal_epochs=0)),
]


@pytest.mark.parametrize("kind,make", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_sequence_matches_torch(torch, kind, make):
    ours = _lrs(cytorch, kind, make)
    theirs = _lrs(torch, kind, make)
    assert ours == theirs


def test_two_schedulers_on_one_optimizer_chain(torch):
    seqs = []
    for lib in (cytorch, torch):
        opt = _opt(lib)
        s1 = lib.optim.lr_scheduler.StepLR(opt, 4, 0.5)
        s2 = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
        seq = []
        for _ in range(25):
            opt.step()
            s1.step()
            s2.step()
            seq.append([g["lr"] for g in opt.param_groups])
        seqs.append(seq)
    assert seqs[0] == seqs[1]


PLATEAU = [
    dict(), dict(mode="max"), dict(threshold_mode="abs", threshold=0.05), dict(mode="max", threshold_mode="abs"),
    dict(patience=2, cooldown=3, factor=0.5, min_lr=0.02), dict(patience=0, min_lr=[0.03, 0.001], eps=1e-3),
    dict(patience=1, factor=0.9, eps=0.01),
]


@pytest.mark.parametrize("kw", PLATEAU)
def test_reduce_on_plateau_matches_torch(torch, kw):
    rng = np.random.default_rng(0)
    metrics = list(np.concatenate([np.linspace(1, 0.5, 10), 0.5 + rng.random(30) * 0.05]))
    seqs = [_lrs(lib, "sgd", lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw),
                 metrics=metrics) for lib in (cytorch, torch)]
    assert seqs[0] == seqs[1]


def test_reduce_on_plateau_accepts_tensor_metric_and_state_dict():
    opt = _opt(cytorch)
    sched = ls.ReduceLROnPlateau(opt, patience=0)
    sched.step(cytorch.tensor(1.0))
    sched.step(cytorch.tensor(2.0))
    assert sched.get_last_lr() == [pytest.approx(0.01), pytest.approx(0.005)]
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["best"] == 1.0
    other = ls.ReduceLROnPlateau(_opt(cytorch), mode="max")
    other.load_state_dict(sd)
    assert other.mode == "min" and other.best == 1.0


@pytest.mark.parametrize("T_mult", [1, 2])
def test_warm_restarts_fractional_epochs_match_torch(torch, T_mult):
    seqs = []
    for lib in (cytorch, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=T_mult, eta_min=0.001)
        seq = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                seq.append((sched.get_last_lr(), sched.T_i, sched.T_cur, sched.last_epoch))
        seqs.append(seq)
    assert seqs[0] == seqs[1]


@pytest.mark.parametrize("make", [_sched("StepLR", 3, gamma=0.5), _sched("MultiStepLR", [2, 6], gamma=0.3),
                                  _sched("ConstantLR", factor=0.5, total_iters=4),
                                  _sched("LinearLR", start_factor=0.25, total_iters=6),
                                  _sched("ExponentialLR", 0.93), _sched("PolynomialLR", total_iters=8, power=2.0),
                                  _sched("CosineAnnealingLR", T_max=7, eta_min=0.001),
                                  _sched("LambdaLR", lambda e: 1.0 / (1 + e))])
def test_step_with_epoch_uses_closed_form_like_torch(torch, make):
    seqs = []
    for lib in (cytorch, torch):
        opt = _opt(lib)
        sched = make(lib, opt)
        seq = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            for epoch in (3, 1, 9, 4, 12, 0):
                opt.step()
                sched.step(epoch)
                seq.append(sched.get_last_lr())
        assert any("epoch parameter in `scheduler.step()`" in str(x.message) for x in w)
        seqs.append(seq)
    assert seqs[0] == seqs[1]


def test_tensor_lr_stays_a_tensor(torch):
    seqs = []
    for lib in (cytorch, torch):
        p = lib.zeros(2, requires_grad=True)
        opt = lib.optim.Adam([p], lr=lib.tensor(0.01))
        sched = lib.optim.lr_scheduler.StepLR(opt, 2, 0.5)
        seq = []
        for _ in range(6):
            opt.step()
            sched.step()
            assert isinstance(opt.param_groups[0]["lr"], lib.Tensor)
            seq.append(float(opt.param_groups[0]["lr"]))
        seqs.append(seq)
    np.testing.assert_allclose(seqs[0], seqs[1], rtol=1e-7)


# ---------------------------------------------------------------- without PyTorch

def test_closed_forms_without_torch():
    opt = _opt(cytorch)
    sched = ls.StepLR(opt, step_size=3, gamma=0.5)
    for e in range(1, 13):
        opt.step()
        sched.step()
        assert sched.get_last_lr()[0] == pytest.approx(0.1 * 0.5 ** (e // 3), rel=1e-12)
    opt = _opt(cytorch)
    sched = ls.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for e in range(1, 11):
        opt.step()
        sched.step()
        want = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * e / 10)) / 2
        assert sched.get_last_lr()[0] == pytest.approx(want, rel=1e-12)
    opt = _opt(cytorch)
    sched = ls.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="linear", cycle_momentum=False)
    assert sched.get_last_lr()[0] == pytest.approx(1.0 / 25)
    for _ in range(2):
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(1.0)          # the peak at pct_start * 10 - 1 = 2
    for _ in range(7):
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(1.0 / 25 / 1e4)


def test_scheduler_drives_the_optimizer_update():
    p = cytorch.tensor([1.0], requires_grad=True)
    opt = cytorch.optim.SGD([p], lr=1.0)
    sched = ls.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = cytorch.tensor([1.0])
        opt.step()
        sched.step()
    np.testing.assert_allclose(np_of(p.detach()), [1.0 - 1.0 - 0.5 - 0.25])


# ---------------------------------------------------------------- state_dict round trips

ROUND_TRIP = [
    ("sgd", _sched("StepLR", 3, gamma=0.5)),
    ("sgd", _sched("CosineAnnealingLR", T_max=7, eta_min=0.001)),
    ("sgd", _sched("CosineAnnealingWarmRestarts", T_0=3, T_mult=2)),
    ("sgd", _sched("CyclicLR", 0.01, 0.1, step_size_up=4, mode="triangular2")),
    ("adam", _sched("OneCycleLR", 0.01, total_steps=30)),
    ("sgd", _sched("LambdaLR", lambda e: 0.9 ** e)),
    ("sgd", _sched("MultiplicativeLR", lambda e: 0.95)),
    ("sgd", lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
        opt, [lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
              lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[5])),
    ("sgd", lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
        [lib.optim.lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=2),
         lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)])),
    ("sgd", lambda lib, opt: lib.optim.swa_utils.SWALR(opt, swa_lr=0.02, anneal_epochs=6)),
]


@pytest.mark.parametrize("kind,make", ROUND_TRIP, ids=[f"case{i}" for i in range(len(ROUND_TRIP))])
def test_state_dict_round_trip_resumes_exactly(kind, make):
    opt = _opt(cytorch, kind)
    sched = make(cytorch, opt)
    _record(opt, sched, 8)
    saved_opt = copy.deepcopy(opt.state_dict())
    saved_sched = copy.deepcopy(sched.state_dict())
    assert "optimizer" not in saved_sched
    expected = _record(opt, sched, 12)

    opt2 = _opt(cytorch, kind)
    sched2 = make(cytorch, opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    assert _record(opt2, sched2, 12) == expected


def test_resume_with_last_epoch(torch):
    seqs = []
    for lib in (cytorch, torch):
        opt = _opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=4)
        seqs.append(_record(opt, sched, 8))
    assert seqs[0] == seqs[1]


# ---------------------------------------------------------------- warnings and errors

def test_warns_when_scheduler_steps_before_optimizer():
    opt = _opt(cytorch)
    sched = ls.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = _opt(cytorch)
    sched2 = ls.StepLR(opt2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        sched2.step()


def test_get_lr_outside_step_warns():
    sched = ls.ExponentialLR(_opt(cytorch), 0.9)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_errors_match_torch(torch):
    cases = [
        (lambda lib, opt: lib.optim.lr_scheduler.StepLR(object(), 2), TypeError, "object is not an Optimizer"),
        (lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3), KeyError, "initial_lr"),
        (lambda lib, opt: lib.optim.lr_scheduler.ConstantLR(opt, factor=2), ValueError, "between 0 and 1"),
        (lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0), ValueError, "greater than 0"),
        (lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, end_factor=2), ValueError, "Ending multiplicative"),
        (lambda lib, opt: lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1]), ValueError,
         "Expected 2 lr_lambdas, but got 1"),
        (lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, [1, 2]), TypeError,
         "lr_lambda should be a function, but got int"),
        (lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0), ValueError,
         "Expected positive integer T_0, but got 0"),
        (lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0), ValueError,
         "Expected integer T_mult >= 1, but got 0"),
        (lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, mode="bad"), ValueError,
         "mode is invalid and scale_fn is None"),
        (lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(opt, [0.1], 1.0), ValueError,
         "base_lr must have the same length as optimizer.param_groups"),
        (lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.1), ValueError,
         "You must define either total_steps OR"),
        (lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, pct_start=2.0), ValueError,
         "Expected float between 0 and 1 pct_start, but got 2.0"),
        (lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=10, anneal_strategy="x"),
         ValueError, "anneal_strategy must be one of 'cos' or 'linear', instead got x"),
        (lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0), ValueError,
         "Factor should be < 1.0."),
        (lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="up"), ValueError,
         "mode up is unknown!"),
        (lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x"), ValueError,
         "threshold mode x is unknown!"),
        (lambda lib, opt: lib.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1]), ValueError,
         "expected 2 min_lrs, got 1"),
        (lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(opt, [], []), ValueError,
         "expects at least one scheduler"),
        (lambda lib, opt: lib.optim.lr_scheduler.SequentialLR(
            opt, [lib.optim.lr_scheduler.StepLR(opt, 2)], [3]), ValueError,
         "expects number of schedulers provided to be one more than the number of milestone points"),
        (lambda lib, opt: lib.optim.lr_scheduler.ChainedScheduler(
            [lib.optim.lr_scheduler.ReduceLROnPlateau(opt)]), ValueError, "does not support `ReduceLROnPlateau`"),
        (lambda lib, opt: lib.optim.swa_utils.SWALR(opt, 0.1, anneal_strategy="x"), ValueError,
         "anneal_strategy must be one of 'cos' or 'linear'"),
        (lambda lib, opt: lib.optim.swa_utils.SWALR(opt, 0.1, anneal_epochs=-1), ValueError,
         "anneal_epochs must be equal or greater than 0, got -1"),
        (lambda lib, opt: lib.optim.swa_utils.get_ema_multi_avg_fn(1.5), ValueError, "Invalid decay value 1.5"),
    ]
    for make, exc, msg in cases:
        for lib in (cytorch, torch):
            with pytest.raises(exc, match=msg.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
                               .replace("[", r"\[")):
                make(lib, _opt(lib))
    for lib in (cytorch, torch):
        opt = _opt(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=3)
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            for _ in range(4):
                opt.step()
                sched.step()


# ---------------------------------------------------------------- swa_utils

def _linear_pair(torch, seed=0):
    rng = np.random.default_rng(seed)
    models = []
    for lib in (cytorch, torch):
        m = lib.nn.Linear(4, 3)
        with lib.no_grad():
            for p in m.parameters():
                p.copy_(lib.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        models.append(m)
        rng = np.random.default_rng(seed)
    return models


@pytest.mark.parametrize("avg", ["swa", "ema_multi", "ema", "custom"])
def test_averaged_model_matches_torch(torch, avg):
    results = []
    for k, lib in enumerate((cytorch, torch)):
        su = lib.optim.swa_utils
        model = _linear_pair(torch)[k]
        kw = {"swa": {}, "ema_multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
              "ema": {"avg_fn": su.get_ema_avg_fn(0.8)},
              "custom": {"avg_fn": lambda a, c, n: 0.5 * a + 0.5 * c}}[avg]
        averaged = su.AveragedModel(model, **kw)
        rng = np.random.default_rng(1)
        for _ in range(5):
            with lib.no_grad():
                for p in model.parameters():
                    p.add_(lib.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
            averaged.update_parameters(model)
        assert int(averaged.n_averaged) == 5
        x = lib.from_numpy(np.ones((2, 4), dtype=np.float32))
        results.append(([p.detach().numpy().copy() for p in averaged.parameters()],
                        averaged(x).detach().numpy()))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-5)


def test_averaged_model_is_a_mean_without_torch():
    model = cytorch.nn.Linear(3, 2)
    swa = swa_utils.AveragedModel(model)
    seen = []
    for k in range(4):
        with cytorch.no_grad():
            model.weight.fill_(float(k))
        seen.append(float(k))
        swa.update_parameters(model)
    np.testing.assert_allclose(np_of(swa.module.weight.detach()), np.full((2, 3), np.mean(seen)), rtol=1e-6)
    assert "n_averaged" in swa.state_dict()
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())


def test_update_bn_without_batchnorm_is_a_no_op():
    model = cytorch.nn.Linear(3, 2)
    before = np_of(model.weight.detach())
    swa_utils.update_bn([cytorch.ones(4, 3)], model)
    np.testing.assert_array_equal(np_of(model.weight.detach()), before)


@pytest.mark.skipif(not hasattr(cytorch.nn, "BatchNorm1d"), reason="cytorch.nn.BatchNorm1d not merged yet")
def test_update_bn_matches_torch(torch):
    rng = np.random.default_rng(2)
    batches = [rng.standard_normal((8, 3)).astype(np.float32) * 2 + 1 for _ in range(4)]
    stats = []
    for lib in (cytorch, torch):
        model = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3))
        with lib.no_grad():
            model[0].weight.copy_(lib.eye(3))
            model[0].bias.zero_()
        lib.optim.swa_utils.update_bn([lib.from_numpy(b) for b in batches], model)
        bn = model[1]
        stats.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(), bn.momentum))
    np.testing.assert_allclose(stats[0][0], stats[1][0], rtol=1e-5)
    np.testing.assert_allclose(stats[0][1], stats[1][1], rtol=1e-5)
    assert stats[0][2] == stats[1][2]


# ---------------------------------------------------------------- schedulers driving training

@pytest.mark.parametrize("kind", ["sgd-cyclic", "adam-onecycle", "adamw-cosine-restarts"])
def test_training_with_scheduler_matches_torch(torch, kind):
    from test_optim import _close, _data, _mlp, _train
    results = []
    for lib in (cytorch, torch):
        model = _mlp(lib)
        x, y = _data(lib)
        sched_mod = lib.optim.lr_scheduler
        if kind == "sgd-cyclic":
            opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            sched = sched_mod.CyclicLR(opt, 0.01, 0.1, step_size_up=5)
        elif kind == "adam-onecycle":
            opt = lib.optim.Adam(model.parameters(), lr=0.01)
            sched = sched_mod.OneCycleLR(opt, max_lr=0.02, total_steps=41)
        else:
            opt = lib.optim.AdamW(model.parameters(), lr=0.01)
            sched = sched_mod.CosineAnnealingWarmRestarts(opt, T_0=7, T_mult=2)
        results.append(_train(lib, model, opt, x, y, 40, sched=sched))
    for ours, theirs in zip(*results):
        for a, b in zip(ours, theirs):
            _close(a, b, 1e-4)

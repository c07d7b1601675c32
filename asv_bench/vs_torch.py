"""cytorch and PyTorch side by side, in one process, with the same thread count.

    python asv_bench/vs_torch.py                # all cores
    python asv_bench/vs_torch.py --threads 1    # single-threaded
    python asv_bench/vs_torch.py --quick        # fewer repeats (a smoke run)

Each row times the same operation on equal inputs in both libraries (timeit: a warm-up call, an
auto-ranged loop count, then the minimum over repeats, per call). ratio = torch / cytorch, so
> 1 means cytorch is faster. Rows whose cytorch op does not exist yet are skipped and listed.
"""
import argparse
import os
import sys
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _has(lib, *names):
    for name in names:
        obj = lib
        for part in name.split("."):
            if not hasattr(obj, part):
                return False
            obj = getattr(obj, part)
    return True


def measure(fn, repeat, min_time):
    """Seconds per call: warm up, pick a loop count worth >= min_time, keep the fastest repeat."""
    fn()
    t = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = t.timeit(number)
        if elapsed >= min_time or number >= 1 << 20:
            break
        number *= 2 if elapsed == 0 else max(2, min(10, int(min_time / elapsed) + 1))
    best = min(t.repeat(repeat=repeat, number=number))
    return best / number


def _inputs(lib, shape, seed, dtype=np.float32):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return lib.from_numpy(a)


def cases(ct, torch):
    """(name, needs, make) rows; make(lib) returns the zero-argument callable to time."""
    M = 10_000_000

    def small_add(lib):
        a, b = lib.ones(1), lib.ones(1)
        return lambda: a + b

    def add_10m(lib):
        a, b = _inputs(lib, M, 0), _inputs(lib, M, 1)
        return lambda: a + b

    def exp_10m(lib):
        a = _inputs(lib, M, 0)
        return lambda: lib.exp(a)

    def add_transposed(lib):
        a, b = _inputs(lib, (3162, 3162), 0).t(), _inputs(lib, (3162, 3162), 1)
        return lambda: a + b

    def sum_10m(lib):
        a = _inputs(lib, M, 0)
        return lambda: lib.sum(a)

    def matmul(n):
        def make(lib):
            a, b = _inputs(lib, (n, n), 0), _inputs(lib, (n, n), 1)
            return lambda: lib.matmul(a, b)
        return make

    def tiny_autograd(lib):
        a, b, c = (lib.ones(1, requires_grad=True) for _ in range(3))

        def step():
            (a * b + c).sum().backward()
        return step

    def chain_autograd(lib):
        x = lib.from_numpy(np.random.default_rng(3).standard_normal(1000).astype(np.float32))
        x.requires_grad_(True)

        def step():
            y = x
            for _ in range(25):   # 100 elementwise ops
                y = (y * 0.5 + 0.1).tanh() - y * 0.01
            y.sum().backward()
        return step

    def tiny_fwd_bwd(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(32, 64), lib.nn.ReLU(), lib.nn.Linear(64, 10))
        x = lib.randn(16, 32)
        y = lib.randn(16, 10)

        def step():
            model.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
        return step

    return [
        ("add, 1 element", (), small_add),
        ("add, 10M float32", (), add_10m),
        ("exp, 10M float32", ("exp",), exp_10m),
        ("add, 3162² transposed view", (), add_transposed),
        ("sum, 10M float32", ("sum",), sum_10m),
        ("matmul 64³ float32", ("matmul",), matmul(64)),
        ("matmul 1024³ float32", ("matmul",), matmul(1024)),
        ("(a*b + c).sum().backward(), 1 elem", ("Tensor.backward", "sum"), tiny_autograd),
        ("100-op chain fwd+bwd, 1000 elem", ("Tensor.backward", "sum", "tanh"), chain_autograd),
        ("tiny MLP forward+backward", ("nn.Linear", "nn.Sequential", "nn.ReLU", "randn", "manual_seed",
                                       "Tensor.backward", "mean"), tiny_fwd_bwd),
    ]


# ---------------------------------------------------------------- nn (Module system, Linear)

def nn_cases(ct, torch):
    """Rows for nn.Module/Linear. The MLP uses a one-line ReLU module over ``lib.relu`` in both
    libraries, so it runs before nn.ReLU exists."""

    def relu_module(lib):
        class ReLU(lib.nn.Module):
            def forward(self, x):
                return lib.relu(x)
        return ReLU()

    def module_call(lib):
        m, x = lib.nn.Identity(), lib.ones(1)
        return lambda: m(x)

    def linear_fwd(lib):
        lib.manual_seed(0)
        m, x = lib.nn.Linear(784, 128), _inputs(lib, (64, 784), 0)
        return lambda: m(x)

    def mlp(batch):
        def make(lib):
            lib.manual_seed(0)
            model = lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(784, 128), relu_module(lib),
                                      lib.nn.Linear(128, 10))
            x = _inputs(lib, (batch, 1, 28, 28), 0)

            def step():
                model.zero_grad()
                model(x).sum().backward()
            return step
        return make

    needs = ("nn.Module", "nn.Linear", "nn.Flatten", "nn.Sequential", "relu", "manual_seed", "Tensor.backward")
    return [
        ("Module call (Identity)", ("nn.Identity",), module_call),
        ("Linear 784->128 fwd, b64", ("nn.Linear", "manual_seed"), linear_fwd),
        ("MLP 784-128-10 fwd+bwd b64", needs, mlp(64)),
        ("MLP 784-128-10 fwd+bwd b512", needs, mlp(512)),
    ]


# ---------------------------------------------------------------- conv (convolution, pooling, the seed CNN)

def conv_cases(ct, torch):
    """Rows for the conv family: a ResNet-style 3x3 conv, a 2x2 max pool, and a training step of
    the seed CNN (Conv-ReLU-MaxPool x2, three Linear layers, batch 64, 28x28, cross-entropy, SGD).
    Where cytorch lacks nn.ReLU / F.cross_entropy / optim.SGD yet, the step uses the same maths
    from what exists (Tensor.relu, log_softmax + gather, an in-place SGD update)."""

    def conv_fwd(lib):
        lib.manual_seed(0)
        m = lib.nn.Conv2d(64, 64, 3, padding=1)
        x = _inputs(lib, (8, 64, 56, 56), 0)

        def run():
            with lib.no_grad():
                m(x)
        return run

    def conv_fwd_bwd(lib):
        lib.manual_seed(0)
        m = lib.nn.Conv2d(32, 64, 3)
        x = _inputs(lib, (64, 32, 13, 13), 0).requires_grad_()

        def run():
            m.zero_grad()
            x.grad = None
            m(x).sum().backward()
        return run

    def max_pool(lib):
        x = _inputs(lib, (64, 32, 26, 26), 0)
        return lambda: lib.nn.functional.max_pool2d(x, 2)

    def seed_step(lib):
        nn, F = lib.nn, lib.nn.functional
        lib.manual_seed(0)

        class ReLU(nn.Module):
            def forward(self, x):
                return F.relu(x) if hasattr(F, "relu") else x.relu()
        relu = nn.ReLU if hasattr(nn, "ReLU") else ReLU
        model = nn.Sequential(nn.Conv2d(1, 32, 3), relu(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), relu(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 120), relu(), nn.Linear(120, 84),
                              relu(), nn.Linear(84, 10))
        x = _inputs(lib, (64, 1, 28, 28), 0)
        y = lib.from_numpy(np.random.default_rng(1).integers(0, 10, 64))
        params = list(model.parameters())
        opt = lib.optim.SGD(params, lr=0.01) if hasattr(lib, "optim") and hasattr(lib.optim, "SGD") else None

        def loss_of(out):
            if hasattr(F, "cross_entropy"):
                return F.cross_entropy(out, y)
            return -out.log_softmax(1).gather(1, y.reshape(-1, 1)).mean()

        def step():
            if opt is not None:
                opt.zero_grad()
            else:
                for p in params:
                    p.grad = None
            loss_of(model(x)).backward()
            if opt is not None:
                opt.step()
            else:
                with lib.no_grad():
                    for p in params:
                        p.sub_(0.01 * p.grad)
        return step

    needs = ("nn.Conv2d", "nn.MaxPool2d", "nn.Linear", "nn.Sequential", "nn.Flatten", "manual_seed")
    return [
        ("conv2d 3x3 64->64 56² b8 fwd", ("nn.Conv2d", "manual_seed", "no_grad"), conv_fwd),
        ("conv2d 3x3 32->64 13² b64 f+b", ("nn.Conv2d", "manual_seed"), conv_fwd_bwd),
        ("max_pool2d 2x2 64x32x26²", ("nn.functional.max_pool2d",), max_pool),
        ("seed CNN train step b64 28²", needs, seed_step),
    ]


def raw_sgemm(n):
    from scipy.linalg import blas
    rng = np.random.default_rng(0)
    a = np.asfortranarray(rng.standard_normal((n, n), dtype=np.float32))
    b = np.asfortranarray(rng.standard_normal((n, n), dtype=np.float32))
    return lambda: blas.sgemm(1.0, a, b)


def fmt(sec):
    if sec < 1e-3:
        return f"{sec * 1e6:9.2f} µs"
    if sec < 1:
        return f"{sec * 1e3:9.2f} ms"
    return f"{sec:9.3f} s "


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for both libraries and BLAS (default: all cores)")
    p.add_argument("--repeat", type=int, default=7, help="timeit repeats; the minimum is kept")
    p.add_argument("--min-time", type=float, default=0.2, help="seconds each repeat runs at least")
    p.add_argument("--quick", action="store_true", help="3 repeats of >= 0.02 s (smoke run)")
    p.add_argument("--only", default="", help="run only rows whose name contains this text")
    args = p.parse_args(argv)
    if args.quick:
        args.repeat, args.min_time = 3, 0.02

    try:
        import cytorch
    except ImportError:                          # not installed: use a checkout built in place
        sys.path.insert(0, os.path.dirname(HERE))
        import cytorch
    import torch

    cytorch.set_num_threads(args.threads)       # our OpenMP loops and SciPy's OpenBLAS
    torch.set_num_threads(args.threads)
    print(f"cytorch {cytorch.__version__} vs torch {torch.__version__}, {args.threads} thread(s), "
          f"min of {args.repeat} repeats\n")
    head = f"{'benchmark':<30} {'cytorch':>12} {'torch':>12} {'torch/cytorch':>14}"
    print(head)
    print("-" * len(head))
    skipped = []
    results = {}
    for name, needs, make in cases(cytorch, torch) + nn_cases(cytorch, torch) + conv_cases(cytorch, torch):
        if args.only and args.only not in name:
            continue
        if not _has(cytorch, *needs):
            skipped.append(name)
            continue
        try:
            t_ct = measure(make(cytorch), args.repeat, args.min_time)
        except Exception as e:   # an op that exists but cannot run this case yet
            skipped.append(f"{name} ({type(e).__name__}: {e})")
            continue
        t_th = measure(make(torch), args.repeat, args.min_time)
        results[name] = t_ct
        print(f"{name:<30} {fmt(t_ct):>12} {fmt(t_th):>12} {t_th / t_ct:>13.2f}x", flush=True)
    if not args.only or "sgemm" in args.only or "matmul" in args.only:
        for n in (64, 1024):
            t_raw = measure(raw_sgemm(n), args.repeat, args.min_time)
            mm = results.get(f"matmul {n}³ float32")
            extra = f"  (cytorch matmul / sgemm = {mm / t_raw:.2f})" if mm else ""
            print(f"{f'raw scipy sgemm {n}³':<30} {fmt(t_raw):>12} {'':>12} {'':>14}{extra}")
    if skipped:
        print("\nskipped (not in cytorch yet): " + "; ".join(skipped))


if __name__ == "__main__":
    main()

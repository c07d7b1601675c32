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


# ---------------------------------------------------------------- losses (fused kernels)

def loss_cases(ct, torch):
    """Loss rows: fused cross-entropy and BCE-with-logits, forward and forward+backward."""
    def classes(n, c, seed=1):
        return np.random.default_rng(seed).integers(0, c, n)

    def ce(shape, backward=True, **kw):
        def make(lib):
            x = _inputs(lib, shape, 0).requires_grad_(backward)
            t = lib.from_numpy(classes((shape[0],) + shape[2:], shape[1]))
            F = lib.nn.functional
            if not backward:
                return lambda: F.cross_entropy(x, t, **kw)

            def step():
                x.grad = None
                F.cross_entropy(x, t, **kw).backward()
            return step
        return make

    def bce_logits(lib):
        x = _inputs(lib, (512, 1000), 0).requires_grad_(True)
        y = lib.from_numpy((np.random.default_rng(1).random((512, 1000)) > 0.5).astype(np.float32))
        pw = _inputs(lib, 1000, 2).abs()

        def step():
            x.grad = None
            lib.nn.functional.binary_cross_entropy_with_logits(x, y, pos_weight=pw).backward()
        return step

    need = ("nn.functional.cross_entropy", "Tensor.backward")
    return [
        ("cross_entropy fwd 64x10", need, ce((64, 10), backward=False)),
        ("cross_entropy fwd+bwd 64x10", need, ce((64, 10))),
        ("cross_entropy fwd 512x1000", need, ce((512, 1000), backward=False)),
        ("cross_entropy fwd+bwd 512x1000", need, ce((512, 1000))),
        ("CE ls=0.1 fwd+bwd 4x21x64x64", need, ce((4, 21, 64, 64), label_smoothing=0.1)),
        ("bce_logits fwd+bwd 512x1000", ("nn.functional.binary_cross_entropy_with_logits",), bce_logits),
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

    def train_step(batch):
        # issue 4's yardstick: Flatten-Linear(784,128)-ReLU-Linear(128,10), CrossEntropyLoss, SGD(momentum)
        def make(lib):
            lib.manual_seed(0)
            model = lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(784, 128), lib.nn.ReLU(),
                                      lib.nn.Linear(128, 10))
            opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            loss_fn = lib.nn.CrossEntropyLoss()
            x = _inputs(lib, (batch, 1, 28, 28), 0)
            y = lib.from_numpy(np.random.default_rng(0).integers(0, 10, batch))

            def step():
                opt.zero_grad()
                loss_fn(model(x), y).backward()
                opt.step()
            return step
        return make

    needs = ("nn.Module", "nn.Linear", "nn.Flatten", "nn.Sequential", "relu", "manual_seed", "Tensor.backward")
    return [
        ("Module call (Identity)", ("nn.Identity",), module_call),
        ("Linear 784->128 fwd, b64", ("nn.Linear", "manual_seed"), linear_fwd),
        ("MLP 784-128-10 fwd+bwd b64", needs, mlp(64)),
        ("MLP 784-128-10 fwd+bwd b512", needs, mlp(512)),
        ("MLP train step CE+SGD(momentum) b64", needs + ("optim.SGD", "nn.CrossEntropyLoss", "nn.ReLU"), train_step(64)),
        ("MLP train step CE+SGD(momentum) b512", needs + ("optim.SGD", "nn.CrossEntropyLoss", "nn.ReLU"),
         train_step(512)),
    ]


# ---------------------------------------------------------------- save / load (cytorch.serialization)

def serialization_cases(ct, torch):
    """100 MB checkpoint rows: cytorch.save/load (safetensors, fsync'd atomic save) against
    torch.save/load (zip), and both libraries loading the same files written by torch.save."""
    import atexit
    import shutil
    import tempfile
    files = {}

    def prepare():
        if files:
            return files
        d = tempfile.mkdtemp(prefix="vs-torch-ckpt-")
        atexit.register(shutil.rmtree, d, True)
        rng = np.random.default_rng(0)
        arrays = {}
        for i in range(24):             # 24 x (1024x1024 weight + 1024 bias) float32 = 100.8 MB
            arrays[f"layer{i}.weight"] = rng.standard_normal((1024, 1024), dtype=np.float32)
            arrays[f"layer{i}.bias"] = rng.standard_normal(1024, dtype=np.float32)
        files["sd"] = {lib: {k: lib.from_numpy(v) for k, v in arrays.items()} for lib in (ct, torch)}
        files["native"] = {ct: os.path.join(d, "ckpt.safetensors"), torch: os.path.join(d, "ckpt.pt")}
        ct.save(files["sd"][ct], files["native"][ct])
        torch.save(files["sd"][torch], files["native"][torch])
        files["legacy"] = os.path.join(d, "legacy.pt")
        torch.save(files["sd"][torch], files["legacy"], _use_new_zipfile_serialization=False)
        return files

    def save(lib):
        f = prepare()
        sd, path = f["sd"][lib], f["native"][lib]
        return lambda: lib.save(sd, path)

    def load_native(mmap):
        def make(lib):
            path = prepare()["native"][lib]
            return lambda: lib.load(path, mmap=mmap)
        return make

    def load_torch_file(kind):
        def make(lib):
            f = prepare()
            path = f["native"][torch] if kind == "zip" else f["legacy"]
            return lambda: lib.load(path)
        return make

    return [
        ("save 100 MB ckpt (own format)", ("save", "load"), save),
        ("load 100 MB ckpt (own format)", ("save", "load"), load_native(False)),
        ("load 100 MB torch zip file", ("save", "load"), load_torch_file("zip")),
        ("load 100 MB torch legacy file", ("save", "load"), load_torch_file("legacy")),
        ("load 100 MB mmap (own format)", ("save", "load"), load_native(True)),
    ]


# ---------------------------------------------------------------- data loading (cytorch.utils.data)

class _SlowSamples:
    """256 samples of ~1 ms each (time.sleep), for worker-process throughput; made per library."""

    def __init__(self, lib):
        self.x = lib.ones(256, 32)

    def __len__(self):
        return 256

    def __getitem__(self, i):
        import time
        time.sleep(0.001)
        return self.x[i], i


def data_cases(ct, torch):
    """DataLoader rows: one call = one epoch."""

    def tensor_epoch(lib):
        rng = np.random.default_rng(0)
        x = lib.from_numpy(rng.standard_normal((60_000, 784), dtype=np.float32))
        y = lib.from_numpy(rng.integers(0, 10, 60_000))
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)

        def epoch():
            for _ in loader:
                pass
        return epoch

    def slow_epoch(num_workers):
        def make(lib):
            loader = lib.utils.data.DataLoader(_SlowSamples(lib), batch_size=16, num_workers=num_workers,
                                               persistent_workers=num_workers > 0)

            def epoch():
                for _ in loader:
                    pass
            return epoch
        return make

    needs = ("utils.data.DataLoader",)
    return [
        ("DataLoader 60000x784, batch 64", needs, tensor_epoch),
        ("1 ms/sample epoch, 0 workers", needs, slow_epoch(0)),
        ("1 ms/sample epoch, 2 workers", needs, slow_epoch(2)),
    ]


# ---------------------------------------------------------------- optim (fused optimizer steps)

def optim_cases(ct, torch):
    """optimizer.step() over many parameters that already hold gradients. PyTorch's default on CPU
    is its for-loop implementation; the foreach rows force its multi-tensor one (cytorch accepts
    and ignores the flag: its step is always one fused C loop per parameter)."""

    def step(name, count, size, **kw):
        def make(lib):
            rng = np.random.default_rng(0)
            params = []
            for _ in range(count):
                p = lib.from_numpy(rng.standard_normal(size).astype(np.float32)).requires_grad_(True)
                p.grad = lib.from_numpy(rng.standard_normal(size).astype(np.float32))
                params.append(p)
            return getattr(lib.optim, name)(params, **kw).step
        return make

    return [
        ("Adam.step 100x10k", ("optim.Adam",), step("Adam", 100, 10_000, lr=1e-3)),
        ("Adam.step 100x10k torch foreach", ("optim.Adam",), step("Adam", 100, 10_000, lr=1e-3, foreach=True)),
        ("AdamW amsgrad 100x10k", ("optim.AdamW",), step("AdamW", 100, 10_000, lr=1e-3, amsgrad=True)),
        ("SGD momentum 100x10k", ("optim.SGD",), step("SGD", 100, 10_000, lr=0.1, momentum=0.9)),
        ("SGD momentum 100x10k foreach", ("optim.SGD",), step("SGD", 100, 10_000, lr=0.1, momentum=0.9,
                                                             foreach=True)),
        ("Adam.step 1x10M", ("optim.Adam",), step("Adam", 1, 10_000_000, lr=1e-3)),
        ("Adam.step 10x100 (overhead)", ("optim.Adam",), step("Adam", 10, 100, lr=1e-3)),
    ]


def vision_cases(ct, torch):
    """cytorch.vision's image kernels against the PyTorch ops torchvision's tensor transforms use
    (torchvision itself is not needed): interpolate, affine_grid + grid_sample, pad, flip."""
    import math
    rng = np.random.default_rng(0)
    img = rng.random((3, 224, 224)).astype(np.float32)
    img8 = (img * 255).astype(np.uint8)

    def vf():
        from cytorch.vision.transforms import functional as F
        return F

    def resize(size, mode, antialias, u8=False):
        def make(lib):
            x = lib.from_numpy(img8 if u8 else img)
            if lib is ct:
                F = vf()
                m = F.InterpolationMode(mode)
                return lambda: F.resize(x, list(size), interpolation=m, antialias=antialias)
            kw = {} if mode == "nearest" else {"antialias": antialias, "align_corners": False}
            return lambda: torch.nn.functional.interpolate(x[None], size=size, mode=mode, **kw)
        return make

    def rotate(lib):
        x = lib.from_numpy(img)
        if lib is ct:
            F = vf()
            return lambda: F.rotate(x, 17.0, interpolation=F.InterpolationMode.BILINEAR)
        t = math.radians(17.0)
        theta = torch.tensor([[[math.cos(t), -math.sin(t), 0.0], [math.sin(t), math.cos(t), 0.0]]])
        nnf = torch.nn.functional
        return lambda: nnf.grid_sample(x[None], nnf.affine_grid(theta, (1, 3, 224, 224), align_corners=False),
                                       align_corners=False)

    def pad_reflect(lib):
        x = lib.from_numpy(img)
        if lib is ct:
            F = vf()
            return lambda: F.pad(x, 4, padding_mode="reflect")
        return lambda: torch.nn.functional.pad(x, (4, 4, 4, 4), mode="reflect")

    def normalize(lib):
        x = lib.from_numpy(img)
        mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
        if lib is ct:
            from cytorch.vision import transforms as T
            return lambda: T.Normalize(mean, std)(x)
        m, s = torch.tensor(mean).view(-1, 1, 1), torch.tensor(std).view(-1, 1, 1)
        return lambda: (x - m) / s

    def to_tensor(lib):
        hwc = np.ascontiguousarray(img8.transpose(1, 2, 0))
        if lib is ct:
            F = vf()
            return lambda: F.to_tensor(hwc)
        return lambda: torch.from_numpy(hwc).permute(2, 0, 1).contiguous().float().div(255)

    return [
        ("vision resize 224->112 aa", ("vision",), resize((112, 112), "bilinear", True)),
        ("vision resize 224->112", ("vision",), resize((112, 112), "bilinear", False)),
        ("vision resize u8 224->112 aa", ("vision",), resize((112, 112), "bilinear", True, u8=True)),
        ("vision resize 224->320 bicubic", ("vision",), resize((320, 320), "bicubic", False)),
        ("vision resize nearest u8", ("vision",), resize((100, 100), "nearest", False, u8=True)),
        ("vision rotate 17 bilinear", ("vision",), rotate),
        ("vision pad reflect 4", ("vision",), pad_reflect),
        ("vision Normalize 3x224²", ("vision",), normalize),
        ("vision to_tensor u8 HWC", ("vision",), to_tensor),
    ]


# ---------------------------------------------------------------- nn.functional (fused kernels)

def nn_functional_cases(ct, torch):
    """Rows for the fused nn.functional kernels: the op plus its backward, large and small."""

    def fwd_bwd(fn, shapes):
        def make(lib):
            xs = [_inputs(lib, s, k).requires_grad_(True) for k, s in enumerate(shapes)]
            g = lib.ones(tuple(fn(lib, *xs).shape))

            def step():
                for x in xs:
                    x.grad = None
                fn(lib, *xs).backward(g)
            return step
        return make

    def F(lib):
        return lib.nn.functional

    def softmax(lib, x):
        return F(lib).softmax(x, -1)

    def log_softmax(lib, x):
        return F(lib).log_softmax(x, -1)

    def layer_norm(lib, x, w, b):
        return F(lib).layer_norm(x, (x.shape[-1],), w, b)

    def batch_norm(lib, x, w, b):
        return F(lib).batch_norm(x, None, None, w, b, True)

    def gelu(lib, x):
        return F(lib).gelu(x)

    def dropout(lib, x):
        return F(lib).dropout(x, 0.5)

    need = ("nn.functional.softmax", "Tensor.backward")
    return [
        ("softmax f+b 256x1024", need, fwd_bwd(softmax, [(256, 1024)])),
        ("softmax f+b 64x10", need, fwd_bwd(softmax, [(64, 10)])),
        ("log_softmax f+b 256x1024", need, fwd_bwd(log_softmax, [(256, 1024)])),
        ("layer_norm f+b 256x1024", need, fwd_bwd(layer_norm, [(256, 1024), (1024,), (1024,)])),
        ("layer_norm f+b 64x128", need, fwd_bwd(layer_norm, [(64, 128), (128,), (128,)])),
        ("batch_norm f+b 32x64x28x28", need, fwd_bwd(batch_norm, [(32, 64, 28, 28), (64,), (64,)])),
        ("batch_norm f+b 512x256", need, fwd_bwd(batch_norm, [(512, 256), (256,), (256,)])),
        ("gelu f+b 1M", need, fwd_bwd(gelu, [(1 << 20,)])),
        ("gelu f+b 64x128", need, fwd_bwd(gelu, [(64, 128)])),
        ("dropout f+b 1M", need, fwd_bwd(dropout, [(1 << 20,)])),
        ("dropout f+b 64x128", need, fwd_bwd(dropout, [(64, 128)])),
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


# ---------------------------------------------------------------- sequence models (attention, Transformer, RNN)

def seq_cases(ct, torch):
    """Rows for the issue's targets, forward+backward: TransformerEncoderLayer(128, 4, 512,
    dropout=0, batch_first) at batch 32 x seq 64, LSTM(64 -> 128) at batch 16 x seq 50; and the
    fused attention alone (128 heads of 64 x 32, and one 2048-long causal head pair)."""

    def encoder_layer(lib):
        lib.manual_seed(0)
        m = lib.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)
        x = _inputs(lib, (32, 64, 128), 0)

        def step():
            m.zero_grad()
            m(x).sum().backward()
        return step

    def lstm(lib):
        lib.manual_seed(0)
        m = lib.nn.LSTM(64, 128, batch_first=True)
        x = _inputs(lib, (16, 50, 64), 0)

        def step():
            m.zero_grad()
            m(x)[0].sum().backward()
        return step

    def gru(lib):
        lib.manual_seed(0)
        m = lib.nn.GRU(64, 128, num_layers=2, bidirectional=True, batch_first=True)
        x = _inputs(lib, (16, 50, 64), 0)

        def step():
            m.zero_grad()
            m(x)[0].sum().backward()
        return step

    def sdpa(shape, causal):
        def make(lib):
            q = _inputs(lib, shape, 0).requires_grad_(True)

            def step():
                q.grad = None
                lib.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=causal).sum().backward()
            return step
        return make

    return [
        ("TransformerEncoderLayer f+b", ("nn.TransformerEncoderLayer", "manual_seed"), encoder_layer),
        ("LSTM 64->128 b16 s50 f+b", ("nn.LSTM", "manual_seed"), lstm),
        ("GRU 2-layer bidir b16 s50 f+b", ("nn.GRU", "manual_seed"), gru),
        ("sdpa f+b 32x4x64x32", ("nn.functional.scaled_dot_product_attention",), sdpa((32, 4, 64, 32), False)),
        ("sdpa causal f+b 1x2x2048x64", ("nn.functional.scaled_dot_product_attention",),
         sdpa((1, 2, 2048, 64), True)),
    ]


def core_speed_cases(ct, torch):
    """Per-op overhead in the core: tensor() of a few Python numbers, a backward whose gradient
    becomes .grad without a copy, relu's fused backward."""
    def from_list(data):
        return lambda lib: (lambda: lib.tensor(data))

    def big_grad_backward(lib):
        w = _inputs(lib, (1024, 1024), 0).requires_grad_(True)

        def step():
            w.grad = None
            (w * 2).sum().backward()
        return step

    def linear_backward(lib):
        w = _inputs(lib, (1024, 1024), 0).requires_grad_(True)
        x = _inputs(lib, (16, 1024), 1)

        def step():
            w.grad = None
            lib.nn.functional.linear(x, w).sum().backward()
        return step

    def relu_backward(lib):
        x = _inputs(lib, 1 << 20, 2).requires_grad_(True)
        y, g = lib.relu(x), lib.ones(1 << 20)
        return lambda: lib.autograd.grad(y, x, g, retain_graph=True)

    return [
        ("tensor([1., 2., 3.])", ("tensor",), from_list([1.0, 2.0, 3.0])),
        ("tensor([[1, 2], [3, 4.]])", ("tensor",), from_list([[1, 2], [3, 4.0]])),
        ("tensor(2.5)", ("tensor",), from_list(2.5)),
        ("(w*2).sum() bw w 1024²", ("Tensor.backward",), big_grad_backward),
        ("linear 16x1024² bw w", ("nn.functional.linear", "Tensor.backward"), linear_backward),
        ("relu bw 1M", ("relu", "autograd.grad"), relu_backward),
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


# every family's rows; a new family adds its function here
def nnextra_cases(ct, torch):
    """CTC loss (fused alpha-beta kernel) forward+backward, and a lazy module's first call."""
    T, N, C, S = 50, 16, 20, 10

    def ctc(lib, backward=True):
        rng = np.random.default_rng(3)
        x = lib.from_numpy(rng.standard_normal((T, N, C)).astype(np.float32)).log_softmax(2).detach()
        x.requires_grad_(backward)
        tg = lib.from_numpy(rng.integers(1, C, (N, S)))
        il = lib.full((N,), T, dtype=lib.int64)
        tl = lib.from_numpy(rng.integers(S // 2, S + 1, N))
        F = lib.nn.functional
        if not backward:
            return lambda: F.ctc_loss(x, tg, il, tl)

        def step():
            x.grad = None
            F.ctc_loss(x, tg, il, tl).backward()
        return step

    def lazy_first_call(lib):
        x = _inputs(lib, (8, 16, 8, 8), 0)
        return lambda: lib.nn.LazyConv2d(16, 3)(x)

    return [
        ("ctc_loss fwd 50x16x20 S=10", ("nn.functional.ctc_loss",), lambda lib: ctc(lib, False)),
        ("ctc_loss fwd+bwd 50x16x20 S=10", ("nn.functional.ctc_loss",), ctc),
        ("LazyConv2d(16,3) first call", ("nn.LazyConv2d",), lazy_first_call),
    ]


SECTIONS = [
    cases,
    nn_cases,
    serialization_cases,
    data_cases,
    optim_cases,
    vision_cases,
    loss_cases,
    nn_functional_cases,
    conv_cases,
    seq_cases,
    core_speed_cases,
    nnextra_cases,
]


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
    try:
        import cytorch.vision  # noqa: F401  (the vision rows need the subpackage imported)
    except ImportError:
        pass
    rows = []
    for section in SECTIONS:        # one entry per family (see the end of the file's case functions)
        rows += section(cytorch, torch)
    for name, needs, make in rows:
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

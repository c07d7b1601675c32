"""float32 gemm on the shapes of Linear layers: cytorch vs PyTorch, per shape and layout.

    PYTHONPATH=. python asv_bench/gemm_shapes.py --threads 1
    PYTHONPATH=. python asv_bench/gemm_shapes.py --threads 2 --only enc

Shapes: a Transformer encoder layer (R = 2048 rows, d = 128, ff = 512) and an MLP (784 -> 128,
batch 64 and 512), each Linear's forward (x @ W^T: a transposed weight view), its input gradient
(dY @ W: both row-major) and its weight gradient (dY^T @ X: a transposed activation view), i.e.
exactly the three calls nn.functional.linear and its backward make. For each row: microseconds
per call for cytorch through OpenBLAS ('blas'), through its packed kernels ('packed',
src_c/ct_pgemm.c), through its default choice between them ('auto'), and for PyTorch; ratio =
torch / cytorch (> 1: cytorch faster), and cytorch's GFLOP/s as a fraction of the core's float32 multiply-add peak (measured here with a loop of
independent FMAs when --peak is given, since a VM's clock is not what the CPU's name says).
"""
import argparse
import os
import sys
import timeit

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def shapes():
    """(name, layout, M, K, N): C (M x N) = op(A) (M x K) @ op(B) (K x N).
    layout 'nt': A row-major, B a transposed view (forward x @ W^T); 'nn': both row-major
    (input gradient dY @ W); 'tn': A a transposed view (weight gradient dY^T @ X)."""
    rows = []
    R = 2048
    for name, k, n in (("enc.qkv", 128, 384), ("enc.out", 128, 128), ("enc.ff1", 128, 512),
                       ("enc.ff2", 512, 128)):
        rows.append((name + " fwd", "nt", R, k, n))
        rows.append((name + " dX", "nn", R, n, k))
        rows.append((name + " dW", "tn", n, R, k))
    for b in (64, 512):
        rows.append((f"mlp{b} fwd", "nt", b, 784, 128))
        rows.append((f"mlp{b} dX", "nn", b, 128, 784))
        rows.append((f"mlp{b} dW", "tn", 128, b, 784))
    return rows


def operands(lib, layout, M, K, N, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((K, M) if layout == "tn" else (M, K), dtype=np.float32)
    b = rng.standard_normal((N, K) if layout == "nt" else (K, N), dtype=np.float32)
    a, b = lib.from_numpy(a), lib.from_numpy(b)
    return (a.t() if layout == "tn" else a), (b.t() if layout == "nt" else b)


def measure(fn, repeat=7, min_time=0.02):
    """Seconds per call: warm up, pick a loop count worth >= min_time, keep the fastest repeat."""
    fn()
    t = timeit.Timer(fn)
    number = 1
    while t.timeit(number) < min_time and number < 1 << 16:
        number *= 2
    return min(t.repeat(repeat=repeat, number=number)) / number


def fma_peak(seconds=0.2):
    """GFLOP/s of one core's float32 FMAs, from a tiny C loop compiled here (None if no cc)."""
    import ctypes
    import subprocess
    import tempfile
    src = r"""
    #include <time.h>
    typedef float v16 __attribute__((vector_size(64)));
    #define F(x) x = x * b + c;
    #define ALL(M) M(a0) M(a1) M(a2) M(a3) M(a4) M(a5) M(a6) M(a7) M(a8) M(a9) M(a10) M(a11)
    __attribute__((target("avx512f,fma"))) double peak(long n) {
        v16 a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, b = {0}, c = {0};
        a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = a9 = a10 = a11 = b + 0.5f;
        b += 1.0001f; c += 0.9999f;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long it = 0; it < n; it++) {
            ALL(F)
            __asm__("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5));
            __asm__("" : "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11));
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        v16 s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        double dt = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
        return s[0] == 12345.f ? 0 : 12.0 * 16 * 2 * n / dt / 1e9;
    }"""
    d = tempfile.mkdtemp()
    try:
        with open(os.path.join(d, "p.c"), "w") as f:
            f.write(src)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", os.path.join(d, "p.so"),
                        os.path.join(d, "p.c")], check=True, capture_output=True)
        lib = ctypes.CDLL(os.path.join(d, "p.so"))
        lib.peak.restype = ctypes.c_double
        lib.peak.argtypes = [ctypes.c_long]
        return max(lib.peak(int(2e7 * seconds)) for _ in range(5))
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--only", default="", help="rows whose name contains this text")
    p.add_argument("--peak", action="store_true", help="measure the core's FMA peak first")
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    sys.path.insert(0, os.path.dirname(HERE))
    import cytorch
    import torch
    cytorch.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    peak = fma_peak() if args.peak else None
    if peak:
        print(f"float32 FMA peak of one core: {peak:.0f} GFLOP/s")
    from cytorch._C import _blas
    print(f"{'shape':14s} {'lay':3s} {'M':>5s} {'K':>5s} {'N':>5s} {'blas us':>8s} {'packed':>8s} "
          f"{'auto':>8s} {'torch us':>8s} {'blas':>5s} {'packed':>6s} {'auto':>5s} {'GF/s':>6s}"
          + ("  of peak" if peak else ""))
    print(" " * 33 + "(ratio = torch / cytorch; GF/s of cytorch's default path)")
    old = _blas._set_packed_gemm(1)
    ratios = {"blas": [], "packed": [], "auto": []}
    for name, layout, M, K, N in shapes():
        if args.only not in name:
            continue
        t = {}
        ca, cb = operands(cytorch, layout, M, K, N)
        ta, tb = operands(torch, layout, M, K, N)
        runs = [("torch", lambda: torch.mm(ta, tb), None)]
        runs += [(key, lambda: cytorch.mm(ca, cb), mode) for key, mode in
                 (("blas", 0), ("packed", 2), ("auto", 1))]
        for _ in range(2):   # two interleaved rounds, the best of each kept: load drifts
            for key, fn, mode in runs:
                if mode is not None:
                    _blas._set_packed_gemm(mode)
                t[key] = min(t.get(key, 1e9), measure(fn, repeat=max(1, args.repeat // 2)))
        _blas._set_packed_gemm(1)
        gf = 2.0 * M * N * K / t["auto"] / 1e9
        line = (f"{name:14s} {layout:3s} {M:5d} {K:5d} {N:5d} {t['blas'] * 1e6:8.1f} "
                f"{t['packed'] * 1e6:8.1f} {t['auto'] * 1e6:8.1f} {t['torch'] * 1e6:8.1f}")
        for key in ("blas", "packed", "auto"):
            ratios[key].append(t["torch"] / t[key])
            line += f" {t['torch'] / t[key]:{6 if key == 'packed' else 5}.2f}"
        line += f" {gf:6.1f}"
        if peak:
            line += f"  {gf / (peak * args.threads):7.0%}"
        print(line, flush=True)
    _blas._set_packed_gemm(old)
    if ratios["auto"]:
        print("geometric mean ratio vs torch: " + ", ".join(
            f"{k} {np.exp(np.mean(np.log(v))):.2f}" for k, v in ratios.items()))


if __name__ == "__main__":
    main()

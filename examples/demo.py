"""A two-second tour of cytorch: tensors, broadcasting, views, dtypes and zero-copy interop.

Run: ``python examples/demo.py`` (after ``pip install .``). Every number printed is computed by
cytorch's C kernels; NumPy only checks the results at the end.
"""
import numpy as np

import cytorch as torch


def main():
    print("cytorch", torch.__version__, "| threads:", torch.get_num_threads())

    # Creation and arithmetic, exactly as in PyTorch.
    x = torch.arange(6.0).reshape(2, 3)
    y = torch.tensor([10.0, 20.0, 30.0])
    z = x * 2 + y                      # (2, 3) op (3,) broadcasts
    print("x =", x.tolist())
    print("x * 2 + y =", z.tolist())
    print("exp(x / 5) =", [[round(v, 4) for v in row] for row in torch.exp(x / 5).tolist()])

    # Views share memory: a transpose is a stride change, not a copy.
    xt = x.t()
    print("x.t() shape", tuple(xt.shape), "strides", xt.stride(), "contiguous?", xt.is_contiguous())
    xt.narrow(0, 0, 1).fill_(-1.0)     # write through the view
    print("after writing -1 into column 0 through x.t():", x.tolist())

    # Type promotion follows PyTorch: int64 tensor + float scalar -> float32.
    i = torch.tensor([1, 2, 3])
    print("int64 + 0.5 ->", (i + 0.5).dtype, (i + 0.5).tolist())
    print("int64 < 2.5 ->", (i < 2.5).dtype, (i < 2.5).tolist())

    # Reductions and matmul appear as their op families land.
    if hasattr(torch, "sum"):
        print("sum(z) =", float(torch.sum(z)))
    if hasattr(torch, "matmul"):
        print("x @ x.t() =", torch.matmul(x, x.t()).tolist())

    # Zero-copy interop: NumPy and DLPack views of the same memory.
    a = np.ones((2, 2), dtype=np.float32)
    t = torch.from_numpy(a)
    t.mul_(3)
    print("NumPy array after an in-place op on its cytorch view:", a.tolist())
    b = torch.from_dlpack(np.arange(4, dtype=np.int32))
    print("from_dlpack(np.arange(4)) ->", b.dtype, b.tolist())
    back = np.from_dlpack(z)
    print("np.from_dlpack(z) shares memory:", back.ctypes.data == z.data_ptr())

    # Check against NumPy.
    xn = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    assert np.allclose(np.from_dlpack(torch.exp(torch.from_numpy(xn) / 5)), np.exp(xn / 5), rtol=1e-6)
    assert np.allclose(back, xn * 2 + np.array([10, 20, 30], dtype=np.float32))
    print("all results match NumPy")


if __name__ == "__main__":
    main()

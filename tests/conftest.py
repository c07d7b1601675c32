"""Shared test helpers.

Tests compare against NumPy always and against PyTorch when it is installed
(`torch` fixture skips cleanly otherwise).
"""
import numpy as np
import pytest

import cytorch


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def np_of(t):
    """A NumPy copy of a cytorch tensor (bfloat16 via float32)."""
    t = t.detach()
    if t.dtype == cytorch.bfloat16:
        t = t.float()
    return np.array(t.numpy(), copy=True)


def assert_close(actual, expected, rtol=1e-5, atol=1e-6, check_dtype=True):
    """Compare a cytorch tensor with a NumPy array / number / cytorch tensor."""
    if isinstance(expected, cytorch.Tensor):
        expected = np_of(expected)
    expected = np.asarray(expected)
    a = np_of(actual)
    assert a.shape == expected.shape, f"shape {a.shape} != {expected.shape}"
    if check_dtype and expected.dtype != np.dtype(object):
        assert a.dtype == expected.dtype, f"dtype {a.dtype} != {expected.dtype}"
    np.testing.assert_allclose(a, expected, rtol=rtol, atol=atol, equal_nan=True)

"""Compiled core of cytorch (Cython over the C kernels in src_c/)."""

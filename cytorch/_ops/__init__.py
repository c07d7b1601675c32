"""Op families, one module each; every module attaches its Tensor methods on import."""

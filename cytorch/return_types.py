"""Named-tuple results of ops that return several tensors (``torch.return_types``).

``values, indices = x.max(0)`` unpacks them; ``.values`` / ``.indices`` name
the parts; they print and pickle like PyTorch's.
"""
import collections as _collections

__all__ = []


def _make(name, fields):
    base = _collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"cytorch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})
    globals()[name] = cls
    __all__.append(name)
    return cls


for _name in ("sort", "topk", "kthvalue", "median", "nanmedian", "mode", "max", "min", "cummax", "cummin"):
    _make(_name, ("values", "indices"))
_make("aminmax", ("min", "max"))
_make("linalg_slogdet", ("sign", "logabsdet"))
_make("slogdet", ("sign", "logabsdet"))
_make("linalg_qr", ("Q", "R"))
_make("linalg_svd", ("U", "S", "Vh"))
_make("svd", ("U", "S", "V"))
_make("linalg_eigh", ("eigenvalues", "eigenvectors"))
_make("linalg_eig", ("eigenvalues", "eigenvectors"))
_make("linalg_inv_ex", ("inverse", "info"))
_make("linalg_cholesky_ex", ("L", "info"))
_make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_make("linalg_solve_ex", ("result", "info"))
_make("linalg_lu_factor", ("LU", "pivots"))
_make("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_make("linalg_lu", ("P", "L", "U"))

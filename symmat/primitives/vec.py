"""vec: the columns of a matrix stacked into one column (a vector stays as it is).

    vec(X)_(j,i) = X_ij  (index form: a transpose, then its two axes fused row-major)
    d vec(A) = vec(dA)   (linear)
"""
from __future__ import annotations

from ..errors import InteropError, ShapeError
from ..functions import np
from ..index import tensor as T
from ..registry import Primitive, register
from ..shapes import column, dim_product
from ._common import linear_law


def _shape(u, t):
    if t.is_matrix:
        return column(dim_product([t.shape[0], t.shape[1]]))
    if t.is_vector:
        return column(t.shape[0])
    raise ShapeError(f"vec cannot take {t.describe()}")


def _sympy(w, node):
    import sympy as sp

    x, t = w(node), node.type
    if t.is_vector:
        return sp.Transpose(x) if t.row else x
    cols = t.shape[1]
    if not isinstance(cols, int):
        raise InteropError(f"SymPy has no vec; vec of a matrix with {cols} columns (a name) cannot be written")
    # vec(X) = sum_j e_j ⊗ (X e_j): column j of X lands in block j.
    basis = [sp.ImmutableMatrix(cols, 1, lambda i, _j, k=k: int(i == k)) for k in range(cols)]
    blocks = [sp.KroneckerProduct(e, x * e) for e in basis]
    return blocks[0] if cols == 1 else sp.MatAdd(*blocks)


register(Primitive(
    name="vec",
    shape=_shape,
    numpy=lambda x: np.reshape(x, -1, order="F"),
    code={
        "numpy": '{0}.reshape(-1, order="F")',  # columns stacked: Fortran order
        "jax": "{0}.T.reshape(-1)",
        "torch": "{0}.mT.reshape(-1)",
    },
    print_code=lambda p, x: p.code(x) if x.type.is_vector else p.op("vec", p.code(x)),
    sympy=_sympy,
    latex=r"\operatorname{vec}",
    lower=lambda x: T.fuse(T.permute(x, (1, 0)), (2,)) if x.rank == 2 else x,
    differential=linear_law("vec", r"\operatorname{vec}"),
))

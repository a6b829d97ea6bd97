"""diag: of a vector, the diagonal matrix; of a square matrix, its diagonal (a column).

    diag(x)_ij = x_i δ_ij        diag(X)_i = X_ii        (index form: contractions)
    d diag(A) = diag(dA)         (linear)
"""
from __future__ import annotations

from .. import nodes as N
from ..functions import np
from ..index import tensor as T
from ..registry import Primitive, register
from ..shapes import column, matrix
from ._common import linear_law


def _shape(u, t):
    if t.is_vector:
        return matrix(t.shape[0], t.shape[0])
    return column(N.square_dimension(u, "diag", t))


def _numpy(x):
    return np.diag(x) if np.ndim(x) == 1 else np.diag(x).copy()


def _lower(x):
    if x.rank == 1:
        return T.einsum([x, T.Delta(x.shape[0])], [(0,), (0, 1)], (0, 1))
    return T.einsum([x], [(0, 0)], (0,))


def _sympy(w, x):
    from sympy.matrices.expressions.diagonal import DiagMatrix

    from ..interop.sympy_explicit import diagonal_of

    if x.type.is_vector:
        return DiagMatrix(w(x))
    return diagonal_of(w(x))  # DiagonalOf does not evaluate once X is explicit (SymPy 1.14)


def _from_sympy(r, e):
    """DiagMatrix(v) (a vector to a diagonal matrix), DiagonalOf(X) (the diagonal as a
    column), DiagonalMatrix(X) (X with its off-diagonal entries zeroed: diag(diag(X)));
    of a 1 x 1 matrix, its entry."""
    from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf

    if not isinstance(e, (DiagMatrix, DiagonalOf, DiagonalMatrix)):
        return None
    arg = r(e.args[0])
    if arg.type.is_scalar:
        return arg
    return N.Apply("diag", N.Apply("diag", arg)) if isinstance(e, DiagonalMatrix) else N.Apply("diag", arg)


register(Primitive(
    name="diag",
    shape=_shape,
    numpy=_numpy,
    code={},
    # diag(v) builds a matrix, diag(X) reads one
    print_code=lambda p, x: p.op("diag" if x.type.is_vector else "diagonal", p.code(x)),
    sympy=_sympy,
    from_sympy=_from_sympy,
    latex=r"\operatorname{diag}",
    lower=_lower,
    differential=linear_law("diag", r"\operatorname{diag}"),
))

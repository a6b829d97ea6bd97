"""normalize: a vector divided by its Euclidean norm, or each column of a matrix by
its own (unit vectors: cosine similarity, normalised embeddings, weight normalisation).

    normalize(x) = x / ‖x‖              normalize(X)_ij = X_ij / ‖X_:j‖
    d normalize(x) = (I - u uᵀ) dx / ‖x‖,   u = normalize(x)

An opaque index-form node; its differential, column by column, with
n_j = (Σ_i X_ij²)^-½ and U = normalize(X):
    dU_ij = n_j dX_ij - n_j U_ij Σ_k U_kj dX_kj
In the language: normalize(X) = X diag(diag(Xᵀ X) .^ -½) (how SymPy receives it).
"""
from __future__ import annotations

from .. import nodes as N
from ..errors import ShapeError
from ..functions import np
from ..index import tensor as T
from ..registry import DX, Primitive, Term, register
from ._common import D


def _shape(u, t):
    if not (t.is_vector or t.is_matrix):
        raise ShapeError(f"normalize needs a vector or a matrix, not {t.describe()}")
    return t


def _derivative(t):
    """dU = n ⊙ dX - n ⊙ U (Uᵀ dX) per column, n the reciprocal column norms."""
    x = t.operands[0]
    own = tuple(range(t.rank))
    columns, other = own[1:], ("k",) + own[1:]
    n = T.power(T.einsum([x, x], [own, own], columns), -0.5)
    return [
        Term((n, DX), (columns, own), own),
        Term((n, t, t, DX), (columns, own, other, other), own, -1.0),
    ]


def _sympy(w, x):
    if x.type.is_vector:
        return w(N.Div(x, N.Apply("norm", x)))
    gram = N.Apply("diag", N.MatMul(N.Transpose(x), x))
    return w(N.MatMul(x, N.Apply("diag", N.ElemPower(gram, -0.5))))


def _law(ex, u, x):
    if not (x.type.is_vector and not x.type.row):
        return None  # a row or the columns of a matrix: steps use the derivative
    projection = N.Add(N.Identity(x.type.shape[0]), N.Neg(N.MatMul(u, N.Transpose(u))))
    law = (rf"{D}\operatorname{{normalize}}(x) = (I - u u^\top)\,{D}x / \|x\|,"
           r"\ u = \operatorname{normalize}(x)")
    return "normalization", law, N.Div(N.MatMul(projection, ex.d(x)), N.Apply("norm", x))


register(Primitive(
    name="normalize",
    shape=_shape,
    numpy=lambda x: x / np.linalg.norm(x, axis=0),
    code={
        "numpy": "{0} / np.linalg.norm({0}, axis=0)",
        "jax": "{0} / jnp.linalg.norm({0}, axis=0)",
        "torch": "{0} / torch.linalg.norm({0}, dim=0)",
    },
    sympy=_sympy,
    latex=r"\operatorname{normalize}",
    index_shape=lambda s: s,
    derivative=_derivative,
    differential=_law,
))

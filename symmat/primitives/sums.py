"""sum and mean: of all the entries of a scalar, vector or matrix.

    sum X = Σ_ij X_ij                 d sum(A) = sum(dA)  (linear)
    mean X = Σ_ij X_ij / (Σ_i 1)(Σ_j 1)   (the sizes as sums of ones: no number fixed)
"""
from __future__ import annotations

from .. import nodes as N
from ..functions import np
from ..index import tensor as T
from ..registry import Primitive, register
from ..shapes import SCALAR
from ._common import linear_law


def sympy_sum(w, x, t):
    """sum of the SymPy value ``x`` of type ``t``."""
    import sympy as sp
    from sympy.matrices.expressions.diagonal import DiagMatrix

    if t.is_scalar:
        return x
    if t.is_vector:
        return sp.Trace(DiagMatrix(x))  # evaluates without knowing n (no OneMatrix)
    return sp.OneMatrix(1, w.dim(t.shape[0])) * x * sp.OneMatrix(w.dim(t.shape[1]), 1)


def _lower_mean(x):
    count = [T.power(T.einsum([T.Ones((d,))], [(0,)], ()), -1.0) for d in x.shape]
    labels = tuple(range(x.rank))
    return T.einsum([x, *count], [labels] + [()] * len(count), ())


def _sympy_mean(w, x):
    """SymPy has no mean: sum(X) / (sum(ones_m) sum(ones_n)), symmat's lowering."""
    if not x.type.shape:
        return w(x)
    sizes = [N.Apply("sum", N.Ones(d)) for d in x.type.shape]
    return w(N.Div(N.Apply("sum", x), sizes[0] if len(sizes) == 1 else N.MatMul(*sizes)))


register(
    Primitive(
        name="sum",
        shape=lambda u, t: SCALAR,
        numpy=lambda x: np.sum(x),
        code={},
        print_code=lambda p, x: p.op("sum", p.code(x)),
        sympy=lambda w, x: sympy_sum(w, w(x), x.type),
        latex=r"\operatorname{sum}",
        lower=lambda x: T.einsum([x], [tuple(range(x.rank))], ()),
        differential=linear_law("sum", r"\operatorname{sum}"),
    ),
    Primitive(
        name="mean",
        shape=lambda u, t: SCALAR,
        numpy=lambda x: np.mean(x),
        code={"numpy": "np.mean({0})", "jax": "jnp.mean({0})", "torch": "torch.mean({0})"},
        sympy=_sympy_mean,
        latex=r"\operatorname{mean}",
        lower=_lower_mean,
    ),
)

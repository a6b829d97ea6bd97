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


def summed(e):
    """``v`` for ``1^T v`` and ``X`` for ``1^T X 1``, written with ``OneMatrix`` (the sum
    of the entries), else None."""
    import sympy as sp

    args: tuple = e.args if isinstance(e, sp.MatMul) else (e,)
    if len(args) in (2, 3) and isinstance(args[0], sp.OneMatrix) and args[0].rows == 1:
        if len(args) == 2 and args[1].shape[1] == 1:
            return args[1]
        if len(args) == 3 and isinstance(args[2], sp.OneMatrix) and args[2].cols == 1:
            return args[1]
    return None


def sum_argument(e):
    """``v`` when ``e`` is the sum of the entries of ``v`` (``tr(diag(v))``, ``1^T v``)."""
    import sympy as sp
    from sympy.matrices.expressions.diagonal import DiagMatrix

    if isinstance(e, sp.Trace):
        e = e.arg
        if isinstance(e, DiagMatrix):
            return e.args[0]
    return summed(e)


def _from_sympy_sum(r, e):
    """1^T X 1, 1^T v, and tr(diag(v)) (how to_sympy writes the sum of a vector)."""
    import sympy as sp
    from sympy.matrices.expressions.diagonal import DiagMatrix

    if isinstance(e, sp.MatMul):
        inner = summed(e)
    elif isinstance(e, sp.Trace) and isinstance(e.arg, DiagMatrix):
        inner = e.arg.args[0]
    else:
        return None
    return None if inner is None else N.Apply("sum", r(inner))


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
        from_sympy=_from_sympy_sum,
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

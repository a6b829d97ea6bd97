"""tr: the trace of a square matrix.

    tr X = Σ_i X_ii  (index form: one contraction; the engine differentiates it)
    d tr X = tr dX   (linear)
    tr(A B) = Σ_ij A_ij B_ji: generated code never forms the product (see print_code)
"""
from __future__ import annotations

from .. import nodes as N
from ..functions import np
from ..index import tensor as T
from ..registry import Primitive, register
from ..shapes import SCALAR
from ._common import linear_law


def _shape(u, t):
    N.square_dimension(u, "tr", t)
    return SCALAR


def _code(p, x):
    if isinstance(x, N.MatMul):
        fast = p.trace_of_product(x)
        if fast is not None:
            return fast
    return p.op("trace", p.code(x))


def _sympy(w, x):
    import sympy as sp

    return sp.Trace(w(x))


def _from_sympy(r, e):
    """Trace(X); tr of a 1 x 1 matrix is its entry, a scalar. (tr(diag(v)) is sum's.)"""
    import sympy as sp
    from sympy.matrices.expressions.diagonal import DiagMatrix

    if not isinstance(e, sp.Trace) or isinstance(e.arg, DiagMatrix):
        return None
    arg = r(e.arg)
    return arg if arg.type.is_scalar else N.Apply("tr", arg)


register(Primitive(
    name="tr",
    shape=_shape,
    numpy=lambda x: np.trace(x),
    code={},
    print_code=_code,
    sympy=_sympy,
    from_sympy=_from_sympy,
    latex=r"\operatorname{tr}",
    lower=lambda x: T.einsum([x], [(0, 0)], ()),
    differential=linear_law("tr", r"\operatorname{tr}"),
))

"""inv: the inverse of a square matrix, written X^-1 in matrix notation.

    d(X⁻¹) = -X⁻¹ dX X⁻¹,  as a contraction: dY_ij = -Σ_ab Y_ia dX_ab Y_bj
"""
from __future__ import annotations

from .. import nodes as N
from ..functions import np
from ..printing.precedence import ATOM
from ..registry import DX, Primitive, Term, register
from ._common import D


def _shape(u, t):
    N.square_dimension(u, "inv", t)
    return t


def _sympy(w, x):
    import sympy as sp

    return sp.Inverse(w(x))


def _law(ex, u, x):
    return "inverse", rf"{D}(X^{{-1}}) = -X^{{-1}}\,{D}X\,X^{{-1}}", N.Neg(N.MatMul(u, ex.d(x), u))


def _from_sympy(r, e):
    """Inverse(X); of a scalar, its reciprocal."""
    import sympy as sp

    if not isinstance(e, sp.Inverse):
        return None
    arg = r(e.arg)
    return N.Power(arg, -1.0) if arg.type.is_scalar else N.Apply("inv", arg)


register(Primitive(
    name="inv",
    shape=_shape,
    numpy=lambda x: np.linalg.inv(x),
    code={},
    print_code=lambda p, x: p.op("inv", p.code(x)),
    sympy=_sympy,
    from_sympy=_from_sympy,
    latex=lambda p, x: f"{p.at_least(x, ATOM)}^{{-1}}",
    latex_postfix=True,
    index_shape=lambda s: s,
    derivative=lambda t: [Term((t, DX, t), ((0, "a"), ("a", "b"), ("b", 1)), (0, 1), -1.0)],
    matrix_form=lambda x: N.Power(x, -1),
    differential=_law,
    square=True,
))

"""norm (Euclidean of a vector, Frobenius of a matrix, |s| of a scalar) and norm1, the
1-norm of a vector, written ``norm(x, 1)``.

    norm(X) = (Σ_ij X_ij²)^½       norm(s) = |s|        norm(x, 1) = Σ_i |x_i|
    d‖a‖ = aᵀ da / ‖a‖    d‖A‖_F = tr(Aᵀ dA) / ‖A‖_F    d|s| = sign(s) ds
(index form: contractions and powers; norm1 has a kink wherever an entry is 0)
"""
from __future__ import annotations

from .. import nodes as N
from ..errors import ShapeError
from ..functions import np
from ..index import tensor as T
from ..registry import Primitive, register
from ..shapes import SCALAR
from ._common import D


def _lower_norm(x):
    if x.rank == 0:
        return T.Elem("abs", x, 0)
    labels = tuple(range(x.rank))
    return T.power(T.einsum([x, x], [labels, labels], ()), 0.5)


def _latex_norm(p, x):
    if x.type.is_scalar:
        return rf"\left|{p.doprint(x)}\right|"
    frobenius = "_F" if x.type.is_matrix else ""
    return rf"\left\|{p.doprint(x)}\right\|{frobenius}"


def _sympy_norm(w, node):
    import sympy as sp

    x, t = w(node), node.type
    if t.is_scalar:
        return sp.Abs(x)
    if t.is_vector:
        return sp.sqrt(sp.Trace(x * sp.Transpose(x) if t.row else sp.Transpose(x) * x))
    return sp.sqrt(sp.Trace(sp.Transpose(x) * x))


def _law_norm(ex, u, a):
    if a.type.is_scalar:
        law = rf"{D}|s| = \operatorname{{sign}}(s)\,{D}s"
        return "norm", law, N.MatMul(N.Elementwise("sign", a), ex.d(a))
    inner: N.Expr
    if a.type.is_matrix:
        inner = N.Apply("tr", N.MatMul(N.Transpose(a), ex.d(a)))
        law = rf"{D}\|A\|_F = \operatorname{{tr}}(A^\top {D}A) / \|A\|_F"
    else:
        inner = N.MatMul(ex.d(a), N.Transpose(a)) if a.type.row else N.MatMul(N.Transpose(a), ex.d(a))
        law = rf"{D}\|a\| = a^\top {D}a / \|a\|"
    return "norm", law, N.Div(inner, u)


def _from_sympy_norm(r, e):
    """sqrt(tr(uᵀ u)) or sqrt(uᵀ u) (1 x 1): ‖u‖, as the parser reads norm(u)."""
    import sympy as sp

    if not (isinstance(e, sp.Pow) or (isinstance(e, sp.MatPow) and e.base.shape == (1, 1))):
        return None
    if e.exp != sp.Rational(1, 2):
        return None
    u = e.base.arg if isinstance(e.base, sp.Trace) else e.base
    if isinstance(u, sp.MatMul) and len(u.args) == 2 and u.args[0].doit() == sp.Transpose(u.args[1]).doit():
        return N.Apply("norm", r(u.args[1]))
    return None


def _shape_norm1(u, t):
    if not t.is_vector:
        raise ShapeError(f"norm(·, 1) needs a vector, not {t.describe()}")
    return SCALAR


register(
    Primitive(
        name="norm",
        shape=lambda u, t: SCALAR,
        numpy=lambda x: np.linalg.norm(x) if np.ndim(x) else abs(x),
        code={"numpy": "np.linalg.norm({0})", "jax": "jnp.linalg.norm({0})", "torch": "torch.linalg.norm({0})"},
        print_code=lambda p, x: p.op("abs", p.code(x)) if x.type.is_scalar else p.op("norm", p.code(x)),
        sympy=_sympy_norm,
        from_sympy=_from_sympy_norm,
        latex=_latex_norm,
        lower=_lower_norm,
        differential=_law_norm,
    ),
    Primitive(
        name="norm1",
        written="norm",
        text="norm({0}, 1)",
        shape=_shape_norm1,
        numpy=lambda x: np.sum(np.abs(x)),
        code={"numpy": "np.sum(np.abs({0}))", "jax": "jnp.sum(jnp.abs({0}))", "torch": "torch.sum(torch.abs({0}))"},
        sympy=lambda w, x: w(N.Apply("sum", N.Elementwise("abs", x))),
        latex=lambda p, x: rf"\left\|{p.doprint(x)}\right\|_1",
        lower=lambda x: T.einsum([T.Elem("abs", x, 0)], [(0,)], ()),
        kinked=True,
    ),
)

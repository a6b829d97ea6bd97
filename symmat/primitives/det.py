"""det and logdet of a square matrix; ``logdet X = log |det X|``, so that its
derivative ``X⁻ᵀ`` holds wherever X is invertible (also where det X < 0).

    d det X = det X tr(X⁻¹ dX)            (Jacobi's formula; ∂ det X / ∂X = det X X⁻ᵀ)
    d logdet X = tr(X⁻¹ dX)                (∂ logdet X / ∂X = X⁻ᵀ)

Both are opaque index-form nodes; their differentials, as contractions in dX:
    d det X = Σ_ij det(X) (X⁻¹)_ji dX_ij      d logdet X = Σ_ij (X⁻¹)_ji dX_ij
"""
from __future__ import annotations

from .. import nodes as N
from ..functions import np
from ..index import tensor as T
from ..registry import DX, Primitive, Term, register
from ..shapes import SCALAR
from ._common import D


def _scalar_of_square(name):
    def rule(u, t):
        N.square_dimension(u, name, t)
        return SCALAR

    return rule


def _logdet(x):
    sign, value = np.linalg.slogdet(x)
    return value if sign != 0 else -np.inf


def _d_det(t):
    """dY = Σ_ij Y (X⁻¹)_ji dX_ij."""
    x = t.operands[0]
    return [Term((t, T.apply("inv", x), DX), ((), (1, 0), (0, 1)), ())]


def _d_logdet(t):
    """dY = Σ_ij (X⁻¹)_ji dX_ij."""
    x = t.operands[0]
    return [Term((T.apply("inv", x), DX), ((1, 0), (0, 1)), ())]


def _law_det(ex, u, x):
    out = N.MatMul(u, N.Apply("tr", N.MatMul(N.Apply("inv", x), ex.d(x))))
    return "determinant", rf"{D}\det X = \det X \operatorname{{tr}}(X^{{-1}} {D}X)", out


def _law_logdet(ex, u, x):
    out = N.Apply("tr", N.MatMul(N.Apply("inv", x), ex.d(x)))
    return "log-determinant", rf"{D}\log\det X = \operatorname{{tr}}(X^{{-1}} {D}X)", out


def _sympy_det(w, x):
    import sympy as sp

    return sp.Determinant(w(x))


def _sympy_logdet(w, x):
    import sympy as sp

    return sp.log(sp.Abs(sp.Determinant(w(x))))  # symmat's logdet is log |det X|


def _from_sympy_det(r, e):
    """Determinant(X); det of a 1 x 1 matrix is its entry, a scalar."""
    import sympy as sp

    if not isinstance(e, sp.Determinant):
        return None
    arg = r(e.arg)
    return arg if arg.type.is_scalar else N.Apply("det", arg)


def _from_sympy_logdet(r, e):
    """log(Abs(Determinant(X))): log |det X| is exactly symmat's logdet."""
    import sympy as sp

    if not (isinstance(e, sp.log) and isinstance(e.args[0], sp.Abs) and isinstance(e.args[0].args[0], sp.Determinant)):
        return None
    inner = r(e.args[0].args[0].arg)
    return None if inner.type.is_scalar else N.Apply("logdet", inner)


register(
    Primitive(
        name="det",
        shape=_scalar_of_square("det"),
        numpy=lambda x: np.linalg.det(x),
        code={"numpy": "np.linalg.det({0})", "jax": "jnp.linalg.det({0})", "torch": "torch.linalg.det({0})"},
        sympy=_sympy_det,
        from_sympy=_from_sympy_det,
        latex=r"\det",
        index_shape=lambda s: (),
        derivative=_d_det,
        differential=_law_det,
        square=True,
    ),
    Primitive(
        name="logdet",
        shape=_scalar_of_square("logdet"),
        numpy=_logdet,
        code={"numpy": "np.linalg.slogdet({0})[1]", "jax": "jnp.linalg.slogdet({0})[1]",
              "torch": "torch.linalg.slogdet({0})[1]"},
        sympy=_sympy_logdet,
        from_sympy=_from_sympy_logdet,
        latex=r"\log\det",
        index_shape=lambda s: (),
        derivative=_d_logdet,
        differential=_law_logdet,
        square=True,
    ),
)

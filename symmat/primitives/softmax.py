"""softmax, log_softmax and logsumexp: of a vector, or of each column of a matrix
(over axis 0; logsumexp of an m x n matrix is an n-vector).

    softmax(z) = exp(z) / sum(exp(z))       logsumexp(z) = log sum(exp(z))
    log_softmax(Z)_ij = Z_ij - logsumexp(Z)_j          (index form: a sum)

softmax and logsumexp are opaque index-form nodes; with S = softmax(Z), column by column:
    dS_ij = S_ij dZ_ij - S_ij Σ_k S_kj dZ_kj     (d softmax(z) = (diag(s) - s sᵀ) dz)
    d logsumexp(Z)_j = Σ_i S_ij dZ_ij            (d logsumexp(z) = softmax(z)ᵀ dz)
    d log_softmax(z) = dz - 1 softmax(z)ᵀ dz
The steps' laws of a matrix, in matrix notation: dS = S ⊙ (dZ - 1 1ᵀ (S ⊙ dZ)),
d logsumexp(Z) = (S ⊙ dZ)ᵀ 1, d log_softmax(Z) = dZ - 1 1ᵀ (S ⊙ dZ).
Generated code and evaluation subtract the column's maximum first (no overflow).
"""
from __future__ import annotations

from .. import nodes as N
from ..errors import ShapeError
from ..functions import np
from ..index import tensor as T
from ..registry import DX, Primitive, Term, register
from ..shapes import SCALAR, column
from ._common import D
from .sums import sum_argument, sympy_sum


def _columnwise(name: str, reduces: bool):
    def rule(u, t):
        if not (t.is_vector or t.is_matrix):
            raise ShapeError(f"{name} needs a vector or a matrix, not {t.describe()}")
        if not reduces:
            return t
        return SCALAR if t.is_vector else column(t.shape[1])

    return rule


def _softmax(z):
    e = np.exp(z - np.max(z, axis=0))
    return e / e.sum(axis=0)


def _logsumexp(z):
    top = np.max(z, axis=0)
    return top + np.log(np.sum(np.exp(z - top), axis=0))


def _d_softmax(t):
    own = tuple(range(t.rank))
    other = ("k",) + own[1:]
    return [Term((t, DX), (own, own), own), Term((t, t, DX), (own, other, other), own, -1.0)]


def _d_logsumexp(t):
    z = t.operands[0]
    labels = tuple(range(z.rank))
    return [Term((T.apply("softmax", z), DX), (labels, labels), labels[1:])]


def _lower_log_softmax(x):
    labels = tuple(range(x.rank))
    lse = T.einsum([T.apply("logsumexp", x), T.Ones(x.shape[:1])], [labels[1:], labels[:1]], labels)
    return T.add_or_zero([x, T.scale(lse, -1.0)], x.shape)


def _sympy_columnwise(name):
    """softmax(Z) = E diag(1 ./ (Eᵀ 1)) and logsumexp(Z) = log.(Eᵀ 1), E = exp.(Z);
    of a vector: exp.(z) / sum(exp.(z)) and log(sum(exp.(z)))."""

    def write(w, node):
        import sympy as sp
        from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
        from sympy.matrices.expressions.diagonal import DiagMatrix

        z, t = w(node), node.type
        e = ElementwiseApplyFunction(sp.exp, z)
        if t.is_matrix:
            sums = sp.Transpose(e) * sp.OneMatrix(w.dim(t.shape[0]), 1)
            if name == "logsumexp":
                return ElementwiseApplyFunction(sp.log, sums)
            return e * DiagMatrix(sp.HadamardPower(sums, -1))
        total = sympy_sum(w, e, t)
        return sp.log(total) if name == "logsumexp" else sp.Pow(total, -1) * e

    return write


def _exp_of(e):
    """``z`` when ``e`` is ``exp.(z)`` for a vector ``z``."""
    import sympy as sp
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

    if isinstance(e, ElementwiseApplyFunction) and 1 in e.shape:
        d = sp.Dummy("d")
        if e.function(d) == sp.exp(d):
            return e.expr
    return None


def _exp_sum_argument(e):
    """``z`` when ``e`` is ``sum(exp.(z))``."""
    summed = sum_argument(e)
    return None if summed is None else _exp_of(summed)


def _from_sympy_softmax(r, e):
    """exp.(z) / sum(exp.(z)) is softmax(z)."""
    import sympy as sp

    if not (isinstance(e, sp.MatMul) and len(e.args) == 2):
        return None
    scale, vector = e.args
    if isinstance(scale, sp.Pow) and scale.exp == -1:
        z = _exp_of(vector)
        if z is not None and _exp_sum_argument(scale.base) == z:
            return N.Apply("softmax", r(z))
    return None


def _from_sympy_logsumexp(r, e):
    """log(sum(exp.(z))) is logsumexp(z)."""
    import sympy as sp

    z = _exp_sum_argument(e.args[0]) if isinstance(e, sp.log) else None
    return None if z is None else N.Apply("logsumexp", r(z))


def _sympy_log_softmax(w, z):
    lse = N.Apply("logsumexp", z)
    shift = N.MatMul(N.Ones(z.type.shape[0]), N.Transpose(lse)) if z.type.is_matrix else lse
    return w(N.Add(z, N.Neg(shift)))


def _column_sums(z: N.Expr, weighted: N.Expr) -> N.Expr:
    """1 1ᵀ W: each column of W summed, repeated down the column (Z is m x n)."""
    m = z.type.shape[0]
    return N.MatMul(N.Ones(m), N.Transpose(N.Ones(m)), weighted)


def _law_softmax(ex, s, z):
    if z.type.is_matrix:  # column by column: ds = s ⊙ (dz - 1 sᵀdz) for each column
        dz = ex.d(z)
        law = (rf"{D}\operatorname{{softmax}}(Z) = S \odot \left({D}Z"
               rf" - \mathbf{{1}}\mathbf{{1}}^\top (S \odot {D}Z)\right),\ S = \operatorname{{softmax}}(Z)")
        return "softmax", law, N.Hadamard(s, N.Add(dz, N.Neg(_column_sums(z, N.Hadamard(s, dz)))))
    law = (rf"{D}\operatorname{{softmax}}(z) = (\operatorname{{diag}}(s) - s s^\top)\,{D}z,"
           r"\ s = \operatorname{softmax}(z)")
    if z.type.row:
        jac = N.Add(N.Apply("diag", s), N.Neg(N.MatMul(N.Transpose(s), s)))
        return "softmax", law, N.MatMul(ex.d(z), jac)
    jac = N.Add(N.Apply("diag", s), N.Neg(N.MatMul(s, N.Transpose(s))))
    return "softmax", law, N.MatMul(jac, ex.d(z))


def law_log_softmax(ex, u, z):
    """log softmax(z) = z - logsumexp(z) 1: no softmax left to divide by. Also the law of
    log(softmax(z)) (steps.expand). Of a matrix, column by column:
    d log_softmax(Z) = dZ - 1 1ᵀ (softmax(Z) ⊙ dZ)."""
    s = N.Apply("softmax", z)
    dz = ex.d(z)
    if z.type.is_matrix:
        law = (rf"{D}\log\operatorname{{softmax}}(Z) = {D}Z - \mathbf{{1}}\mathbf{{1}}^\top"
               rf"(\operatorname{{softmax}}(Z) \odot {D}Z)")
        return "log-softmax", law, N.Add(dz, N.Neg(_column_sums(z, N.Hadamard(s, dz))))
    if not (z.type.is_vector and not z.type.row):
        return None
    out = N.Add(dz, N.Neg(N.MatMul(N.Ones(z.type.shape[0]), N.MatMul(N.Transpose(s), dz))))
    law = rf"{D}\log\operatorname{{softmax}}(z) = {D}z - \mathbf{{1}}\,\operatorname{{softmax}}(z)^\top {D}z"
    return "log-softmax", law, out


def _law_logsumexp(ex, u, z):
    s = N.Apply("softmax", z)
    if z.type.is_matrix:  # column by column: d logsumexp(z) = softmax(z)ᵀ dz for each column
        m = z.type.shape[0]
        law = (rf"{D}\operatorname{{logsumexp}}(Z) = (\operatorname{{softmax}}(Z) \odot {D}Z)^\top \mathbf{{1}}")
        return "log-sum-exp", law, N.MatMul(N.Transpose(N.Hadamard(s, ex.d(z))), N.Ones(m))
    law = rf"{D}\operatorname{{logsumexp}}(z) = \operatorname{{softmax}}(z)^\top {D}z"
    out = N.MatMul(ex.d(z), N.Transpose(s)) if z.type.row else N.MatMul(N.Transpose(s), ex.d(z))
    return "log-sum-exp", law, out


register(
    Primitive(
        name="softmax",
        shape=_columnwise("softmax", False),
        numpy=_softmax,
        code={
            "numpy": ("np.exp({0} - np.max({0}, axis=0))", "{prev} / np.sum({prev}, axis=0)"),
            "jax": "jax.nn.softmax({0}, axis=0)",
            "torch": "torch.softmax({0}, 0)",
        },
        sympy=_sympy_columnwise("softmax"),
        from_sympy=_from_sympy_softmax,
        latex=r"\operatorname{softmax}",
        index_shape=lambda s: s,
        derivative=_d_softmax,
        differential=_law_softmax,
    ),
    Primitive(
        name="log_softmax",
        shape=_columnwise("log_softmax", False),
        numpy=lambda z: z - _logsumexp(z),
        code={
            "numpy": ("np.max({0}, axis=0)", "{0} - ({prev} + np.log(np.sum(np.exp({0} - {prev}), axis=0)))"),
            "jax": "jax.nn.log_softmax({0}, axis=0)",
            "torch": "torch.log_softmax({0}, 0)",
        },
        sympy=_sympy_log_softmax,
        latex=r"\operatorname{log\_softmax}",
        lower=_lower_log_softmax,
        differential=law_log_softmax,
    ),
    Primitive(
        name="logsumexp",
        shape=_columnwise("logsumexp", True),
        numpy=_logsumexp,
        code={
            "numpy": ("np.max({0}, axis=0)", "{prev} + np.log(np.sum(np.exp({0} - {prev}), axis=0))"),
            "jax": "jax.nn.logsumexp({0}, axis=0)",
            "torch": "torch.logsumexp({0}, 0)",
        },
        sympy=_sympy_columnwise("logsumexp"),
        from_sympy=_from_sympy_logsumexp,
        latex=r"\operatorname{logsumexp}",
        index_shape=lambda s: s[1:],
        derivative=_d_logsumexp,
        differential=_law_logsumexp,
    ),
)

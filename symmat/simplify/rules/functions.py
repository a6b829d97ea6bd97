"""Rules for the matrix functions of the language (tr, vec, softmax, ⊗)."""
from __future__ import annotations

from ... import nodes as N
from ...algebra import _one_plus_exp, is_number, negate, split_coefficient, transpose, with_coefficient


def softmax_by_hand(e: N.Div):
    """exp(x) / sum(exp(x)) = softmax(x)"""
    num, den = e.left, e.right
    if isinstance(num, N.Elementwise) and num.name == "exp" and num.order == 0 and num.type.is_vector \
            and isinstance(den, N.Apply) and den.name == "sum" and den.args[1] == num:
        return N.Apply("softmax", num.args[1])
    return None


def softplus_by_hand(e: N.Elementwise):
    """log(1 + exp(u)) = softplus(u)  (which NumPy computes without overflow)"""
    u = _one_plus_exp(e.args[1]) if e.name == "log" and e.order == 0 else None
    return None if u is None else N.Elementwise("softplus", u)


def _sigmoid_of(e: N.Expr) -> N.Expr | None:
    return e.args[1] if isinstance(e, N.Elementwise) and e.name == "sigmoid" and e.order == 0 else None


def log_sigmoid_by_hand(e: N.Elementwise):
    """log(σ(u)) = -softplus(-u), log(1 - σ(u)) = -softplus(u)  (computed without
    underflow: σ(-1000) is 0 in floating point, and its log -inf)"""
    if e.name != "log" or e.order != 0:
        return None
    inner = e.args[1]
    u = _sigmoid_of(inner)
    if u is not None:
        return N.Neg(N.Elementwise("softplus", negate(u)))
    if isinstance(inner, N.Add) and len(inner.args) == 2 and is_number(inner.args[0], 1.0) \
            and isinstance(inner.args[1], N.Neg):
        u = _sigmoid_of(inner.args[1].args[0])
        if u is not None:
            return N.Neg(N.Elementwise("softplus", u))
    return None


def logsumexp_by_hand(e: N.Elementwise):
    """log(sum(exp(u))) = logsumexp(u) for a vector u  (computed without overflow)"""
    if e.name != "log" or e.order != 0:
        return None
    total = e.args[1]
    if isinstance(total, N.Apply) and total.name == "sum":
        exp = total.args[1]
        if isinstance(exp, N.Elementwise) and exp.name == "exp" and exp.order == 0 and exp.type.is_vector:
            return N.Apply("logsumexp", exp.args[1])
    return None


def trace_of_transpose(e: N.Apply):
    """tr(Aᵀ) = tr(A)"""
    if e.name == "tr" and isinstance(e.args[1], N.Transpose):
        return N.Apply("tr", e.args[1].args[0])
    return None


def _outer(e: N.Expr) -> tuple[N.Expr, N.Expr] | None:
    """(u, vᵀ) when ``e`` is the outer product u vᵀ of a column and a row vector."""
    if not isinstance(e, N.MatMul) or len(e.args) != 2:
        return None
    u, v_row = e.args
    if u.type.is_vector and not u.type.row and v_row.type.is_vector and v_row.type.row:
        return u, v_row
    return None


def trace_of_outer(e: N.Apply):
    """tr(x yᵀ) = yᵀ x"""
    pair = _outer(e.args[1]) if e.name == "tr" else None
    return None if pair is None else N.MatMul(pair[1], pair[0])


def vec_of_outer(e: N.Apply):
    """vec(u vᵀ) = v ⊗ u"""
    pair = _outer(e.args[1]) if e.name == "vec" else None
    return None if pair is None else N.Kron(transpose(pair[1]), pair[0])


def negation_in_function(e: N.Apply):
    """tr(-A) = -tr(A), sum(-A) = -sum(A) (linear functions)"""
    if e.name in ("tr", "sum") and isinstance(e.args[1], N.Neg):
        return N.Neg(N.Apply(e.name, e.args[1].args[0]))
    return None


def kron_of_negation(e: N.Kron):
    """(-A) ⊗ B = A ⊗ (-B) = -(A ⊗ B);  (c A) ⊗ B = c (A ⊗ B)"""
    (ca, a), (cb, b) = split_coefficient(e.left), split_coefficient(e.right)
    if (ca, cb) == (1.0, 1.0) or a is None or b is None:
        return None
    return with_coefficient(ca * cb, N.Kron(a, b))

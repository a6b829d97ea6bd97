"""Rules for the matrix functions of the language (tr, vec, softmax, ⊗)."""
from __future__ import annotations

from ... import nodes as N
from ..algebra import transpose, split_coefficient, with_coefficient


def softmax_by_hand(e: N.Div):
    """exp(x) / sum(exp(x)) = softmax(x)"""
    num, den = e.left, e.right
    if isinstance(num, N.Elementwise) and num.name == "exp" and num.order == 0 and num.type.is_vector \
            and isinstance(den, N.Apply) and den.name == "sum" and den.args[1] == num:
        return N.Apply("softmax", num.args[1])
    return None


def trace_of_transpose(e: N.Apply):
    """tr(Aᵀ) = tr(A)"""
    if e.name == "tr" and isinstance(e.args[1], N.Transpose):
        return N.Apply("tr", e.args[1].args[0])
    return None


def trace_of_outer(e: N.Apply):
    """tr(x yᵀ) = yᵀ x"""
    if e.name != "tr" or not isinstance(e.args[1], N.MatMul) or len(e.args[1].args) != 2:
        return None
    x, y_row = e.args[1].args
    if x.type.is_vector and not x.type.row and y_row.type.is_vector and y_row.type.row:
        return N.MatMul(y_row, x)
    return None


def vec_of_outer(e: N.Apply):
    """vec(u vᵀ) = v ⊗ u;  vec(Aᵀ)ᵀ-free forms: vec of a transposed outer product too"""
    if e.name != "vec" or not isinstance(e.args[1], N.MatMul) or len(e.args[1].args) != 2:
        return None
    u, v_row = e.args[1].args
    if u.type.is_vector and not u.type.row and v_row.type.is_vector and v_row.type.row:
        return N.Kron(transpose(v_row), u)
    return None


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

"""Rules for transposes and negations."""
from __future__ import annotations

from ... import nodes as N
from ...algebra import (
    is_symmetric,
    mul,
    split_coefficient,
    transpose,
    transposes,
    transposes_when_transposed,
    transposes_within,
    with_coefficient,
)


def transpose_of_transpose(e: N.Transpose):
    """(Aᵀ)ᵀ = A"""
    inner = e.args[0]
    return inner.args[0] if isinstance(inner, N.Transpose) else None


def transpose_of_scalar(e: N.Transpose):
    """sᵀ = s for a scalar s"""
    return e.args[0] if e.args[0].type.is_scalar else None


def transpose_of_symmetric(e: N.Transpose):
    """Sᵀ = S for S symmetric (declared, I, diag(v), ∇²g, u uᵀ, S^k)"""
    inner = e.args[0]
    return inner if inner.type.is_matrix and is_symmetric(inner) else None


def transpose_of_negation(e: N.Transpose):
    """(-A)ᵀ = -(Aᵀ)"""
    inner = e.args[0]
    return N.Neg(transpose(inner.args[0])) if isinstance(inner, N.Neg) else None


def transpose_of_product(e: N.Transpose):
    """(A B)ᵀ = Bᵀ Aᵀ, used when it leaves no more transposes than before"""
    inner = e.args[0]
    if not isinstance(inner, N.MatMul):
        return None
    nonscalar = [f for f in inner.args if not f.type.is_scalar]
    before = 1 + sum(transposes(f) for f in nonscalar)
    after = sum(1 - transposes(f) for f in nonscalar if not is_symmetric(f))
    if after > before:
        return None
    scalars = [f for f in inner.args if f.type.is_scalar]
    return mul(*scalars, *[transpose(f) for f in reversed(nonscalar)])


def transpose_of_sum(e: N.Transpose):
    """(A + B)ᵀ = Aᵀ + Bᵀ (also for ⊙, ./ and division by a scalar), used when it
    leaves no more transposes"""
    inner = e.args[0]
    if not isinstance(inner, (N.Add, N.Hadamard, N.HadamardDiv, N.Div)):
        return None
    operands = [a for a in inner.args if not a.type.is_scalar]
    before = 1 + sum(transposes_within(a) for a in operands)
    after = sum(transposes_when_transposed(a) for a in operands)
    # A tie goes to the distributed form when its terms are products (no parentheses
    # needed: diag(a) + Aᵀ diag(x)), not powers or scalars ((1 - t .^ 2)ᵀ stays).
    products = all(isinstance(a, (N.MatMul, N.Apply)) for a in inner.args)
    tie_goes_inside = isinstance(inner, N.Div) or (isinstance(inner, N.Add) and products)
    if after > before or (after == before and not tie_goes_inside):
        return None
    return type(inner)(*[transpose(a) for a in inner.args])


def sum_of_transposes(e: N.Add):
    """Aᵀ + Bᵀ = (A + B)ᵀ, used when it leaves fewer transposes (counted through
    products: A^T (X^2)^T + X^T A^T X^T = (X^2 A + X A X)^T)"""
    terms = [a for a in e.args if not a.type.is_scalar]
    if len(terms) != len(e.args) or not e.type.is_matrix:
        return None
    before = sum(transposes_within(a) for a in terms)
    after = 1 + sum(transposes_when_transposed(a) for a in terms)
    if after >= before:
        return None
    return N.Transpose(N.Add(*[N.Transpose(a) for a in terms]))


def transpose_of_inverse(e: N.Transpose):
    """(X⁻¹)ᵀ = (Xᵀ)⁻¹ when X is a transpose: (Aᵀ)⁻¹ᵀ = A⁻¹"""
    inner = e.args[0]
    if isinstance(inner, N.Power) and isinstance(inner.base, N.Transpose):
        return N.Power(inner.base.args[0], inner.exponent)
    return None


def power_of_transpose(e: N.Power):
    """(Aᵀ)ᵏ = (Aᵏ)ᵀ for a square matrix A: the transpose outside, as textbooks write
    (X²)ᵀ and X⁻ᵀ"""
    if e.type.is_matrix and isinstance(e.base, N.Transpose):
        return N.Transpose(N.Power(e.base.args[0], e.exponent))
    return None


def transpose_of_kron(e: N.Transpose):
    """(A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ"""
    inner = e.args[0]
    return N.Kron(transpose(inner.left), transpose(inner.right)) if isinstance(inner, N.Kron) else None


def negation_of_negation(e: N.Neg):
    """-(-A) = A"""
    return e.args[0].args[0] if isinstance(e.args[0], N.Neg) else None


def negation_of_number(e: N.Neg):
    """-(c) is the number -c; -(c A) = (-c) A"""
    c, base = split_coefficient(e.args[0])
    if base is None:
        return N.Number(-c)
    if c != 1.0:
        return with_coefficient(-c, base)
    return None

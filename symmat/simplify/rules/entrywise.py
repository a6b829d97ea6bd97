"""Rules for entrywise products, quotients and powers."""
from __future__ import annotations

from ... import nodes as N
from ...algebra import (
    _hadamard_chain,
    _hadamard_factors,
    _one_plus_exp,
    is_number,
    mul,
    negate,
    split_coefficient,
    with_coefficient,
)


def hadamard_normal_form(e: N.Expr):
    """a ⊙ (b ⊙ c) ./ d written as one chain over one denominator, with
    exp(u) ./ (1 + exp(u)) = σ(u)  and  1 ./ (1 + exp(-u)) = σ(u)"""
    numerators: list[N.Expr] = []
    denominators: list[N.Expr] = []
    _hadamard_factors(e, numerators, denominators)
    if _already_normal(e, numerators, denominators):
        return None  # said without building the chain again: a long chain stays linear
    for d in list(denominators):
        u = _one_plus_exp(d)
        if u is None:
            continue
        exp_u = N.Elementwise("exp", u)
        if exp_u in numerators:
            numerators[numerators.index(exp_u)] = N.Elementwise("sigmoid", u)
            denominators.remove(d)
        elif isinstance(u, N.Neg):
            numerators.append(N.Elementwise("sigmoid", u.args[0]))
            denominators.remove(d)
    if len(numerators) == 1 and not denominators and isinstance(e, N.ElemPower):
        return None
    for k, f in enumerate(list(numerators)):
        # exp(-v) ⊙ σ(v) = e^{-v} / (1 + e^{-v}) = σ(-v)
        if isinstance(f, N.Elementwise) and f.name == "sigmoid" and f.order == 0:
            exp_neg = N.Elementwise("exp", negate(f.args[1]))
            if exp_neg in numerators:
                numerators[k] = N.Elementwise("sigmoid", negate(f.args[1]))
                numerators.remove(exp_neg)
    top = _hadamard_chain(numerators or [N.Number(1.0)])
    if denominators:
        top = N.HadamardDiv(top, _hadamard_chain(denominators))
    if top.type != e.type:
        return None
    return None if top == e else top


def _already_normal(e: N.Expr, numerators: list, denominators: list) -> bool:
    """Whether e is already the chain this rule would build: distinct plain factors,
    nothing to turn into σ, chained left to right as listed."""
    if denominators or len(set(numerators)) != len(numerators):
        return False
    if any(isinstance(f, N.Elementwise) and f.name in ("sigmoid", "exp") for f in numerators):
        return False
    node = e
    for f in reversed(numerators[1:]):
        if not (isinstance(node, N.Hadamard) and node.right == f):
            return False
        node = node.left
    return node == numerators[0]


def hadamard_with_ones(e: N.Hadamard):
    """1 ⊙ A = A"""
    for a, b in ((e.left, e.right), (e.right, e.left)):
        if isinstance(a, N.Ones) or is_number(a, 1.0):
            return b if b.type == e.type else None
    return None


def hadamard_with_scalar(e: N.Hadamard):
    """s ⊙ A = s A for a scalar s"""
    if e.left.type.is_scalar:
        return mul(e.left, e.right)
    if e.right.type.is_scalar:
        return mul(e.right, e.left)
    return None


def hadamard_of_negation(e: N.Hadamard):
    """(-A) ⊙ B = -(A ⊙ B);  (c A) ⊙ B = c (A ⊙ B)"""
    (ca, a), (cb, b) = split_coefficient(e.left), split_coefficient(e.right)
    if (ca, cb) == (1.0, 1.0) or a is None or b is None:
        return None
    return with_coefficient(ca * cb, N.Hadamard(a, b))


def hadamard_reciprocal(e: N.Hadamard):
    """A ⊙ B.^-1 = A ./ B"""
    for a, b in ((e.left, e.right), (e.right, e.left)):
        if isinstance(b, N.ElemPower) and b.exponent == -1.0:
            return N.HadamardDiv(a, b.base)
    return None


def lone_reciprocal(e: N.ElemPower):
    """B.^-1 = 1 ./ B"""
    return N.HadamardDiv(N.Number(1.0), e.base) if e.exponent == -1.0 else None


def elementwise_power_one(e: N.ElemPower):
    """A.^1 = A"""
    return e.base if e.exponent == 1.0 else None


def power_one(e: N.Power):
    """a¹ = a; (Aᵖ)^q = A^(pq) for integers; c^p is a number"""
    if e.exponent == 1.0:
        return e.base
    if isinstance(e.base, N.Power) and e.exponent.is_integer() and e.base.exponent.is_integer():
        p = e.base.exponent * e.exponent
        return e.base.base if p == 1.0 else N.Power(e.base.base, p)
    if isinstance(e.base, N.Number) and e.base.value > 0:
        return N.Number(e.base.value ** e.exponent)
    return None

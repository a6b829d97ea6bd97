"""Rules for entrywise products, quotients and powers."""
from __future__ import annotations

import itertools

from ... import nodes as N
from ...algebra import (
    NodeMemo,
    _hadamard_chain,
    _hadamard_factors,
    _one_plus_exp,
    hadamard_link,
    hadamard_parts,
    is_number,
    mul,
    negate,
    split_coefficient,
    with_coefficient,
)


def hadamard_normal_form(e: N.Expr):
    """a ⊙ (b ⊙ c) ./ d written as one chain over one denominator, with
    exp(u) ./ (1 + exp(u)) = σ(u)  and  1 ./ (1 + exp(-u)) = σ(u)"""
    if _plain_chain(e) is not None:
        return None  # already the chain this rule would build (asked per link: see _Line)
    numerators: list[N.Expr] = []
    denominators: list[N.Expr] = []
    _hadamard_factors(e, numerators, denominators)
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


class _Line:
    """The factors of a chain f1 ⊙ … ⊙ fk nested to the left, distinct and in order: the
    first ``length`` keys of ``seen``. Chains extending one another share one dict, so a
    chain built link by link is answered in O(1) a link (every link asks); extending a
    chain that something else already extends copies its part of the dict."""

    __slots__ = ("seen", "length")

    def __init__(self, seen: dict[N.Expr, None], length: int) -> None:
        self.seen, self.length = seen, length

    def extended(self, f: N.Expr) -> _Line | None:
        """This chain ⊙ f, or None when hadamard_normal_form would change it: f is among
        its factors (f ⊙ f = f.^2) or meets its partner (σ(v) ⊙ exp(-v) = σ(-v))."""
        seen = self.seen
        if len(seen) != self.length:
            seen = dict(itertools.islice(seen.items(), self.length))
        if f in seen or any(p in seen for p in _partners(f)):
            return None
        seen[f] = None
        return _Line(seen, self.length + 1)


def _partners(f: N.Expr) -> list[N.Expr]:
    """The factors f combines with in a chain without denominators: σ(v) with exp(-v)
    (in either order; -v written as algebra.negate writes it)."""
    if not isinstance(f, N.Elementwise) or f.order != 0:
        return []
    if f.name == "sigmoid":
        return [N.Elementwise("exp", negate(f.args[1]))]
    if f.name == "exp":
        w = f.args[1]
        return [N.Elementwise("sigmoid", v) for v in ((N.Neg(w),) + ((w.args[0],) if isinstance(w, N.Neg) else ()))]
    return []


# Each ⊙ link's answer, for as long as the link lives.
_LINES: NodeMemo[_Line | None] = NodeMemo()
_UNKNOWN = _Line({}, -1)


def _plain_chain(e: N.Expr) -> _Line | None:
    """e's factors when e is already the chain hadamard_normal_form builds (distinct
    factors with no ⊙, ./ or .^k inside, none that combine, chained left to right as
    listed), otherwise None. The links below e are answered first, from the bottom
    (each once; a loop, not a recursion down the chain)."""
    spine = []
    line = _LINES.get(e, _UNKNOWN)
    while line is _UNKNOWN and hadamard_link(e):
        spine.append(e)
        e = e.left
        line = _LINES.get(e, _UNKNOWN)
    if line is _UNKNOWN:
        line = _Line({e: None}, 1) if hadamard_parts(e) is None else None
    for link in reversed(spine):
        if line is not None:
            line = line.extended(link.right) if hadamard_parts(link.right) is None else None
        _LINES[link] = line
    return line


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

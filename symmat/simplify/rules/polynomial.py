"""Elementwise algebra: entrywise sums and products form a commutative ring, so an
expression built from +, -, ⊙, ./ and numbers is a polynomial (with atoms that may
carry negative powers). Two rules use that:

- ``distribute_to_cancel``: (a ./ u - b ./ v) ⊙ u ⊙ v = a ⊙ v - b ⊙ u, when
  distributing a product over a sum cancels every denominator;
- ``expand_and_collect``: a sum of products of sums, expanded into monomials and
  collected, when that is shorter: (1 - y) ⊙ σ - y ⊙ (1 - σ) = σ - y.
"""
from __future__ import annotations

from functools import lru_cache

from ... import nodes as N
from ...algebra import NodeMemo, _hadamard_factors, hadamard_parts, with_coefficient, zero_like

MAX_MONOMIALS = 32


class Polynomial:
    """Σ coef · Π atom^power, atoms compared structurally."""

    def __init__(self, terms: dict | None = None):
        self.terms: dict[tuple, float] = terms or {}

    @staticmethod
    def constant(c: float) -> Polynomial:
        return Polynomial({(): c} if c else {})

    @staticmethod
    def atom(e: N.Expr, power: int = 1) -> Polynomial:
        return Polynomial({((e, power),): 1.0})

    def __add__(self, other: Polynomial) -> Polynomial:
        terms = dict(self.terms)
        for mono, c in other.terms.items():
            terms[mono] = terms.get(mono, 0.0) + c
        return Polynomial({m: c for m, c in terms.items() if c != 0.0})

    def scale(self, c: float) -> Polynomial:
        return Polynomial({m: c * v for m, v in self.terms.items()} if c else {})

    def __mul__(self, other: Polynomial) -> Polynomial:
        result = Polynomial()
        for ma, ca in self.terms.items():
            for mb, cb in other.terms.items():
                result = result + Polynomial({_merge(ma, mb): ca * cb})
        if len(result.terms) > MAX_MONOMIALS:
            raise OverflowError
        return result


def _merge(ma: tuple, mb: tuple) -> tuple:
    powers: dict = {}
    order = []
    for atom, p in ma + mb:
        if atom not in powers:
            order.append(atom)
            powers[atom] = 0
        powers[atom] += p
    return tuple((a, powers[a]) for a in order if powers[a] != 0)


@lru_cache(maxsize=4096)  # a long ⊙ chain asks again for each of its factors (results are never mutated)
def polynomial(e: N.Expr) -> Polynomial:
    """``e`` expanded into monomials (sums under a division stay atoms)."""
    if isinstance(e, N.Number):
        return Polynomial.constant(e.value)
    if isinstance(e, N.Add):
        result = Polynomial()
        for t in e.args:
            result = result + polynomial(t)
        return result
    if isinstance(e, N.Neg):
        return polynomial(e.args[0]).scale(-1.0)
    if isinstance(e, N.MatMul) and len(e.args) == 2 and isinstance(e.args[0], N.Number):
        return polynomial(e.args[1]).scale(e.args[0].value)
    if isinstance(e, N.Hadamard):
        return polynomial(e.left) * polynomial(e.right)
    if isinstance(e, N.HadamardDiv):
        return polynomial(e.left) * Polynomial.atom(e.right, -1)
    if isinstance(e, N.ElemPower) and e.exponent.is_integer() and 0 < e.exponent <= 3:
        base = polynomial(e.base)
        result = base
        for _ in range(int(e.exponent) - 1):
            result = result * base
        return result
    return Polynomial.atom(e)


def expression(p: Polynomial, like: N.Expr) -> N.Expr | None:
    """The polynomial written as a sum of ⊙-products (one ./ per term at most); None when
    its type is not ``like``'s."""

    terms: list[N.Expr] = []
    for mono, c in p.terms.items():
        num = [a if k == 1 else N.ElemPower(a, k) for a, k in mono if k > 0]
        den = [a if k == -1 else N.ElemPower(a, -k) for a, k in mono if k < 0]
        body: N.Expr | None = None
        for f in num:
            body = f if body is None else N.Hadamard(body, f)
        if den:
            bottom = den[0]
            for f in den[1:]:
                bottom = N.Hadamard(bottom, f)
            body = N.HadamardDiv(body if body is not None else N.Number(abs(c)), bottom)
            if body.left == N.Number(abs(c)) and not num:
                terms.append(body if c > 0 else N.Neg(body))
                continue
        terms.append(with_coefficient(c, body))
    if not terms:
        return zero_like(like)
    result = terms[0] if len(terms) == 1 else N.Add(*terms)
    if result.type != like.type:
        return None
    return result


def _sum_inside(e: N.Expr) -> bool:
    """Whether :func:`polynomial` would expand a sum below ``e``. Only the nodes it looks
    through are visited (not the atoms' insides), so the test costs what expanding does."""
    stack = list(_transparent(e))
    while stack:
        node = stack.pop()
        if isinstance(node, N.Add):
            return True
        stack.extend(_transparent(node))
    return False


def _transparent(e: N.Expr) -> tuple:
    """The operands :func:`polynomial` expands ``e`` into (none for an atom)."""
    if isinstance(e, (N.Add, N.Neg, N.Hadamard)):
        return e.args
    if isinstance(e, N.MatMul) and len(e.args) == 2 and isinstance(e.args[0], N.Number):
        return e.args[1:]
    if isinstance(e, N.HadamardDiv):
        return e.args[:1]
    if isinstance(e, N.ElemPower) and e.exponent.is_integer() and 0 < e.exponent <= 3:
        return e.args[:1]
    return ()


def _size(e: N.Expr) -> int:
    return sum(1 for _ in _nodes(e))


def _nodes(e: N.Expr):
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def expand_and_collect(e: N.Add):
    """Σ Π (sums) expanded and like monomials collected, when the result is smaller"""
    if not any(isinstance(t, (N.Hadamard, N.Neg, N.MatMul)) and _sum_inside(t) for t in e.args):
        return None
    try:
        p = polynomial(e)
        separate = sum(len(polynomial(t).terms) for t in e.args)
    except OverflowError:
        return None
    if len(p.terms) >= separate:
        return None  # no monomials cancel or merge
    result = expression(p, e)
    if result is None or _size(result) >= _size(e):
        return None
    return result


@lru_cache(maxsize=8192)
def _without_reciprocals(s: N.Add) -> bool:
    """Whether no monomial of s has a negative power, remembered per factor: every link
    of a long ⊙ chain asks again for each factor below it."""
    try:
        return all(k > 0 for mono in polynomial(s).terms for _, k in mono)
    except OverflowError:
        return False


# (a sum with reciprocals above the line, any factor above, one below, any below) per node
_Sides = tuple[bool, bool, bool, bool]
_SIDES: NodeMemo[_Sides] = NodeMemo()


def _nothing_to_cancel(e: N.Expr) -> bool:
    """Whether e's ⊙-factors (algebra._hadamard_factors) have no denominator and no sum
    with reciprocals above the line: then distribute_to_cancel has nothing to do. Each
    node is summarised once from its parts (a loop, not a recursion down the chain)."""
    stack = [e]
    while stack:
        node = stack[-1]
        if node in _SIDES:
            stack.pop()
            continue
        parts = hadamard_parts(node) or ()
        missing = [part for part, _, _ in parts if part not in _SIDES]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        if not parts:
            _SIDES[node] = (isinstance(node, N.Add) and not _without_reciprocals(node), True, False, False)
            continue
        sides = [False] * 4
        for part, below, _ in parts:
            a_bad, a_any, b_bad, b_any = _SIDES[part]
            flags = (b_bad, b_any, a_bad, a_any) if below else (a_bad, a_any, b_bad, b_any)
            sides = [x or y for x, y in zip(sides, flags)]
        _SIDES[node] = (sides[0], sides[1], sides[2], sides[3])
    bad_above, _, _, any_below = _SIDES[e]
    return not bad_above and not any_below


def distribute_to_cancel(e: N.Hadamard):
    """(Σ tₖ) ⊙ F = Σ (tₖ ⊙ F) when every tₖ ⊙ F loses its denominators"""
    if _nothing_to_cancel(e):
        return None  # said per link in O(1): listing the factors is a walk down the chain
    numerators: list[N.Expr] = []
    denominators: list[N.Expr] = []
    _hadamard_factors(e, numerators, denominators)
    for k, s in enumerate(numerators):
        if not isinstance(s, N.Add):
            continue
        if not denominators and _without_reciprocals(s):
            continue  # nothing to cancel: distributing would only lengthen
        try:
            p = polynomial(s)
            rest = numerators[:k] + numerators[k + 1:]
            for f in rest:
                p = p * Polynomial.atom(f)
            for d in denominators:
                p = p * Polynomial.atom(d, -1)
        except OverflowError:
            return None
        if all(k_ > 0 for mono in p.terms for _, k_ in mono):
            result = expression(p, e)
            if result is not None and _size(result) < _size(e) + 4:
                return result
    return None

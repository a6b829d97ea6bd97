"""Elementwise algebra: entrywise sums and products form a commutative ring, and so do
scalars, so an expression built from +, -, ⊙, ./ and numbers (or, for scalars, from +,
-, products, / and powers) is a polynomial (with atoms that may carry negative powers).
Three rules use that:

- ``distribute_to_cancel``: (a ./ u - b ./ v) ⊙ u ⊙ v = a ⊙ v - b ⊙ u, when
  distributing a product over a sum cancels every denominator;
- ``distribute_scalars_to_cancel``: the same for the scalar factors of a product:
  ((1 - y)/(1 - σ) - y/σ) σ (1 - σ) xᵀ = ((1 - y) σ - y (1 - σ)) xᵀ;
- ``expand_and_collect``: a sum of products of sums, expanded into monomials and
  collected, when that is shorter: (1 - y) ⊙ σ - y ⊙ (1 - σ) = σ - y.

A polynomial that is σ - σ² (times any monomial) is written σ ⊙ (1 - σ): the
derivative of the logistic function as the textbook writes it.
"""
from __future__ import annotations

from functools import lru_cache

from ... import nodes as N
from ...algebra import NodeMemo, _hadamard_factors, hadamard_parts, mul, with_coefficient, zero_like
from .logistic import negated

MAX_MONOMIALS = 32


class Polynomial:
    """Σ coef · Π atom^power, atoms compared structurally. A monomial is kept in the
    order its atoms were first written (y ⊙ σ stays y ⊙ σ) and found by its atoms
    whatever their order (y ⊙ σ and σ ⊙ y are one monomial)."""

    def __init__(self, terms: dict | None = None):
        # order-free key -> (the monomial in written order, its coefficient)
        self.terms: dict[frozenset, tuple[tuple, float]] = terms or {}

    @staticmethod
    def of(mono: tuple, c: float) -> Polynomial:
        return Polynomial({frozenset(mono): (mono, c)} if c else {})

    @staticmethod
    def constant(c: float) -> Polynomial:
        return Polynomial.of((), c)

    @staticmethod
    def atom(e: N.Expr, power: int = 1) -> Polynomial:
        return Polynomial.of(((e, power),), 1.0)

    def monomials(self) -> list[tuple[tuple, float]]:
        return list(self.terms.values())

    def __add__(self, other: Polynomial) -> Polynomial:
        terms = dict(self.terms)
        for key, (mono, c) in other.terms.items():
            known = terms.get(key)
            terms[key] = (mono, c) if known is None else (known[0], known[1] + c)
        return Polynomial({k: v for k, v in terms.items() if v[1] != 0.0})

    def scale(self, c: float) -> Polynomial:
        return Polynomial({k: (m, c * v) for k, (m, v) in self.terms.items()} if c else {})

    def __mul__(self, other: Polynomial) -> Polynomial:
        result = Polynomial()
        for ma, ca in self.terms.values():
            for mb, cb in other.terms.values():
                result = result + Polynomial.of(_merge(ma, mb), ca * cb)
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
    if _scalar_product(e):
        result = Polynomial.constant(1.0)
        for f in e.args:
            result = result * polynomial(f)
        return result
    if _scalar_quotient(e):
        if isinstance(e.args[1], N.Number) and e.args[1].value != 0:
            return polynomial(e.args[0]).scale(1.0 / e.args[1].value)
        return polynomial(e.args[0]) * Polynomial.atom(e.args[1], -1)
    if isinstance(e, N.Power) and e.type.is_scalar and float(e.exponent).is_integer() and 0 < e.exponent <= 3:
        base = polynomial(e.base)
        result = base
        for _ in range(int(e.exponent) - 1):
            result = result * base
        return result
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


def _scalar_product(e: N.Expr) -> bool:
    return isinstance(e, N.MatMul) and all(f.type.is_scalar for f in e.args)


def _scalar_quotient(e: N.Expr) -> bool:
    return isinstance(e, N.Div) and e.type.is_scalar and e.args[1].type.is_scalar


def expression(p: Polynomial, like: N.Expr) -> N.Expr | None:
    """The polynomial written as a sum of products, ⊙ or (for scalars) plain (one
    quotient per term at most); None when its type is not ``like``'s."""
    scalar = like.type.is_scalar
    times = mul if scalar else N.Hadamard
    power = N.Power if scalar else N.ElemPower
    over = N.Div if scalar else N.HadamardDiv

    def product(factors: list) -> N.Expr | None:
        body: N.Expr | None = None
        for f in factors:
            body = f if body is None else times(body, f)
        return body

    factored = _logistic(p, times)
    if factored is not None:
        return factored if factored.type == like.type else None
    terms: list[N.Expr] = []
    for mono, c in p.monomials():
        num = [a if k == 1 else power(a, k) for a, k in mono if k > 0]
        den = [a if k == -1 else power(a, -k) for a, k in mono if k < 0]
        body = product(num)
        if den:
            bottom = product(den)
            assert bottom is not None  # den is not empty
            body = over(body if body is not None else N.Number(abs(c)), bottom)
            if not num:
                terms.append(body if c > 0 else N.Neg(body))
                continue
        terms.append(with_coefficient(c, body))
    if not terms:
        return zero_like(like)
    result = terms[0] if len(terms) == 1 else N.Add(*terms)
    if result.type != like.type:
        return None
    return result


def _logistic(p: Polynomial, times) -> N.Expr | None:
    """c·M·σ(u) - c·M·σ(u)² as c·M ⊙ σ(u) ⊙ (1 - σ(u)) (σ' = σ(1 - σ)), the factors in
    the order they were written; σ(-v) ⊙ (1 - σ(-v)) = σ(v) ⊙ (1 - σ(v)), since
    σ(-v) = 1 - σ(v)."""
    monos = p.monomials()
    if len(monos) != 2 or monos[0][1] != -monos[1][1]:
        return None
    for (low, c), (high, _) in (monos, monos[::-1]):
        if any(j < 0 for _, j in low):
            continue
        for a, k in low:
            if k == 1 and isinstance(a, N.Elementwise) and a.name == "sigmoid" and a.order == 0 \
                    and dict(high) == {**dict(low), a: 2}:
                power = N.Power if a.type.is_scalar else N.ElemPower
                v = negated(a.args[1])
                sigma = a if v is None else N.Elementwise("sigmoid", v)
                body: N.Expr | None = None
                for f, j in low:
                    factor = f if f is not a else sigma
                    factor = factor if j == 1 else power(factor, j)
                    body = factor if body is None else times(body, factor)
                    if f is a:
                        body = times(body, N.Add(N.Number(1.0), N.Neg(sigma)))
                return with_coefficient(c, body)
    return None


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
    if _scalar_product(e):
        return e.args
    if isinstance(e, N.HadamardDiv) or _scalar_quotient(e):
        return e.args[:1]
    if isinstance(e, N.Power) and e.type.is_scalar and float(e.exponent).is_integer() and 0 < e.exponent <= 3:
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
    if not any(isinstance(t, (N.Hadamard, N.Neg, N.MatMul, N.Div, N.Power)) and _sum_inside(t) for t in e.args) \
            and not _unmerged(e):
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
        return all(k > 0 for mono, _ in polynomial(s).monomials() for _, k in mono)
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
        if all(k_ > 0 for mono, _ in p.monomials() for _, k_ in mono):
            result = expression(p, e)
            if result is not None and _size(result) < _size(e) + 4:
                return result
    return None


def distribute_scalars_to_cancel(e: N.MatMul):
    """(Σ tₖ) s₁ … sₙ M = (Σ tₖ s₁ … sₙ) M for the scalar factors of a product, when every
    term loses its denominators"""
    scalars = [f for f in e.args if f.type.is_scalar]
    if len(scalars) < 2 or not any(isinstance(f, N.Add) for f in scalars):
        return None
    others = [f for f in e.args if not f.type.is_scalar]
    for k, s in enumerate(scalars):
        if not isinstance(s, N.Add) or _without_reciprocals(s):
            continue
        try:
            p = polynomial(s)
            for f in scalars[:k] + scalars[k + 1:]:
                p = p * _atoms(f)
        except OverflowError:
            return None
        if all(j > 0 for mono, _ in p.monomials() for _, j in mono):
            total = expression(p, s)
            if total is not None:
                return mul(total, *others) if others else total
    return None


def _atoms(f: N.Expr) -> Polynomial:
    """A scalar factor as one atom, a quotient as its numerator over its denominator."""
    if _scalar_quotient(f):
        return _atoms(f.args[0]) * Polynomial.atom(f.args[1], -1)
    if isinstance(f, N.Number):
        return Polynomial.constant(f.value)
    return Polynomial.atom(f)


def _unmerged(e: N.Add) -> bool:
    """Whether two terms of ``e`` are one monomial with their factors in another order
    (y ⊙ σ² and σ² ⊙ y), which only the polynomial sees as like terms."""
    seen: set = set()
    for t in e.args:
        try:
            p = polynomial(t)
        except OverflowError:
            return False
        for key in p.terms:
            if key in seen:
                return True
            seen.add(key)
    return False

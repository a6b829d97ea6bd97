"""Rules for sums: like terms, scalar expansion, common factors, order of terms."""
from __future__ import annotations

from ... import nodes as N
from ...algebra import _all_ones, broadcast, mul, split_coefficient, with_coefficient, zero_like
from ...errors import ShapeError


def flatten_sum(e: N.Add):
    """a + (b + c) = a + b + c"""
    if not any(isinstance(t, N.Add) for t in e.args):
        return None
    flat: list[N.Expr] = []
    for t in e.args:
        flat.extend(t.args if isinstance(t, N.Add) else (t,))
    return N.Add(*flat)


def _over(base: N.Expr | None) -> tuple[float, N.Expr | None]:
    """c / s as (c, s⁻¹): a quotient of a number is like the reciprocal power."""
    if isinstance(base, N.Div) and isinstance(base.left, N.Number):
        return base.left.value, N.Power(base.right, -1.0)
    return 1.0, base


def collect_like_terms(e: N.Add):
    """c₁ A + c₂ A = (c₁ + c₂) A, with c / s like c s⁻¹ (written as the first of them);
    numbers added; zero terms dropped"""
    order, coefs, written = [], {}, {}
    for t in e.args:
        c, base = split_coefficient(t)
        scale, key = _over(base)
        if key not in coefs:
            order.append(key)
            coefs[key] = 0.0
            written[key] = base
        coefs[key] += c * scale
    if len(order) == len(e.args) and all(coefs[k] != 0.0 for k in order):
        return None

    def term(c: float, key: N.Expr | None) -> N.Expr:
        base = written[key]
        if isinstance(base, N.Div) and key != base:  # c / s keeps its form: 3 / s
            return with_coefficient(-1.0 if c < 0 else 1.0, N.Div(N.Number(abs(c)), base.right))
        return with_coefficient(c, key)

    terms = [term(coefs[k], k) for k in order if coefs[k] != 0.0]
    if not terms:
        return zero_like(e)
    if len(terms) == 1:
        return broadcast(terms[0], e)
    return N.Add(*terms)


def ones_in_sum(e: N.Add):
    """c 1 + A = c + A and c 1 1ᵀ + A = c + A (scalar expansion does the broadcasting)"""
    changed, terms = False, []
    for t in e.args:
        c, base = split_coefficient(t)
        if _all_ones(base) and not e.type.is_scalar:
            terms.append(N.Number(c))
            changed = True
        else:
            terms.append(t)
    if not changed or all(t.type.is_scalar for t in terms):
        return None
    return N.Add(*terms)


def factor_common(e: N.Add):
    """A x + A y = A (x + y) and x A + y A = (x + y) A (a common outer factor)"""
    terms: list[tuple[float, N.MatMul]] = []
    for t in e.args:
        c, base = split_coefficient(t)
        if not isinstance(base, N.MatMul):
            return None
        terms.append((c, base))
    for side in (0, -1):
        first = terms[0][1].args[side]
        if first.type.is_scalar:
            continue
        if all(base.args[side] == first for _, base in terms):
            rests = [
                with_coefficient(c, mul(*(base.args[1:] if side == 0 else base.args[:-1]))) for c, base in terms
            ]
            if len({r.type.is_scalar for r in rests}) > 1:
                # A c + A B ≠ A (c + B): a scalar in a sum would be broadcast, not c I.
                continue
            try:
                inner = N.Add(*rests)
            except ShapeError:
                continue
            return mul(first, inner) if side == 0 else mul(inner, first)
    return None


def common_coefficient(e: N.Add):
    """c A + c B = c (A + B) for a number c ≠ ±1 shared by every term"""
    coefs = {split_coefficient(t)[0] for t in e.args}
    if len(coefs) != 1:
        return None
    c = coefs.pop()
    bases = [base for t in e.args if (base := split_coefficient(t)[1]) is not None]
    if abs(c) == 1.0 or len(bases) < len(e.args):
        return None
    return mul(N.Number(c), N.Add(*bases))


def positive_first(e: N.Add):
    """-a + b = b - a: a sum is written starting with a positive term"""
    def negative(t):
        return split_coefficient(t)[0] < 0
    if not negative(e.args[0]):
        return None
    for k, t in enumerate(e.args):
        if not negative(t):
            return N.Add(t, *e.args[:k], *e.args[k + 1:])
    return None

"""The differential ``d(u)`` as a node, and small builders that keep the expressions
of a derivation readable (no ``1 A``, no ``(Aᵀ)ᵀ``) while staying equal in value."""
from __future__ import annotations

from .. import nodes as N
from ..algebra import scalar_runs
from ..errors import UnsupportedStep

__all__ = ["UnsupportedStep"]  # defined with the other errors; raised and caught here


class Differential(N.Expr):
    """``d(u)``: the differential of ``u`` (same type as ``u``). ``d(X)`` for the variable
    ``X`` is the direction ``dX``; on any other operand it is still to be expanded."""

    __slots__ = ()

    def __init__(self, arg: N.Expr):
        self._init((arg,), arg.type)


def has_differential(e: N.Expr) -> bool:
    return any(isinstance(n, Differential) for n in N.walk(e))


def mentions(e: N.Expr, name: str) -> bool:
    """Whether the variable ``name`` occurs in ``e`` (outside of differentials too)."""
    return any(isinstance(n, N.Symbol) and n.name == name for n in N.walk(e))


def substitute(e: N.Expr, old: N.Expr, new: N.Expr) -> N.Expr:
    """``e`` with every occurrence of ``old`` replaced by ``new``."""
    memo: dict[int, N.Expr] = {}

    def go(node: N.Expr) -> N.Expr:
        if node == old:
            return new
        if id(node) in memo:
            return memo[id(node)]
        args = tuple(go(a) if isinstance(a, N.Expr) else a for a in node.args)
        out = node if all(x is y for x, y in zip(args, node.args)) else type(node)(*args)
        memo[id(node)] = out
        return out

    return go(e)


# ------------------------------------------------------------------------ builders
ONE = N.Number(1.0)


def is_one(e) -> bool:
    return e is None or (isinstance(e, N.Number) and e.value == 1.0)


def mul(*factors) -> N.Expr:
    """The product of the factors, leaving out ``None`` and 1; ``1`` if none is left.
    A leading sign is taken out: ``mul(-A, B) = -(A B)``."""
    fs = _numbers_first(_cancel([g for f in factors if not is_one(f) for g in _scalar_factors(f)]))
    sign = 1
    out = []
    for f in fs:
        if isinstance(f, N.Neg):
            sign, f = -sign, f.args[0]
        elif isinstance(f, N.Number) and f.value == -1.0:
            sign = -sign
            continue
        out.append(f)
    body: N.Expr
    if not out:
        body = ONE
    elif len(out) == 1:
        body = out[0]
    else:
        body = N.MatMul(*out)
    return body if sign == 1 else neg(body)


def _numbers_first(factors: list) -> list:
    """A number commutes with every factor: it is written first (``2 c w``, not ``c 2 w``)."""
    numbers = [f for f in factors if isinstance(f, N.Number)]
    return numbers + [f for f in factors if not isinstance(f, N.Number)] if numbers else factors


def _scalar_factors(f: N.Expr) -> list:
    """A product of scalars is spliced into the product it joins (``(a b) c = a b c``)."""
    if isinstance(f, N.MatMul) and all(a.type.is_scalar for a in f.args):
        return [g for a in f.args for g in _scalar_factors(a)]
    return [f]


def _cancel(factors: list) -> list:
    """``(1/s) · s = 1``: a reciprocal and its scalar cancel."""
    for i, f in enumerate(factors):
        if isinstance(f, N.Div) and is_one(f.left) and f.right in factors:
            j = factors.index(f.right)
            return _cancel([g for k, g in enumerate(factors) if k not in (i, j)])
    return factors


def neg(e) -> N.Expr:
    if e is None:
        return N.Number(-1.0)
    if isinstance(e, N.Neg):
        return e.args[0]
    if isinstance(e, N.Number):
        return N.Number(-e.value)
    return N.Neg(e)


def scale(coef, e: N.Expr) -> N.Expr:
    """``coef · e`` for a scalar coefficient (``None`` is 1)."""
    return mul(coef, e)


def divide(coef, s: N.Expr) -> N.Expr:
    """``coef / s``, with a sign taken out: ``-1 / s = -(1 / s)``."""
    if isinstance(coef, N.Number) and coef.value < 0:
        return neg(divide(N.Number(-coef.value), s))
    if isinstance(coef, N.Neg):
        return neg(N.Div(coef.args[0], s))
    return N.Div(ONE if coef is None else coef, s)


def add(terms: list) -> N.Expr:
    return terms[0] if len(terms) == 1 else N.Add(*terms)


def power(base: N.Expr, p: float) -> N.Expr | None:
    """``base^p`` with ``base^1 = base`` and ``base^0`` left out (None)."""
    if p == 0:
        return None
    return base if p == 1 else N.Power(base, p)


def elem_power(base: N.Expr, p: float) -> N.Expr | None:
    if p == 0:
        return None
    return base if p == 1 else N.ElemPower(base, p)


def transpose(e: N.Expr) -> N.Expr:
    """``eᵀ``, pushed through products and sums: ``(AB)ᵀ = BᵀAᵀ``, ``(Aᵀ)ᵀ = A``,
    ``(A + B)ᵀ = Aᵀ + Bᵀ`` (unless a scalar is broadcast in the sum), ``sᵀ = s``."""
    if e.type.is_scalar or isinstance(e, N.Identity):
        return e
    if isinstance(e, N.Apply) and e.name == "diag" and e.args[1].type.is_vector:
        return e  # a diagonal matrix is symmetric
    if isinstance(e, N.Transpose):
        return e.args[0]
    if isinstance(e, N.MatMul):
        flipped = [transpose(f) for f in reversed(e.args)]
        # Scalars commute: they stay in front, as the product was written.
        scalars = _numbers_first([f for f in flipped if f.type.is_scalar])
        return _chain(scalars + [f for f in flipped if not f.type.is_scalar])
    if isinstance(e, N.Neg):
        return N.Neg(transpose(e.args[0]))
    if isinstance(e, N.Add) and not any(t.type.is_scalar for t in e.args):
        return N.Add(*[transpose(t) for t in e.args])
    if isinstance(e, N.Div):
        return N.Div(transpose(e.left), e.right)
    return N.Transpose(e)


def _chain(factors: list) -> N.Expr:
    """A product whose scalar factors may sit anywhere: scalars first, so that the
    non-scalar factors chain (``(x yᵀ z)ᵀ`` has the scalar ``yᵀz`` in the middle)."""
    try:
        return N.MatMul(*factors)
    except Exception:
        scalars, chain = [f for f in factors if f.type.is_scalar], [f for f in factors if not f.type.is_scalar]
        return N.MatMul(*scalars, *chain)


# -------------------------------------------------------------- product structure
def split_product(e: N.Expr) -> tuple[list, list]:
    """``(scalars, chain)`` of a product: scalar factors (a scalar sub-product such as
    ``xᵀy`` counts as one) and the non-scalar factors, in order, whose product is
    ``e`` divided by the scalars. Nested non-scalar products are spliced in."""
    scalars: list = []
    flat: list = []

    def go(node):
        for f in node.args:
            if f.type.is_scalar:
                scalars.append(f)
            elif isinstance(f, N.MatMul):
                go(f)
            else:
                flat.append(f)

    go(e)
    # Cut the chain where a prefix multiplies out to a scalar: that prefix is a scalar.
    runs, chain = scalar_runs(flat)
    scalars += [N.MatMul(*run) for run in runs]
    if not chain and len(scalars) == 1 and isinstance(scalars[0], N.MatMul) and e.type.is_scalar:
        # The whole product is one inner product ``a M b``: its factors are the chain.
        inner = scalars.pop()
        _, chain = [], list(inner.args)
    return scalars, chain

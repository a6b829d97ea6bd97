"""Algebra on nodes, shared by matrix form (matrix_form.py) and the simplifier's rules:
building products and coefficients, transposes, and recognising symmetric values,
all-ones values, inverses and ⊙-factors."""
from __future__ import annotations

import weakref
from collections.abc import Sequence
from functools import lru_cache
from typing import Generic, TypeGuard, TypeVar

from . import nodes as N

V = TypeVar("V")


class NodeMemo(Generic[V]):
    """A value remembered per node by identity, for as long as the node lives. Not a dict
    keyed by the node: nodes compare by value, so looking up a separately built equal node
    (an earlier call's ⊙ chain) would compare the two link by link, down the chain."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[int, tuple[weakref.ref, V]] = {}

    def get(self, node: N.Expr, default: V) -> V:
        hit = self._values.get(id(node))
        return hit[1] if hit is not None and hit[0]() is node else default

    def __contains__(self, node: N.Expr) -> bool:
        hit = self._values.get(id(node))
        return hit is not None and hit[0]() is node

    def __getitem__(self, node: N.Expr) -> V:
        hit = self._values.get(id(node))
        if hit is None or hit[0]() is not node:
            raise KeyError(node)
        return hit[1]

    def __setitem__(self, node: N.Expr, value: V) -> None:
        key, values = id(node), self._values

        def forget(ref: weakref.ref) -> None:
            if values.get(key, (None,))[0] is ref:
                del values[key]

        values[key] = (weakref.ref(node, forget), value)


def opens_up(f: N.Expr) -> bool:
    """Whether a product may be spliced into a product around it. An inner product
    (aᵀ A x) stays one scalar factor: spliced in, a chain could no longer be
    reversed factor by factor."""
    return isinstance(f, N.MatMul) and (not f.type.is_scalar or all(g.type.is_scalar for g in f.args))


def mul(*factors: N.Expr) -> N.Expr:
    """The product of ``factors``, nested products flattened (see opens_up)."""
    flat: list[N.Expr] = []
    for f in factors:
        if f is not None:
            flat.extend(f.args if opens_up(f) else (f,))
    return flat[0] if len(flat) == 1 else N.MatMul(*flat)


def chain(*factors: N.Expr) -> N.Expr:
    """The product of ``factors`` as written, nested products kept as single factors:
    a product of products built level by level stays linear in size (splicing each
    level into the next would copy the chain below every time). The simplifier splices
    them all at once, top down (simplify/engine.py)."""
    kept = [f for f in factors if f is not None]
    return kept[0] if len(kept) == 1 else N.MatMul(*kept)


def spliced(e: N.MatMul) -> list[N.Expr]:
    """The factors of ``e`` with nested products spliced in (see opens_up), however
    deep, in one pass."""
    out, stack = [], list(reversed(e.args))
    while stack:
        f = stack.pop()
        if opens_up(f):
            stack.extend(reversed(f.args))
        else:
            out.append(f)
    return out


def hadamard_link(e: N.Expr) -> TypeGuard[N.Hadamard]:
    """Whether e is a link of a ⊙ chain (a ⊙ b of one type, nothing broadcast)."""
    return isinstance(e, N.Hadamard) and e.type == e.left.type == e.right.type


def hadamard_spliced(e: N.Hadamard) -> N.Expr:
    """The ⊙ chain e (however nested) rechained left to right, a ⊙ b ⊙ c = (a ⊙ b) ⊙ c,
    its factors in order, in one pass: a chain extended at its end keeps every link below."""
    out: list[N.Expr] = []
    stack: list[N.Expr] = [e]
    while stack:
        f = stack.pop()
        if hadamard_link(f):
            stack.extend((f.right, f.left))
        else:
            out.append(f)
    chain = out[0]
    for f in out[1:]:
        chain = N.Hadamard(chain, f)
    return chain


def is_number(e: N.Expr, value: float | None = None) -> bool:
    return isinstance(e, N.Number) and (value is None or e.value == value)


def transpose(e: N.Expr) -> N.Expr:
    """Aᵀ, cancelling a transpose already there."""
    if e.type.is_scalar:
        return e
    return e.args[0] if isinstance(e, N.Transpose) else N.Transpose(e)


def split_coefficient(e: N.Expr) -> tuple[float, N.Expr | None]:
    """e = c · base with c a number (base None when e is a number)."""
    if isinstance(e, N.Number):
        return e.value, None
    if isinstance(e, N.Neg):
        c, base = split_coefficient(e.args[0])
        return -c, base
    if isinstance(e, N.MatMul) and is_number(e.args[0]):
        rest = e.args[1:]
        return e.args[0].value, rest[0] if len(rest) == 1 else N.MatMul(*rest)
    return 1.0, e


def with_coefficient(c: float, base: N.Expr | None) -> N.Expr:
    if base is None:
        return N.Number(c)
    if c == 1.0:
        return base
    if c == -1.0:
        return N.Neg(base)
    if c < 0:
        return N.Neg(mul(N.Number(-c), base))
    return mul(N.Number(c), base)


def negate(e: N.Expr) -> N.Expr:
    """-e, without a double negation."""
    return e.args[0] if isinstance(e, N.Neg) else N.Neg(e)


def transposes(e: N.Expr) -> int:
    """Number of transposes a product/sum operand costs when written as is."""
    return 1 if isinstance(e, N.Transpose) else 0


def transposes_within(e: N.Expr) -> int:
    """Transposes written in ``e``, through products (the rules move them there)."""
    if isinstance(e, N.Transpose):
        return 1 + transposes_within(e.args[0])
    if isinstance(e, (N.MatMul, N.Neg)):
        return sum(transposes_within(f) for f in e.args)
    return 0


def transposes_when_transposed(e: N.Expr) -> int:
    """Transposes written in ``eᵀ`` once pushed into ``e``'s product: (A Bᵀ)ᵀ = B Aᵀ."""
    if e.type.is_scalar or is_symmetric(e):
        return transposes_within(e)
    if isinstance(e, N.Transpose):
        return transposes_within(e.args[0])
    if isinstance(e, N.Neg):
        return transposes_when_transposed(e.args[0])
    if isinstance(e, N.MatMul):
        return sum(transposes_when_transposed(f) for f in e.args)
    return 1 + transposes_within(e)


def is_symmetric(e: N.Expr) -> bool:
    """Values that equal their transpose by construction."""
    if isinstance(e, N.Neg):
        return is_symmetric(e.args[0])
    if isinstance(e, N.Symbol):
        return e.symmetric
    if isinstance(e, N.Identity):
        return True
    if isinstance(e, N.Apply) and e.name == "diag" and e.args[1].type.is_vector:
        return True
    if isinstance(e, N.Call) and e.order == 2:
        return True
    if isinstance(e, N.Power) and e.type.is_matrix:
        return is_symmetric(e.base)
    if isinstance(e, N.Apply) and e.name == "inv":
        return is_symmetric(e.args[1])
    if isinstance(e, N.Div):
        return is_symmetric(e.left)
    if isinstance(e, N.Add):
        # Symmetric terms, or terms that come with their transposes: A + Aᵀ.
        return all(is_symmetric(a) or transpose(a) in e.args for a in e.args)
    if isinstance(e, N.MatMul) and e.type.is_matrix:
        # c Aᵀ B A, u uᵀ: the non-scalar factors read the same backwards, transposed.
        factors = [f for f in e.args if not f.type.is_scalar]
        return all(
            f == transpose(g) or (f == g and is_symmetric(f)) for f, g in zip(factors, reversed(factors))
        )
    return False


def zero_like(e: N.Expr) -> N.Expr:
    """0 of the type of ``e`` (0 times an all-ones value)."""
    return N.zeros(e.type)


def broadcast(term: N.Expr, like: N.Expr) -> N.Expr:
    """A scalar left alone from a sum of matrices keeps the sum's shape (c 1)."""
    if term.type == like.type or not term.type.is_scalar:
        return term
    return N.MatMul(term, *zero_like(like).args[1:])


def _all_ones(e: N.Expr | None) -> bool:
    """1 (a vector of ones) or 1 1ᵀ (a matrix of ones)."""
    if isinstance(e, N.Ones):
        return True
    return isinstance(e, N.MatMul) and len(e.args) == 2 and isinstance(e.args[0], N.Ones) \
        and isinstance(e.args[1], N.Transpose) and isinstance(e.args[1].args[0], N.Ones)


def _inverse(e: N.Expr) -> N.Expr | None:
    """X when e is X⁻¹ (or Xᵀ when e is X⁻ᵀ), else None."""
    if isinstance(e, N.Power) and e.exponent == -1.0:
        return e.base
    if isinstance(e, N.Apply) and e.name == "inv":
        return e.args[1]
    if isinstance(e, N.Transpose) and (inner := _inverse(e.args[0])) is not None:
        return transpose(inner)
    return None


def _hadamard_factors(e: N.Expr, numerators: list, denominators: list) -> None:
    """Split a nest of ⊙ and ./ into the factors above and below the line."""
    above, below = _hadamard_split(e)
    numerators.extend(above)
    denominators.extend(below)


def hadamard_parts(e: N.Expr) -> tuple[tuple[N.Expr, bool, int], ...] | None:
    """What a nest of ⊙, ./ and .^k is made of, one level down: (part, below the line,
    times) for each part (a ⊙ b: a and b; a ./ b: a, and b below; 1 ./ b: b below;
    a.^k for an integer 0 < |k| ≤ 8: a, k times, below when k < 0), or None for a factor."""
    if isinstance(e, N.Hadamard) and e.type == e.left.type == e.right.type:
        return (e.left, False, 1), (e.right, False, 1)
    if isinstance(e, N.HadamardDiv) and e.type == e.left.type == e.right.type:
        return (e.left, False, 1), (e.right, True, 1)
    if isinstance(e, N.HadamardDiv) and e.type == e.right.type and is_number(e.left, 1.0):
        return ((e.right, True, 1),)
    if isinstance(e, N.ElemPower) and e.exponent.is_integer() and e.exponent != 0 and abs(e.exponent) <= 8:
        return ((e.base, e.exponent < 0, int(abs(e.exponent))),)
    return None


@lru_cache(maxsize=8192)
def _hadamard_split(e: N.Expr) -> tuple[tuple, tuple]:
    """(factors above, factors below) of :func:`_hadamard_factors`, remembered per node:
    the rules ask for every link of a long ⊙ chain, and each link's answer extends the
    one below it (a tuple copy, not a walk)."""
    parts = hadamard_parts(e)
    if parts is None:
        return (e,), ()
    above: tuple = ()
    below: tuple = ()
    for part, flipped, times in parts:
        a, b = _hadamard_split(part)
        if flipped:
            a, b = b, a
        above, below = above + a * times, below + b * times
    return above, below


def _hadamard_chain(factors: list[N.Expr]) -> N.Expr:
    """f ⊙ f ⊙ g as f.^2 ⊙ g (equal factors gathered, first-appearance order)."""
    counts: dict[N.Expr, int] = {}
    for f in factors:
        counts[f] = counts.get(f, 0) + 1
    parts = [f if c == 1 else N.ElemPower(f, c) for f, c in counts.items()]
    chain = parts[0]
    for f in parts[1:]:
        chain = N.Hadamard(chain, f)
    return chain


def _one_plus_exp(e: N.Expr) -> N.Expr | None:
    """u when e = 1 + exp(u) (in either order)."""
    if isinstance(e, N.Add) and len(e.args) == 2:
        for one, other in ((e.args[0], e.args[1]), (e.args[1], e.args[0])):
            if is_number(one, 1.0) and isinstance(other, N.Elementwise) and other.name == "exp" and other.order == 0:
                return other.args[1]
    return None


def scalar_runs(chain: Sequence[N.Expr]) -> tuple[list[list[N.Expr]], list[N.Expr]]:
    """``(runs, rest)``: the non-scalar factors ``chain`` of a product, cut wherever a run
    of two or more of them multiplies out to a scalar (``xᵀ y B z``: the run ``[xᵀ, y]``,
    the rest ``[B, z]``). Runs are consecutive from the left; ``rest`` follows the last.
    Scalars commute, so each run can be written as a scalar factor before ``rest``."""
    runs: list[list[N.Expr]] = []
    current: list[N.Expr] = []
    t = None  # the type of current's product, kept as factors join (linear in the chain)
    for f in chain:
        current.append(f)
        t = N.product_type([f], t)
        if len(current) > 1 and t.is_scalar:
            runs.append(current)
            current, t = [], None
    return runs, current


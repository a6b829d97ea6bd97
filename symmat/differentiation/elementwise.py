"""Derivatives of elementwise functions in index form.

The derivative of a built-in elementwise function is the formula of its table row
(functions.py), written in the scalar ``x``; :func:`slope` substitutes the argument
for ``x`` entry by entry, so ``∂ tanh(u) = (1 - tanh(u)^2) ⊙ ∂u`` and
``∂ log(u) = u^-1 ⊙ ∂u`` are ordinary tensors that simplify with the rest
(``log(det X)`` differentiates to ``det(X)^-1 det(X) X^-T = X^-T``).

Each formula is built once (cached): order 1 from the table, each higher order by the
engine from the one below. They live beside the engine because they need it; the
evaluators (a layer above) read them to give ``tanh''(x)`` a value.
"""
from __future__ import annotations

from functools import cache

from ..functions import ELEMENTWISE
from ..index import tensor as T


@cache
def elementwise_derivative(name: str, order: int) -> T.Tensor:
    """The ``order``-th derivative of a built-in elementwise function as a tensor in the
    scalar variable ``x``: the table's formula, differentiated further by the engine
    for higher orders."""
    from ..index.lower import lower
    from ..parse import parse
    from .rules import derivative  # the engine differentiates the formula (rules needs slope)

    x = T.Var("x", ())
    if order == 1:
        return lower(parse(ELEMENTWISE[name].derivative, {"x": "scalar"}))
    d = derivative(elementwise_derivative(name, order - 1), x)
    return T.Const(0.0) if d is None else d


def instantiate(formula: T.Tensor, arg: T.Tensor) -> T.Tensor:
    """A formula in the scalar ``x`` applied to every entry of ``arg``."""
    labels = tuple(range(arg.rank))
    memo: dict[T.Tensor, T.Tensor] = {}

    def spread(t: T.Tensor) -> T.Tensor:
        """A scalar constant as the tensor of ``arg``'s shape (scalar expansion)."""
        if t.rank == arg.rank:
            return t
        return T.einsum([t, T.Ones(arg.shape)], [(), labels], labels)

    def go(t: T.Tensor) -> T.Tensor:
        if t in memo:
            return memo[t]
        if isinstance(t, T.Var):
            result = arg
        elif isinstance(t, T.Const):
            result = t
        elif isinstance(t, T.Zero):
            result = T.Zero(arg.shape)
        elif isinstance(t, T.Einsum):
            ops = [go(op) for op in t.operands]
            if all(op.rank == 0 for op in ops):
                result = T.einsum(ops, [()] * len(ops), (), t.coef)
            else:
                result = T.einsum(ops, [labels if op.rank else () for op in ops], labels, t.coef)
        elif isinstance(t, T.Sum):
            result = T.add_or_zero((spread(go(term)) for term in t.terms), arg.shape)
        elif isinstance(t, T.Pow):
            result = T.power(go(t.args[0]), t.args[1])
        elif isinstance(t, T.Elem):
            name, inner, order = t.args
            result = T.Elem(name, go(inner), order)
        else:
            raise TypeError(f"{type(t).__name__} in an elementwise formula")
        memo[t] = result
        return result

    return spread(go(formula))


def slope(name: str, arg: T.Tensor, order: int) -> T.Tensor | None:
    """f^(order+1)(arg) entry by entry for ``Elem(name, arg, order)``; None when zero."""
    if name not in ELEMENTWISE:
        return T.Elem(name, arg, order + 1)  # abstract: s', s'', ... evaluated from values
    if order == 0 and ELEMENTWISE[name].derivative == "0":
        return None
    formula = elementwise_derivative(name, order + 1)
    if isinstance(formula, T.Const) and formula.value == 0.0:
        return None
    return instantiate(formula, arg)


def power_slope(arg: T.Tensor, p: float) -> T.Tensor:
    """p arg .^ (p-1), the entrywise derivative of ``arg .^ p`` (T.power never builds p = 1)."""
    return T.scale(T.power(arg, p - 1), p)


def var_power_slope(arg: T.Tensor, b: T.Tensor) -> T.Tensor:
    """b arg .^ (b-1), the entrywise derivative of ``arg .^ b`` in ``arg`` for a
    symbolic scalar exponent ``b``."""
    labels = tuple(range(arg.rank))
    return T.einsum([b, T.VarPow(arg, T.add([b, T.Const(-1.0)]))], [(), labels], labels)

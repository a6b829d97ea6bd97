"""Identities of the logistic sigmoid σ(u) = 1 / (1 + e^-u).

A scalar σ written by hand (as SymPy writes it: 1/(1 + e^-u)) is read as σ(u), so the
same problem gives the same answer from text and from SymPy (the elementwise forms are
hadamard_normal_form's).

Its derivative is written σ(u) ⊙ (1 - σ(u)) (see also polynomial.py, which writes
σ - σ² so). Since σ(-v) = 1 - σ(v), the weight of a logistic loss written with a
negated argument is the same with the argument un-negated:
σ(-v) ⊙ (1 - σ(-v)) = (1 - σ(v)) ⊙ σ(v), which the textbook writes σ(v) ⊙ (1 - σ(v)).
"""
from __future__ import annotations

from ... import nodes as N
from ...algebra import _one_plus_exp, with_coefficient


def negated(e: N.Expr) -> N.Expr | None:
    """v where ``e`` is written -v: ``-v``, ``-y ⊙ z`` (y ⊙ z), ``-y z`` (y z); else None."""
    if isinstance(e, N.Neg):
        return e.args[0]
    if isinstance(e, (N.MatMul, N.Hadamard)) and isinstance(e.args[0], N.Neg):
        return type(e)(e.args[0].args[0], *e.args[1:])
    if isinstance(e, N.MatMul) and isinstance(e.args[0], N.Number) and e.args[0].value < 0:
        rest = e.args[1:]
        if e.args[0].value != -1.0:
            return N.MatMul(N.Number(-e.args[0].value), *rest)
        return rest[0] if len(rest) == 1 else N.MatMul(*rest)
    return None


def sigmoid_by_hand(e: N.Power | N.Div):
    """1/(1 + exp(-u)) = (1 + exp(-u))^-1 = exp(u)/(1 + exp(u)) = σ(u), for a scalar u
    (c/(1 + exp(-u)) = c σ(u))"""
    if not e.type.is_scalar:
        return None
    if isinstance(e, N.Power):
        if e.exponent != -1:
            return None
        top, bottom = N.Number(1.0), e.args[0]
    else:
        top, bottom = e.args
    u = _one_plus_exp(bottom)
    if u is None:
        return None
    if isinstance(top, N.Number) and top.value != 0:  # c/(1 + exp(-u)) = c σ(u)
        v = negated(u)
        return None if v is None else with_coefficient(top.value, N.Elementwise("sigmoid", v))
    if top == N.Elementwise("exp", u):
        return N.Elementwise("sigmoid", u)
    return None


def _weight_of_negation(a: N.Expr, b: N.Expr) -> tuple[N.Expr, N.Expr] | None:
    """(σ(v), 1 - σ(v)) when ``a, b`` are σ(-v), 1 - σ(-v)."""
    if not (isinstance(a, N.Elementwise) and a.name == "sigmoid" and a.order == 0):
        return None
    if b != N.Add(N.Number(1.0), N.Neg(a)):
        return None
    v = negated(a.args[1])
    if v is None:
        return None
    sigma = N.Elementwise("sigmoid", v)
    return sigma, N.Add(N.Number(1.0), N.Neg(sigma))


def logistic_of_negation(e: N.Hadamard | N.MatMul):
    """σ(-v) ⊙ (1 - σ(-v)) = σ(v) ⊙ (1 - σ(v)) (and so for scalars, σ(-v) (1 - σ(-v)))"""
    args = list(e.args)
    for k in range(len(args) - 1):
        pair = _weight_of_negation(args[k], args[k + 1])
        if pair is not None:
            args[k:k + 2] = pair
            return type(e)(*args)
    return None

"""Numerical check of a derivation: both sides of every step at given values.

A line ``df = E`` is evaluated with ``dX`` set to a direction ``V``; a ``d(u)`` still to
be expanded is the directional derivative of ``u`` along ``V`` (central differences).
The first line, ``d(f)``, is therefore the directional derivative of ``f`` itself, and
every later line of the same stage must give the same value (a number, vector or
matrix; a line ``(df)ᵀ = E`` gives its transpose). For a variable declared symmetric,
pass a symmetric direction (the evaluator refuses a non-symmetric value for it). A line
``∂f/∂X = G`` is contracted with ``V`` as the layout says (contract §3): in numerator
layout ``G`` has axes ``F ++ reverse(X)``, in denominator layout ``X ++ reverse(F)``.
"""
from __future__ import annotations

import numpy as np

from .. import nodes as N
from ..evaluate import Evaluator
from .algebra import Differential
from .derive import Derivation

STEP = 1e-6


class DifferentialEvaluator(Evaluator):
    def __init__(self, values: dict, var: N.Symbol, direction):
        super().__init__(values)
        self.var, self.direction = var, np.asarray(direction, dtype=float)

    def _eval_Differential(self, node: Differential):
        arg = node.args[0]
        if arg == self.var:
            return self.direction if self.direction.ndim else float(self.direction)
        x = np.asarray(self.values[self.var.name], dtype=float)
        plus = Evaluator({**self.values, self.var.name: x + STEP * self.direction})(arg)
        minus = Evaluator({**self.values, self.var.name: x - STEP * self.direction})(arg)
        return (np.asarray(plus) - np.asarray(minus)) / (2 * STEP)


def along(G: np.ndarray, V: np.ndarray, layout: str) -> np.ndarray:
    """The differential ``df`` that the derivative ``G`` gives along ``V`` (contract §3)."""
    k = V.ndim
    if G.ndim < k:  # the line "= 0" (a constant's differential): zero whatever the shape
        return G
    if layout == "numerator":  # axes F ++ reverse(X)
        return np.tensordot(G, np.transpose(V), axes=k) if k else G * float(V)
    if not k:
        return np.transpose(G * float(V))
    rest = np.tensordot(V, G, axes=(list(range(k)), list(range(k))))  # axes reverse(F)
    return np.transpose(rest)


def line_values(derivation: Derivation, values: dict, direction) -> list[np.ndarray]:
    """For each step, the value it says ``df`` has along ``direction`` (for a line of
    stage 2, the differential of the first derivative)."""
    var, out = derivation.var, []
    V = np.asarray(direction, dtype=float)
    for step in derivation.steps:
        ev = DifferentialEvaluator(values, var, V)
        for s in derivation.f.free_symbols().values():
            ev(s)  # binds every dimension the expression's variables fix
        if isinstance(step.expr, N.Expr) and hasattr(step.expr, "tensor"):
            value = np.asarray(step.expr.evaluate(values), dtype=float)  # index form
        else:
            value = np.asarray(ev(step.expr), dtype=float)
        if step.lhs == "derivative":
            value = along(value, V, derivation.layout)
        elif step.lhs == "differential-T":
            value = np.transpose(value)
        out.append(value)
    return out


def stages(derivation: Derivation) -> list[list[int]]:
    """The indices of the steps of each stage (lines that must agree with each other)."""
    groups: dict[int, list[int]] = {}
    for i, step in enumerate(derivation.steps):
        groups.setdefault(step.stage, []).append(i)
    return list(groups.values())

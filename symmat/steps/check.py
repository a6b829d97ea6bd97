"""Numerical check of a derivation: both sides of every step at given values.

A line ``df = E`` is evaluated with ``dX`` set to a direction ``V``; a ``d(u)`` still to
be expanded is the directional derivative of ``u`` along ``V`` (central differences).
The first line, ``d(f)``, is therefore the directional derivative of ``f`` itself, and
every later line must give the same number. For a variable declared symmetric, pass a
symmetric direction (the evaluator refuses a non-symmetric value for it). A line ``∂f/∂X = G`` is paired with ``V``
as the layout says (``⟨G, V⟩`` in denominator layout, ``⟨Gᵀ, V⟩`` in numerator layout).
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


def line_values(derivation: Derivation, values: dict, direction) -> list[float]:
    """For each step, the number it says ``df`` is along ``direction``."""
    var, out = derivation.var, []
    V = np.asarray(direction, dtype=float)
    for step in derivation.steps:
        ev = DifferentialEvaluator(values, var, V)
        for name, s in derivation.f.free_symbols().items():
            ev(s)  # binds every dimension the expression's variables fix
        value = np.asarray(ev(step.expr), dtype=float)
        if step.lhs == "derivative":
            G = value.T if (derivation.layout == "numerator" and value.ndim == 2) else value
            value = np.sum(G * V)
        out.append(float(value))
    return out

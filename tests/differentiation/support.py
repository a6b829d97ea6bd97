"""Shared fixtures of the derivative tests: one table of variables with distinct sizes
(m, n, p) = (3, 4, 5), and values drawn in safe domains.

Naming conventions of the table (all declared, so nothing is inferred by accident):

- ``c, d``: scalars (``c`` is kept positive so ``c^0.5``, ``log(c …)`` are defined)
- ``x, y: n``, ``a: m``, ``z: p``: vectors; ``q: n`` has positive entries
- ``A, C, P: m x n``, ``B: n x p``: rectangular matrices, never square
  (``P`` positive; ``C`` bounded away from 0, for ``./ C``)
- ``X, Y: n x n``: square, well conditioned (identity plus a small perturbation)
- ``S: n x n symmetric`` (values symmetric), ``M: m x m`` square
- ``g: R^n -> R`` (abstract), ``s: elementwise`` (abstract)
"""
from __future__ import annotations

import numpy as np

import symmat

SIZES = {"m": 3, "n": 4, "p": 5}

WHERE = (
    "c: scalar; d: scalar; x: n; y: n; a: m; z: p; q: n; "
    "A: m x n; C: m x n; P: m x n; B: n x p; "
    "X: n x n; Y: n x n; S: n x n symmetric; M: m x m; "
    "g: R^n -> R; h: R^m -> R; s: elementwise"
)

LAYOUTS = ("numerator", "denominator")


def _away_from_zero(rng, shape, low=0.3, high=1.2):
    magnitude = rng.uniform(low, high, size=shape)
    return magnitude * rng.choice([-1.0, 1.0], size=shape)


def draw_values(seed: int = 0) -> dict:
    """Values of every variable of WHERE, plus callables for g, h, s."""
    rng = np.random.default_rng(seed)
    m, n, p = SIZES["m"], SIZES["n"], SIZES["p"]
    values = {
        "c": float(rng.uniform(0.5, 1.5)),
        "d": float(_away_from_zero(rng, ())),
        "x": _away_from_zero(rng, (n,)),
        "y": _away_from_zero(rng, (n,)),
        "a": _away_from_zero(rng, (m,)),
        "z": _away_from_zero(rng, (p,)),
        "q": rng.uniform(0.5, 1.5, size=n),
        "A": rng.uniform(-1, 1, size=(m, n)),
        "C": _away_from_zero(rng, (m, n), 0.5, 1.5),
        "P": rng.uniform(0.5, 1.5, size=(m, n)),
        "B": rng.uniform(-1, 1, size=(n, p)),
        "X": np.eye(n) + 0.2 * rng.uniform(-1, 1, size=(n, n)),
        "Y": np.eye(n) + 0.2 * rng.uniform(-1, 1, size=(n, n)),
        "M": np.eye(m) + 0.2 * rng.uniform(-1, 1, size=(m, m)),
    }
    s = rng.uniform(-1, 1, size=(n, n))
    values["S"] = s + s.T
    values.update(abstract_functions(rng))
    return values


def abstract_functions(rng=None) -> dict:
    """Smooth abstract functions with exact derivatives.

    ``g(v) = Σ_i w_i v_i² / 2 + sin(kᵀv)`` (any length), ``s(t) = sin(t) + t³/3``."""

    def weights(k):
        return 1.0 + 0.1 * np.arange(k)

    def g(v):
        v = np.asarray(v, dtype=float)
        w = weights(v.size)
        return float(0.5 * w @ (v * v) + np.sin(w @ v))

    def grad_g(v):
        v = np.asarray(v, dtype=float)
        w = weights(v.size)
        return w * v + np.cos(w @ v) * w

    def hess_g(v):
        v = np.asarray(v, dtype=float)
        w = weights(v.size)
        return np.diag(w) - np.sin(w @ v) * np.outer(w, w)

    return {
        "g": g, "∇g": grad_g, "∇²g": hess_g,
        "h": g, "∇h": grad_g, "∇²h": hess_g,
        "s": lambda t: np.sin(t) + t**3 / 3,
        "s'": lambda t: np.cos(t) + t**2,
        "s''": lambda t: -np.sin(t) + 2 * t,
    }


def variables_of(text: str, where: str = WHERE) -> list[str]:
    """The free variables of an expression, in a stable order."""
    return sorted(symmat.parse(text, where).free_symbols())

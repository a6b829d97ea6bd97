"""Printed size and numeric values for the golden corpus (shared by the test and the report).

Tokens of the input language, as counted here: a name (a function name keeps its ``∇``,
``∇²`` or derivative primes: ``∇g``, ``relu'``), a number, an operator (``+ - * @ / ^ .^
.* ./ ⊙ ⊗ ,``), a transpose mark (``^T``, ``'``, ``ᵀ`` count once), a parenthesis, and
any other single character (the brackets and marks of an index-notation result).
Juxtaposition and whitespace are free, so ``a b^T`` is 3 tokens and ``inv(X)^T`` is 5.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

import numpy as np

import symmat
from symmat import nodes as N
from tests import strategies
from tests.numeric import numeric_derivative

from .corpus import Entry

SIZES = {"m": 3, "n": 4, "p": 5, "q": 6}

_TOKEN = re.compile(r"""
    (?P<function>(?:∇²|∇\^2|∇)?[^\W\d²ᵀ][^\W²ᵀ]*'*(?=\())   # f(  ∇g(  relu'(
  | (?P<name>[^\W\d²ᵀ][^\W²ᵀ]*)
  | (?P<number>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<transpose>\^T|\^\{T\}|\^⊤|ᵀ|')
  | (?P<operator>\.\^|\.\*|\./|[-+*/@^⊙∘⊗·−,])
  | (?P<paren>[(){}])
  | (?P<space>\s+)
  | (?P<other>\S)                                           # index notation: [ ] ∂ = …
""", re.VERBOSE)


def tokenize(text: str) -> list[str]:
    """The tokens of ``text`` (see the module docstring)."""
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"cannot tokenize {text[pos:]!r} in {text!r}")
        if match.lastgroup != "space":
            tokens.append(match.group())
        pos = match.end()
    return tokens


def size(text: str) -> int:
    """Printed size: the number of tokens of ``text``."""
    return len(tokenize(text))


# ------------------------------------------------------------------ symbolic side
@dataclass(frozen=True)
class Outcome:
    """symmat's derivative of one entry, printed and measured against the textbook's."""

    entry: Entry
    expr: symmat.Expr
    result: symmat.Expr
    answer: symmat.Expr
    printed: str

    @property
    def ratio(self) -> float:
        return size(self.printed) / size(self.entry.answer)


def run(entry: Entry) -> Outcome:
    """Parse the entry, differentiate it, parse the textbook answer."""
    expr = symmat.parse(entry.expr, entry.where)
    result = symmat.diff(expr, entry.wrt, layout=entry.layout, where=entry.where, order=entry.order)
    answer = symmat.parse(entry.answer, entry.where)
    return Outcome(entry, expr, result, answer, str(result))


def summary(ratios: list[float]) -> tuple[float, float]:
    """(median, max) of the size ratios."""
    return statistics.median(ratios), max(ratios)


def percentile(ratios: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of the size ratios."""
    ordered = sorted(ratios)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n q / 100)
    return ordered[int(rank) - 1]


def in_matrix_form(outcome: Outcome) -> bool:
    """A result of rank ≤ 2 written in matrix notation (not index notation)."""
    from symmat.index.expr import IndexExpr

    return not isinstance(outcome.result, IndexExpr)


# ------------------------------------------------------------------ numeric side
def values_for(outcome: Outcome, seed: int) -> dict:
    """Random values in safe domains for the expression's variables (tests/strategies.py
    reads each variable's role from where it stands); a variable that only the textbook
    answer puts under ``inv``/``det`` (``det(A X B)`` → ``inv(X)``) is made SPD too."""
    rng = np.random.default_rng(seed)
    values = strategies.random_values(outcome.expr, rng, SIZES)
    expr_roles = strategies.roles(outcome.expr)
    symbols = outcome.expr.free_symbols()
    for name, role in strategies.roles(outcome.answer).items():
        if role != "general" and expr_roles.get(name) == "general" and name in symbols:
            shape = tuple(values[d] if isinstance(d, str) else d for d in symbols[name].type.shape)
            values[name] = strategies._value(rng, shape, role)
    return values


def _dims(expr: symmat.Expr) -> set:
    return {d for node in N.walk(expr) for d in node.type.shape if isinstance(d, str)}


def evaluate(expr: symmat.Expr, values: dict, like: np.ndarray, known: set) -> np.ndarray:
    """``expr`` at ``values``; a dimension that only ``expr`` names (``I`` or ``ones`` alone
    get a fresh one) takes its size from ``like``, the value it must equal."""
    extra = {}
    for axis, d in enumerate(expr.shape):
        if isinstance(d, str) and d not in known and axis < like.ndim:
            extra[d] = like.shape[axis]
    return np.asarray(expr.evaluate({**values, **extra}), dtype=float)


def numeric(outcome: Outcome, values: dict) -> np.ndarray:
    """Central finite differences of the original expression (order 1), or of symmat's
    first derivative for a Hessian (itself checked against the original separately)."""
    entry = outcome.entry
    base = outcome.expr
    if entry.order == 2:
        base = symmat.diff(outcome.expr, entry.wrt, layout=entry.layout, where=entry.where)
    return numeric_derivative(base, entry.wrt, values, entry.layout)


def close(got: np.ndarray, want: np.ndarray, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    if got.shape != want.shape:
        return False
    scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
    return bool(np.allclose(got, want, rtol=rtol, atol=atol * scale))


def known_dims(outcome: Outcome) -> set:
    """Dimensions the expression fixes (their sizes are in the values)."""
    return _dims(outcome.expr)

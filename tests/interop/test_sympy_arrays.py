"""Rank-3 and rank-4 derivatives as SymPy array expressions (symmat.interop.sympy_arrays):
their value computed by SymPy equals central finite differences, in both layouts."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symmat
from symmat.errors import InteropError
from symmat.interop.sympy_explicit import sympy_value
from tests.numeric import numeric_derivative

SIZES = {"m": 3, "n": 4, "p": 5, "q": 2}
CASES = [
    ("W x", "W", "W: m x n; x: n"),
    ("X", "X", "X: m x n"),
    ("A X B", "X", "A: p x m; X: m x n; B: n x q"),
    ("tanh(W x)", "W", "W: m x n; x: n"),
    ("inv(X)", "X", "X: n x n"),
    ("x x^T", "x", "x: n"),
    ("X^T X", "X", "X: m x n"),
    ("sigmoid(X) .* Y", "X", "X: m x n; Y: m x n"),
    ("exp(W x) a^T", "W", "W: m x n; x: n; a: p"),
    ("W diag(x) V", "x", "W: m x n; x: n; V: n x p"),
]


def _values(f: symmat.Expr, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    values: dict = dict(SIZES)
    for name, s in f.free_symbols().items():
        shape = tuple(SIZES[d] for d in s.type.shape)
        values[name] = rng.uniform(0.2, 1.0, shape) * rng.choice([-1.0, 1.0], shape)
        if name == "X" and s.type.shape[0] == s.type.shape[1]:
            values[name] = values[name] + 3 * np.eye(shape[0])  # well conditioned for inv
    return values


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("f, wrt, where", CASES)
def test_rank_3_and_4_in_sympy_have_the_finite_difference_value(f, wrt, where, layout):
    expr = symmat.parse(f, where)
    d = symmat.diff(expr, wrt, layout=layout)
    assert len(d.shape) >= 3
    array = d.to_sympy()
    assert array.shape == tuple(sp.Symbol(s) for s in d.shape)
    values = _values(expr)
    got = np.asarray(sympy_value(array, values), dtype=float)
    want = numeric_derivative(expr, wrt, values, layout)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_array_expression_uses_the_users_symbols():
    n = sp.Symbol("n", integer=True, positive=True)
    X = sp.MatrixSymbol("X", n, n)
    d = symmat.diff(sp.Inverse(X), X).to_sympy()
    assert X in d.free_symbols and {s for s in d.free_symbols if isinstance(s, sp.Symbol)} <= {n}
    explicit = sympy_value(d, {"X": np.eye(2) * 2})
    np.testing.assert_allclose(explicit, -np.einsum("ij,kl->ilkj", np.eye(2) / 2, np.eye(2) / 2))


def test_third_derivative_of_an_abstract_function_is_refused_by_name():
    with pytest.raises(InteropError, match="order 3"):
        symmat.diff("g(x)", "x", where="x: n", order=3).to_sympy()

"""Units of symmat.steps: tidy (diff's simplifier on lines holding differentials) and
jacobian (identification df = J dx), each checked by value as well as by print."""
from __future__ import annotations

import numpy as np

import symmat
from symmat import nodes as N
from symmat.steps.algebra import Differential
from symmat.steps.check import DifferentialEvaluator
from symmat.steps.jacobian import JacobianIdentifier, Linear, collect, show_all
from symmat.steps.render import expr_text
from symmat.steps.tidy import canonical, tidy

WHERE = "X: m x n; w: n; y: m; W: m x n; x: n; a: n"


def _same_value(a: N.Expr, b: N.Expr, var: N.Symbol, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    values = {"X": rng.standard_normal((3, 4)), "w": rng.standard_normal(4), "y": rng.standard_normal(3),
              "W": rng.standard_normal((3, 4)), "x": rng.standard_normal(4), "a": rng.standard_normal(4)}
    V = rng.standard_normal(np.shape(values[var.name]))
    got = DifferentialEvaluator(values, var, V)(a)
    want = DifferentialEvaluator(values, var, V)(b)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_canonical_cancels_with_the_differential_frozen():
    """σ ⊙ (1 − σ) ⊘ σ cancels in a line that holds dw: the differential is a symbol meanwhile."""
    s = symmat.parse("sigmoid(X w)", WHERE)
    y, X, w = symmat.parse("y", WHERE), symmat.parse("X", WHERE), s.free_symbols()["w"]
    dw = Differential(w)
    line = N.MatMul(N.Transpose(y), N.HadamardDiv(N.Hadamard(N.Hadamard(s, N.Add(N.Number(1.0), N.Neg(s))),
                                                              N.MatMul(X, dw)), s))
    out = canonical(line)
    assert out is not None and "./ sigmoid" not in expr_text(out) and "dw" in expr_text(out)
    _same_value(line, out, w)


def test_a_row_differential_thaws_back():
    x = symmat.parse("x", WHERE)
    a = symmat.parse("a", WHERE)
    line = N.MatMul(Differential(N.Transpose(x)), a)  # d(xᵀ) a
    out = canonical(line)
    assert out is not None and not any(isinstance(n, N.Symbol) and n.name not in ("x", "a") for n in N.walk(out))
    _same_value(line, out, x)


def test_tidy_keeps_the_line_when_simplifying_reads_longer():
    x, a = symmat.parse("x", WHERE), symmat.parse("a", WHERE)
    line = N.MatMul(N.Transpose(a), Differential(x))
    assert tidy(line, expr_text) is not None
    assert len(expr_text(tidy(line, expr_text))) <= len(expr_text(line))


def test_jacobian_identification_of_a_layer():
    """d tanh(W x) = (1 − tanh²) ⊙ (W dx) = diag(1 − tanh²) W dx."""
    f = symmat.parse("tanh(W x)", WHERE)
    x = f.free_symbols()["x"]
    dx = Differential(x)
    prime = symmat.parse("1 - tanh(W x) .^ 2", WHERE)
    line = N.Hadamard(prime, N.MatMul(symmat.parse("W", WHERE), dx))
    identifier, terms = JacobianIdentifier(x), [Linear("vector", None, line)]
    while (result := identifier.step(terms)) is not None:
        _, _, terms = result
        _same_value(line, show_all(terms), x)
    J = collect(terms, x)
    assert expr_text(J) == "diag(1 - tanh(W x) .^ 2) W"
    np.testing.assert_allclose(
        J.evaluate({"W": np.eye(3, 4), "x": np.ones(4)}),
        symmat.diff(f, "x").evaluate({"W": np.eye(3, 4), "x": np.ones(4)}))

"""Steps for the whole golden corpus (tests/golden/corpus.py, ALL): every entry, both layouts,
its order. Each derivation ends at exactly what ``symmat diff`` prints (compared with
diff's live output, not stored strings), and every line holds numerically."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat.sample import random_values
from symmat.steps import derive, expr_latex, expr_text
from tests.golden.corpus import ALL as CORPUS
from tests.steps.test_steps import assert_lines_hold

LAYOUTS = ("numerator", "denominator")


def _direction(var, values, rng):
    x = np.asarray(values[var.name], dtype=float)
    V = rng.standard_normal(x.shape)
    if var.symmetric:
        V = (V + V.T) / 2
    return V if x.ndim else float(V)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("entry", CORPUS, ids=[e.id for e in CORPUS])
def test_corpus_derivation_holds_and_ends_at_diff(entry, layout):
    derivation = derive(entry.expr, entry.wrt, layout=layout, where=entry.where, order=entry.order)
    answer = symmat.diff(entry.expr, entry.wrt, layout=layout, where=entry.where, order=entry.order)
    last = derivation.steps[-1]
    assert last.lhs == "derivative" and str(last.expr) == str(answer) and last.expr.latex() == answer.latex()
    rng = np.random.default_rng(sum(map(ord, entry.id + layout)))
    for _ in range(2):
        values = random_values(derivation.f, rng)
        assert_lines_hold(derivation, values, _direction(derivation.var, values, rng), rtol=1e-5)


def _lines(f, wrt, where, layout="denominator", order=1):
    return derive(f, wrt, layout=layout, where=where, order=order).steps


@pytest.mark.parametrize("f, wrt, where", [
    ("-(y^T log(sigmoid(X w)) + (1 - y)^T log(1 - sigmoid(X w)))", "w", "X: m x n; w: n; y: m"),
    ("sum(softplus(X w)) - y^T X w", "w", "X: m x n; w: n; y: m"),
    ("-y^T log(softmax(W x))", "W", "W: m x n; x: n; y: m"),
    ("logsumexp(W x) - y^T W x", "W", "W: m x n; x: n; y: m"),
    ("g(V tanh(W x))", "W", "V: p x m; W: m x n; x: n"),
    ("0.5 * norm(V tanh(W x) - y)^2", "W", "V: p x m; W: m x n; x: n; y: p"),
])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_textbook_length(f, wrt, where, layout):
    """Logistic loss, softmax cross-entropy, a two-layer MLP: about ten lines at most,
    and σ/σ cancels: once expanded (no d(...) left but dX), no line divides by the
    sigmoid or the softmax (d log σ = dσ ⊘ σ before dσ is expanded is a textbook line)."""
    steps = _lines(f, wrt, where, layout)
    assert len(steps) <= 10, [expr_text(s.expr) for s in steps]
    for s in steps[1:]:
        text = expr_text(s.expr)
        if "d(" not in text:
            assert "./ sigmoid" not in text and "./ softmax" not in text, text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_kind_of_result(layout):
    """Jacobians (column and row functions), a function of a scalar, a matrix-valued
    one, matrix-by-matrix (index form) and Hessians: each ends at diff's answer."""
    for f, wrt, where, order in [
        ("tanh(x)", "x", "x: n", 1), ("V W x", "x", "V: p x m; W: m x n", 1), ("x^T W", "x", "W: m x n", 1),
        ("s a + s^2 b", "s", "s: scalar; a: n; b: n", 1), ("s A + sin(s) B", "s", "s: scalar; A: m x n; B: m x n", 1),
        ("W x", "W", "W: m x n", 1), ("X A X", "X", "X: n x n; A: n x n", 1), ("inv(X)", "X", "X: n x n", 1),
        ("logdet(X)", "X", "X: n x n", 2), ("s^3 + sin(s)", "s", "s: scalar", 2),
        ("sum(softplus(X w)) - y^T X w", "w", "X: m x n; w: n; y: m", 2),
    ]:
        derivation = derive(f, wrt, layout=layout, where=where, order=order)
        answer = symmat.diff(f, wrt, layout=layout, where=where, order=order)
        assert str(derivation.steps[-1].expr) == str(answer), f
        rng = np.random.default_rng(3)
        values = random_values(derivation.f, rng)
        assert_lines_hold(derivation, values, _direction(derivation.var, values, rng), rtol=1e-5)


def test_hessian_differentiates_the_gradient():
    steps = _lines("sum(softplus(X w)) - y^T X w", "w", "X: m x n; w: n; y: m", order=2)
    stage2 = [s for s in steps if s.stage == 2]
    assert expr_text(stage2[0].expr) == "d(X^T (sigmoid(X w) - y))"
    assert expr_latex(stage2[-1].expr) == symmat.diff("sum(softplus(X w)) - y^T X w", "w", layout="denominator",
                                                       where="X: m x n; w: n; y: m", order=2).latex()
    assert len(steps) <= 12


@pytest.mark.parametrize("f, wrt, where", [
    ("sum(max(x, y))", "x", ""), ("sum(min(W x, 0))", "W", ""), ("-y^T log_softmax(W x)", "W", "W: m x n"),
    ("log_softmax(z)", "z", ""), ("mean(X)", "X", ""), ("norm(x - a, 1)", "x", ""),
    ("(x .* x + 1) .^ t", "x", "t: scalar"),
    ("softmax(Z)", "Z", ""), ("sum(log_softmax(Z) .* Y)", "Z", ""), ("tr(X^-T A)", "X", ""),
])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_newer_constructs(f, wrt, where, layout):
    """max/min (a step selects the larger side), log_softmax (no softmax to divide by),
    column-wise functions of a matrix (read off in index notation): lines hold, the last
    line is diff's answer."""
    derivation = derive(f, wrt, layout=layout, where=where)
    assert str(derivation.steps[-1].expr) == str(symmat.diff(f, wrt, layout=layout, where=where))
    rng = np.random.default_rng(5)
    values = random_values(derivation.f, rng)
    assert_lines_hold(derivation, values, _direction(derivation.var, values, rng), rtol=1e-5)


@pytest.mark.parametrize("f, wrt, where, order", [
    ("x^T y", "c", "c: scalar", 1), ("x^T y", "Z", "Z: m x n", 1), ("a^T x", "x", "", 2), ("W x", "x", "", 2),
])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_zero_derivatives(f, wrt, where, order, layout):
    """A declared variable f does not mention, or a first derivative that is constant:
    d(·) = 0, and the last line is diff's zero."""
    derivation = derive(f, wrt, layout=layout, where=where, order=order)
    assert "a constant has differential 0" in [s.rule for s in derivation.steps]
    assert str(derivation.steps[-1].expr) == str(symmat.diff(f, wrt, layout=layout, where=where, order=order))
    rng = np.random.default_rng(2)
    values = random_values(derivation.f, rng, extra={wrt: derivation.var})
    assert_lines_hold(derivation, values, _direction(derivation.var, values, rng))

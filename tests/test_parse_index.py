"""Index notation parses back (issue 10): the printed form of a derivative of rank 3 or
4 (and of any result with ``form="index"``) is read by symmat.parse to a value equal to
the derivative's, in both layouts; the text it prints again is the same; and bad index
notation is refused with a located message."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symmat
from symmat.index.expr import IndexExpr
from tests.katex import katex
from tests.strategies import nodes, random_values, where_of

SIZES = {"m": 3, "n": 4, "p": 5, "q": 2}
LAYOUTS = ("numerator", "denominator")


def _same(got, want, message: str) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, message
    scale = 1 + np.max(np.abs(want), initial=0.0)
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8 * scale, err_msg=message)


def _round_trip(result, where, values, check_finite: bool = False) -> IndexExpr:
    text = str(result)
    again = symmat.parse(text, where)
    assert isinstance(again, IndexExpr), text
    with np.errstate(all="ignore"):
        want = np.asarray(result.evaluate(values), dtype=float)
        if check_finite:
            assert np.all(np.isfinite(want))
        else:
            assume(np.all(np.isfinite(want)))
        _same(again.evaluate(values), want, text)
        assert again.shape == result.shape, text
        # Both read as index notation (no inline tensor literal); the right side may
        # come back grouped differently (so its vectorised Jacobian, when both have one,
        # is compared in value).
        lines, again_lines = text.splitlines(), str(again).splitlines()
        for line in (lines[0], again_lines[0]):
            assert "reshape" not in line and "([" not in line and "] [" not in line, line
        if len(lines) == len(again_lines) == 2:
            _same(again.vec_form().evaluate(values), result.vec_form().evaluate(values), text)
    return again


# Rank 3 and 4 results and their textbook readings (entry by entry: checked by value
# below, against the derivative symmat computes, which tests/differentiation checks
# against finite differences).
CASES = [
    ("W x", "W", "W: m x n; x: n", 1),
    ("X W", "W", "X: m x n; W: n x p", 1),
    ("A X B", "X", "A: m x n; X: n x p; B: p x q", 1),
    ("tanh(W x)", "W", "W: m x n; x: n", 1),
    ("x x^T", "x", "x: m", 1),
    ("X^T", "X", "X: m x n", 1),
    ("inv(X)", "X", "X: n x n", 1),
    ("X^2", "X", "X: n x n", 1),
    ("softmax(Z)", "Z", "Z: m x n", 1),
    ("sigmoid(X) .* X", "X", "X: m x n", 1),
    ("vec(A X)", "X", "A: m x n; X: n x p", 1),
    ("vec(X^T)", "X", "X: m x n", 1),
    ("kron(A, X)", "X", "A: m x n; X: p x q", 1),
    ("kron(x, a)", "x", "x: m; a: n", 1),  # rank 2: form="index"
    ("V softmax(K^T Q)", "Q", "V: m x n; K: p x n; Q: p x q", 1),
    ("tr(X X)", "X", "X: n x n", 2),
    ("det(X)", "X", "X: n x n", 2),
    ("logsumexp(Z)", "Z", "Z: m x n", 2),
    ("x^T A x", "A", "x: n; A: n x n", 2),
    ("g(x)", "x", "x: n; g: R^n -> R", 3),
    ("h(x)", "x", "x: n; h: R^n -> R^m", 2),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("f, wrt, where, order", CASES)
def test_index_notation_parses_back(f, wrt, where, order, layout):
    expr = symmat.parse(f, where)
    values = random_values(expr, np.random.default_rng(7), SIZES)
    if "X" in values and f in ("inv(X)", "X^2", "det(X)"):
        values["X"] = values["X"] + 3 * np.eye(SIZES["n"])
    result = symmat.diff(expr, wrt, layout=layout, order=order, form="index")
    _round_trip(result, where, values, check_finite=True)


def test_readable_labels():
    """No inline tensor literal, no reshape, and no label that is a dimension or a
    variable name (issue 10: readable index notation)."""
    for f, wrt, where, order in CASES:
        for layout in LAYOUTS:
            text = str(symmat.diff(f, wrt, layout=layout, order=order, where=where, form="index"))
            assert "reshape" not in text and "([" not in text and "] [" not in text, text
            labels = {label for group in re.findall(r"\[([^\]]*)\]", text)
                      for label in re.split(r"[,()]", group) if label}
            names = set(re.findall(r"[A-Za-z]\w*", where)) - {"R"}  # variables, functions, dimensions
            assert labels and not labels & names, text


def test_textbook_readings():
    assert str(symmat.diff("W x", "W", where="W: m x n; x: n")) == \
        "∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]\n∂(W x)/∂vec(W) = kron(x^T, I_m)"
    # vec(Y)[(j,i)] = Y[i,j]: a fused axis is labelled by the axes it fuses, row-major.
    assert str(symmat.diff("vec(A X)", "X", where="A: m x n; X: n x p")).splitlines()[0] == \
        "∂(vec(A X))[(i,j)]/∂X[l,k] = A[j,l] δ[i,k]"
    # Order 2: one ∂X[…] per differentiation, in order.
    assert str(symmat.diff("tr(X X)", "X", order=2, where="X: n x n")) == \
        "∂²(tr(X X))/∂X[j,i]∂X[l,k] = 2 δ[i,l] δ[j,k]"
    # Factors joined only by a summed label are the matrix product they make.
    assert str(symmat.diff("inv(X) a", "X", where="X: n x n; a: n")).splitlines()[0] == \
        "∂(inv(X) a)[i]/∂X[k,j] = -(X^-1)[i,k] (X^-1 a)[j]"
    # One axis fused two ways (kron(x, y) beside vec(A)): a δ on the fused axis joins them.
    where = "x: m; y: n; A: m x n"
    d = symmat.diff("kron(x, y) .* exp(vec(A))", "A", where=where)
    assert "δ[(i,j),(q,p)]" in str(d) and "reshape" not in str(d), str(d)
    values = {"x": np.arange(1.0, 4.0), "y": np.arange(4.0), "A": np.arange(12.0).reshape(3, 4) / 10}
    _same(symmat.parse(str(d), where).evaluate(values), d.evaluate(values), str(d))
    # A delta that nothing else sizes (Σ_q δ[q,q] = n) is written with its size.
    d = symmat.diff("tr(I_n) W x", "W", where="W: m x p; x: p")
    assert str(d).splitlines()[0] == "∂(tr(I_n) W x)[i]/∂W[k,j] = I_n[q,q] δ[i,k] x[j]"
    values = {"W": np.ones((2, 3)), "x": np.arange(3.0), "n": 4}
    _same(symmat.parse(str(d), "W: m x p; x: p").evaluate(values), d.evaluate(values), str(d))
    assert str(symmat.diff("g(x)", "x", order=3, where="x: n; g: R^n -> R")) == \
        "∂^3(g(x))/∂x[i]∂x[j]∂x[k] = ∇^3g(x)[i,j,k]"


def test_hand_written_index_notation():
    """What a reader writes by hand is read the same way: the layout from the labels'
    order, a sum in parentheses distributed, a label absent from a term broadcast."""
    where = "W: m x n; x: n"
    values = {"W": np.arange(12.0).reshape(3, 4), "x": np.array([1.0, -2.0, 0.5, 3.0])}
    numerator = symmat.diff("W x", "W", where=where).evaluate(values)
    _same(symmat.parse("∂(W x)[i]/∂W[k,j] = x[j] δ[i,k]", where).evaluate(values), numerator, "numerator")
    denominator = symmat.parse("∂(W x)[k]/∂W[i,j] = δ[k,i] x[j]", where)
    _same(denominator.evaluate(values), symmat.diff("W x", "W", layout="denominator", where=where).evaluate(values),
          "denominator")
    both = symmat.parse("∂(x x^T)[i,j]/∂x[k] = (δ[i,k] x[j] + x[i] δ[j,k]) / 2 + x[i] δ[j,k] / 2", "x: m")
    v = {"x": np.array([1.0, 2.0, 3.0])}
    _same(both.evaluate(v), symmat.diff("x x^T", "x", where="x: m").evaluate(v) / 2
          + np.einsum("i,jk->ijk", v["x"], np.eye(3)) / 2, "sum in parentheses")
    zero = symmat.parse("∂²(x^T A x)/∂A[j,i]∂A[l,k] = 0", "x: n; A: n x n")
    assert zero.evaluate({"x": np.ones(2), "A": np.eye(2)}).shape == (2, 2, 2, 2)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(nodes(max_depth=3), st.integers(0, 2**32 - 1), st.data(), st.sampled_from(LAYOUTS))
def test_every_index_form_parses_back(expr, seed, data, layout):
    """Property: for random expressions, every variable and both layouts, the index
    form (rank 0 to 4, including the rank 3 and 4 results that have no matrix
    notation) parses back to its value with the expression's declarations alone."""
    variables = [s for s in expr.free_symbols().values() if s.type.rank <= 2]
    assume(variables)
    wrt = data.draw(st.sampled_from(variables)).name
    order = data.draw(st.sampled_from([1, 2])) if expr.type.is_scalar else 1
    result = symmat.diff(expr, wrt, layout=layout, order=order, form="index")
    values = random_values(expr, np.random.default_rng(seed))
    _round_trip(result, where_of(expr), values)


@pytest.mark.parametrize("text, where, message", [
    ("x[i]", "x: n", "only in index notation"),
    ("∂(W x)[i,j]/∂W[k,j] = δ[i,k] x[j]", "W: m x n; x: n", "has 1 axis, and 2 labels"),
    ("∂(W x)[i]/∂W[k,k] = δ[i,k]", "W: n x n; x: n", "label k names two axes"),
    ("∂(W x)[a]/∂W[b,c] = δ[a,b] x[c]", "W: m x n; x: n", "in the order i, j, k"),
    ("∂(W x)[i]/∂W[k,j] = δ[i,k] x", "W: m x n; x: n", "give every vector or matrix its labels"),
    ("∂(W x)[i]/∂W[k,j] = W[i,k] x[j]", "W: m x n; x: n", "two different sizes"),
    ("∂(W x)[i]/∂W[k,j] = tanh(x[j]) δ[i,k]", "W: m x n; x: n", "sums and products of entries"),
    ("∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]\n∂(W x)/∂vec(x) = kron(x^T, I)", "W: m x n; x: n", "by vec(W)"),
    ("∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]\n(∂(W x)/∂vec(W))^T = kron(x, I)", "W: m x n; x: n", "numerator layout"),
    ("∂(W x)[i]/∂W[k,j] = δ[i,k] x[j]\n∂(W x)/∂vec(W) = kron(x, I_m)", "W: m x n; x: n", "is m × m*n"),
    ("∂²(W x)[i]/∂W[k,j] = δ[i,k] x[j]", "W: m x n; x: n", "order 2"),
    ("∂^0(W x)[i]/∂W[k,j] = δ[i,k] x[j]", "W: m x n; x: n", "order 1 or more"),
    ("∂(W x)[i]/∂W[k,j] = δ[i,k] x[j] δ[p,p]", "W: m x n; x: n", "nothing fixes the size of label p"),
    ("∂(vec(A X))[(i,j)]/∂X[l,k] = δ[i,k]", "A: m x n; X: n x p", "has p × q entries, and its axis m*p"),
    ("∂(W x)[i]/∂W[k,j] = x[j] / δ[i,k]", "W: m x n; x: n", "quotients by scalars"),
    ("∂(W x)[i]/∂W[k,j] = δ[(i,k),j] x[j]", "W: m x n; x: n", "δ joins axes of different sizes"),
])
def test_bad_index_notation_is_refused(text, where, message):
    with pytest.raises(symmat.SymmatError, match=re.escape(message)) as info:
        symmat.parse(text, where)
    assert "^" in info.value.render(), info.value.render()


@pytest.mark.skipif(katex.node_missing() is not None, reason=katex.node_missing() or "")
def test_index_notation_latex_renders():
    """The LaTeX of every labelled form (fused labels, higher orders, subscripted names)."""
    formulas = [symmat.diff(f, wrt, layout=layout, order=order, where=where, form="index").latex()
                for f, wrt, where, order in CASES for layout in LAYOUTS]
    errors = katex.render(formulas)
    bad = [(f, e) for f, e in zip(formulas, errors) if e is not None]
    assert not bad, bad

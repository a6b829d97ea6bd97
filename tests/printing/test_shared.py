"""Shared subexpressions printed once (printing/shared.py): a deep network's gradient
names its activations in a where clause, in text and LaTeX; the text parses back to the
same value, both grow linearly with depth, small results print without names."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat.printing.shared import shared_subexpressions
from tests.inputs import network
from tests.katex import katex


def values(L: int, n: int = 4, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    v = {f"W{k}": rng.standard_normal((n, n)) / 2 for k in range(1, L + 1)}
    v.update(x=rng.standard_normal(n), t=rng.standard_normal(n))
    return v


def test_network_gradient_names_each_activation_once():
    text, where = network(4)
    # Small results print as before; this one is long enough to name its parts.
    d = symmat.diff(text, "W1", where=where, layout="denominator")
    assert str(d) == (
        "2 ((1 - h1 .^ 2) .* (W2^T ((1 - h2 .^ 2) .* (W3^T ((1 - h3 .^ 2) .* (W4^T (W4 h3 - t))))))) x^T"
        " where h1 = tanh(W1 x); h2 = tanh(W2 h1); h3 = tanh(W3 h2)"
    )


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_text_with_names_parses_back_to_the_same_value_and_matches_finite_differences(layout):
    L = 6
    text, where = network(L)
    d = symmat.diff(text, "W1", where=where, layout=layout)
    printed = str(d)
    assert " where h1 = " in printed
    v = values(L)
    back = symmat.parse(printed, where)
    np.testing.assert_allclose(back.evaluate(v), d.evaluate(v), rtol=1e-12)
    # and the value is the derivative: central differences on the original
    f = symmat.parse(text, where)
    numeric = np.zeros_like(v["W1"])
    for i in range(4):
        for j in range(4):
            hi, lo = dict(v), dict(v)
            hi["W1"], lo["W1"] = v["W1"].copy(), v["W1"].copy()
            hi["W1"][i, j] += 1e-6
            lo["W1"][i, j] -= 1e-6
            numeric[i, j] = (f.evaluate(hi) - f.evaluate(lo)) / 2e-6
    expected = numeric if layout == "denominator" else numeric.T
    np.testing.assert_allclose(d.evaluate(v), expected, rtol=1e-5, atol=1e-8)


def test_printed_size_grows_linearly_with_depth():
    sizes = {}
    for L in (32, 64, 128):
        text, where = network(L)
        d = symmat.diff(text, "W1", where=where, layout="denominator")
        sizes[L] = (len(str(d)), len(d.latex()))
    for a, b in ((32, 64), (64, 128)):
        assert sizes[b][0] <= 2.2 * sizes[a][0] and sizes[b][1] <= 2.2 * sizes[a][1]


def test_latex_names_and_renders():
    text, where = network(5)
    latex = symmat.diff(text, "W1", where=where, layout="denominator").latex()
    assert latex.startswith("\\begin{aligned}") and r"\text{where}\quad h_{1} &= \tanh\left(W_{1} x\right)" in latex
    assert r"h_{2} &= \tanh\left(W_{2} h_{1}\right)" in latex
    if katex.node_missing():
        pytest.skip(katex.node_missing())
    assert katex.render([latex]) == [None]


def test_small_results_print_without_names():
    d = symmat.diff("sum(softplus(X w)) - y^T X w", "w", where="X: m x n; w: n; y: m", layout="denominator", order=2)
    assert str(d) == "X^T diag(sigmoid(X w) .* (1 - sigmoid(X w))) X"
    assert shared_subexpressions(symmat.parse("tanh(A x) + tanh(A x)")) == {}


def test_names_avoid_the_expression_names():
    text, where = network(4)
    text, where = text.replace("W1 x", "W1 h1"), where.replace("x: n", "h1: n")
    printed = str(symmat.diff(text, "W1", where=where, layout="denominator"))
    assert " where h2 = tanh(W1 h1); h3 = " in printed
    v = values(4)
    v["h1"] = v.pop("x")
    d = symmat.diff(text, "W1", where=where, layout="denominator")
    np.testing.assert_allclose(symmat.parse(printed, where).evaluate(v), d.evaluate(v))


def test_nested_functions_print_and_parse_back():
    inner = "x"
    for _ in range(60):
        inner = f"tanh({inner})"
    d = symmat.diff(f"sum({inner})", "x", where="x: n", layout="denominator")
    printed, latex = str(d), d.latex()
    assert len(printed) < 3_000 and len(latex) < 6_000  # names, not 60 copies of the activations
    v = {"x": np.array([0.3, -0.2, 0.1])}
    np.testing.assert_allclose(symmat.parse(printed, "x: n").evaluate(v), d.evaluate(v))


def test_printing_memory_grows_linearly_with_depth():
    """Printing keeps no string per level of a deep result (a nested chain would hold
    depth × length characters): the peak of text + LaTeX at 2L is about twice that at L."""
    import tracemalloc

    def peak(layers: int) -> int:
        text, where = network(layers)
        d = symmat.diff(text, "W1", where=where)
        tracemalloc.start()
        try:
            str(d)
            d.latex()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(20)  # first use: lazy imports and caches
    assert peak(160) / peak(80) < 2.5

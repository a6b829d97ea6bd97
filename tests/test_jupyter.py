"""Jupyter: every result displays as a formula through ``Expr._repr_latex_``, the
matrix-notation ones and the index-form ones (rank 3 and 4) alike."""
from __future__ import annotations

import pytest

import symmat
from tests.katex.katex import render

RESULTS = {
    "parsed": lambda: symmat.parse("norm(W x - b)^2"),
    "gradient": lambda: symmat.diff("g(W^T a)", "W", layout="denominator"),
    "Jacobian": lambda: symmat.diff("softmax(z)", "z"),
    "Hessian": lambda: symmat.diff("x^T A x", "x", order=2),
    "rank 3": lambda: symmat.diff("W x", "W"),
    "rank 3, denominator": lambda: symmat.diff("tanh(W x)", "W", layout="denominator"),
    "rank 3 of a vector": lambda: symmat.diff("x x^T", "x"),
    "index form on request": lambda: symmat.diff("a^T x", "x", form="index"),
    "rank 4, order 2": lambda: symmat.diff("a^T tanh(W x)", "W", order=2),
}


@pytest.fixture(scope="module")
def results() -> dict[str, symmat.Expr]:
    return {name: make() for name, make in RESULTS.items()}


def test_repr_latex_is_the_latex_as_one_math_formula(results):
    for name, expr in results.items():
        shown = expr._repr_latex_()
        assert shown == f"$\\displaystyle {expr.latex()}$", name
        # One $…$ formula: the LaTeX inside has no $ of its own and no blank line.
        assert "$" not in expr.latex() and "\n\n" not in shown, name


def test_index_form_results_display_their_label(results):
    """A rank-3 derivative shows which entry it is: ∂(Wx)_i / ∂W_kj = …"""
    for name in ("rank 3", "rank 3, denominator", "rank 3 of a vector", "index form on request"):
        assert isinstance(results[name], symmat.Expr)
        shown = results[name]._repr_latex_()
        # The labelled entry, alone or above its vectorised Kronecker form.
        starts = ("$\\displaystyle \\frac{\\partial ", "$\\displaystyle \\begin{aligned} \\frac{\\partial ")
        assert shown.startswith(starts), name


def test_jupyter_finds_the_formula(results):
    """IPython's own LaTeX formatter (what a notebook calls) picks up _repr_latex_."""
    formatters = pytest.importorskip("IPython.core.formatters")
    latex = formatters.LatexFormatter()
    for expr in results.values():
        assert latex(expr) == expr._repr_latex_()


def test_every_formula_renders_in_katex(results):
    """What the notebook shows is valid math: KaTeX (strict) renders each formula."""
    formulas = [expr._repr_latex_()[1:-1] for expr in results.values()]
    errors = render(formulas)
    assert [(name, e) for name, e in zip(results, errors) if e is not None] == []

"""LaTeX printer: homework notation, the fewest parentheses a reader needs, and output
that really renders (KaTeX, strict)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symmat import nodes as N
from symmat import parse
from symmat.printing.latex import latex_number, to_latex
from symmat.printing.latex_names import latex_name
from symmat.shapes import column, matrix
from tests.katex import katex
from tests.strategies import nodes

WHERE = "a: scalar; b: scalar; c: scalar; s: elementwise; g: R^n -> R; alpha: scalar; λ: scalar"


@pytest.mark.parametrize(
    "text,latex",
    [
        ("W x", "W x"),
        ("X^T", r"X^\top"),
        ("(A B)^T", r"\left(A B\right)^\top"),
        ("X^T^T", r"\left(X^\top\right)^\top"),
        ("X^-1", "X^{-1}"),
        ("inv(X)", "X^{-1}"),
        ("inv(X)^T", r"X^{-\top}"),
        ("X^-1^T", r"X^{-\top}"),
        ("A^2 B", "A^{2} B"),
        ("tr(X)", r"\operatorname{tr}\left(X\right)"),
        ("det(X)", r"\det\left(X\right)"),
        ("logdet(X)", r"\log\det\left(X\right)"),
        ("log(x)", r"\log\left(x\right)"),
        ("exp(x)", r"\exp\left(x\right)"),
        ("sigmoid(x)", r"\sigma\left(x\right)"),
        ("sqrt(x)", r"\sqrt{x}"),
        ("A .* B", r"A \odot B"),
        ("A ./ B", r"A \oslash B"),
        ("kron(A, B)", r"A \otimes B"),
        ("A .* (B C)", r"A \odot \left(B C\right)"),
        ("A .* B C", r"\left(A \odot B\right) C"),
        ("(A .* B) .* C", r"A \odot B \odot C"),
        ("g(W^T u)", r"g\left(W^\top u\right)"),
        ("∇g(x)", r"\nabla g\left(x\right)"),
        ("∇²g(x)", r"\nabla^2 g\left(x\right)"),
        ("s'(x)", r"s'\left(x\right)"),
        ("s''(x)", r"s''\left(x\right)"),
        ("tanh'(x)", r"\tanh'\left(x\right)"),
        ("ones^T x", r"\mathbf{1}^\top x"),
        ("I + A", "I + A"),
        ("diag(x) A", r"\operatorname{diag}\left(x\right) A"),
        ("vec(X)", r"\operatorname{vec}\left(X\right)"),
        ("norm(x)^2", r"\left\|x\right\|^{2}"),
        ("norm(X)", r"\left\|X\right\|_F"),
        ("x / c", r"\frac{x}{c}"),
        ("A x / (c + 1)", r"\frac{A x}{c + 1}"),
        ("(x / c)^T", r"\left(\frac{x}{c}\right)^\top"),
        ("A .^ 2", r"A^{\circ 2}"),
        ("c .^ 2", "c^{2}"),
        ("x - y", "x - y"),
        ("x - 2 y", "x - 2 y"),
        ("x + (y + z)", "x + y + z"),
        ("x - (y + z)", r"x - \left(y + z\right)"),
        ("-(-x)", r"-\left(-x\right)"),
        ("-(x + y)", r"-\left(x + y\right)"),
        ("A (-B)", r"A \left(-B\right)"),
        ("2 3 A", r"2 \cdot 3 A"),
        ("A 2", "2 A"),
        ("x^T y z", r"\left(x^\top y\right) z"),
        ("A (x^T y) B", r"\left(x^\top y\right) A B"),
        ("x^T A y", r"x^\top A y"),
        ("0.5 x", "0.5 x"),
        ("1e-10 x", "10^{-10} x"),
        ("2.5e-5 x", r"2.5 \cdot 10^{-5} x"),
        ("alpha x + λ y", r"\alpha x + \lambda y"),
        ("W_1 x_2", "W_{1} x_{2}"),
        ("W1 x", "W_{1} x"),
        ("loss(x)", r"\operatorname{loss}\left(x\right)"),
    ],
)
def test_latex(text, latex):
    assert to_latex(parse(text, WHERE)) == latex


@pytest.mark.parametrize(
    "name,latex",
    [
        ("x", "x"), ("W_1", "W_{1}"), ("W12", "W_{12}"), ("x_ij", "x_{ij}"), ("W_a_b", "W_{a,b}"),
        ("alpha", r"\alpha"), ("Sigma", r"\Sigma"), ("x_alpha", r"x_{\alpha}"), ("λ", r"\lambda"),
        ("Λ", r"\Lambda"), ("xy", r"\mathit{xy}"), ("beta2", r"\beta_{2}"), ("é", r"\text{é}"),
        ("a{b}", r"\mathit{a\{b\}}"),
    ],
)
def test_names(name, latex):
    assert latex_name(name) == latex


def test_numbers():
    assert latex_number(2.0) == "2"
    assert latex_number(-0.5) == "-0.5"
    assert latex_number(float("inf")) == r"\infty"
    assert latex_number(1e20) == "10^{20}"


# ------------------------------------------------------------------ rendering
RENDERED = [text for text, _ in test_latex.pytestmark[0].args[1]] + [
    "g(W^T u) + u ∇g(W^T u)^T",
    "-inv(X)^T u v^T inv(X)^T",
    "det(X) inv(X)^T",
    "sigmoid(W_2 relu(W_1 x)) .* (1 - sigmoid(W_2 relu(W_1 x)))",
    "softmax(z) - exp(z) ./ sum(exp(z)) + logsumexp(z)",
    "(x - A y)^T S (x - A y) / (2 c^2)",
    "kron(A, B) vec(X)",
    "softplus(x) + abs(x) + relu'(x) + sqrt'(x) + log'(x)",
    "tr(inv(S) (A .^ 2 + I) S)^0.5",
    "norm(c) + norm(x - y)^2 + norm(X .* X)",
]

def _render_all(formulas: list[str]) -> None:
    errors = katex.render(formulas)
    bad = [(f, e) for f, e in zip(formulas, errors) if e is not None]
    assert not bad, "\n".join(f"{f}\n  -> {e}" for f, e in bad)


def test_every_construct_renders():
    _render_all([to_latex(parse(t, WHERE)) for t in RENDERED])


def test_odd_names_render():
    names = ["x", "W_1", "xy", "alpha", "λ", "é", "a{b}", "x y", "a\\b",
             "$", "%", "#", "&", "^", "~", "'", "_", "ℓ", "中", "x\n", "∂"]
    formulas = [to_latex(N.MatMul(N.Symbol(n, matrix("m", "n")), N.Symbol("v", column("n")))) for n in names]
    formulas += [to_latex(N.Call(n, N.Symbol("v", column("n")), 1)) for n in names]
    formulas += [to_latex(N.Elementwise(n, N.Symbol("v", column("n")), 2)) for n in names]
    _render_all(formulas)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(nodes(max_depth=4), min_size=40, max_size=40))
def test_random_expressions_render(exprs):
    # One node process per batch of forty: starting node dominates otherwise.
    _render_all([to_latex(e) for e in exprs])


def test_derivative_results_render():
    from symmat import diff

    cases = [
        ("W x", "W"), ("g(W^T a)", "W"), ("logdet(X)", "X"), ("x^T A x", "x"), ("sigmoid(W x)", "x"),
        ("a^T X b", "X"), ("softmax(z)", "z"), ("norm(A x - y)^2", "x"), ("tr(A X B)", "X"),
    ]
    _render_all([diff(f, wrt).latex() for f, wrt in cases])

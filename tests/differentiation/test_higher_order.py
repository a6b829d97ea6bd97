"""Higher orders: Hessians (scalar by vector n x n, scalar by matrix rank 4), third
derivatives, the logistic-loss Hessian (value and compactness), abstract functions
through ∇g, ∇²g and s', s''.

``assert_derivative(order=k)`` checks the k-th derivative against finite differences
of the (k-1)-th, which the same test checks against the one before, down to the
original expression."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat.nodes import walk
from tests.numeric import assert_derivative

from .support import LAYOUTS, WHERE, draw_values


def check_chain(text, var, values, layout, top, where=WHERE, **kw):
    """Orders 1..top, each against finite differences of the previous one."""
    result = None
    for k in range(1, top + 1):
        result = assert_derivative(text, var, values, layout, where=where, order=k, **kw)
    return result


HESSIAN_BY_VECTOR = [
    "a^T tanh(A x)",
    "x^T X x",
    "norm(A x - a)^2",
    "logsumexp(A x)",
    "sum(exp(c x))",
    "x^T S x",
    "c g(X x)",
    "a^T s(A x)",
    "(x^T y)^3 / c",
    "sqrt(q^T q + x^T x)",
    "sum(softplus(A x)) + norm(x)",
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text", HESSIAN_BY_VECTOR)
def test_hessian_by_vector(text, layout):
    values = draw_values(11)
    result = check_chain(text, "x", values, layout, 2)
    assert result.shape == ("n", "n")
    H = np.asarray(result.evaluate(values))
    np.testing.assert_allclose(H, H.T, rtol=1e-8, atol=1e-10)  # a Hessian is symmetric


HESSIAN_BY_MATRIX = [
    ("a^T tanh(A x)", "A"),
    ("logdet(X)", "X"),
    ("tr(X Y X)", "X"),
    ("norm(A B - a z^T)^2", "B"),
    ("g(A^T a)", "A"),
    ("det(X)", "X"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text,var", HESSIAN_BY_MATRIX)
def test_hessian_by_matrix(text, var, layout):
    values = draw_values(12)
    result = check_chain(text, var, values, layout, 2)
    x_shape = symmat.parse(var, WHERE).shape
    r, c = x_shape
    # order 1: g of shape (c, r) (numerator) or (r, c) (denominator); order 2 lays out
    # g again: numerator (c, r, c, r), denominator (r, c, c, r)
    want = (c, r, c, r) if layout == "numerator" else (r, c, c, r)
    assert result.shape == want


def test_hessian_by_matrix_entries():
    """∂²logdet(X)/∂X_ij∂X_kl = -(X⁻¹)_jk (X⁻¹)_li, checked entry by entry in both layouts."""
    values = draw_values(13)
    Xi = np.linalg.inv(values["X"])
    n = Xi.shape[0]
    for layout in LAYOUTS:
        H = np.asarray(symmat.diff("logdet(X)", "X", layout=layout, order=2, where=WHERE).evaluate(values))
        for i, j, k, l in np.ndindex(n, n, n, n):
            want = -Xi[j, k] * Xi[l, i]
            # order 1: G[j, i] (numerator) / G[i, j] (denominator) = ∂f/∂X_ij;
            # order 2 by X_kl: numerator [G idx…, l, k]; denominator [k, l, reverse(G idx)…]
            got = H[j, i, l, k] if layout == "numerator" else H[k, l, j, i]
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


ORDER_THREE = [
    ("sum(exp(c x))", "x"),
    ("logsumexp(A x)", "x"),
    ("sin(c)^2 + c^4", "c"),
    ("a^T tanh(A x)", "x"),
    ("logdet(X)", "X"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text,var", ORDER_THREE)
def test_order_three(text, var, layout):
    values = draw_values(14)
    result = check_chain(text, var, values, layout, 3, rtol=1e-4)
    rank = len(symmat.parse(var, WHERE).shape)
    assert len(result.shape) == 3 * rank


@pytest.mark.parametrize("layout", LAYOUTS)
def test_second_derivative_of_vector_function(layout):
    """tanh(A x) twice by x, rank 3: numerator (m, n) ++ (n); denominator (n) ++ reverse(n, m)."""
    values = draw_values(15)
    result = check_chain("tanh(A x)", "x", values, layout, 2)
    assert result.shape == (("m", "n", "n") if layout == "numerator" else ("n", "m", "n"))


# ---------------------------------------------------------------- logistic regression

LOGISTIC = "sum(log(1 + exp(-y .* (X w))))"
LOGISTIC_WHERE = "X: N x d; y: N; w: d"


def logistic_values(seed=0):
    rng = np.random.default_rng(seed)
    N, d = 5, 3
    return {
        "X": rng.normal(size=(N, d)),
        "y": rng.choice([-1.0, 1.0], size=N),
        "w": 0.5 * rng.normal(size=d),
    }


def logistic_hessian(v):
    """H = Xᵀ diag(σ(m)(1 - σ(m))) X with margins m = y ⊙ Xw (y² = 1)."""
    X, y, w = v["X"], v["y"], v["w"]
    sig = 1 / (1 + np.exp(-y * (X @ w)))
    return X.T @ np.diag(sig * (1 - sig) * y * y) @ X


def count_nodes(t) -> int:
    """Distinct tensor nodes in a result DAG."""
    return sum(1 for _ in walk(t))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_logistic_loss_hessian(layout):
    values = logistic_values()
    result = check_chain(LOGISTIC, "w", values, layout, 2, where=LOGISTIC_WHERE)
    assert result.shape == ("d", "d")
    np.testing.assert_allclose(result.evaluate(values), logistic_hessian(values), rtol=1e-10)


def test_logistic_loss_hessian_is_compact():
    """Compact: a contraction over the N samples, not a sum of N terms or an
    expansion into entries; its size does not depend on N or d."""
    result = symmat.diff(LOGISTIC, "w", order=2, where=LOGISTIC_WHERE, form="index")
    small = count_nodes(result.tensor)
    assert small <= 40, (small, str(result))
    big = symmat.diff(LOGISTIC, "w", order=2, where="X: 50 x 20; y: 50; w: 20", form="index")
    assert count_nodes(big.tensor) == small
    assert len(str(result)) < 400, str(result)
    # the matrix form too: a few products, no expansion
    matrix = symmat.diff(LOGISTIC, "w", order=2, where=LOGISTIC_WHERE)
    assert len(str(matrix)) < 300, str(matrix)
    np.testing.assert_allclose(matrix.evaluate(logistic_values(1)), logistic_hessian(logistic_values(1)), rtol=1e-10)


# ---------------------------------------------------------------- abstract functions

def test_abstract_hessian_closed_form():
    """∂²g(Ax)/∂x² = Aᵀ ∇²g(Ax) A."""
    values = draw_values(16)
    A, x = values["A"], values["x"]
    want = A.T @ values["∇²h"](A @ x) @ A
    for layout in LAYOUTS:
        got = symmat.diff("h(A x)", "x", layout=layout, order=2, where=WHERE).evaluate(values)
        np.testing.assert_allclose(got, want, rtol=1e-10)
        assert_derivative("h(A x)", "x", values, layout, where=WHERE, order=2)


def test_abstract_elementwise_hessian_closed_form():
    """∂²(aᵀ s(Ax))/∂x² = Aᵀ diag(a ⊙ s''(Ax)) A."""
    values = draw_values(17)
    A, x, a = values["A"], values["x"], values["a"]
    want = A.T @ np.diag(a * values["s''"](A @ x)) @ A
    for layout in LAYOUTS:
        got = symmat.diff("a^T s(A x)", "x", layout=layout, order=2, where=WHERE).evaluate(values)
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_abstract_hessian_by_matrix_closed_form():
    """g(Aᵀa) twice by A: ∂²/∂A_ij∂A_kl = a_i a_k ∇²g(Aᵀa)_jl (denominator entry [k,l,j,i])."""
    values = draw_values(18)
    A, a = values["A"], values["a"]
    Hg = values["∇²g"](A.T @ a)
    got = np.asarray(symmat.diff("g(A^T a)", "A", layout="denominator", order=2, where=WHERE).evaluate(values))
    m, n = A.shape
    for i, j, k, l in np.ndindex(m, n, m, n):
        assert got[k, l, j, i] == pytest.approx(a[i] * a[k] * Hg[j, l], rel=1e-10, abs=1e-12)


def test_abstract_third_order_needs_its_callable():
    """A third derivative of g names ∇³g's callable; given one, it is used."""
    values = draw_values(19)
    n = 4
    w = 1.0 + 0.1 * np.arange(n)

    def third(v):
        """∇³g for g of support.abstract_functions: -cos(wᵀv) w⊗w⊗w."""
        return -np.cos(w @ v) * np.einsum("i,j,k->ijk", w, w, w)

    values["d3_g"] = third
    assert_derivative("g(x)", "x", values, "numerator", where=WHERE, order=3, rtol=1e-4)

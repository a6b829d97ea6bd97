"""All ranks: scalar / vector / matrix functions by scalar / vector / matrix variables,
including the rank-3 and rank-4 results. Shapes are checked exactly against contract §3
(numerator ``F ++ reverse(X)``, denominator ``X ++ reverse(F)``), symbolically and on
the evaluated array; values against finite differences and, for the named tensors,
against the contract's entry formula written out with explicit loops."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from tests.numeric import assert_derivative

from .support import LAYOUTS, SIZES, WHERE, draw_values

# One function of each rank that depends on a scalar c, a vector x (n) and a matrix A (m x n).
FUNCTIONS = {
    "scalar": "c a^T tanh(A x)",
    "vector": "c tanh(A x) + a",
    "matrix": "c A diag(x) + a x^T",
}
VARIABLES = {"scalar": "c", "vector": "x", "matrix": "A"}


def expected_shape(f_shape: tuple, x_shape: tuple, layout: str) -> tuple:
    """Contract §3, literally."""
    if layout == "numerator":
        return tuple(f_shape) + tuple(reversed(x_shape))
    return tuple(x_shape) + tuple(reversed(f_shape))


def lay_out(jacobian: np.ndarray, f_rank: int, layout: str) -> np.ndarray:
    """Arrange ``J[f_idx…, x_idx…] = ∂f[f_idx]/∂x[x_idx]`` as contract §3 says, entry by
    entry (deliberately not via np.transpose, to be independent of the engine's code)."""
    f_shape, x_shape = jacobian.shape[:f_rank], jacobian.shape[f_rank:]
    out = np.zeros(expected_shape(f_shape, x_shape, layout))
    for idx in np.ndindex(*jacobian.shape):
        fi, xi = idx[:f_rank], idx[f_rank:]
        key = fi + xi[::-1] if layout == "numerator" else xi + fi[::-1]
        out[key] = jacobian[idx]
    return out


def numeric_shape(shape):
    return tuple(SIZES.get(d, d) for d in shape)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("var_kind", list(VARIABLES))
@pytest.mark.parametrize("f_kind", list(FUNCTIONS))
def test_rank_combination(f_kind, var_kind, layout):
    text, var = FUNCTIONS[f_kind], VARIABLES[var_kind]
    f = symmat.parse(text, WHERE)
    x_shape = f.free_symbols()[var].type.shape
    result = assert_derivative(f, var, draw_values(), layout, where=WHERE)
    want = expected_shape(f.shape, x_shape, layout)
    assert result.shape == want
    got = np.asarray(result.evaluate(draw_values()))
    assert got.shape == numeric_shape(want)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_gradient_orientation(layout):
    """Scalar by vector: a row vector (numerator) or a column vector (denominator)."""
    result = symmat.diff("a^T A x", "x", layout=layout, where=WHERE)
    assert result.shape == ("n",)
    assert result.type.row == (layout == "numerator")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_jacobian_orientation(layout):
    """Vector by vector: the Jacobian m x n (numerator) or its transpose (denominator)."""
    values = draw_values()
    result = symmat.diff("A x", "x", layout=layout, where=WHERE)
    want = values["A"] if layout == "numerator" else values["A"].T
    np.testing.assert_allclose(result.evaluate(values), want, rtol=1e-12)


# ---------------------------------------------------------------- named rank-3 / rank-4 tensors

def jac_Wx_by_W(v):
    """(Wx)_i = Σ_n W_in x_n  ⇒  ∂(Wx)_i/∂W_mn = δ_im x_n."""
    A, x = v["A"], v["x"]
    m, n = A.shape
    J = np.zeros((m, m, n))
    for i in range(m):
        for k in range(n):
            J[i, i, k] = x[k]
    return J


def jac_XW_by_W(v):
    """(AB)_ij = Σ_k A_ik B_kj  ⇒  ∂(AB)_ij/∂B_kl = A_ik δ_jl."""
    A, B = v["A"], v["B"]
    (m, n), p = A.shape, B.shape[1]
    J = np.zeros((m, p, n, p))
    for i in range(m):
        for j in range(p):
            for k in range(n):
                J[i, j, k, j] = A[i, k]
    return J


def jac_inv_by_X(v):
    """∂(X⁻¹)_ij/∂X_kl = -(X⁻¹)_ik (X⁻¹)_lj."""
    Xi = np.linalg.inv(v["X"])
    n = Xi.shape[0]
    J = np.zeros((n, n, n, n))
    for i, j, k, l in np.ndindex(n, n, n, n):
        J[i, j, k, l] = -Xi[i, k] * Xi[l, j]
    return J


def jac_transpose(v):
    """(Aᵀ)_ij = A_ji  ⇒  ∂(Aᵀ)_ij/∂A_kl = δ_jk δ_il."""
    m, n = v["A"].shape
    J = np.zeros((n, m, m, n))
    for i in range(n):
        for j in range(m):
            J[i, j, j, i] = 1.0
    return J


NAMED = [
    ("Wx-by-W", "A x", "A", ("m",), jac_Wx_by_W),
    ("XW-by-W", "A B", "B", ("m", "p"), jac_XW_by_W),
    ("inv-by-X", "inv(X)", "X", ("n", "n"), jac_inv_by_X),
    ("transpose-by-X", "A^T", "A", ("n", "m"), jac_transpose),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text,var,f_shape,jacobian", [p[1:] for p in NAMED], ids=[p[0] for p in NAMED])
def test_named_high_rank(text, var, f_shape, jacobian, layout):
    values = draw_values(3)
    result = symmat.diff(text, var, layout=layout, where=WHERE)
    x_shape = symmat.parse(text, WHERE).free_symbols()[var].type.shape
    assert result.shape == expected_shape(f_shape, x_shape, layout)
    got = np.asarray(result.evaluate(values))
    want = lay_out(jacobian(values), len(f_shape), layout)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert_derivative(text, var, values, layout, where=WHERE)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_entry_meaning_numerator_vs_denominator(layout):
    """Spot-check single entries of ∂(Ax)/∂A against the contract's index formula."""
    values = draw_values(5)
    got = np.asarray(symmat.diff("A x", "A", layout=layout, where=WHERE).evaluate(values))
    x = values["x"]
    # ∂(Ax)_i/∂A_jk = δ_ij x_k; numerator entry [i, k, j], denominator entry [j, k, i]
    for i, j, k in [(0, 0, 3), (2, 2, 1), (1, 0, 2)]:
        entry = got[i, k, j] if layout == "numerator" else got[j, k, i]
        assert entry == pytest.approx(x[k] if i == j else 0.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "text,var",
    [("c X", "X"), ("inv(X) A^T", "A"), ("kron(x, a)", "A"), ("A^T A", "A"), ("x a^T", "a"), ("c A", "c")],
)
def test_more_rank3_rank4(text, var, layout):
    """A few more tensors of rank 3 and 4 against finite differences, and a declared
    variable the function does not use (a zero of the right shape)."""
    where = WHERE
    f = symmat.parse(text, where)
    result = assert_derivative(f, var, draw_values(7), layout, where=where)
    x_shape = symmat.parse(var, where).shape
    assert result.shape == expected_shape(f.shape, x_shape, layout)

"""The seeds' results as known answers, each checked numerically against an
independent hand-written NumPy formula (not only finite differences), in the layout
the textbook writes it."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from tests.numeric import assert_derivative

from .support import abstract_functions

RNG = np.random.default_rng(2024)


def close(result, want, values, rtol=1e-10):
    np.testing.assert_allclose(np.asarray(result.evaluate(values)), want, rtol=rtol, atol=1e-12)


def test_headline_g_of_W_transpose_a():
    """∂g(Wᵀa)/∂W = a ∇g(Wᵀa)ᵀ (denominator), with nothing declared."""
    values = {"W": RNG.normal(size=(3, 4)), "a": RNG.normal(size=3), **abstract_functions()}
    W, a = values["W"], values["a"]
    result = symmat.diff("g(W^T a)", "W", layout="denominator")
    close(result, np.outer(a, values["∇g"](W.T @ a)), values)
    numerator = symmat.diff("g(W^T a)", "W")
    close(numerator, np.outer(a, values["∇g"](W.T @ a)).T, values)
    assert_derivative("g(W^T a)", "W", values, "denominator")


LAYER_WHERE = "W: m x n; X: n x k; b: m"


def layer_values():
    return {"W": RNG.normal(size=(3, 4)), "X": RNG.normal(size=(4, 5)), "b": RNG.normal(size=3)}


@pytest.mark.parametrize("loss", ["sum(tanh(Z))", "g(vec(Z))", "norm(Z)^2"])
def test_layer_backpropagation(loss):
    """Z = W X + b 1ᵀ, L(Z): ∇_W L = ∇_Z L Xᵀ, ∇_X L = Wᵀ ∇_Z L, ∇_b L = ∇_Z L 1."""
    z = "(W X + b ones^T)"
    text = loss.replace("Z", z)
    values = {**layer_values(), **abstract_functions()}
    W, X, b = values["W"], values["X"], values["b"]
    Z = W @ X + np.outer(b, np.ones(5))
    grad_Z = {
        "sum(tanh(Z))": 1 - np.tanh(Z) ** 2,
        "g(vec(Z))": values["∇g"](Z.T.reshape(-1)).reshape(5, 3).T,  # vec stacks columns
        "norm(Z)^2": 2 * Z,
    }[loss]
    want = {"W": grad_Z @ X.T, "X": W.T @ grad_Z, "b": grad_Z @ np.ones(5)}
    for var, expected in want.items():
        result = symmat.diff(text, var, layout="denominator", where=LAYER_WHERE)
        close(result, expected, values, rtol=1e-9)
        assert_derivative(text, var, values, "denominator", where=LAYER_WHERE)


def test_Wx_by_W_entries():
    """∂(Wx)_i/∂W_mn = δ_im x_n (numerator entry [i, n, m])."""
    values = {"W": RNG.normal(size=(3, 4)), "x": RNG.normal(size=4)}
    got = np.asarray(symmat.diff("W x", "W").evaluate(values))
    assert got.shape == (3, 4, 3)
    want = np.einsum("im,n->inm", np.eye(3), values["x"])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_VWx_by_x():
    """∂(VWx)/∂x = VW (numerator), (VW)ᵀ (denominator)."""
    values = {"V": RNG.normal(size=(3, 4)), "W": RNG.normal(size=(4, 5)), "x": RNG.normal(size=5)}
    VW = values["V"] @ values["W"]
    close(symmat.diff("V W x", "x"), VW, values)
    close(symmat.diff("V W x", "x", layout="denominator"), VW.T, values)


@pytest.mark.parametrize(
    "name,prime",
    [
        ("exp", np.exp), ("log", lambda x: 1 / x), ("sin", np.cos), ("cos", lambda x: -np.sin(x)),
        ("tanh", lambda x: 1 - np.tanh(x) ** 2), ("sqrt", lambda x: 0.5 / np.sqrt(x)),
        ("sigmoid", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
        ("relu", lambda x: (x > 0).astype(float)), ("softplus", lambda x: 1 / (1 + np.exp(-x))),
        ("abs", np.sign), ("s", lambda x: np.cos(x) + x ** 2),
    ],
)
def test_elementwise_jacobian_is_diagonal(name, prime):
    """∂f(x)/∂x = diag(f'(x)) for every elementwise f (and an abstract s)."""
    x = np.array([0.4, 1.3, 0.7, 2.1]) if name in ("log", "sqrt") else np.array([0.4, -1.3, 0.7, -2.1])
    values = {"x": x, **abstract_functions()}
    where = "x: n; s: elementwise"
    for layout in ("numerator", "denominator"):
        close(symmat.diff(f"{name}(x)", "x", layout=layout, where=where), np.diag(prime(x)), values)


def test_relu_neuron():
    """y = relu(wᵀx + b): ∂y/∂w = step(wᵀx + b) xᵀ, ∂y/∂b = step(wᵀx + b); relu'(0) = 0."""
    where = "w: n; x: n; b: scalar"
    x = np.array([1.0, -2.0, 0.5])
    for w, b in [(np.array([0.3, -0.1, 0.4]), 0.2), (np.array([-0.3, 0.1, -0.4]), -0.2)]:
        values = {"w": w, "x": x, "b": b}
        active = float(w @ x + b > 0)
        close(symmat.diff("relu(w^T x + b)", "w", where=where), active * x, values)
        close(symmat.diff("relu(w^T x + b)", "b", where=where), active, values)
        close(symmat.diff("relu(w^T x + b)", "x", layout="denominator", where=where), active * w, values)
    # at the kink: the documented convention relu'(0) = 0
    at_kink = {"w": np.array([1.0, 0.0, 0.0]), "x": np.array([0.5, 1.0, 1.0]), "b": -0.5}
    close(symmat.diff("relu(w^T x + b)", "w", where=where), np.zeros(3), at_kink)


def test_quadratic_form_symmetric():
    """∂(xᵀSx)/∂x = 2Sx for S declared symmetric (values symmetric); Sx + Sᵀx otherwise."""
    S0 = RNG.normal(size=(4, 4))
    S = S0 + S0.T
    values = {"x": RNG.normal(size=4), "S": S}
    result = symmat.diff("x^T S x", "x", layout="denominator", where="S: n x n symmetric; x: n")
    close(result, 2 * S @ values["x"], values)
    general = {"x": values["x"], "S": S0}
    result = symmat.diff("x^T S x", "x", layout="denominator", where="S: n x n; x: n")
    close(result, (S0 + S0.T) @ values["x"], general)


SYM_WHERE = "S: n x n symmetric; B: n x n; x: n; y: n"


def sym_values():
    S = RNG.normal(size=(4, 4))
    return {"S": S + S.T, "B": RNG.normal(size=(4, 4)), "x": RNG.normal(size=4), "y": RNG.normal(size=4)}


# denominator gradients of the function as written, entries independent: G
SYMMETRIC_CASES = [
    ("tr(B S)", lambda v: v["B"].T),
    ("x^T S y", lambda v: np.outer(v["x"], v["y"])),
    ("x^T S x", lambda v: np.outer(v["x"], v["x"])),
    ("tr(B S^T)", lambda v: v["B"]),
]


@pytest.mark.parametrize("text,gradient", SYMMETRIC_CASES, ids=[c[0] for c in SYMMETRIC_CASES])
def test_symmetric_space_convention(text, gradient):
    """symmetric="symmetric": the gradient in the space of symmetric matrices, (G + Gᵀ)/2."""
    values = sym_values()
    G = gradient(values)
    result = symmat.diff(text, "S", layout="denominator", where=SYM_WHERE, symmetric="symmetric")
    close(result, (G + G.T) / 2, values)


# Symmetry is used on results only, never on the expression before differentiating by
# S itself: ∂tr(BS)/∂S is Bᵀ (not B, which a canonicalised S_ji -> S_ij would give).
@pytest.mark.parametrize(
    "text,gradient",
    SYMMETRIC_CASES,
    ids=[c[0] for c in SYMMETRIC_CASES],
)
def test_unconstrained_convention(text, gradient):
    """Default: the gradient G of the expression as written with independent entries
    (what finite differences on the entries measure), checked also against finite
    differences of the same text with S undeclared-symmetric."""
    values = sym_values()
    result = symmat.diff(text, "S", layout="denominator", where=SYM_WHERE)
    close(result, gradient(values), values)
    free = symmat.parse(text, SYM_WHERE.replace(" symmetric", ""))
    from tests.numeric import numeric_derivative

    expected = numeric_derivative(free, "S", values, "denominator")
    np.testing.assert_allclose(result.evaluate(values), expected, rtol=1e-6, atol=1e-8)


def test_unconstrained_convention_rank4():
    """∂(BS)_ij/∂S_kl = B_ik δ_jl (numerator entry [i, j, l, k]) for S declared symmetric."""
    values = sym_values()
    got = np.asarray(symmat.diff("B S", "S", where=SYM_WHERE).evaluate(values))
    want = np.einsum("ik,jl->ijlk", values["B"], np.eye(4))
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize(
    "text,order,want",
    [
        ("A B x - c B x", 1, lambda v: (v["A"] - v["c"] * np.eye(3)) @ v["B"]),
        ("a^T softmax(x)", 2, lambda v: _softmax_hessian(v)),
    ],
)
def test_matrix_form_scalar_times_matrix(text, order, want):
    """c M in matrix form is (… - c I) M, never (… - c) M (scalar expansion); found by
    the property tests at b956bc0, where ``A B x - c B x`` gave ``(A - c) B``."""
    values = {"A": RNG.normal(size=(3, 3)), "B": RNG.normal(size=(3, 3)), "c": 0.7,
              "x": RNG.normal(size=3), "a": RNG.normal(size=3)}
    result = symmat.diff(text, "x", order=order, where="A: n x n; B: n x n; c: scalar; x: n; a: n")
    close(result, want(values), values, rtol=1e-9)


def _softmax_hessian(v):
    """∂²(aᵀ softmax(x))/∂x² = Σ_i a_i ∂²s_i, with ∂s/∂x = diag(s) - s sᵀ = J."""
    x, a = v["x"], v["a"]
    s = np.exp(x - x.max())
    s /= s.sum()
    J = np.diag(s) - np.outer(s, s)
    # ∂J_ij/∂x_k = J_ik δ_ij - J_ik s_j - s_i J_jk
    dJ = np.einsum("ik,ij->ijk", J, np.eye(3)) - np.einsum("ik,j->ijk", J, s) - np.einsum("i,jk->ijk", s, J)
    return np.einsum("i,ijk->jk", a, dJ)


def test_matrix_form_scalar_times_matrix_index_form_is_right():
    """The same two results in index form are right (the bug is in the matrix form)."""
    values = {"A": RNG.normal(size=(3, 3)), "B": RNG.normal(size=(3, 3)), "c": 0.7,
              "x": RNG.normal(size=3), "a": RNG.normal(size=3)}
    where = "A: n x n; B: n x n; c: scalar; x: n; a: n"
    close(symmat.diff("A B x - c B x", "x", where=where, form="index"),
          (values["A"] - values["c"] * np.eye(3)) @ values["B"], values)
    close(symmat.diff("a^T softmax(x)", "x", order=2, where=where, form="index"), _softmax_hessian(values), values)


def test_textbook_least_squares():
    """∂‖Ax - y‖²/∂x = 2Aᵀ(Ax - y) (denominator); Hessian 2AᵀA."""
    values = {"A": RNG.normal(size=(5, 3)), "x": RNG.normal(size=3), "y": RNG.normal(size=5)}
    A, x, y = values["A"], values["x"], values["y"]
    close(symmat.diff("norm(A x - y)^2", "x", layout="denominator"), 2 * A.T @ (A @ x - y), values)
    close(symmat.diff("norm(A x - y)^2", "x", order=2), 2 * A.T @ A, values)


def test_cookbook_logdet_and_inverse():
    """∂logdet(X)/∂X = X⁻ᵀ (denominator); ∂tr(AX⁻¹B)/∂X = -(X⁻¹BAX⁻¹)ᵀ."""
    n = 4
    X = np.eye(n) + 0.3 * RNG.normal(size=(n, n))
    values = {"X": X, "A": RNG.normal(size=(3, n)), "B": RNG.normal(size=(n, 3))}
    Xi = np.linalg.inv(X)
    close(symmat.diff("logdet(X)", "X", layout="denominator"), Xi.T, values)
    close(symmat.diff("tr(A inv(X) B)", "X", layout="denominator"), -(Xi @ values["B"] @ values["A"] @ Xi).T, values)
    close(symmat.diff("det(X)", "X", layout="denominator"), np.linalg.det(X) * Xi.T, values)

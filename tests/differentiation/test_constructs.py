"""Every construct of contract §1, differentiated with respect to each of its free
variables (scalars, vectors, matrices), in both layouts, against central finite
differences of the NumPy evaluation of the original expression.

Sizes are m, n, p = 3, 4, 5 (see support.py): only constructs that need a square
matrix (powers, inv, det, logdet, tr of a product, I) get one.
"""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from tests.numeric import assert_derivative

from .support import LAYOUTS, WHERE, draw_values, variables_of

# (id, expression, guards): guards are ("positive" | "nonzero", subexpression) whose
# values must stay in the function's safe domain (log, sqrt > 0; relu, abs away from
# their kink at 0); values are redrawn until they do.
CASES = [
    # products
    ("matmul", "c A B", ()),
    ("matmul-chain", "A X B", ()),
    ("matvec", "c A x", ()),
    ("inner", "c x^T y", ()),
    ("inner-bilinear", "a^T A x", ()),
    ("outer", "c a x^T", ()),
    ("outer-row-col", "x a^T", ()),
    ("scale-vector", "c x", ()),
    ("scale-matrix", "c d A", ()),
    ("scale-by-scalar-expression", "(x^T y) A", ()),
    ("scale-right", "A c", ()),
    ("matmul-at", "A @ x", ()),
    ("matmul-star", "A * B", ()),
    ("row-times-matrix", "a^T A", ()),
    # transpose
    ("transpose", "A^T", ()),
    ("transpose-prime", "c A'", ()),
    ("transpose-product", "(A B)^T a", ()),
    ("transpose-vector", "x^T", ()),
    # sums, differences, negation, scalar broadcast
    ("sum", "A + C", ()),
    ("difference", "A - c C", ()),
    ("negation", "-A + c", ()),
    ("broadcast-vector", "c + x", ()),
    ("broadcast-right", "x - d", ()),
    ("broadcast-matrix", "A + 2", ()),
    ("broadcast-expression", "A + x^T y", ()),
    # Hadamard
    ("hadamard", "A .* C", ()),
    ("hadamard-circ", "x ⊙ y", ()),
    ("hadamard-scalar", "c .* A", ()),
    ("hadamard-div", "A ./ C", ()),
    ("hadamard-div-vector", "x ./ q", ()),
    # division by a scalar
    ("div-scalar", "A / c", ()),
    ("div-expression", "x / (x^T y)", (("nonzero", "x^T y"),)),
    ("div-norm", "x / norm(x)", ()),
    # scalar and elementwise powers
    ("scalar-square", "c^2", ()),
    ("scalar-cube", "(x^T y)^3", ()),
    ("scalar-inverse", "c^-1", ()),
    ("scalar-sqrt", "c^0.5", ()),
    ("scalar-power-expr", "(a^T A x)^2 + d^3", ()),
    ("elem-square", "A .^ 2", ()),
    ("elem-cube", "c x .^ 3", ()),
    ("elem-negative", "q .^ -2", ()),
    ("elem-half", "P .^ 0.5", ()),
    # integer matrix powers
    ("matrix-square", "X^2", ()),
    ("matrix-cube", "c X^3", ()),
    ("matrix-power-zero", "X^0 x", ()),
    ("matrix-inverse-power", "X^-1", ()),
    ("matrix-negative-square", "X^-2", ()),
    ("matrix-power-product", "(A^T A + X)^2 y", ()),
    # inverse
    ("inv", "inv(X)", ()),
    ("inv-scaled", "inv(c X + Y)", ()),
    ("inv-gram", "inv(A^T A + X)", ()),
    ("inv-quadratic", "x^T inv(X) y", ()),
    # Kronecker
    ("kron", "kron(A, B)", ()),
    ("kron-otimes", "A ⊗ X", ()),
    ("kron-vectors", "kron(x, a)", ()),
    ("kron-scalar", "kron(c, A)", ()),
    ("kron-scaled", "c kron(x, z)", ()),
    # matrix functions
    ("tr", "tr(X)", ()),
    ("tr-product", "tr(A B B^T A^T)", ()),
    ("tr-scaled", "tr(c X Y)", ()),
    ("det", "det(X)", ()),
    ("det-gram", "det(A A^T)", ()),
    ("det-scaled", "c det(X + Y)", ()),
    ("logdet", "logdet(X)", ()),
    ("logdet-gram", "logdet(A A^T + c M)", ()),
    ("diag-vector", "diag(x)", ()),
    ("diag-vector-expression", "diag(A x) a", ()),
    ("diag-matrix", "diag(X)", ()),
    ("diag-matrix-expression", "diag(A A^T)", ()),
    ("vec", "vec(A)", ()),
    ("vec-product", "c vec(A B)", ()),
    ("sum-matrix", "sum(A)", ()),
    ("sum-vector", "sum(c x)", ()),
    ("sum-product", "sum(A B)", ()),
    ("norm-vector", "norm(x)", ()),
    ("norm-frobenius", "norm(A)", ()),
    ("norm-residual", "norm(A x - a)^2", ()),
    ("norm-frobenius-product", "norm(c A B)", ()),
    # vector functions
    ("softmax", "softmax(A x)", ()),
    ("softmax-scaled", "softmax(c z)", ()),
    ("logsumexp", "logsumexp(A x + a)", ()),
    ("logsumexp-scaled", "c logsumexp(z)", ()),
    # I and ones
    ("identity", "(X + c I) x", ()),
    ("identity-trace", "tr(c I + X)", ()),
    ("identity-product", "A I", ()),
    ("ones-matvec", "A ones", ()),
    ("ones-inner", "ones^T x", ()),
    ("ones-outer", "a ones^T + A", ()),
    ("ones-scaled", "x + c ones", ()),
    ("ones-row", "A^T ones", ()),  # these two and ones-matvec: a KeyError until the
    ("sum-times-vector", "x sum(A)", ()),  # lead's fix of forward mode through sums
    # the spellings of contract §1's newer rows
    ("inverse-transpose", "X^-T y", ()),
    ("inverse-transpose-braces", "c X^{-T}", ()),
    ("transpose-spaced", "x ^ T y", ()),
    ("transpose-top", "A^⊤ a", ()),
    ("norm-bars", "‖x‖", ()),
    ("norm-bars-frobenius", "‖c A‖_F", ()),
    ("norm-bars-sum", "‖x‖ ‖y‖ + ‖a‖_2", ()),
    # exponents that are scalar expressions
    ("power-symbolic", "c^d", ()),
    ("power-rational", "c^(1/3) x", ()),
    ("power-of-formula", "(c x^T q)^(1/3)", (("positive", "c x^T q"),)),
    ("power-exponent-formula", "c^(d x^T y)", ()),
    ("elem-power-symbolic", "q .^ d", ()),
    ("elem-power-formula", "P .^ (c + d)", ()),
    ("elem-power-half", "q .^ (1/2)", ()),
    ("pi", "pi x^T y + π c", ()),
    # ML functions
    ("mean-vector", "mean(c x)", ()),
    ("mean-matrix", "mean(A B)", ()),
    ("softmax-matrix", "softmax(A B)", ()),
    ("log_softmax-vector", "log_softmax(A x)", ()),
    ("log_softmax-matrix", "log_softmax(c A)", ()),
    ("logsumexp-matrix", "logsumexp(A B)", ()),
    ("attention", "B^T softmax(A^T C)", ()),
    ("cross-entropy", "-sum(C .* log_softmax(A X))", ()),
    ("normalize-vector", "normalize(A x + a)", ()),
    ("normalize-matrix", "normalize(c A)", ()),
    ("cosine-similarity", "normalize(x)^T normalize(y)", ()),
    ("norm-1", "norm(x, 1)", (("nonzero", "x"),)),
    ("norm-1-bars", "‖A x - a‖_1", (("nonzero", "A x - a"),)),
    ("max-relu", "max(0, A x + a)", (("nonzero", "A x + a"),)),
    ("max", "max(A, C)", (("nonzero", "A - C"),)),
    ("min", "min(x, y)", (("nonzero", "x - y"),)),
    ("max-scalar", "max(c, x)", (("nonzero", "x - c"),)),
    ("min-scalar-expression", "min(A x, d)", (("nonzero", "A x - d"),)),
    # abstract functions
    ("abstract", "g(A^T a)", ()),
    ("abstract-scaled", "c g(X x)", ()),
    ("abstract-elementwise", "s(A x)", ()),
    ("abstract-elementwise-matrix", "s(c A B)", ()),
]

SMOOTH = ["exp", "sin", "cos", "tanh", "sigmoid", "softplus"]
for _f in SMOOTH:
    CASES.append((f"{_f}-vector", f"{_f}(c A x + a)", ()))
    CASES.append((f"{_f}-matrix", f"{_f}(d A B)", ()))
for _f in ["log", "sqrt"]:
    CASES.append((f"{_f}-vector", f"{_f}(P q + c)", (("positive", "P q + c"),)))
    CASES.append((f"{_f}-matrix", f"{_f}(c P)", (("positive", "c P"),)))
for _f in ["relu", "abs"]:
    CASES.append((f"{_f}-vector", f"{_f}(c A x + a)", (("nonzero", "c A x + a"),)))
    CASES.append((f"{_f}-matrix", f"{_f}(d A B)", (("nonzero", "d A B"),)))

KINK_MARGIN = 1e-3


def safe_values(guards, seed=0):
    """Values for which every guarded subexpression is in its safe domain."""
    for attempt in range(100):
        values = draw_values(seed + 1000 * attempt)
        ok = True
        for kind, text in guards:
            v = np.asarray(symmat.parse(text, WHERE).evaluate(values))
            ok &= bool(np.all(v > KINK_MARGIN) if kind == "positive" else np.all(np.abs(v) > KINK_MARGIN))
        if ok:
            return values
    raise AssertionError(f"no safe values for {guards}")


PARAMS = [
    pytest.param(text, var, guards, id=f"{name}-d{var}")
    for name, text, guards in CASES
    for var in variables_of(text)
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text,var,guards", PARAMS)
def test_construct(text, var, guards, layout):
    values = safe_values(guards)
    assert_derivative(text, var, values, layout, where=WHERE)


def test_every_construct_is_covered():
    """The table above names every function of the language."""
    from symmat.functions import ELEMENTWISE, MATRIX_FUNCTIONS

    texts = " ".join(text for _, text, _ in CASES)
    for name in list(MATRIX_FUNCTIONS) + [f for f in ELEMENTWISE if f not in ("step", "sign")]:
        assert f"{name}(" in texts, name
    for token in ["^T", "'", ".*", "⊙", "./", "⊗", "@", " / ", "^-1", "^-2", ".^", "I", "ones"]:
        assert token in texts, token

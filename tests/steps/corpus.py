"""Homework-style scalar functions for the step-by-step derivations, with values.

Dimensions: m = 3, n = 4, p = 5 (distinct, so a transposed or misplaced factor
shows up as a shape error or a wrong number, never as a coincidence)."""
from __future__ import annotations

import numpy as np

SIZES = {"m": 3, "n": 4, "p": 5}
DECL = "A: n x n; B: n x p; S: n x n symmetric; X: n x n; W: m x n; V: n x p; " \
       "a: m; b: n; c: n; x: n; y: m; z: m; w: p; s: scalar; t: scalar; g: R^m -> R; h: R^n -> R"

# (f, wrt, extra declarations overriding DECL)
CORPUS = [
    ("b^T x", "x", ""),
    ("x^T A x", "x", ""),
    ("x^T S x", "x", ""),
    ("norm(A x - b)^2", "x", ""),
    ("tr(A X)", "X", ""),
    ("tr(X^T A X)", "X", ""),
    ("b^T X c", "X", ""),
    ("log(det(X))", "X", ""),
    ("logdet(X)", "X", ""),
    ("det(X)", "X", ""),
    ("b^T inv(X) c", "X", ""),
    ("tr(inv(X) A)", "X", ""),
    ("sum(exp(W x))", "x", ""),
    ("sum(exp(W x))", "W", ""),
    ("g(W^T b)", "W", "W: n x m; g: R^m -> R"),
    ("sum(tanh(W x))", "x", ""),
    ("sum(tanh(W x))", "W", ""),
    ("sum(log(1 + exp(-y .* (X w))))", "w", "X: m x p"),
    ("logsumexp(W x)", "x", ""),
    ("logsumexp(W x)", "W", ""),
    ("norm(x)", "x", ""),
    ("norm(X - A)^2", "X", ""),
    ("norm(W x - y)", "W", ""),
    ("s^2 + 3 s", "s", ""),
    ("sin(s) t / (1 + s^2)", "s", ""),
    ("y^T softmax(W x)", "x", ""),
    ("tr(X^3)", "X", ""),
    ("tr(X^-2 A)", "X", ""),
    ("x^T x / (b^T x)", "x", ""),
    ("b^T diag(x) c", "x", ""),
    ("sum(diag(X) .* b)", "X", ""),
    ("sum(X .* A)", "X", ""),
    ("sum(X)", "X", ""),
    ("tr(X)", "X", ""),
    ("sum(sqrt(x .^ 2 + 1))", "x", ""),
    ("sum(relu(W x) .^ 2)", "W", ""),
    ("h(A x) + h(x)", "x", ""),
    ("sum(sigmoid(x) ./ (1 + x .* x))", "x", ""),
    ("tr(B^T X B)", "X", ""),
    ("(b^T x)^2 + norm(W x)^2 / 2", "x", ""),
    ("y^T W x - log(1 + exp(b^T x))", "x", ""),
    ("s x^T A x", "s", ""),
    ("b^T (X + X^T) c - s tr(X)", "X", ""),
    ("log(det(X^T X)) + tr(A inv(X))", "X", ""),
    ("sum(V .* (X B))", "X", ""),
    ("g(W^T b)", "b", "W: n x m; g: R^m -> R"),
]


def declarations(extra: str) -> str:
    """DECL with the names in ``extra`` redeclared."""
    mine = {d.split(":")[0].strip(): d for d in DECL.split(";")}
    for d in extra.split(";") if extra else []:
        mine[d.split(":")[0].strip()] = d
    return ";".join(mine.values())


def size(dim) -> int:
    return SIZES[dim] if isinstance(dim, str) else int(dim)


def random_values(expr, rng: np.random.Generator) -> dict:
    """Values for every variable of ``expr``: square matrices near 2I (invertible,
    positive determinant), symmetric matrices symmetric, labels ±1."""
    values: dict = {}
    for name, sym in expr.free_symbols().items():
        shape = tuple(size(d) for d in sym.type.shape)
        value = rng.standard_normal(shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            value = 2 * np.eye(shape[0]) + 0.3 * value
            if sym.symmetric:
                value = (value + value.T) / 2
        if name == "y" and len(shape) == 1 and "log(1 + exp(-y" in str(expr):
            value = np.sign(value)
        values[name] = value if shape else float(value)
    # Abstract functions g: R^m -> R, h: R^n -> R with their gradients.
    for f in ("g", "h"):
        values[f] = lambda v: float(np.sum(np.sin(v)) + 0.5 * v @ v)
        values[f"∇{f}"] = lambda v: np.cos(v) + v
    return values


def direction(var, rng: np.random.Generator):
    shape = tuple(size(d) for d in var.type.shape)
    return rng.standard_normal(shape) if shape else float(rng.standard_normal())

"""SymPy's own matrix derivatives that fail, and symmat's answers (issue 6, item 3).

For each case the first test records what ``sympy.diff`` returns (SymPy 1.14): the zero
matrix where the derivative is not zero, an unevaluated ``Derivative``, or a wrong
value. If a SymPy release fixes one, its ``test_sympy_diff_fails`` fails: update the
table. The second test gives the same SymPy expression and ``MatrixSymbol`` to
``symmat.diff`` and compares the result with central finite differences of the
function's value (computed by symmat's NumPy evaluation, which test_sympy.py checks
against SymPy's own evaluation).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
import sympy as sp

import symmat
from symmat.interop.sympy import from_sympy, sympy_value
from symmat.interop.sympy_explicit import numeric

M, NN = 3, 4
m, n = sp.symbols("m n")
X = sp.MatrixSymbol("X", n, n)
W = sp.MatrixSymbol("W", m, n)
a = sp.MatrixSymbol("a", n, 1)
b = sp.MatrixSymbol("b", m, 1)
x = sp.MatrixSymbol("x", n, 1)
z = sp.MatrixSymbol("z", n, 1)
y = sp.Symbol("y")
g = sp.Function("g")


def _values() -> dict:
    rng = np.random.default_rng(6)
    return {
        "X": 3 * np.eye(NN) + 0.5 * rng.normal(size=(NN, NN)),  # det X > 0
        "W": rng.normal(size=(M, NN)),
        "a": rng.normal(size=NN),
        "b": rng.normal(size=M),
        "x": rng.normal(size=NN),
        "z": rng.normal(size=NN),
        "y": 1.0,
        # g(v) = sum(sin v) + (sum v)^2 / 2, with its gradient
        "g": lambda v: float(np.sum(np.sin(v)) + np.sum(v) ** 2 / 2),
        "∇g": lambda v: np.cos(v) + np.sum(v),
    }


@dataclass
class Case:
    f: Callable[[], sp.Basic]
    wrt: sp.MatrixSymbol
    sympy_gives: str  # "zero", "unevaluated" or "wrong"
    layout: str = "denominator"
    order: int = 1
    note: str = field(default="")
    sympy_answer: str = ""  # symmat's result in SymPy types, as SymPy prints it


CASES = {
    # d log det X = tr(X^-1 dX): the gradient is X^-T; SymPy says 0.
    "log(det(X))": Case(lambda: sp.log(sp.Determinant(X)), X, "zero", sympy_answer="(X**(-1)).T"),
    # d exp(tr X) = exp(tr X) tr(dX): the gradient is exp(tr X) I; SymPy says 0.
    "exp(tr(X))": Case(lambda: sp.exp(sp.Trace(X)), X, "zero", sympy_answer="exp(Trace(X))*I"),
    # gradient (1 - tanh^2(a^T x)) a; SymPy says 0 (with or without the Trace).
    "tanh(a^T x)": Case(lambda: sp.tanh(a.T * x), x, "zero", sympy_answer="(1 - tanh(Trace(a.T*x))**2)*a"),
    "tanh(tr(a^T x))": Case(lambda: sp.tanh(sp.Trace(a.T * x)), x, "zero"),
    # gradient b ∇g(W^T b)^T; SymPy says 0.
    "g(W^T b)": Case(lambda: g(W.T * b), W, "zero", sympy_answer="b*Gradient(Lambda(ξ_g, g(ξ_g)), W.T*b).T"),
    # Jacobian diag(s) - s s^T; SymPy returns diag(exp z) / sum(exp z), dropping the
    # derivative of the denominator.
    "softmax Jacobian": Case(
        lambda: sp.Pow(sp.Trace(sp.OneMatrix(1, n) * z.applyfunc(sp.exp)), -1) * z.applyfunc(sp.exp),
        z, "wrong", layout="numerator",
    ),
    # Hessian sigmoid(t)(1 - sigmoid(t)) y^2 a a^T at t = -y a^T x; SymPy's gradient is 0
    # already, so its Hessian is the unevaluated Derivative(0, x).
    "logistic-loss Hessian": Case(
        lambda: sp.log(1 + sp.exp(-y * sp.Trace(a.T * x))), x, "unevaluated", order=2,
    ),
}


def _sympy_diff(case: Case):
    result = case.f()
    for _ in range(case.order):
        result = sp.diff(result, case.wrt)
    return result


def _finite_difference(fn: Callable[[np.ndarray], np.ndarray], x0: np.ndarray, h: float = 1e-6):
    """∂fn/∂x0 as an array of shape fn(x0).shape ++ x0.shape (central differences)."""
    out = np.zeros(np.shape(fn(x0)) + x0.shape)
    for idx in np.ndindex(x0.shape):
        step = np.zeros_like(x0)
        step[idx] = h
        out[(...,) + idx] = (np.asarray(fn(x0 + step)) - np.asarray(fn(x0 - step))) / (2 * h)
    return out


def _expected(case: Case, values: dict) -> np.ndarray:
    """The derivative by finite differences, laid out as contract §3 says."""
    f = from_sympy(case.f())
    name = case.wrt.name

    def value(v):
        return np.asarray(f.evaluate({**values, name: v}), dtype=float)

    x0 = np.asarray(values[name], dtype=float)
    if case.order == 2:  # Hessian of a scalar: differences of the central-difference gradient
        return _finite_difference(lambda v: _finite_difference(value, v, 1e-5), x0, 1e-5)
    d = _finite_difference(value, x0)  # axes F ++ X
    rf, rx = value(x0).ndim, x0.ndim
    f_axes, x_axes = list(range(rf)), list(range(rf, rf + rx))
    axes = f_axes + x_axes[::-1] if case.layout == "numerator" else x_axes + f_axes[::-1]
    return np.transpose(d, axes)


@pytest.mark.parametrize("name", list(CASES))
def test_sympy_diff_fails(name):
    case = CASES[name]
    result = _sympy_diff(case)
    if case.sympy_gives == "zero":
        assert result.is_zero or isinstance(result, sp.ZeroMatrix), result
    elif case.sympy_gives == "unevaluated":
        assert result.has(sp.Derivative), result
    else:  # a value, but not the derivative
        values = _values()
        got = sympy_value(result, values)
        assert np.asarray(got).shape == _expected(case, values).shape
        assert not np.allclose(got, _expected(case, values), atol=1e-4), "SymPy now gets this right"


@pytest.mark.parametrize("name", list(CASES))
def test_symmat_diff_is_right(name):
    """``symmat.diff`` takes the SymPy expression and the MatrixSymbol directly."""
    case = CASES[name]
    values = _values()
    d = symmat.diff(case.f(), case.wrt, layout=case.layout, order=case.order)
    np.testing.assert_allclose(d.evaluate(values), _expected(case, values), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(CASES))
def test_symmat_diff_after_from_sympy_is_right(name):
    case = CASES[name]
    values = _values()
    d = symmat.diff(from_sympy(case.f()), case.wrt.name, layout=case.layout, order=case.order)
    np.testing.assert_allclose(d.evaluate(values), _expected(case, values), rtol=1e-5, atol=1e-5)


def test_known_answers_match():
    """The closed forms in the comments above, so the finite differences are anchored too."""
    v = _values()
    Xv = v["X"]
    np.testing.assert_allclose(_expected(CASES["log(det(X))"], v), np.linalg.inv(Xv).T, atol=1e-6)
    np.testing.assert_allclose(_expected(CASES["exp(tr(X))"], v), np.exp(np.trace(Xv)) * np.eye(NN), rtol=1e-6)
    s = np.exp(v["z"]) / np.exp(v["z"]).sum()
    np.testing.assert_allclose(_expected(CASES["softmax Jacobian"], v), np.diag(s) - np.outer(s, s), atol=1e-6)
    t = -v["y"] * v["a"] @ v["x"]
    sig = 1 / (1 + np.exp(-t))
    hessian = sig * (1 - sig) * v["y"] ** 2 * np.outer(v["a"], v["a"])
    np.testing.assert_allclose(_expected(CASES["logistic-loss Hessian"], v), hessian, atol=1e-4)


def _with_g(e: sp.Basic) -> sp.Basic:
    """``e`` with g(v) = sum(sin v) + (sum v)^2 / 2, the g of _values(), in SymPy."""
    def formula(v):
        total = sp.Trace(sp.OneMatrix(1, v.rows) * v)
        return sp.Trace(sp.OneMatrix(1, v.rows) * v.applyfunc(sp.sin)) + total**2 / 2

    return e.replace(g, formula)


@pytest.mark.parametrize("name", list(CASES))
def test_symmat_answer_in_sympy_types_is_right(name):
    """symmat's answer as a SymPy expression, written with the very MatrixSymbols of the
    question; SymPy evaluates it (the symbols replaced by explicit matrices) to the
    finite-difference derivative."""
    case = CASES[name]
    values = _values()
    answer = symmat.diff(case.f(), case.wrt, layout=case.layout, order=case.order).to_sympy()
    if case.sympy_answer:
        assert str(answer) == case.sympy_answer
    question = case.f()
    assert {s for s in answer.free_symbols if not isinstance(s, sp.Symbol)} <= question.free_symbols | {case.wrt}
    sizes = {m: M, n: NN}
    def sized(s):
        return np.asarray(values[s.name]).reshape([int(sp.sympify(d).xreplace(sizes)) for d in s.shape])

    rule = {s: sp.ImmutableMatrix(sized(s)) for s in question.free_symbols if isinstance(s, sp.MatrixSymbol)}
    rule.update({**sizes, y: values["y"]})
    got = np.asarray(numeric(_with_g(answer).xreplace(rule)), dtype=float)
    np.testing.assert_allclose(got, _expected(case, values), rtol=1e-5, atol=1e-5)

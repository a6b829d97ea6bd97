"""Bad input to symmat.diff: a SymmatError (DiffError) with a message that names the
problem; never a silent wrong zero. A declared variable that f does not use gives a
zero of the right shape (the documented convention)."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat.errors import DiffError

WHERE = "x: n; A: m x n; u: p; U: p x m; c: scalar; g: R^n -> R; s: elementwise"


@pytest.mark.parametrize(
    "f,wrt,where,message",
    [
        ("g(x)", "g", WHERE, "function"),  # an abstract function declared in where
        ("g(A^T y)", "g", None, "function"),  # an abstract function, undeclared
        ("s(A x)", "s", WHERE, "function"),  # an elementwise abstract function
        ("A x", "zz", WHERE, "zz"),  # a name that is nowhere
        ("A x", "u", None, "u"),  # not in f and its shape unknown
        ("A x", "2", WHERE, "2"),
        ("A x", "A x", WHERE, "A x"),  # an expression, not a name
    ],
)
def test_wrt_not_a_variable(f, wrt, where, message):
    with pytest.raises(DiffError) as info:
        symmat.diff(f, wrt, where=where)
    assert isinstance(info.value, symmat.SymmatError)
    assert message in str(info.value)


def test_wrt_builtin_function_name():
    with pytest.raises(DiffError, match="function"):
        symmat.diff("exp(x)", "exp", where=WHERE)


def test_wrt_builtin_function_name_is_refused():
    with pytest.raises(DiffError):
        symmat.diff("exp(x)", "exp", where=WHERE)


def test_wrt_not_a_name_type():
    with pytest.raises(DiffError, match="name of a variable"):
        symmat.diff("A x", 3, where=WHERE)


@pytest.mark.parametrize(
    "f,wrt,f_shape,x_shape,numerator,denominator",
    [
        ("A x", "u", (3,), (5,), (3, 5), (5, 3)),
        ("A x", "U", (3,), (5, 3), (3, 3, 5), (5, 3, 3)),
        ("A x", "c", (3,), (), (3,), (3,)),
        ("c x^T x", "A", (), (3, 4), (4, 3), (3, 4)),
        ("c x^T x", "u", (), (5,), (5,), (5,)),
    ],
)
def test_declared_but_unused_variable_is_zero(f, wrt, f_shape, x_shape, numerator, denominator):
    # sizes given by name: the result does not learn p from u's value (see below)
    values = {"x": np.ones(4), "A": np.ones((3, 4)), "u": np.ones(5), "U": np.ones((5, 3)), "c": 2.0,
              "m": 3, "n": 4, "p": 5}
    for layout, shape in [("numerator", numerator), ("denominator", denominator)]:
        result = symmat.diff(f, wrt, where=WHERE, layout=layout)
        got = np.asarray(result.evaluate(values))
        assert got.shape == shape
        assert not got.any()


def test_unused_variable_zero_evaluates_from_the_variables_value():
    """Evaluating ∂(Ax)/∂u needs p, which u's own value fixes."""
    values = {"x": np.ones(4), "A": np.ones((3, 4)), "u": np.ones(5)}
    got = np.asarray(symmat.diff("A x", "u", where=WHERE).evaluate(values))
    assert got.shape == (3, 5) and not got.any()


def test_unused_variable_zero_has_symbolic_shape():
    result = symmat.diff("A x", "U", where=WHERE, layout="denominator")
    assert result.shape == ("p", "m", "m")


@pytest.mark.parametrize("order", [0, -1, 1.5, "2", True, None])
def test_bad_order(order):
    with pytest.raises(DiffError, match="order"):
        symmat.diff("A x", "x", where=WHERE, order=order)


@pytest.mark.parametrize("layout", ["mixed", "Numerator", "", None, "row"])
def test_bad_layout(layout):
    with pytest.raises(DiffError, match="layout"):
        symmat.diff("A x", "x", where=WHERE, layout=layout)


def test_bad_symmetric_convention():
    with pytest.raises(DiffError, match="symmetric"):
        symmat.diff("A x", "x", where=WHERE, symmetric="cookbook")


def test_bad_expression_is_a_symmat_error():
    with pytest.raises(symmat.SymmatError):
        symmat.diff("A x +", "x", where=WHERE)
    with pytest.raises(symmat.SymmatError):
        symmat.diff("A x", "x", where="A: m x n; x: p")  # shape conflict


def test_bad_f_type():
    with pytest.raises(DiffError, match="expression"):
        symmat.diff(42, "x")

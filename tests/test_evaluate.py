"""Evaluation details beyond the construct table: sizes, abstract functions, orientation."""
from __future__ import annotations

import numpy as np

from symmat import parse


def test_vectors_are_one_dimensional_whatever_their_orientation():
    x = np.array([1.0, 2.0, 3.0])
    assert parse("x^T").evaluate({"x": x}).shape == (3,)
    assert parse("x x^T").evaluate({"x": x}).shape == (3, 3)
    assert parse("x^T x").evaluate({"x": x}) == 14.0


def test_scalars_come_back_as_floats():
    value = parse("x^T x").evaluate({"x": np.ones(3)})
    assert type(value) is float


def test_sizes_by_dimension_name_for_identity_alone():
    e = parse("tr(I)", "x: n")
    assert e.evaluate({"m": 5}) == 5.0


def test_identity_and_ones_sized_by_variables_met_later_in_the_tree():
    e = parse("ones^T W ones", "W: m x n")
    assert e.evaluate({"W": np.arange(12.0).reshape(3, 4)}) == 66.0


def test_abstract_function_values_and_derivatives_by_key():
    e = parse("g(x) + ∇g(x)^T x + x^T ∇²g(x) x")
    x = np.array([1.0, 2.0])
    values = {"x": x, "g": lambda u: u @ u, "grad_g": lambda u: 2 * u, "hess_g": lambda u: 2 * np.eye(len(u))}
    assert e.evaluate(values) == 5.0 + 10.0 + 10.0


def test_abstract_elementwise_function_and_its_derivatives():
    e = parse("s(X) + s'(X) + s''(X)", "s: elementwise")
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    values = {"X": X, "s": np.square, "s'": lambda t: 2 * t, "s''": lambda t: 2 + 0 * t}
    np.testing.assert_allclose(e.evaluate(values), X ** 2 + 2 * X + 2)


def test_logdet_is_log_abs_det():
    X = np.array([[0.0, 1.0], [1.0, 0.0]])  # det = -1
    assert parse("logdet(X)").evaluate({"X": X}) == 0.0


def test_vec_stacks_columns():
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    np.testing.assert_array_equal(parse("vec(W)").evaluate({"W": W}), [1, 3, 5, 2, 4, 6])


def test_kron_of_declared_integer_sizes():
    e = parse("kron(A, B) vec(C)", "A: 2 x 3; B: 4 x 5; C: 5 x 3")
    rng = np.random.default_rng(0)
    A, B, C = rng.standard_normal((2, 3)), rng.standard_normal((4, 5)), rng.standard_normal((5, 3))
    # (A ⊗ B) vec(C) = vec(B C A^T)
    np.testing.assert_allclose(e.evaluate({"A": A, "B": B, "C": C}), (B @ C @ A.T).flatten(order="F"))


def test_singular_values_are_an_evaluation_error():
    """inv/det of a singular value is bad input, reported as a SymmatError naming the part."""
    import numpy as np
    import pytest

    import symmat

    e = symmat.parse("inv(X) + A")
    with pytest.raises(symmat.EvaluationError, match="inv\\(X\\)"):
        e.evaluate({"X": np.zeros((3, 3)), "A": np.ones((3, 3))})
    d = symmat.diff("logdet(X)", "X", form="index")
    with pytest.raises(symmat.EvaluationError, match="inv\\(X\\)"):
        d.evaluate({"X": np.zeros((3, 3))})

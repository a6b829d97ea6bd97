"""normalize (symmat/primitives/normalize.py): a vector over its norm, a matrix column by
column. Derivatives against central finite differences in both layouts (also through the
construct table, tests/differentiation/test_constructs.py, and for every primitive,
tests/test_registry.py); the printed forms and the step-by-step law in addition."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat.errors import ShapeError
from symmat.steps import derivation_steps, derive
from tests.numeric import assert_derivative
from tests.steps.test_steps import assert_lines_hold

WHERE = "x: n; y: n; a: m; A: m x n; B: n x p"
LAYOUTS = ("numerator", "denominator")


def values(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    m, n, p = 3, 4, 5
    return {"x": rng.normal(size=n), "y": rng.normal(size=n), "a": rng.normal(size=m),
            "A": rng.normal(size=(m, n)), "B": rng.normal(size=(n, p))}


def test_value():
    v = values()
    np.testing.assert_allclose(symmat.parse("normalize(x)", WHERE).evaluate(v), v["x"] / np.linalg.norm(v["x"]))
    columns = symmat.parse("normalize(A)", WHERE).evaluate(v)
    np.testing.assert_allclose(np.linalg.norm(columns, axis=0), np.ones(4))
    np.testing.assert_allclose(columns[:, 1], v["A"][:, 1] / np.linalg.norm(v["A"][:, 1]))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text, wrt", [
    ("normalize(x)", "x"),
    ("normalize(A x)", "x"),
    ("normalize(A x)", "A"),
    ("normalize(x)^T normalize(y)", "x"),  # cosine similarity
    ("a^T normalize(A B) ones", "B"),  # column by column
    ("normalize(A B)", "A"),
    ("norm(normalize(A) - A)^2", "A"),
])
def test_derivative_matches_finite_differences(text, wrt, layout):
    assert_derivative(text, wrt, values(), layout, where=WHERE)


def test_hessian_of_cosine_similarity():
    assert_derivative("normalize(x)^T normalize(y)", "x", values(3), "numerator", where=WHERE, order=2)


def test_textbook_forms():
    """d(x/‖x‖)/dx = (I - u uᵀ)/‖x‖ with u = x/‖x‖; the cosine similarity's gradient."""
    assert str(symmat.diff("normalize(x)", "x", where=WHERE)) == "(I - normalize(x) normalize(x)^T) / norm(x)"
    cosine = symmat.diff("normalize(x)^T normalize(y)", "x", where=WHERE, layout="denominator")
    assert str(cosine) == "(normalize(y) - normalize(y)^T normalize(x) normalize(x)) / norm(x)"
    assert symmat.parse("normalize(A)", WHERE).latex() == r"\operatorname{normalize}\left(A\right)"


def test_steps_use_the_law_and_every_line_holds():
    steps = derivation_steps("normalize(x)", "x", where=WHERE)
    assert steps[1].rule.startswith("normalization")
    assert str(steps[-1].expr) == str(symmat.diff("normalize(x)", "x", where=WHERE))
    derivation = derive("a^T normalize(A x)", "x", where=WHERE)
    rng = np.random.default_rng(0)
    assert_lines_hold(derivation, values(), rng.normal(size=4))


def test_generated_code_and_check():
    f = symmat.parse("normalize(A)", WHERE)
    assert "np.linalg.norm(A, axis=0)" in f.numpy()
    assert "jnp.linalg.norm(A, axis=0)" in f.jax() and "torch.linalg.norm(A, dim=0)" in f.torch()


def test_scalar_is_refused():
    with pytest.raises(ShapeError, match="normalize needs a vector or a matrix"):
        symmat.parse("normalize(c)", "c: scalar")

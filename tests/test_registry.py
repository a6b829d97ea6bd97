"""The registry of matrix functions (symmat.registry, symmat.primitives), checked for every
primitive it holds, so that a function added as one module is tested by these too: on
every argument kind its typing rule accepts (vector, rectangular and square matrix), its
derivative against central finite differences in both layouts (forward mode on the
value, reverse mode through a scalar of it), the generated NumPy, the text form read
back, the SymPy counterpart and what from_sympy reads from it, each against the NumPy
evaluation, and the step-by-step derivation line by line."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symmat
from symmat import nodes as N
from symmat.errors import InteropError, ShapeError
from symmat.interop.sympy_explicit import sympy_value
from symmat.registry import PRIMITIVES, Primitive
from symmat.shapes import STRICT
from symmat.steps import derive
from tests.numeric import assert_derivative
from tests.printing.test_numpy import assert_matches
from tests.steps.test_steps import assert_lines_hold

WHERE = "x: 4; A: 3 x 4; X: 4 x 4"  # numbers: SymPy writes vec(A) only for a known column count
LAYOUTS = ("numerator", "denominator")
ARGUMENTS = ("x", "A", "X")  # a column vector, a rectangular and a square matrix


def values(seed: int = 0) -> dict:
    """Entries away from 0 (norm1's kink), X well conditioned (inv, det, logdet)."""
    rng = np.random.default_rng(seed)
    m, n = 3, 4

    def away(shape):
        return rng.uniform(0.3, 1.2, size=shape) * rng.choice([-1.0, 1.0], size=shape)

    return {"x": away((n,)), "A": away((m, n)), "X": np.eye(n) + 0.2 * rng.uniform(-1, 1, size=(n, n))}


def applications() -> list:
    """(primitive, argument name) for every argument kind the primitive's typing accepts."""
    variables = symmat.parse("x + 0", WHERE), symmat.parse("A + 0", WHERE), symmat.parse("X + 0", WHERE)
    found = []
    for prim in PRIMITIVES.values():
        for name, var in zip(ARGUMENTS, variables):
            try:
                prim.shape(STRICT, var.type)
            except ShapeError:
                continue
            found.append(pytest.param(prim, name, id=f"{prim.name}({name})"))
    return found


CASES = applications()
VECTOR_CASES = [case for case in CASES if case.values[1] == "x"]


def applied(prim: Primitive, arg: str) -> N.Expr:
    return symmat.parse(prim.text.format(arg), WHERE)


def test_every_primitive_has_a_case_and_a_spelling_for_every_target():
    covered = {p.values[0].name for p in CASES}
    assert covered == set(PRIMITIVES)
    for prim in PRIMITIVES.values():
        assert prim.print_code is not None or set(prim.code) == {"numpy", "jax", "torch"}, prim.name
        assert prim.lower is not None or (prim.derivative is not None and prim.index_shape is not None), prim.name


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("prim, arg", CASES)
def test_derivative_matches_finite_differences(prim, arg, layout):
    f = applied(prim, arg)
    assert_derivative(f, arg, values(), layout, where=WHERE)
    # A scalar of the value: the gradient comes by reverse mode through the primitive.
    scalar = f if f.type.is_scalar else symmat.parse(f"sum({f} .* {f})", WHERE)
    assert_derivative(scalar, arg, values(1), layout, where=WHERE)


@pytest.mark.parametrize("prim, arg", VECTOR_CASES)
def test_second_derivative_matches_finite_differences(prim, arg):
    """The derivative's own primitives differentiate again: the Hessian of a scalar of
    the value (by a vector; by a matrix it would be rank 4, the same rules)."""
    f = applied(prim, arg)
    scalar = f if f.type.is_scalar else symmat.parse(f"sum({f})", WHERE)
    assert_derivative(scalar, arg, values(2), "numerator", where=WHERE, order=2)


@pytest.mark.parametrize("prim, arg", CASES)
def test_generated_numpy_and_text_form(prim, arg):
    f = applied(prim, arg)
    assert_matches(f, values())
    assert symmat.parse(str(f), WHERE) == f
    derivative = symmat.diff(f if f.type.rank <= 1 else symmat.parse(f"sum({f})", WHERE), arg, where=WHERE)
    if isinstance(derivative, N.Expr) and not hasattr(derivative, "tensor"):
        assert_matches(derivative, values())


@pytest.mark.parametrize("prim, arg", CASES)
def test_sympy_counterpart_has_the_value(prim, arg):
    f = applied(prim, arg)
    v = values()
    want = np.asarray(f.evaluate(v), dtype=float)
    written = f.to_sympy()
    got = np.asarray(sympy_value(written, v), dtype=float)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-9, atol=1e-12)
    if any(isinstance(a, sp.MatrixBase) for a in sp.preorder_traversal(written)):
        with pytest.raises(InteropError, match="symbolic matrices only"):  # vec's basis vectors
            symmat.from_sympy(written)
        return
    back = np.asarray(symmat.from_sympy(written).evaluate(v), dtype=float)  # the recognisers
    np.testing.assert_allclose(back.reshape(want.shape), want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("prim, arg", CASES)
def test_steps_hold_numerically(prim, arg):
    """The step-by-step derivation of a scalar of the value (by the primitive's own
    differential law where it has one): every line gives the directional derivative."""
    f = applied(prim, arg)
    scalar = f if f.type.is_scalar else symmat.parse(f"sum({f})", WHERE)
    derivation = derive(scalar, arg, where=WHERE)
    assert str(derivation.steps[-1].expr) == str(symmat.diff(scalar, arg, where=WHERE))
    rng = np.random.default_rng(5)
    v = values(3)
    assert_lines_hold(derivation, v, rng.normal(size=np.shape(v[arg])))

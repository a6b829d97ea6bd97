"""Property tests (hypothesis): random well-typed expressions (tests/strategies.py)
through SymPy. ``to_sympy`` writes each one (or refuses, by name, what SymPy has no
class for); SymPy's own evaluation of the result equals symmat's; ``from_sympy`` reads
it back to an expression with the same value."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings

from symmat import nodes as N
from symmat.errors import InteropError
from symmat.interop.sympy import from_sympy, sympy_value, to_sympy
from tests import strategies

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _converted(expr: N.Expr):
    try:
        return to_sympy(expr)
    except InteropError as error:  # vector-valued H, mixed partials, vec of m x n: said by name
        assert str(error)
        assume(False)


def _close(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, (got.shape, want.shape)
    scale = max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9 * scale)


@SETTINGS
@given(strategies.nodes(max_depth=2))
def test_sympy_evaluates_to_symmats_value(expr):
    assume(not expr.abstract_functions() and not any(isinstance(n, N.FnCall) for n in N.walk(expr)))
    converted = _converted(expr)
    values = strategies.random_values(expr, np.random.default_rng(0))
    with np.errstate(all="ignore"):
        want = expr.evaluate(values)
    assume(np.all(np.isfinite(want)))
    _close(sympy_value(converted, values), want)


@SETTINGS
@given(strategies.nodes(max_depth=3))
def test_from_sympy_reads_back_the_value(expr):
    converted = _converted(expr)
    values = strategies.random_values(expr, np.random.default_rng(1))
    with np.errstate(all="ignore"):
        want = expr.evaluate(values)
        assume(np.all(np.isfinite(want)))
        got = from_sympy(converted).evaluate(values)
    _close(got, want)


def test_derivative_of_an_abstract_function_of_a_function_reads_back():
    """``s'(exp(X))``: SymPy composes the two elementwise functions into one, substituting
    ``exp(d)`` for ``d``; written as ``Derivative(s(d), d)`` that substitution raised (a
    derivative by ``exp(d)``), found by the property above in a random run."""
    expr = N.Div(N.Elementwise("s", N.Elementwise("exp", N.Symbol("xm", N.Type(("m", "n")))), 1), N.Number(2))
    values = strategies.random_values(expr, np.random.default_rng(2))
    _close(from_sympy(to_sympy(expr)).evaluate(values), expr.evaluate(values))

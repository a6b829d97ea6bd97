"""symmat.check and symmat.sample: the numeric verification behind ``diff --check``."""
from __future__ import annotations

import math

import numpy as np
import pytest

import symmat
from symmat.check import CheckReport, check_derivative, finite_differences, verify
from symmat.sample import abstract_callables, random_values, roles

WHERE = "S: n x n symmetric; B: n x n; x: n; y: n"


@pytest.mark.parametrize("f,wrt,kwargs", [
    ("g(W^T a)", "W", {}),
    ("g(W^T a)", "W", {"layout": "denominator"}),
    ("W x", "W", {}),
    ("norm(A x - b)^2", "x", {}),
    ("logdet(X)", "X", {}),
    ("tr(inv(X) A)", "X", {}),
    ("log(x^T A x)", "A", {}),
    ("x^T A x", "x", {"order": 2}),
    ("g(W^T a)", "W", {"order": 2}),
    ("s(W x)", "W", {"where": "s: elementwise"}),
    ("softmax(z)", "z", {}),
    ("c x", "c", {"where": "c: scalar"}),
    ("x^T y", "c", {"where": "c: scalar"}),  # declared, absent: the zero derivative
    ("tr(B S^T)", "S", {"where": WHERE}),
    ("x^T S y", "S", {"where": WHERE, "symmetric": "symmetric"}),
    ("log(x^T S x)", "S", {"where": WHERE, "symmetric": "symmetric", "order": 2}),
    ("log(1 - x^T x)", "x", {}),  # needs small inputs: found by scaling the draws
    ("log(x^T x - 9)", "x", {}),  # needs large ones
])
def test_correct_derivatives_pass(f, wrt, kwargs):
    assert check_derivative(f, wrt, **kwargs) < 1e-7


def test_a_wrong_derivative_fails():
    """Finite differences of f against a result that is not its derivative."""
    f = symmat.parse("x^T A x")
    values = random_values(f, np.random.default_rng(0))
    fd = finite_differences(f, "x", values, "denominator")
    np.testing.assert_allclose(fd, (values["A"] + values["A"].T) @ values["x"], rtol=1e-8)
    wrong = (values["A"] @ values["x"])  # forgets Aᵀx
    assert np.max(np.abs(fd - wrong)) > 0.1


def test_symmetric_convention_is_checked_along_symmetric_directions():
    """At a symmetric S, finite differences along E_ij + E_ji measure (G + Gᵀ)/2."""
    f = symmat.parse("x^T S y", WHERE)
    values = random_values(f, np.random.default_rng(1))
    fd = finite_differences(f, "S", values, "denominator", symmetric=True)
    g = np.outer(values["x"], values["y"])
    np.testing.assert_allclose(fd, (g + g.T) / 2, rtol=1e-8)


def test_higher_order_by_a_symmetric_matrix_with_independent_entries_is_refused():
    with pytest.raises(symmat.DiffError, match="cannot check a derivative of order 2"):
        check_derivative("x^T S x", "S", where=WHERE, order=2)


def test_bad_requests_raise_the_api_errors():
    with pytest.raises(symmat.DiffError):
        check_derivative("W x", "q")
    with pytest.raises(symmat.ShapeError):
        check_derivative("A + x", "x")


def test_an_expression_never_defined_is_an_evaluation_error():
    with pytest.raises(symmat.EvaluationError, match="keeps the expression finite"):
        check_derivative("log(-(x^T x) - 1)", "x")


def test_report():
    good, bad = CheckReport(3.1e-9, 3, 1e-4), CheckReport(0.8, 3, 1e-4)
    assert good.passed
    assert good.summary() == "check: max relative error 3.1e-09 over 3 random inputs (finite differences)"
    assert not bad.passed and bad.summary().startswith("check: FAILED: max relative error 0.8")
    assert CheckReport(math.inf, 3, 1e-4).as_dict()["max_relative_error"] is None
    assert verify("logdet(X)", "X", samples=2).samples == 2


def test_checks_are_reproducible_by_seed():
    assert check_derivative("tanh(W x)", "W", seed=5) == check_derivative("tanh(W x)", "W", seed=5)


# ------------------------------------------------------------------ sample
def test_roles_follow_where_a_variable_stands():
    e = symmat.parse("log(x^T A x) + logdet(X) + tr(inv(P + Q)) + z ./ u + sqrt(c) + b^T y / d + relu(W v)",
                     "c: scalar; d: scalar")
    r = roles(e)
    assert (r["x"], r["A"], r["X"], r["P"], r["Q"]) == ("positive", "positive", "spd", "spd", "spd")
    assert (r["u"], r["c"], r["d"]) == ("positive", "positive", "positive")
    assert (r["z"], r["b"], r["y"], r["W"], r["v"]) == ("general",) * 5


def test_values_fit_the_shapes_and_domains():
    e = symmat.parse("logdet(X) + a^T W b + c + tr(S)", "c: scalar; S: n x n symmetric")
    values = random_values(e, np.random.default_rng(2))
    m, n = values["W"].shape
    assert len({m, n, values["X"].shape[0]}) == 3  # distinct sizes catch mixed-up dimensions
    assert values["a"].shape == (m,) and values["b"].shape == (n,) and isinstance(values["c"], float)
    assert np.all(np.linalg.eigvalsh(values["X"]) >= 1 - 1e-12)
    np.testing.assert_array_equal(values["S"], values["S"].T)
    assert np.isfinite(e.evaluate(values))


def test_abstract_functions_come_with_consistent_derivatives():
    e = symmat.parse("g(x) + sum(s(y))", "s: elementwise")
    fns = abstract_callables(e)
    u, h = np.array([0.3, -0.7, 0.5]), 1e-6
    for k in range(3):
        du = np.eye(3)[k] * h
        np.testing.assert_allclose((fns["g"](u + du) - fns["g"](u - du)) / (2 * h), fns["∇g"](u)[k], rtol=1e-7)
        np.testing.assert_allclose((fns["∇g"](u + du) - fns["∇g"](u - du)) / (2 * h), fns["∇²g"](u)[:, k], atol=1e-7)
        np.testing.assert_allclose((fns["∇²g"](u + du) - fns["∇²g"](u - du)) / (2 * h), fns["d3_g"](u)[:, :, k],
                                   atol=1e-7)
    for order in range(4):
        d = (fns["s" + "'" * order](u + h) - fns["s" + "'" * order](u - h)) / (2 * h)
        np.testing.assert_allclose(d, fns["s" + "'" * (order + 1)](u), rtol=1e-6)


# ------------------------------------------------------------------ no false alarms
def test_samples_stay_away_from_kinks(monkeypatch):
    """A draw that puts relu's argument at its kink is drawn again (it would straddle
    the kink with the finite-difference step and report a correct result as wrong)."""
    import symmat.check as check

    real, calls = check.random_values, []

    def first_at_the_kink(expr, rng, **kw):
        values = real(expr, rng, **kw)
        calls.append(1)
        if len(calls) == 1:
            values["x"] = values["y"].copy()  # relu(x - y) at 0 in every entry
        return values

    monkeypatch.setattr(check, "random_values", first_at_the_kink)
    assert check.check_derivative("sum(relu(x - y))", "x", samples=1) < 1e-7
    assert len(calls) == 2


def test_hazard_sees_kinks_and_singular_matrices():
    from symmat.check import hazard

    f = symmat.parse("sum(abs(x - y)) + logdet(A)")
    near = {"x": np.array([1.0, 2.0]), "y": np.array([1.0, 0.5]), "A": np.eye(2)}
    assert hazard([f], near)
    assert not hazard([f], {**near, "y": np.array([0.5, 0.5])})
    assert hazard([f], {**near, "y": np.array([0.5, 0.5]), "A": np.array([[1.0, 1.0], [1.0, 1.0 + 1e-12]])})
    g = symmat.parse("sum(max(x, y)) + norm(x - y, 1)")
    assert hazard([g], near) and not hazard([g], {**near, "y": np.array([0.5, 0.5])})


def test_large_declared_sizes_are_checked_at_stand_in_sizes():
    from symmat.check import resized, small_sizes

    f = symmat.parse("x^T A x + sum(B ones_100000)", "A: 100000 x 100000; B: 7 x 100000")
    sizes = small_sizes([f])
    assert list(sizes) == [100000] and sizes[100000] not in (7,) and sizes[100000] <= 20
    g = resized(f, sizes)
    assert g.free_symbols()["A"].shape == (sizes[100000],) * 2 and g.free_symbols()["B"].shape == (7, sizes[100000])
    report = verify("x^T A x", "x", where="A: 100000 x 100000")
    assert report.passed and "checked at small sizes (100000 -> " in report.notes[0]


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_no_false_alarm_over_the_golden_corpus(layout):
    from tests.golden.corpus import ALL as CORPUS

    for entry in CORPUS:
        report = verify(entry.expr, entry.wrt, layout=layout, where=entry.where, order=entry.order)
        assert report.passed, (entry.id, report.summary())


@pytest.mark.parametrize("seed", range(0, 80, 4))
def test_no_false_alarm_on_random_compositions(seed):
    """Compositions of every construct (kinked relu/abs included), of every rank, by each
    of their variables, both layouts: a correct result always passes the check."""
    from symmat.shapes import Type, column, matrix
    from tests.differentiation.compositions import build

    type_ = [Type(), column("m"), matrix("m", "n")][seed % 3]
    f = build(seed, depth=2, type_=type_)
    for name in f.free_symbols():
        for layout in ("numerator", "denominator"):
            report = verify(f, name, layout=layout, seed=seed)
            assert report.passed, (str(f), name, layout, report.summary())

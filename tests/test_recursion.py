"""Deep expressions work, and calling symmat leaves the interpreter's recursion limit as
it found it (symmat/recursion.py): raised for the duration of a public call only, also
when several threads call at once."""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import symmat
from symmat.recursion import RECURSION_LIMIT, deep_recursion
from tests.inputs import network
from tests.numeric import assert_derivative

# The caller's own limit: below symmat's, so that every call would have to raise it.
CALLER = 1_500


@pytest.fixture
def caller_limit():
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(CALLER)
    yield CALLER
    sys.setrecursionlimit(before)


def test_a_1024_layer_network_derives_prints_and_evaluates_and_the_limit_is_restored(caller_limit):
    text, where = network(1024)
    f = symmat.parse(text, where)
    assert sys.getrecursionlimit() == caller_limit
    rng = np.random.default_rng(0)
    values = {f"W{k}": rng.normal(size=(2, 2)) / 2 for k in range(1, 1025)}
    values.update(x=rng.normal(size=2), t=rng.normal(size=2))
    for layout in ("numerator", "denominator"):
        assert_derivative(f, "W1", values, layout=layout, where=where)
        assert sys.getrecursionlimit() == caller_limit
    d = symmat.diff(f, "W1", where=where)
    for show in (str, lambda e: e.latex(), lambda e: e.numpy()):
        assert show(d)
        assert sys.getrecursionlimit() == caller_limit


def test_a_thousand_nested_tanh(caller_limit):
    """Derived, printed and checked numerically; and equality walks each pair of shared
    nodes once, without recursion: a second derivation, built apart (a DAG: each level
    shares its argument), is equal to the first and as fast to make."""
    text = "sum(" + "tanh(" * 1000 + "x" + ")" * 1000 + ")"
    values = {"x": np.linspace(-0.8, 0.9, 3)}
    assert_derivative(text, "x", values, layout="denominator", where="x: n")
    d = symmat.diff(text, "x", where="x: n", layout="denominator")
    assert str(d).count("tanh") >= 1000 and d.latex() and d.numpy() and d.to_sympy() is not None
    again = symmat.diff(text, "x", where="x: n", layout="denominator")
    assert again is not d and again == d and hash(again) == hash(d)
    assert again != symmat.diff(text.replace("x)", "y)"), "y", where="y: n", layout="denominator")
    assert sys.getrecursionlimit() == caller_limit


def test_index_form_of_a_deep_expression(caller_limit):
    text = "tanh(" * 400 + "W x" + ")" * 400
    d = symmat.diff(text, "W", where="W: m x n; x: n")
    assert "δ" in str(d) and d.latex()
    values = {"W": np.full((2, 3), 0.1), "x": np.ones(3)}
    assert np.asarray(d.evaluate(values)).shape == (2, 3, 2)
    assert sys.getrecursionlimit() == caller_limit


def test_nesting_beyond_the_limit_is_refused_and_the_limit_restored(caller_limit):
    with pytest.raises(symmat.ParseError, match="nested too deeply"):
        symmat.parse("(" * 100_000 + "x" + ")" * 100_000)
    assert sys.getrecursionlimit() == caller_limit


def test_a_higher_limit_of_the_caller_is_left_alone():
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(RECURSION_LIMIT + 5_000)
    try:
        with deep_recursion():
            assert sys.getrecursionlimit() == RECURSION_LIMIT + 5_000
        symmat.diff("tanh(" * 50 + "x" + ")" * 50, "x")
        assert sys.getrecursionlimit() == RECURSION_LIMIT + 5_000
    finally:
        sys.setrecursionlimit(before)


def test_nested_calls_share_one_raise(caller_limit):
    with deep_recursion():
        assert sys.getrecursionlimit() == RECURSION_LIMIT
        with deep_recursion():
            assert sys.getrecursionlimit() == RECURSION_LIMIT
        assert sys.getrecursionlimit() == RECURSION_LIMIT  # the outer call still needs it
    assert sys.getrecursionlimit() == caller_limit


def test_threads_deriving_deep_expressions_at_once_restore_the_limit(caller_limit):
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(depth: int) -> None:
        try:
            start.wait()
            d = symmat.diff("sum(" + "tanh(" * depth + "x" + ")" * depth + ")", "x", where="x: n")
            assert str(d).count("tanh") >= depth
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(depth,)) for depth in (300, 400, 500, 600)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sys.getrecursionlimit() == caller_limit


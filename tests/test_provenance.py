"""A result is mathematics (plain nodes) with its provenance beside it (symmat.provenance):
what it is the derivative of, and the variables whose values fix its sizes.

Every derivative here is also checked against central finite differences, in both
layouts, on distinct sizes (3, 4, 5)."""
from __future__ import annotations

import gc
import threading

import numpy as np
import pytest

import symmat
from symmat import nodes as N
from symmat import provenance
from symmat.index import tensor as T
from symmat.index.expr import IndexExpr
from symmat.shapes import Prod, Type
from tests.numeric import assert_derivative, numeric_derivative

LAYOUTS = ("numerator", "denominator")
RNG = np.random.default_rng(7)
VALUES = {
    "x": RNG.standard_normal(4), "a": RNG.standard_normal(4), "y": 0.7,
    "W": RNG.standard_normal((3, 4)), "A": RNG.standard_normal((5, 3)), "X": RNG.standard_normal((3, 4)),
    "B": RNG.standard_normal((4, 5)),
}
WHERE = "x: n; a: n; y: scalar; W: m x n; A: p x m; X: m x n; B: n x p"
# (f, wrt, order): matrix results, an index-form result (rank 3), a Hessian, results
# whose sizes only a variable they no longer mention fixes (∂x/∂x = I, kron's ones).
CASES = [
    ("x", "x", 1), ("a' x", "x", 1), ("W x", "W", 1), ("tr(A X B)", "X", 1), ("x' x", "x", 2),
    ("kron(a + x, x)", "a", 1), ("tanh(W x)", "x", 1), ("y x", "y", 1),
]
NODE_CLASSES = tuple(cls for cls in vars(N).values() if isinstance(cls, type) and issubclass(cls, N.Expr)) \
    + (IndexExpr,)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text, wrt, order", CASES)
def test_a_result_is_plain_nodes_and_its_provenance_says_what_it_is(text, wrt, order, layout):
    f = symmat.parse(text, WHERE)
    result = assert_derivative(f, wrt, VALUES, layout=layout, where=WHERE, order=order)
    for node in N.walk(result):
        assert type(node) in NODE_CLASSES, type(node)
        assert all(isinstance(a, (N.Expr, T.Tensor, str, int, float, Prod, Type)) or a is None
                   or (isinstance(a, tuple) and all(isinstance(b, N.Expr) for b in a)) for a in node.args), node.args
    if isinstance(result, IndexExpr):
        assert result.args == (result.tensor,)  # no variables, no label inside the node
    about = provenance.of(result).derivative
    assert (about.f, about.wrt, about.layout, about.order) == (f, wrt, layout, order)
    # The record is the result's own: f and its parts have none.
    assert all(provenance.of(node) is provenance.NONE for node in N.walk(f))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_dx_by_dx_is_the_identity_evaluated_with_x_alone(layout):
    result = assert_derivative("x", "x", {"x": VALUES["x"]}, layout=layout, where="x: n")
    assert type(result) is N.Identity and result == N.Identity("n")
    assert provenance.of(result).variables == (("x", Type(("n",))),)
    np.testing.assert_array_equal(result.evaluate({"x": VALUES["x"]}), np.eye(4))
    assert str(result) == "I_n"  # the size cannot be recovered from the text: written on it
    namespace: dict = {}
    exec(result.numpy("g"), namespace)
    np.testing.assert_array_equal(namespace["g"](VALUES["x"]), np.eye(4))


def test_a_result_that_is_part_of_its_input_gets_a_record_of_its_own():
    """∂(aᵀx)/∂x in denominator layout is f's own a: the record goes on a copy."""
    f = symmat.parse("a' x", WHERE)
    a = f.free_symbols()["a"]
    by_layout = {layout: assert_derivative(f, "x", VALUES, layout=layout, where=WHERE) for layout in LAYOUTS}
    assert by_layout["denominator"] == a and by_layout["denominator"] is not a
    assert provenance.of(a) is provenance.NONE
    for layout, result in by_layout.items():
        assert provenance.of(result).derivative.layout == layout


def test_a_derivative_of_a_result_keeps_the_variables_that_fix_its_sizes():
    """∂I/∂y (I = ∂x/∂x) is an n x n zero; only x's value gives n."""
    identity = symmat.diff("x", "x", where="x: n")
    values = {"x": VALUES["x"], "y": 0.3}
    for layout in LAYOUTS:
        zero = symmat.diff(identity, "y", where="x: n; y: scalar", layout=layout)
        np.testing.assert_array_equal(zero.evaluate(values), np.zeros((4, 4)))
        np.testing.assert_array_equal(zero.evaluate(values), numeric_derivative(identity, "y", values, layout))


def test_parse_records_the_declared_variable_that_fixes_a_size():
    e = symmat.parse("tr(I_n)", where="x: n")
    assert type(e) is N.Apply and e == N.Apply("tr", N.Identity("n"))
    assert provenance.of(e).variables == (("x", Type(("n",))),)
    assert e.evaluate({"x": VALUES["x"]}) == 4.0
    with pytest.raises(symmat.EvaluationError, match="n"):
        e.evaluate({"x": VALUES["W"]})  # the value is checked against the declaration


def test_records_are_dropped_with_their_results():
    gc.collect()
    before = len(provenance._RECORDS)
    kept = [symmat.diff(f"x' x + {k} a' x", "x", where=WHERE) for k in range(50)]
    assert len(provenance._RECORDS) == before + 50
    del kept
    for k in range(200):
        symmat.diff(f"tanh({k} W x)", "W", where=WHERE)
    gc.collect()
    assert len(provenance._RECORDS) == before


def test_results_of_concurrent_derivations_keep_their_own_records():
    f = symmat.parse("tr(A X B)", WHERE)
    results: dict[int, symmat.Expr] = {}

    def work(k: int) -> None:
        results[k] = symmat.diff(f, "X", layout=LAYOUTS[k % 2], where=WHERE)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    want = {layout: numeric_derivative(f, "X", VALUES, layout) for layout in LAYOUTS}
    for k, result in results.items():
        layout = LAYOUTS[k % 2]
        assert provenance.of(result).derivative.layout == layout
        np.testing.assert_allclose(result.evaluate(VALUES), want[layout], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_index_notation_read_back_has_the_provenance_of_the_result(layout):
    """∂(W x)/∂W printed in index notation and parsed again: the same derivative."""
    result = assert_derivative("W x", "W", VALUES, layout=layout, where=WHERE)
    again = symmat.parse(str(result), WHERE)
    assert isinstance(again, IndexExpr) and again.args == (again.tensor,)
    about = provenance.of(again).derivative
    assert (str(about.f), about.wrt, about.layout, about.order) == ("W x", "W", layout, 1)
    assert str(again) == str(result)
    np.testing.assert_allclose(again.evaluate(VALUES), result.evaluate(VALUES))

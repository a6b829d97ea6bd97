"""Distributivity in index-form sums (tensor._factor): terms that differ in one factor are
gathered into one sum, in the order the terms come, however many there are; terms several
factors apart still join pairwise. Every derivative is checked against finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symmat.index import tensor as T
from tests.numeric import assert_derivative

RNG = np.random.default_rng(14)
LAYOUTS = ("numerator", "denominator")


def _wide(terms: int) -> tuple[str, str, dict]:
    """x^T A_k x and tr(B_k X) alternately (X: m x n, so B_k: n x m), and their values."""
    n, m = 3, 4
    parts, decls = [], ["x: n", "X: m x n"]
    values = {"x": RNG.standard_normal(n), "X": RNG.standard_normal((m, n))}
    for k in range(terms):
        name = f"{'A' if k % 2 == 0 else 'B'}{k}"
        parts.append(f"x^T {name} x" if k % 2 == 0 else f"tr({name} X)")
        decls.append(f"{name}: n x n" if k % 2 == 0 else f"{name}: n x m")
        values[name] = RNG.standard_normal((n, n) if k % 2 == 0 else (n, m))
    return " + ".join(parts), "; ".join(decls), values


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("wrt", ["x", "X"])
def test_many_quadratic_forms_and_traces_gather_in_source_order(layout, wrt):
    text, where, values = _wide(9)
    d = assert_derivative(text, wrt, values, layout=layout, where=where)
    if wrt == "x":
        inner = "A0 + A2 + A4 + A6 + A8"
        body = f"({inner} + ({inner})^T) x"
        assert str(d) == (body if layout == "denominator" else f"({body})^T")
    else:
        inner = "B1 + B3 + B5 + B7"
        assert str(d) == (f"({inner})^T" if layout == "denominator" else inner)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text, where, wrt, shapes", [
    # one factor apart, some transposed, with a cancellation
    ("x^T A x + x^T B^T x - x^T A^T x + y^T C x", "x: n; y: m; A: n x n; B: n x n; C: m x n", "x",
     {"x": (3,), "y": (4,), "A": (3, 3), "B": (3, 3), "C": (4, 3)}),
    # several factors apart: a^T X b + a^T X c + d^T X b
    ("a^T X b + a^T X c + d^T X b", "a: m; b: n; c: n; d: m; X: m x n", "X",
     {"a": (4,), "b": (5,), "c": (5,), "d": (4,), "X": (4, 5)}),
    ("u^T A x + v^T A x + u^T B x + 3 v^T B x", "u: m; v: m; x: n; A: m x n; B: m x n", "x",
     {"u": (4,), "v": (4,), "x": (3,), "A": (4, 3), "B": (4, 3)}),
    ("tr(B1 X) + tr(X B3) + tr(X^T C) + 2 tr(D X) - tr(X E)",
     "X: m x n; B1: n x m; B3: n x m; C: m x n; D: n x m; E: n x m", "X",
     {"X": (4, 5), "B1": (5, 4), "B3": (5, 4), "C": (4, 5), "D": (5, 4), "E": (5, 4)}),
])
def test_shared_factors_join(layout, text, where, wrt, shapes):
    values = {name: RNG.standard_normal(shape) for name, shape in shapes.items()}
    assert_derivative(text, wrt, values, layout=layout, where=where)


def test_a_gathered_sum_is_built_once_in_term_order():
    x, A = T.Var("x", ("n",)), [T.Var(f"A{k}", ("n", "n")) for k in range(300)]
    terms = [T.einsum([x, a, x], [(0,), (0, 1), (1,)], ()) for a in A]
    total = T.add(terms)
    assert isinstance(total, T.Einsum)
    (inner,) = [op for op in total.operands if isinstance(op, T.Sum)]
    assert inner.terms == tuple(A)


def test_terms_with_nothing_in_common_stay_apart():
    xs = [T.Var(f"x{k}", ("n",)) for k in range(50)]
    total = T.add([T.einsum([v, v], [(0,), (0,)], ()) for v in xs])
    assert isinstance(total, T.Sum) and len(total.terms) == 50


def _join_by_restarting(parts: list[T.Tensor]) -> list[T.Tensor]:
    """The joins' specification, as first written: restart from the first term after each
    join (quadratic in the number of terms; tensor._join_pairwise does it in one scan)."""
    merged = True
    while merged:
        merged = False
        for i, p in enumerate(parts):
            if not isinstance(p, T.Einsum):
                continue
            factors = set(zip(p.operands, p.subscripts))
            for j in range(i + 1, len(parts)):
                q = parts[j]
                if not (isinstance(q, T.Einsum) and q.out == p.out
                        and factors & set(zip(q.operands, q.subscripts))):
                    continue
                joined = T._join(p, q)
                if joined is not None:
                    parts = [r for m, r in enumerate(parts) if m not in (i, j)] + [joined]
                    merged = True
                    break
            if merged:
                break
    return parts


_POOL = [T.Var(name, ("n",)) for name in "uv"] + [T.Var(name, ("n", "n")) for name in "AB"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([(), (0,)]),
                          st.lists(st.tuples(st.integers(0, len(_POOL) - 1), st.integers(0, 2), st.integers(0, 2)),
                                   min_size=1, max_size=3)),
                min_size=1, max_size=10))
def test_one_scan_joins_what_restarting_joins(spec):
    """Random contractions over a few shared operands and labels: the same terms, in the
    same order, as restarting after each join."""
    parts = []
    for out, factors in spec:
        ops = [_POOL[k] for k, _, _ in factors]
        subs = [(a, b)[:op.rank] for op, (_, a, b) in zip(ops, factors)]
        if any(len(set(s)) != len(s) for s in subs):
            continue
        labels = {label for sub in subs for label in sub}
        if not set(out) <= labels:
            continue
        parts.append(T.einsum(ops, subs, out))
    assert T._join_pairwise(list(parts)) == _join_by_restarting(list(parts))


def test_joining_terms_several_factors_apart_scans_each_term_a_bounded_number_of_times(monkeypatch):
    """Σ_k x^T A_k y_k: every term shares x, each join makes a term that joins again. The terms
    the joins look at grow like n log n (the gathered sums are pairs, then fours, …), not n²
    as when every join restarted the scan from the first term."""
    looked_at = [0]
    factors = T._factors

    def counting(t):
        looked_at[0] += 1
        return factors(t)

    monkeypatch.setattr(T, "_factors", counting)
    counts = {}
    x = T.Var("x", ("n",))
    for n in (128, 256):
        looked_at[0] = 0
        As = [T.Var(f"A{k}", ("n", "n")) for k in range(n)]
        ys = [T.Var(f"y{k}", ("n",)) for k in range(n)]
        total = T.add(T.einsum([x, a, y], [(0,), (0, 1), (1,)], ()) for a, y in zip(As, ys))
        assert isinstance(total, T.Einsum)
        (inner,) = [op for op in total.operands if isinstance(op, T.Sum)]
        assert {term.operands for term in inner.terms} == set(zip(As, ys))  # x (Σ_k A_k y_k)
        counts[n] = looked_at[0]
    assert counts[256] / counts[128] < 2.5  # n log n: ≈ 2.2; n²: 4

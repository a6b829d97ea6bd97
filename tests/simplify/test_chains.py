"""Long ⊙ chains: the rules that look at a chain's factors (hadamard_normal_form,
distribute_to_cancel) answer each link once, from the link below, instead of listing
the factors below every link (quadratic). Counted, not timed; the results are those of
the factor lists (tests/simplify/test_rules.py, the golden corpus), checked here on the
forms where a chain does change and numerically."""
from __future__ import annotations

import numpy as np
import pytest

import symmat
from symmat import nodes as N
from symmat.simplify.engine import simplify
from symmat.simplify.rules import entrywise, polynomial
from tests.numeric import assert_derivative


def _chain(n: int, first: str = "x") -> tuple[str, str]:
    names = [f"v{k}" for k in range(n)]
    return " .* ".join([first, *names]), "; ".join(["x: n", "u: n"] + [f"{v}: n" for v in names])


class _Count:
    """Calls of a function, through ``wrapper`` (a plain function: it can be a method)."""

    def __init__(self, fn):
        self.calls = 0

        def wrapper(*args, **kwargs):
            self.calls += 1
            return fn(*args, **kwargs)

        self.wrapper = wrapper


@pytest.mark.parametrize("first", ["x", "sigmoid(u)", "exp(u)", "(x + u)"])
def test_a_chain_in_normal_form_is_answered_once_a_link_and_never_rebuilt(monkeypatch, first):
    extended = _Count(entrywise._Line.extended)
    rebuilt = _Count(entrywise._hadamard_chain)
    listed = _Count(polynomial._hadamard_factors)
    monkeypatch.setattr(entrywise._Line, "extended", extended.wrapper)
    monkeypatch.setattr(entrywise, "_hadamard_chain", rebuilt.wrapper)
    monkeypatch.setattr(polynomial, "_hadamard_factors", listed.wrapper)
    text, where = _chain(300, first)
    e = symmat.parse(text, where)
    assert str(simplify(e)) == text
    assert extended.calls == 300  # one per link
    assert rebuilt.calls == 0 and listed.calls == 0


def test_an_equal_chain_built_again_is_not_compared_link_by_link(monkeypatch):
    """The links' answers are kept per node by identity: a separately built equal chain
    (a second call) never meets the first in a structural comparison down the chain."""
    compared = _Count(N.Expr.__eq__)
    monkeypatch.setattr(N.Expr, "__eq__", compared.wrapper)
    for n in (200, 400):
        text, where = _chain(n)
        simplify(symmat.parse(text, where))
        compared.calls = 0
        simplify(symmat.parse(text, where))
        assert compared.calls <= 4 * n  # was n² / 4: each link compared with its old twin


@pytest.mark.parametrize("text, expected", [
    # the factors that still change a chain, however far apart
    ("sigmoid(u) .* v0 .* v1 .* exp(-u)", "sigmoid(-u) .* v0 .* v1"),
    ("exp(u) .* v0 .* sigmoid(-u)", "v0 .* sigmoid(u)"),
    ("exp(-u) .* v0 .* v1 .* sigmoid(u)", "v0 .* v1 .* sigmoid(-u)"),
    ("v0 .* v1 .* x .* v0", "v0 .^ 2 .* v1 .* x"),
    ("v0 .* (v1 .* x) .* u", "v0 .* v1 .* x .* u"),
    ("v0 .* v1 .* (1 ./ (1 + exp(-u)))", "v0 .* v1 .* sigmoid(u)"),
])
def test_a_chain_that_changes_still_changes(text, expected):
    where = "x: n; u: n; v0: n; v1: n"
    assert str(simplify(symmat.parse(text, where))) == expected


def test_a_chain_that_branches_keeps_each_branch_apart():
    """Two chains extending one prefix share its answer; each branch sees only its own
    factors (a ⊙ b ⊙ c ⊙ a is not normal, a ⊙ b ⊙ d ⊙ c is)."""
    where = "a: n; b: n; c: n; d: n"
    prefix = symmat.parse("a .* b", where)
    c, d, a = (symmat.parse(name, where) for name in "cda")
    one, two = N.Hadamard(N.Hadamard(prefix, c), a), N.Hadamard(N.Hadamard(prefix, d), c)
    assert entrywise._plain_chain(N.Hadamard(prefix, c)) is not None
    assert entrywise._plain_chain(one) is None
    assert entrywise._plain_chain(two) is not None
    assert str(simplify(one)) == "a .^ 2 .* b .* c" and str(simplify(two)) == "a .* b .* d .* c"


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_derivatives_of_a_long_chain_match_finite_differences(layout):
    rng = np.random.default_rng(2)
    text, where = _chain(40, "sigmoid(u) .* x")
    values = {"x": rng.standard_normal(3), "u": rng.standard_normal(3)}
    values |= {f"v{k}": 1 + 0.05 * rng.standard_normal(3) for k in range(40)}
    for wrt in ("x", "u"):
        assert_derivative(f"sum({text} .* exp(-u))", wrt, values, layout=layout, where=where)

"""The golden corpus through SymPy (issue 13), as a SymPy user meets it.

Each entry's expression is written in SymPy (``to_sympy`` with every size a ``Symbol``
carrying ``integer=True, positive=True``) and given to ``symmat.diff`` as SymPy objects.

(1) Same answer either way: the result prints as the result of the text.
(2) Verified by SymPy itself: ``result.to_sympy()`` is written with the very SymPy objects
    of the input (its free symbols are among the input's, the sizes with their
    assumptions), and its value computed by SymPy — the user's symbols replaced by
    explicit matrices, then ``doit``/``as_explicit`` — equals central finite differences
    of the original expression, in both layouts.

Entries whose question SymPy cannot write, each for a reason SymPy cannot change:

- in (1) and (2), those that take ``vec`` of a matrix with a symbolic number of columns
  (SymPy has no vec): (2) checks their result, derived from the text, instead;
- in (1), those with a matrix declared ``symmetric`` (SymPy's ``MatrixSymbol`` cannot say
  it, so from SymPy the matrix is general: ``(S + Sᵀ) x`` where the text gives ``2 S x``;
  same value on symmetric matrices, which (2) checks).
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

import symmat
from symmat import nodes as N
from symmat.interop.sympy import to_sympy
from symmat.interop.sympy_explicit import numeric

from . import measure as M
from .corpus import ALL, by_id

IDS = [entry.id for entry in ALL]
QUESTION_NOT_IN_SYMPY = {"vec-xaT", "vecX-inner"}
SAME_ANSWER_SKIPPED = {entry.id for entry in ALL if "symmetric" in entry.where} | QUESTION_NOT_IN_SYMPY
OTHER = {"numerator": "denominator", "denominator": "numerator"}


@functools.cache
def outcome(entry_id: str) -> M.Outcome:
    return M.run(by_id()[entry_id])


def _dims(expr: symmat.Expr) -> set[str]:
    return {d for node in N.walk(expr) for d in node.type.shape if isinstance(d, str)}


@functools.cache
def in_sympy(entry_id: str) -> tuple[sp.Basic, sp.Basic]:
    """The entry's expression and variable as a SymPy user writes them: sizes are
    ``Symbol`` s with assumptions."""
    o = outcome(entry_id)
    sizes = [sp.Symbol(d, integer=True, positive=True) for d in sorted(_dims(o.expr))]
    f = to_sympy(o.expr, symbols=sizes)
    # (SymPy may drop the variable on input: x^T x / (x^T x) is 1.)
    return f, to_sympy(o.expr.free_symbols()[o.entry.wrt], symbols=sizes)


@pytest.mark.parametrize("entry_id", IDS)
def test_same_answer_from_text_and_from_sympy(entry_id):
    if entry_id in SAME_ANSWER_SKIPPED:
        pytest.skip("symmetric declaration: SymPy's MatrixSymbol cannot say it")
    o, (f, wrt) = outcome(entry_id), in_sympy(entry_id)
    via_sympy = symmat.diff(f, wrt, layout=o.entry.layout, order=o.entry.order)
    assert str(via_sympy) == o.printed, f"{o.entry.expr}: SymPy {f}"


# ------------------------------------------------------------------ (2) values in SymPy
def _phi(k: int) -> sp.Lambda:
    """symmat.sample's φ_k(t) = sin(k t)/k + t²/2, in SymPy."""
    t = sp.Dummy("t")
    return sp.Lambda(t, sp.sin(k * t) / k + t**2 / 2)


def _sum_of(phi: sp.Lambda, u: sp.Basic) -> sp.Basic:
    """Σ φ(u_ij) for a matrix u; φ(u) for a scalar."""
    if not isinstance(u, sp.MatrixExpr):
        return phi(u)
    return sp.Trace(sp.OneMatrix(1, u.rows) * ElementwiseApplyFunction(phi, u) * sp.OneMatrix(u.cols, 1))


def with_functions(e: sp.Basic, expr: symmat.Expr) -> sp.Basic:
    """``e`` with each abstract function replaced by the formula symmat.sample gives it
    (the k-th name: g(u) = Σ φ_k(u_i), s = φ_k entrywise), derivatives computed."""
    elementwise = {n.name for n in N.walk(expr) if isinstance(n, N.Elementwise) and n.is_abstract}
    scalar = {n.name for n in N.walk(expr) if isinstance(n, N.Call)}
    for k, name in enumerate(sorted(elementwise | scalar), start=1):
        phi, fn = _phi(k), sp.Function(name)
        e = e.replace(fn, phi if name in elementwise else functools.partial(_sum_of, phi))
    e = e.replace(lambda u: isinstance(u, sp.Lambda), lambda u: sp.Lambda(u.variables, u.expr.doit()))
    return e.replace(lambda u: isinstance(u, (sp.Derivative, sp.Subs)), lambda u: u.doit())


def names(e: sp.Basic) -> set:
    """Every symbol in ``e``: values and sizes (a MatrixSymbol's shape included), not
    the variables a Lambda binds."""
    found, bound = set(), set()
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Lambda):
            bound |= set(node.variables)
        if isinstance(node, sp.MatrixSymbol):
            found |= {node} | {d for d in node.shape if isinstance(d, sp.Symbol)}
        elif isinstance(node, sp.Symbol) and not isinstance(node, sp.Dummy):
            found.add(node)
    return found - bound


def sympy_replacement(f: sp.Basic, values: dict) -> dict:
    """The user's SymPy objects (those of ``f``) -> explicit values."""
    rule: dict = {}
    for s in f.free_symbols:
        for d in getattr(s, "shape", ()):
            if isinstance(d, sp.Symbol):
                rule[d] = sp.Integer(M.SIZES[d.name])
    for s in f.free_symbols:
        if isinstance(s, sp.MatrixSymbol):
            value = np.asarray(values[s.name], dtype=float)
            rule[s] = sp.ImmutableMatrix(value.reshape(tuple(int(d.xreplace(rule)) for d in s.shape)))
        elif s not in rule:
            rule[s] = sp.Float(values[s.name])
    return rule


@pytest.mark.parametrize("layout", ["same", "other"])
@pytest.mark.parametrize("entry_id", IDS)
def test_sympy_result_has_the_finite_difference_value(entry_id, layout):
    o = outcome(entry_id)
    entry = o.entry if layout == "same" else dataclasses.replace(o.entry, layout=OTHER[o.entry.layout])
    if entry_id in QUESTION_NOT_IN_SYMPY:  # the result of the text, in SymPy
        sizes = [sp.Symbol(d, integer=True, positive=True) for d in sorted(_dims(o.expr))]
        f = sp.Tuple(*(to_sympy(s, symbols=sizes) for s in o.expr.free_symbols().values()))
        wrt = to_sympy(o.expr.free_symbols()[entry.wrt], symbols=sizes)
        d = symmat.diff(o.expr, entry.wrt, layout=entry.layout, order=entry.order)
        result = to_sympy(d, symbols=list(sizes) + list(f))
    else:
        f, wrt = in_sympy(entry_id)
        result = symmat.diff(f, wrt, layout=entry.layout, order=entry.order).to_sympy()
    # The user's own objects: no look-alike symbol, no size without its assumptions.
    assert result.free_symbols <= names(f) | names(wrt), result.free_symbols - names(f)
    assert names(result) <= names(f) | names(wrt), names(result) - names(f)
    values = M.values_for(o, seed=0)
    explicit = with_functions(result, o.expr).xreplace(sympy_replacement(sp.Tuple(f, wrt), values))
    assert not explicit.free_symbols, explicit.free_symbols
    got = np.asarray(numeric(explicit), dtype=float)
    want = M.numeric(dataclasses.replace(o, entry=entry), values)
    scale = max(1.0, float(np.max(np.abs(want))))
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * scale, err_msg=f"{entry.id}: {result}")

"""Evaluating SymPy matrix expressions on explicit matrices, past SymPy 1.14's gaps.

SymPy's ``doit()`` leaves some products of explicit matrices unevaluated
(``OneMatrix`` products, ``Trace(DiagMatrix(M))``) and ``DiagonalOf`` of an explicit
matrix crashes; :func:`explicit` evaluates bottom up instead. :func:`sympy_value`
evaluates from symmat-style values (name -> number or NumPy array).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr
from sympy.tensor.array.expressions import Reshape
from sympy.tensor.array.expressions.array_expressions import _CodegenArrayAbstract


def diagonal_of(x: sp.Basic) -> sp.Basic:
    """``diag(X) = (X ⊙ I) 1``, which SymPy evaluates (``DiagonalOf`` does not)."""
    return sp.HadamardProduct(x, sp.Identity(x.rows)) * sp.OneMatrix(x.rows, 1)


def _without_diagonal_of(expr: sp.Basic) -> sp.Basic:
    # DiagonalOf and DiagonalMatrix of an explicit matrix crash SymPy 1.14 (their shape
    # calls .is_Integer on an int), so they are rewritten first: diag(X) = (X ⊙ I) 1.
    return expr.replace(
        lambda t: isinstance(t, (DiagonalOf, DiagonalMatrix)),
        lambda t: diagonal_of(t.args[0]) if isinstance(t, DiagonalOf) else DiagMatrix(diagonal_of(t.args[0])),
    )


def explicit(e: sp.Basic) -> sp.Basic:
    """``e`` with every matrix expression over explicit matrices made explicit, bottom up
    (``DiagonalOf`` must be rewritten before its argument is explicit)."""
    if not e.args or isinstance(e, (sp.MatrixBase, sp.MatrixSymbol, sp.Lambda)):
        return e
    args = [explicit(a) for a in e.args]
    if isinstance(e, Reshape) and isinstance(args[0], (sp.MatrixBase, sp.NDimArray)):
        # SymPy 1.14's Reshape.doit calls Matrix.reshape with one argument
        return sp.ImmutableDenseNDimArray(list(args[0]), tuple(args[1]))
    if not isinstance(e, (MatrixExpr, sp.Trace, sp.Determinant, MatrixElement)):
        # A scalar function of a 1 x 1 matrix (SymPy accepts tanh(x.T*y)) takes its entry.
        args = [a[0, 0] if isinstance(a, sp.MatrixBase) and a.shape == (1, 1) else a for a in args]
    rebuilt = e.func(*args).doit()
    if isinstance(rebuilt, MatrixExpr) and not isinstance(rebuilt, sp.MatrixBase):
        if all(isinstance(d, (int, sp.Integer)) for d in rebuilt.shape):
            rebuilt = rebuilt.as_explicit()
    if isinstance(rebuilt, _CodegenArrayAbstract) and all(isinstance(d, (int, sp.Integer)) for d in rebuilt.shape):
        rebuilt = rebuilt.as_explicit()
    return sp.ImmutableMatrix(rebuilt) if isinstance(rebuilt, sp.MatrixBase) else rebuilt


def explicit_scalar(e: sp.Basic) -> sp.Basic:
    """A scalar SymPy expression for ``e`` (a 1 x 1 explicit matrix gives its entry)."""
    value = explicit(e)
    if isinstance(value, sp.MatrixBase):
        if value.shape != (1, 1):
            raise ValueError(f"{e} is not a scalar")
        return value[0, 0]
    return value


def sympy_value(expr: sp.Basic, values: Mapping[str, Any]):
    """Evaluate a SymPy matrix expression from symmat-style ``values`` (name -> number
    or NumPy array; vectors 1-D, given for the n x 1 symbol, or the 1 x n one; dimension
    sizes are read off the arrays). Returns a float or a NumPy array (a 1 x 1 result is a
    float, an n x 1 or 1 x n one is 1-D, like ``Expr.evaluate``).

    Every symbol, dimension symbols included, is replaced in one ``xreplace``
    (sequential ``subs`` renames ``MatrixSymbol('X', n, n)`` to ``MatrixSymbol('X', 3, 3)``
    before ``X`` is replaced). Abstract functions must be replaced beforehand
    (``expr.replace(g, Lambda(...))``).
    """
    import numpy as np

    expr = _without_diagonal_of(expr)
    sizes: dict[sp.Symbol, sp.Integer] = {}
    replacement: dict[sp.Basic, sp.Basic] = {}
    for s in expr.free_symbols:
        if isinstance(s, sp.MatrixSymbol):
            value = np.asarray(values[s.name], dtype=float)
            if value.ndim < 2:  # symmat gives vectors as 1-D arrays and scalars as floats
                value = value.reshape(tuple(1 if r == 1 else -1 for r in s.shape))
            for dim, size in zip(s.shape, value.shape):
                if isinstance(dim, sp.Symbol):
                    sizes[dim] = sp.Integer(size)
            replacement[s] = sp.ImmutableMatrix(value)
    for s in expr.free_symbols:
        if isinstance(s, sp.Symbol) and s not in sizes and s.name in values:
            v = values[s.name]
            if isinstance(v, int) and not isinstance(v, bool):
                sizes[s] = sp.Integer(v)  # a dimension given by name
            else:
                replacement[s] = sp.Float(float(v))
    return numeric(expr.xreplace({**replacement, **sizes}))


def numeric(expr: sp.Basic):
    """The float or NumPy array of a SymPy expression without free symbols (arrays of
    rank 3 and 4 included), shaped as ``Expr.evaluate`` shapes its values."""
    import numpy as np

    e = explicit(expr)
    if isinstance(e, sp.NDimArray):
        return np.array(e.tolist(), dtype=float)
    if isinstance(e, sp.MatrixBase):
        array = np.array(e.evalf(), dtype=float)
        if array.shape == (1, 1):
            return float(array[0, 0])
        return array.reshape(-1) if 1 in array.shape else array
    value = complex(e.evalf())
    return value.real if value.imag == 0 else value

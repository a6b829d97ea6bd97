"""``Gradient`` and ``Hessian``: derivatives of an undefined SymPy function of a matrix.

SymPy has no object for ``∇g(v)`` when ``g = Function('g')`` takes a vector or a matrix
``v``: ``sympy.diff(g(v), v)`` is 0 and ``Subs`` cannot substitute a matrix. symmat's
results need one (``a ∇g(Wᵀa)ᵀ``), so these two SymPy matrix expressions stand for it:

- ``Gradient(Lambda(ξ, g(ξ)), v)``: the matrix of ``∂g/∂ξ_ij`` at ``ξ = v``, with the shape
  of ``v`` (a column for a vector, whether ``v`` is a column or a row);
- ``Hessian(Lambda(ξ, g(ξ)), v)``: the n x n matrix of ``∂²g/∂ξ_i ∂ξ_j`` at ``ξ = v`` for a
  vector ``v`` of length n.

``ξ`` is a ``MatrixSymbol`` of ``v``'s shape. Replace ``g`` by a formula (``expr.replace(g,
lambda u: ...)``, or ``subs``) and give ``v`` explicit values, and ``doit()`` /
``as_explicit()`` compute the derivative with SymPy's own ``diff``; until then they stay
unevaluated (``free_symbols``, ``subs``, ``xreplace`` work as for any expression).
"""
from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from .sympy_explicit import explicit, explicit_scalar


def _vector_length(v: sp.Basic):
    rows, cols = v.shape
    return cols if rows == 1 else rows


class _FunctionDerivative(MatrixExpr):
    """Base of :class:`Gradient` and :class:`Hessian`: ``args`` are ``(Lambda(ξ, body), v)``."""

    order: int

    def __new__(cls, function: sp.Lambda, arg: sp.Basic):
        function, arg = sp.sympify(function), sp.sympify(arg)
        if not isinstance(function, sp.Lambda) or len(function.variables) != 1:
            raise TypeError(f"{cls.__name__} takes Lambda(ξ, g(ξ)), not {function}")
        if not isinstance(arg, MatrixExpr):
            raise TypeError(f"{cls.__name__} is of a function of a matrix or vector, not of {arg}")
        return super().__new__(cls, function, arg)

    @property
    def function(self) -> sp.Lambda:
        return self.args[0]

    @property
    def arg(self) -> MatrixExpr:
        return self.args[1]

    @property
    def name(self) -> str | None:
        """``g`` when the body is still an undefined ``g(ξ)`` (or ``g(u, ξ, w)``), else None."""
        return None if self.position is None else type(self.function.expr).__name__

    @property
    def position(self) -> int | None:
        """Which argument of the undefined ``g(u, ξ, w)`` the body varies (0-based): the
        derivative is the partial one by that argument; None for a body that is no
        undefined function of ξ alone in one place."""
        body, (xi,) = self.function.expr, self.function.variables
        if not isinstance(body, AppliedUndef):
            return None
        places = [k for k, a in enumerate(body.args) if a.has(xi)]
        if len(places) != 1 or body.args[places[0]] != xi:
            return None
        return places[0]

    def doit(self, **hints):
        function, arg = self.args
        if hints.get("deep", True):
            function, arg = function.doit(**hints), arg.doit(**hints)
        value = type(self)(function, arg)._explicit()
        return value if value is not None else type(self)(function, arg)

    def as_explicit(self):
        value = self._explicit()
        if value is None:
            return super().as_explicit()
        return sp.ImmutableMatrix(value)

    def _entry(self, i, j, **kwargs):
        value = self._explicit()
        if value is None:
            return MatrixElement(self, i, j)
        return value[i, j]

    def _explicit(self) -> sp.ImmutableMatrix | None:
        """The derivative as an explicit matrix, when the sizes are integers and the
        function is a formula (no undefined function left); otherwise None."""
        function, arg = self.args
        if not all(isinstance(d, (int, sp.Integer)) for d in arg.shape):
            return None
        rows, cols = (int(d) for d in arg.shape)
        entries = sp.Matrix(rows, cols, lambda i, j: sp.Dummy(f"xi_{i}{j}"))
        xi = function.variables[0]
        # ξ by explicit entries, and its sizes (if still names) by v's integer ones.
        sizes = {d: size for d, size in zip(xi.shape, arg.shape) if isinstance(d, sp.Symbol)}
        value = explicit_scalar(function.expr.xreplace({xi: sp.ImmutableMatrix(entries), **sizes}))
        if value.atoms(AppliedUndef):
            return None
        at = explicit(arg)
        if not isinstance(at, sp.MatrixBase):
            return None
        point = dict(zip(entries, at))
        return sp.ImmutableMatrix(self._derivative(value, entries)).xreplace(point)


class Gradient(_FunctionDerivative):
    """``∇g(v)``: ``∂g/∂ξ`` at ``ξ = v``, with ``v``'s shape (a column for a vector)."""

    order = 1

    @property
    def shape(self):
        rows, cols = self.arg.shape
        return (cols, rows) if rows == 1 else (rows, cols)

    @staticmethod
    def _derivative(value, entries):
        grad = entries.applyfunc(lambda e: value.diff(e))
        return grad.T if grad.rows == 1 else grad


class Hessian(_FunctionDerivative):
    """``∇²g(v)``: the n x n matrix ``∂²g/∂ξ_i ∂ξ_j`` at ``ξ = v`` for a vector ``v``."""

    order = 2

    @property
    def shape(self):
        n = _vector_length(self.arg)
        return (n, n)

    @staticmethod
    def _derivative(value, entries):
        flat = list(entries)
        return sp.Matrix(len(flat), len(flat), lambda i, j: value.diff(flat[i], flat[j]))


def function_derivative(function_class, arg: sp.Basic, order: int, others: tuple = (), position: int = 0):
    """``∇g(arg)`` (order 1) or ``∇²g(arg)`` (order 2) of the undefined ``g``; with
    ``others``, the partial derivative by the argument at ``position`` of
    ``g(*others[:position], arg, *others[position:])``, the other arguments held."""
    xi = sp.MatrixSymbol(f"ξ_{function_class.__name__}", *arg.shape)
    body = function_class(*others[:position], xi, *others[position:])
    cls = {1: Gradient, 2: Hessian}[order]
    return cls(sp.Lambda(xi, body), arg)

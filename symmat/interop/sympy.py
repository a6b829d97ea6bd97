"""SymPy interop: :func:`from_sympy` and :func:`to_sympy`.

Correspondence (both directions keep *values*: the same numbers at the same inputs)

===============================  =================================================
SymPy                            symmat
===============================  =================================================
``MatrixSymbol('x', n, 1)``      column vector ``x: n``
``MatrixSymbol('y', 1, n)``      ``y^T`` with ``y: n`` (symmat names column vectors)
``MatrixSymbol('c', 1, 1)``      scalar ``c``
``MatrixSymbol('X', m, n)``      matrix ``X: m x n``
``Symbol('c')``                  scalar ``c``
``Identity(n)``, ``OneMatrix``   ``I``, ``ones`` (``ones ones^T`` for an m x n block)
``ZeroMatrix(m, n)``             ``0`` times the ones of that shape
``MatMul``, ``MatAdd``           products, sums (a scalar added to a matrix is
                                 multiplied by a ``OneMatrix`` in SymPy)
``Transpose``, ``Inverse``       ``X^T``, ``inv(X)``
``MatPow(X, k)``                 ``X^k``
``HadamardProduct``/``Power``    ``A .* B``, ``A .^ k``
``KroneckerProduct``             ``kron(A, B)``
``Trace``, ``Determinant``       ``tr``, ``det``
``sqrt(Trace(u.T*u))``           ``norm(u)``
``(x.T*A*x)[0, 0]`` (a ``Sum``)  ``x^T A x`` (any 1 x 1 product; SymPy writes its
                                 entry as a ``Sum``, read back as the product)
``log(Abs(Determinant(X)))``     ``logdet(X)`` (symmat's logdet is ``log |det X|``;
                                 ``log(Determinant(X))`` stays ``log(det(X))``)
``DiagMatrix``/``DiagonalOf``    ``diag(x)`` / ``diag(X)``
``exp``, ``log``, ``tanh``, ...  elementwise functions (table in functions.py)
``X.applyfunc(f)``               the elementwise function ``f`` (``f`` built from
                                 the functions above, or an undefined ``Function``)
``Function('g')(W.T*a)``         abstract ``g(W^T a)``; ``g(x, y)`` of several arguments
``c**t``, ``HadamardPower(x, t)``  ``c^t``, ``x .^ t`` (symbolic exponents)
``Max``, ``Min`` of scalars      ``max``, ``min`` (``Max(x, 0)`` is ``relu``)
``exp.(z) / tr(diag(exp.(z)))``  ``softmax(z)``; ``log`` of the sum is ``logsumexp(z)``;
                                 ``tr(diag(v))`` and ``1^T X 1`` are ``sum``
===============================  =================================================

A symmat scalar that SymPy computes as a 1 x 1 matrix (``x^T y``) becomes
``Trace(x.T*y)`` in SymPy, so that it mixes with SymPy scalars (``exp``, ``+ 1``);
``from_sympy`` reads any 1 x 1 matrix expression back as a scalar.

Names: a symmat expression read by ``from_sympy`` remembers the SymPy objects it was
written with (``MatrixSymbol`` s, ``Symbol`` s of values and of sizes, ``Function`` s),
and so does its derivative (``symmat.diff``); ``to_sympy`` writes the result with those
very objects, assumptions included, so that ``subs``, ``free_symbols`` and arithmetic
with the user's expressions work as in any SymPy session (symmat.provenance keeps them
beside the expression, not in its nodes). Other names become plain new ``Symbol`` s and
``MatrixSymbol`` s, unless ``to_sympy(expr, symbols=[...])`` names the objects to use.

Results that SymPy has no class for:

- ``∇g(v)``, ``∇²g(v)`` of an abstract ``g`` of a vector or matrix ``v`` (and the partial
  ``∇_k g``, ``∇²_{k,k} g`` of a function of several arguments, the others held): the SymPy matrix
  expressions :class:`Gradient` and :class:`Hessian` of this package
  (``Gradient(Lambda(ξ, g(ξ)), v)``); replace ``g`` by a formula and give ``v`` values,
  and ``doit()`` computes them with SymPy's ``diff``. Of a scalar ``u``, ``∇g(u)`` is
  SymPy's ``Subs(Derivative(g(ξ), ξ), ξ, u)``; ``s'(x)`` of an abstract elementwise ``s``
  is ``x.applyfunc(Lambda(d, Derivative(s(d), d)))``.
- rank-3 and rank-4 derivatives (index form): SymPy array expressions
  (``ArrayContraction``, ``ArrayTensorProduct``, ``PermuteDims``, ``ArrayAdd`` over the
  user's ``MatrixSymbol`` s; vectors are ``Reshape(x, (n,))``); with integer sizes
  ``as_explicit()`` gives the explicit array (see symmat.interop.sympy_arrays).

Limits of ``to_sympy``, each refused with :class:`InteropError`:

- ``vec(X)`` of a matrix whose column count is a name: SymPy has no vec; for an
  integer count it is written ``sum_j e_j ⊗ X e_j``.
- vector-valued abstract functions ``h: R^n -> R^m``, mixed second partials
  ``∇²_{1,2} g`` and derivatives of order 3 and more of an abstract function.
- ``symmetric`` declarations are dropped: SymPy's ``MatrixSymbol`` cannot say it,
  so substitute a symmetric matrix (values agree; SymPy's own derivatives treat the
  entries as independent).

Evaluating a converted expression in SymPy: substitute *every* free symbol, the
dimension symbols (``n``) included, with one ``xreplace`` (sequential ``subs`` renames
``MatrixSymbol('X', n, n)`` to ``MatrixSymbol('X', 3, 3)`` before ``X`` is replaced),
then ``doit()`` and ``as_explicit()``. :func:`sympy_value` does exactly that, also
working around SymPy's lazy ``OneMatrix`` products and ``DiagonalOf``
(symmat.interop.sympy_explicit).
Abstract functions stay SymPy ``Function`` s; replace them before evaluating.
``lambdify`` works where SymPy's NumPy printer knows every class (it does not
print ``Trace`` in SymPy 1.14).
"""
from __future__ import annotations

from ..errors import InteropError
from .from_sympy import from_sympy, origin_of_sympy
from .sympy_explicit import sympy_value
from .sympy_gradient import Gradient, Hessian
from .to_sympy import to_sympy

__all__ = ["from_sympy", "to_sympy", "sympy_value", "InteropError", "Gradient", "Hessian", "origin_of_sympy"]

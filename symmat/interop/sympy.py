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
``log(Abs(Determinant(X)))``     ``logdet(X)`` (symmat's logdet is ``log |det X|``;
                                 ``log(Determinant(X))`` stays ``log(det(X))``)
``DiagMatrix``/``DiagonalOf``    ``diag(x)`` / ``diag(X)``
``exp``, ``log``, ``tanh``, ...  elementwise functions (table in functions.py)
``X.applyfunc(f)``               the elementwise function ``f`` (``f`` built from
                                 the functions above, or an undefined ``Function``)
``Function('g')(W.T*a)``         abstract ``g(W^T a)``
===============================  =================================================

A symmat scalar that SymPy computes as a 1 x 1 matrix (``x^T y``) becomes
``Trace(x.T*y)`` in SymPy, so that it mixes with SymPy scalars (``exp``, ``+ 1``);
``from_sympy`` reads any 1 x 1 matrix expression back as a scalar.

Limits of ``to_sympy``, each refused with :class:`InteropError`:

- ``∇g``, ``∇²g`` of an abstract ``g``: SymPy has no gradient of an undefined
  function of a matrix argument.
- ``vec(X)`` of a matrix whose column count is a name: SymPy has no vec; for an
  integer count it is written ``sum_j e_j ⊗ X e_j``.
- ``symmetric`` declarations are dropped: SymPy's ``MatrixSymbol`` cannot say it,
  so substitute a symmetric matrix (values agree; SymPy's own derivatives treat the
  entries as independent).

Evaluating a converted expression in SymPy: substitute *every* free symbol, the
dimension symbols (``n``) included, with one ``xreplace`` (sequential ``subs`` renames
``MatrixSymbol('X', n, n)`` to ``MatrixSymbol('X', 3, 3)`` before ``X`` is replaced),
then ``doit()`` and ``as_explicit()``. :func:`sympy_value` does exactly that, also
working around SymPy's lazy ``OneMatrix`` products and ``DiagonalOf``.
Abstract functions stay SymPy ``Function`` s; replace them before evaluating.
``lambdify`` works where SymPy's NumPy printer knows every class (it does not
print ``Trace`` in SymPy 1.14).
"""
from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any, Mapping

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalMatrix, DiagonalOf
from sympy.matrices.expressions.matexpr import MatrixElement, MatrixExpr

from .. import nodes as N
from ..errors import SymmatError
from ..functions import ELEMENTWISE, RESERVED_NAMES
from ..shapes import SCALAR, Prod, Type, column, dim_product, matrix


class InteropError(SymmatError):
    """An expression that has no faithful counterpart on the other side."""


# ------------------------------------------------------------------ the function table
_X = sp.Symbol("x")


@functools.lru_cache(maxsize=None)
def _sympy_formulas() -> dict[str, sp.Expr]:
    """Each built-in elementwise function as a SymPy expression in ``x``, from the
    ``sympy`` column of the table in functions.py (a name or a formula)."""
    formulas = {}
    for name, row in ELEMENTWISE.items():
        fn = getattr(sp, row.sympy, None) if row.sympy.isidentifier() else None
        formulas[name] = fn(_X) if fn is not None else sp.sympify(row.sympy, locals={"x": _X})
    return formulas


# SymPy function classes read as one symmat elementwise function; the formula-valued
# rows (sigmoid, softplus) are recognised inside ``applyfunc`` bodies (see _match_formula).
_FUNCTION_NAMES = {"exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tanh": "tanh", "Abs": "abs", "sign": "sign"}


# ===================================================================== from_sympy
def from_sympy(expr: Any) -> N.Expr:
    """The symmat expression with the same value as the SymPy expression ``expr``.

    Raises :class:`InteropError` naming the SymPy class that has no counterpart.
    """
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        expr = sp.sympify(expr)
    if not isinstance(expr, sp.Basic):
        raise InteropError(f"from_sympy takes a SymPy expression, not {type(expr).__name__}")
    return _FromSympy()(expr)


def _dim(d: sp.Expr, where: sp.Basic):
    """A SymPy dimension (Symbol, Integer or a product of them) as a symmat one."""
    if isinstance(d, (int, sp.Integer)):
        return int(d)
    if isinstance(d, sp.Symbol):
        return d.name
    if isinstance(d, sp.Mul) and all(isinstance(f, (sp.Symbol, sp.Integer)) for f in d.args):
        return dim_product(_dim(f, where) for f in d.args)
    raise InteropError(f"the dimension {d} of {where} is not a name, an integer or a product of them")


def _fold(items, combine):
    return functools.reduce(combine, items)


def _times(a: N.Expr, b: N.Expr) -> N.Expr:
    """Product of two factors of a *scalar* SymPy ``Mul``: both are scalars, except in
    an ``applyfunc`` body where the bound variable stands for a matrix and the scalar
    product becomes elementwise."""
    if a.type.is_scalar or b.type.is_scalar:
        return N.MatMul(a, b)
    return N.Hadamard(a, b)


class _FromSympy:
    def __init__(self):
        self.names: dict[str, N.Expr] = {}  # name -> symmat Symbol, for consistency checks
        self.bound: dict[sp.Symbol, N.Expr] = {}  # applyfunc variable -> its matrix

    def __call__(self, e: sp.Basic) -> N.Expr:
        for cls in type(e).__mro__:
            method = getattr(self, "_from_" + cls.__name__, None)
            if method is not None:
                result = method(e)
                break
        else:
            raise InteropError(f"symmat cannot read the SymPy class {type(e).__name__} ({e})")
        # A 1 x 1 SymPy matrix (x.T*y) is a symmat scalar; the node's type already says so.
        return result

    # ------------------------------------------------------------------ atoms
    def _symbol(self, name: str, type_: Type, source: sp.Basic) -> N.Symbol:
        if name in RESERVED_NAMES:
            raise InteropError(f"the SymPy name {name!r} is reserved in symmat (a built-in function or constant)")
        node = N.Symbol(name, type_)
        previous = self.names.setdefault(name, node)
        if previous != node:
            raise InteropError(
                f"the name {name!r} is used for both {previous.type.describe()} and {type_.describe()}"
            )
        return node

    def _from_MatrixSymbol(self, e):
        rows, cols = e.shape
        if rows == 1 and cols == 1:
            return self._symbol(e.name, SCALAR, e)
        if cols == 1:
            return self._symbol(e.name, column(_dim(rows, e)), e)
        if rows == 1:
            # symmat variables are column vectors; a 1 x n symbol is the transpose of one.
            return N.Transpose(self._symbol(e.name, column(_dim(cols, e)), e))
        return self._symbol(e.name, matrix(_dim(rows, e), _dim(cols, e)), e)

    def _from_Symbol(self, e):
        if e in self.bound:
            return self.bound[e]
        return self._symbol(e.name, SCALAR, e)

    def _from_Dummy(self, e):
        if e in self.bound:
            return self.bound[e]
        raise InteropError(f"the SymPy Dummy {e} is not bound by an applyfunc")

    def _from_Rational(self, r):
        # Keep 1/3 exact as a quotient; 1/2 and integers are exact as floats.
        if Fraction(float(r)) == Fraction(int(r.p), int(r.q)):
            return N.Number(float(r))
        return N.Div(N.Number(int(r.p)), N.Number(int(r.q)))

    def _from_Float(self, f):
        return N.Number(float(f))

    def _from_NumberSymbol(self, c):  # pi, E, ...
        return N.Number(float(c))

    def _from_Number(self, n):  # oo, nan, zoo and other non-real numbers
        raise InteropError(f"symmat has no number {n} (SymPy class {type(n).__name__})")

    def _ones(self, rows, cols, where) -> N.Expr:
        """The all-ones block of a SymPy shape: ``ones``, ``ones^T`` or ``ones ones^T``."""
        if rows == 1 and cols == 1:
            return N.Number(1.0)
        if cols == 1:
            return N.Ones(_dim(rows, where))
        if rows == 1:
            return N.Transpose(N.Ones(_dim(cols, where)))
        return N.MatMul(N.Ones(_dim(rows, where)), N.Transpose(N.Ones(_dim(cols, where))))

    def _from_Identity(self, e):
        if e.rows == 1:
            return N.Number(1.0)
        return N.Identity(_dim(e.rows, e))

    def _from_OneMatrix(self, e):
        return self._ones(e.rows, e.cols, e)

    def _from_ZeroMatrix(self, e):
        # symmat has no zero matrix; 0 times the ones of the shape has the same value.
        ones = self._ones(e.rows, e.cols, e)
        return N.Number(0.0) if ones.type.is_scalar else N.MatMul(N.Number(0.0), ones)

    # ------------------------------------------------------------- matrix algebra
    def _with_sign(self, coeff: sp.Expr, rest: list[N.Expr]) -> N.Expr:
        """``coeff * rest``, writing a coefficient of -1 as a negation."""
        if coeff == -1 and rest:
            body = rest[0] if len(rest) == 1 else N.MatMul(*rest)
            return N.Neg(body)
        factors = ([] if coeff == 1 else [self(coeff)]) + rest
        if not factors:
            return N.Number(1.0)
        return factors[0] if len(factors) == 1 else N.MatMul(*factors)

    def _from_MatMul(self, e):
        # Keep SymPy's factor order; only the numeric coefficient is pulled out (for -X).
        is_number = [not isinstance(a, MatrixExpr) and a.is_Number for a in e.args]
        coeff = sp.Mul(*(a for a, num in zip(e.args, is_number) if num))
        return self._with_sign(coeff, [self(a) for a, num in zip(e.args, is_number) if not num])

    def _from_MatAdd(self, e):
        return N.Add(*(self(t) for t in e.args))

    def _from_Transpose(self, e):
        return N.Transpose(self(e.arg))

    def _from_Inverse(self, e):
        arg = self(e.arg)
        return N.Power(arg, -1.0) if arg.type.is_scalar else N.Apply("inv", arg)

    def _from_MatPow(self, e):
        base, exp = self(e.base), e.exp
        if not exp.is_Integer:
            raise InteropError(f"symmat has matrix powers with integer exponents only, not {e}")
        return N.Power(base, float(exp))

    def _from_HadamardProduct(self, e):
        return _fold([self(a) for a in e.args], _times)

    def _from_HadamardPower(self, e):
        base, exp = e.base, e.exp
        if isinstance(exp, MatrixExpr) or not exp.is_Number or not exp.is_real:
            raise InteropError(f"symmat has elementwise powers with a constant exponent only, not {e}")
        b = self(base)
        return N.Power(b, float(exp)) if b.type.is_scalar else N.ElemPower(b, float(exp))

    def _from_KroneckerProduct(self, e):
        return _fold([self(a) for a in e.args], N.Kron)

    def _scalar_or(self, e, name: str) -> N.Expr:
        # tr and det of a 1 x 1 matrix are its entry; symmat types that entry as a scalar.
        arg = self(e.arg)
        return arg if arg.type.is_scalar else N.Apply(name, arg)

    def _from_Trace(self, e):
        return self._scalar_or(e, "tr")

    def _from_Determinant(self, e):
        return self._scalar_or(e, "det")

    def _from_DiagMatrix(self, e):  # vector -> diagonal matrix
        arg = self(e.args[0])
        return arg if arg.type.is_scalar else N.Apply("diag", arg)

    def _from_DiagonalOf(self, e):  # matrix -> its diagonal as a column
        return self._scalar_or(e, "diag")

    def _from_DiagonalMatrix(self, e):  # X with its off-diagonal entries zeroed
        arg = self(e.args[0])
        return arg if arg.type.is_scalar else N.Apply("diag", N.Apply("diag", arg))

    def _from_MatrixElement(self, e):
        parent = self(e.parent)
        if parent.type.is_scalar:  # (x.T*y)[0, 0]
            return parent
        raise InteropError(f"symmat has no indexing; cannot read the entry {e}")

    # --------------------------------------------------------------- scalar algebra
    def _from_Add(self, e):
        return N.Add(*(self(t) for t in e.args))

    def _from_Mul(self, e):
        coeff, rest = e.as_coeff_mul()
        numerator, denominator = [], []
        for f in rest:
            if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp < 0:
                denominator.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            else:
                numerator.append(f)
        if isinstance(coeff, sp.Rational) and coeff.q != 1 and not denominator:
            # 2*x/3 reads better as 2 x / 3 than as 0.666... x
            numerator = [sp.Integer(coeff.p)] + numerator if coeff.p != 1 else numerator
            coeff, denominator = sp.Integer(1), [sp.Integer(coeff.q)]
        num = self._with_sign_elementwise(coeff, [self(f) for f in numerator])
        if not denominator:
            return num
        den = _fold([self(f) for f in denominator], _times)
        return N.Div(num, den) if den.type.is_scalar else N.HadamardDiv(num, den)

    def _with_sign_elementwise(self, coeff, factors: list[N.Expr]) -> N.Expr:
        if not factors:
            return self(coeff)
        body = _fold(factors, _times)
        if coeff == 1:
            return body
        if coeff == -1:
            return N.Neg(body)
        return N.MatMul(self(coeff), body)

    def _from_Pow(self, e):
        base, exp = e.base, e.exp
        if base == sp.E:
            return self._elementwise("exp", self(exp))
        if not exp.is_Number or not exp.is_real:
            raise InteropError(f"symmat has powers with a constant exponent only, not {e}")
        b = self(base)
        if exp == sp.Rational(1, 2):
            return self._elementwise("sqrt", b)
        return N.Power(b, float(exp)) if b.type.is_scalar else N.ElemPower(b, float(exp))

    # ---------------------------------------------------------------- functions
    def _elementwise(self, name: str, arg: N.Expr) -> N.Expr:
        return N.Elementwise(name, arg)

    def _from_Function(self, e):
        name = type(e).__name__
        if name not in _FUNCTION_NAMES:
            raise InteropError(f"symmat has no function {name} (SymPy class {name})")
        if len(e.args) != 1:
            raise InteropError(f"{name} takes one argument in symmat, not {len(e.args)}")
        arg = self(e.args[0])
        if name == "log" and isinstance(e.args[0], sp.Abs) and isinstance(e.args[0].args[0], sp.Determinant):
            inner = self(e.args[0].args[0].arg)
            if not inner.type.is_scalar:
                return N.Apply("logdet", inner)  # log |det X| is exactly symmat's logdet
        return self._elementwise(_FUNCTION_NAMES[name], arg)

    def _from_Max(self, e):  # Max(x, 0) is relu
        others = [a for a in e.args if a != 0]
        if len(e.args) == 2 and len(others) == 1:
            return self._elementwise("relu", self(others[0]))
        raise InteropError(f"symmat has Max(x, 0) (relu) only, not {e}")

    def _from_Heaviside(self, e):
        # symmat's step(0) is 0; SymPy's Heaviside(x) is 1/2 at 0, so only Heaviside(x, 0) matches.
        if len(e.args) == 2 and e.args[1] == 0:
            return self._elementwise("step", self(e.args[0]))
        raise InteropError(f"symmat's step(0) is 0; write Heaviside(x, 0), not {e}")

    def _from_AppliedUndef(self, e):
        name = type(e).__name__
        if name in RESERVED_NAMES:
            raise InteropError(f"the SymPy function name {name!r} is a built-in of symmat")
        if len(e.args) != 1:
            raise InteropError(f"abstract function {name} must take one argument, not {len(e.args)}")
        arg = self(e.args[0])
        if self.bound and e.args[0].free_symbols & set(self.bound):
            # inside an applyfunc body g(d) acts entry by entry: an abstract elementwise function
            return N.Elementwise(name, arg)
        return N.Call(name, arg)

    def _from_Derivative(self, e):
        """``Derivative(s(u), (u, k))`` is symmat's ``s^(k)(u)``: the derivative of an
        abstract function of one scalar, by its own argument (what to_sympy writes)."""
        f = e.expr
        if isinstance(f, AppliedUndef) and len(f.args) == 1 and len(e.variable_count) == 1:
            variable, count = e.variable_count[0]
            if f.args[0] == variable:
                return N.Elementwise(type(f).__name__, self(variable), int(count))
        raise InteropError(f"symmat reads derivatives of an abstract function by its argument only, not {e}")

    def _from_Subs(self, e):
        """``Subs(Derivative(s(ξ), ξ), ξ, u)`` is ``s'(u)``."""
        if len(e.variables) == 1 and isinstance(e.expr, sp.Derivative):
            inner = self._with_bound(e.variables[0], self(e.point[0]), e.expr)
            return inner
        raise InteropError(f"symmat cannot read the substitution {e}")

    def _with_bound(self, variable: sp.Symbol, value: N.Expr, body: sp.Basic) -> N.Expr:
        """Read ``body`` with ``variable`` standing for ``value``."""
        self.bound[variable] = value
        try:
            return self(body)
        finally:
            del self.bound[variable]

    def _from_ElementwiseApplyFunction(self, e):
        arg = self(e.expr)
        fn = e.function
        d = sp.Dummy("d")
        body = fn(d)
        matched = _match_formula(body, d)
        if matched is not None:
            return N.Elementwise(matched, arg)
        # General bodies are read with d standing for the whole matrix: sums broadcast,
        # products and powers of d become elementwise (see _times).
        return self._with_bound(d, arg, body)

    def _from_MatrixExpr(self, e):
        raise InteropError(f"symmat cannot read the SymPy matrix class {type(e).__name__} ({e})")

    def _from_MatrixBase(self, e):
        raise InteropError(f"symmat reads symbolic matrices only, not the explicit {type(e).__name__}")


def _match_formula(body: sp.Expr, d: sp.Symbol) -> str | None:
    """The built-in elementwise function whose SymPy formula is exactly ``body(d)``."""
    for name, formula in _sympy_formulas().items():
        if formula.xreplace({_X: d}) == body:
            return name
    return None


# ======================================================================= to_sympy
def to_sympy(expr: N.Expr) -> sp.Basic:
    """A SymPy expression with the value of ``expr`` (see the module docstring)."""
    from ..parse import ensure_recursion_limit

    ensure_recursion_limit()
    return _ToSympy()(expr)


def sympy_dim(d) -> sp.Expr:
    if isinstance(d, int):
        return sp.Integer(d)
    if isinstance(d, Prod):
        return sp.Mul(*(sympy_dim(f) for f in d.factors))
    return sp.Symbol(d)


def _number(value: float) -> sp.Expr:
    if float(value).is_integer():
        return sp.Integer(int(value))
    small = Fraction(value).limit_denominator(1000)
    return sp.Rational(small.numerator, small.denominator) if float(small) == value else sp.Float(value)


def _symmat_conventions(derivative: sp.Expr) -> sp.Expr:
    """SymPy's derivative of a built-in, with symmat's values at the kinks
    (functions.py): step(0) = 0, so Heaviside(x) -> Heaviside(x, 0) (SymPy's is 1/2 at
    0), and the derivative of step and sign is 0 (SymPy's is a DiracDelta)."""
    derivative = derivative.replace(
        lambda t: isinstance(t, sp.Heaviside), lambda t: sp.Heaviside(t.args[0], 0)
    )
    return derivative.replace(lambda t: isinstance(t, sp.DiracDelta), lambda t: sp.Integer(0))


def _as_scalar(e: sp.Basic) -> sp.Basic:
    """A SymPy scalar for a value symmat types as a scalar: 1 x 1 matrices become
    their trace, which SymPy treats as a scalar and evaluates after substitution."""
    return sp.Trace(e) if isinstance(e, MatrixExpr) else e


def _ones_like(t: Type) -> sp.Basic:
    if t.is_matrix:
        return sp.OneMatrix(sympy_dim(t.shape[0]), sympy_dim(t.shape[1]))
    n = sympy_dim(t.shape[0])
    return sp.OneMatrix(1, n) if t.row else sp.OneMatrix(n, 1)


class _ToSympy:
    def __init__(self):
        self.memo: dict[int, sp.Basic] = {}

    def __call__(self, node: N.Expr) -> sp.Basic:
        key = id(node)
        if key not in self.memo:
            method = getattr(self, "_to_" + type(node).__name__, None)
            if method is None:
                raise InteropError(f"to_sympy cannot write the symmat node {type(node).__name__}")
            result = method(node)
            self.memo[key] = _as_scalar(result) if node.type.is_scalar else result
        return self.memo[key]

    def _to_Symbol(self, node):
        t = node.type
        if t.is_scalar:
            return sp.Symbol(node.name)
        if t.is_matrix:
            return sp.MatrixSymbol(node.name, sympy_dim(t.shape[0]), sympy_dim(t.shape[1]))
        vector = sp.MatrixSymbol(node.name, sympy_dim(t.shape[0]), 1)
        return vector.T if t.row else vector

    def _to_Number(self, node):
        return _number(node.value)

    def _to_Identity(self, node):
        return sp.Identity(sympy_dim(node.args[0]))

    def _to_Ones(self, node):
        return sp.OneMatrix(sympy_dim(node.args[0]), 1)

    def _to_Add(self, node):
        if node.type.is_scalar:
            return sp.Add(*(self(t) for t in node.args))
        # Scalar expansion: SymPy adds equal shapes only, so a scalar term is s * ones.
        terms = [self(t) if not t.type.is_scalar else self(t) * _ones_like(node.type) for t in node.args]
        return sp.MatAdd(*terms)

    def _to_Neg(self, node):
        return -self(node.args[0])

    def _to_MatMul(self, node):
        # SymPy shapes carry the orientation symmat types carry, so juxtaposition is
        # SymPy's product in every case; a 1 x 1 intermediate (x^T y) becomes a scalar.
        value, t = self(node.args[0]), node.args[0].type
        for factor in node.args[1:]:
            t = N.infer_matmul(N.STRICT, t, factor.type)
            value = value * self(factor)
            if t.is_scalar:
                value = _as_scalar(value)
        return value

    def _to_Hadamard(self, node):
        a, b = self(node.left), self(node.right)
        if node.left.type.is_scalar or node.right.type.is_scalar:
            return a * b
        return sp.HadamardProduct(a, b)

    def _to_HadamardDiv(self, node):
        a, b = self(node.left), self(node.right)
        if node.right.type.is_scalar:
            return sp.Pow(b, -1) * a
        reciprocal = sp.HadamardPower(b, -1)
        return a * reciprocal if node.left.type.is_scalar else sp.HadamardProduct(a, reciprocal)

    def _to_Div(self, node):
        return sp.Pow(self(node.right), -1) * self(node.left)

    def _to_Kron(self, node):
        a, b = self(node.left), self(node.right)
        if node.left.type.is_scalar or node.right.type.is_scalar:
            return a * b
        return sp.KroneckerProduct(a, b)

    def _to_Power(self, node):
        base, k = self(node.base), node.exponent
        if node.base.type.is_matrix:
            return sp.Inverse(base) if k == -1 else sp.MatPow(base, int(k))
        return sp.Pow(base, _number(k))

    def _to_ElemPower(self, node):
        base = self(node.base)
        if node.base.type.is_scalar:
            return sp.Pow(base, _number(node.exponent))
        return sp.HadamardPower(base, _number(node.exponent))

    def _to_Transpose(self, node):
        arg = self(node.args[0])
        return arg if node.type.is_scalar else arg.T

    # ---------------------------------------------------------------- functions
    def _to_Apply(self, node):
        name, arg_node = node.args
        return getattr(self, "_apply_" + name)(self(arg_node), arg_node.type)

    def _apply_tr(self, x, t):
        return sp.Trace(x)

    def _apply_det(self, x, t):
        return sp.Determinant(x)

    def _apply_logdet(self, x, t):
        return sp.log(sp.Abs(sp.Determinant(x)))  # symmat's logdet is log |det X|

    def _apply_inv(self, x, t):
        return sp.Inverse(x)

    def _apply_diag(self, x, t):
        if t.is_vector:
            return DiagMatrix(x)
        # DiagonalOf does not evaluate once X is explicit (SymPy 1.14).
        return _diagonal_of(x)

    def _apply_vec(self, x, t):
        if t.is_vector:
            return x.T if t.row else x
        cols = t.shape[1]
        if not isinstance(cols, int):
            raise InteropError(
                f"SymPy has no vec; vec of a matrix with {cols} columns (a name) cannot be written"
            )
        # vec(X) = sum_j e_j ⊗ (X e_j): column j of X lands in block j.
        basis = [sp.ImmutableMatrix(cols, 1, lambda i, _j, k=k: int(i == k)) for k in range(cols)]
        blocks = [sp.KroneckerProduct(e, x * e) for e in basis]
        return blocks[0] if cols == 1 else sp.MatAdd(*blocks)

    def _apply_sum(self, x, t):
        if t.is_scalar:
            return x
        if t.is_vector:
            return sp.Trace(DiagMatrix(x))  # evaluates without knowing n (no OneMatrix)
        return sp.OneMatrix(1, sympy_dim(t.shape[0])) * x * sp.OneMatrix(sympy_dim(t.shape[1]), 1)

    def _apply_norm(self, x, t):
        if t.is_scalar:
            return sp.Abs(x)
        if t.is_vector:
            return sp.sqrt(sp.Trace(x * x.T if t.row else x.T * x))
        return sp.sqrt(sp.Trace(x.T * x))

    def _exp_sum(self, z, t):
        """``exp.(z)`` and ``sum(exp.(z))`` for a vector z."""
        e = z.applyfunc(sp.exp)
        return e, self._apply_sum(e, t)

    def _apply_softmax(self, z, t):
        e, total = self._exp_sum(z, t)
        return sp.Pow(total, -1) * e

    def _apply_logsumexp(self, z, t):
        return sp.log(self._exp_sum(z, t)[1])

    def _lambda(self, name: str, order: int) -> sp.Lambda:
        """The SymPy function ``d -> f^(order)(d)`` of an elementwise function."""
        # d is real so that SymPy differentiates Abs to sign (not via re and im).
        d = sp.Dummy("d", real=True)
        if name not in ELEMENTWISE:
            f = sp.Function(name)(d)
            return sp.Lambda(d, f.diff(d, order) if order else f)
        body = _sympy_formulas()[name].xreplace({_X: d})
        if order:
            body = _symmat_conventions(body.diff(d, order))
        return sp.Lambda(d, body)

    def _to_Elementwise(self, node):
        name, arg_node, order = node.args
        fn = self._lambda(name, order)
        arg = self(arg_node)
        return fn(arg) if arg_node.type.is_scalar else arg.applyfunc(fn)

    def _to_Call(self, node):
        name, arg, order = node.args
        if order:
            raise InteropError(
                f"SymPy has no {'gradient' if order == 1 else 'Hessian'} of the undefined function "
                f"{name} of {arg.type.describe()}"
            )
        return sp.Function(name)(self(arg))


# ================================================================== evaluation
def sympy_value(expr: sp.Basic, values: Mapping[str, Any]):
    """Evaluate a SymPy matrix expression from symmat-style ``values`` (name -> number
    or NumPy array; vectors 1-D, given for the n x 1 symbol, or the 1 x n one; dimension
    sizes are read off the arrays). Returns a float or a NumPy array (a 1 x 1 result is a
    float, an n x 1 or 1 x n one is 1-D, like ``Expr.evaluate``).

    Abstract functions must be replaced beforehand (``expr.replace(g, Lambda(...))``).
    """
    import numpy as np

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
    # DiagonalOf and DiagonalMatrix of an explicit matrix crash SymPy 1.14 (their shape
    # calls .is_Integer on an int), so they are rewritten first: diag(X) = (X ⊙ I) 1.
    expr = expr.replace(
        lambda t: isinstance(t, (DiagonalOf, DiagonalMatrix)),
        lambda t: _diagonal_of(t.args[0]) if isinstance(t, DiagonalOf) else DiagMatrix(_diagonal_of(t.args[0])),
    )
    # One simultaneous xreplace: MatrixSymbol('X', n, n) is matched whole before n is.
    e = _explicit(expr.xreplace({**replacement, **sizes}))
    if isinstance(e, sp.MatrixBase):
        array = np.array(e.evalf(), dtype=float)
        if array.shape == (1, 1):
            return float(array[0, 0])
        return array.reshape(-1) if 1 in array.shape else array
    value = complex(e.evalf())
    return value.real if value.imag == 0 else value


def _diagonal_of(x: sp.Basic) -> sp.Basic:
    """``diag(X) = (X ⊙ I) 1``, which SymPy evaluates (``DiagonalOf`` does not)."""
    return sp.HadamardProduct(x, sp.Identity(x.rows)) * sp.OneMatrix(x.rows, 1)


def _explicit(e: sp.Basic) -> sp.Basic:
    """``e`` with every matrix expression over explicit matrices made explicit,
    bottom up. A single ``doit()`` leaves SymPy 1.14 stuck on ``OneMatrix`` products,
    ``Trace(DiagMatrix(M))`` and ``DiagonalOf(M)`` (whose ``as_explicit`` crashes)."""
    if not e.args or isinstance(e, (sp.MatrixBase, sp.MatrixSymbol, sp.Lambda)):
        return e
    args = [_explicit(a) for a in e.args]
    if not isinstance(e, (MatrixExpr, sp.Trace, sp.Determinant, MatrixElement)):
        # A scalar function of a 1 x 1 matrix (SymPy accepts tanh(x.T*y)) takes its entry.
        args = [a[0, 0] if isinstance(a, sp.MatrixBase) and a.shape == (1, 1) else a for a in args]
    rebuilt = e.func(*args).doit()
    if isinstance(rebuilt, MatrixExpr) and not isinstance(rebuilt, sp.MatrixBase):
        if all(isinstance(d, (int, sp.Integer)) for d in rebuilt.shape):
            rebuilt = rebuilt.as_explicit()
    return sp.ImmutableMatrix(rebuilt) if isinstance(rebuilt, sp.MatrixBase) else rebuilt


__all__ = ["from_sympy", "to_sympy", "sympy_value", "InteropError"]

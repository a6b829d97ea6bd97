"""SymPy expressions as symmat expressions (the table is in symmat.interop.sympy)."""
from __future__ import annotations

import functools
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixExpr

from .. import nodes as N
from ..errors import InteropError
from ..functions import is_reserved
from ..provenance import attach
from ..recursion import deep
from ..registry import PRIMITIVES
from ..shapes import SCALAR, Type, column, dim_product, matrix
from .to_sympy import formula, sympy_formulas

# SymPy function classes read as one symmat elementwise function; the formula-valued
# rows (sigmoid, softplus) are recognised inside ``applyfunc`` bodies (see _match_formula).
_FUNCTION_NAMES = {"exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tanh": "tanh", "Abs": "abs", "sign": "sign"}


@deep
def from_sympy(expr: Any) -> N.Expr:
    """The symmat expression with the same value as the SymPy expression ``expr``.

    Raises :class:`InteropError` naming the SymPy class that has no counterpart.
    """
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        expr = sp.sympify(expr)
    if not isinstance(expr, sp.Basic):
        raise InteropError(f"from_sympy takes a SymPy expression, not {type(expr).__name__}")
    reader = _FromSympy()
    # The result remembers the user's objects, so that to_sympy gives them back.
    return attach(reader(expr), reader.origin)


def origin_of_sympy(e: sp.Basic) -> dict:
    """The names ``e`` is written with, as a symmat.provenance origin."""
    reader = _FromSympy()
    reader(e)
    return reader.origin


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
        self.bound: dict[sp.Symbol, N.Expr] = {}  # applyfunc or Subs variable -> its value
        self.entrywise: set[sp.Symbol] = set()  # the bound variables that stand for an entry
        self.origin: dict[tuple[str, str], sp.Basic] = {}  # (kind, name) -> the user's object

    def remember(self, kind: str, name: str, obj) -> None:
        """Record the user's object for a name; one name, one object."""
        previous = self.origin.setdefault((kind, name), obj)
        if previous != obj:
            raise InteropError(
                f"the name {name!r} stands for two different SymPy objects: {previous!r} with assumptions "
                f"{getattr(previous, 'assumptions0', {})} and {obj!r} with {getattr(obj, 'assumptions0', {})}")

    def dim(self, d: sp.Expr, where: sp.Basic):
        """A SymPy dimension (Symbol, Integer or a product of them) as a symmat one."""
        if isinstance(d, (int, sp.Integer)):
            return int(d)
        if isinstance(d, sp.Symbol):
            self.remember("dim", d.name, d)
            return d.name
        if isinstance(d, sp.Mul) and all(isinstance(f, (sp.Symbol, sp.Integer)) for f in d.args):
            return dim_product(self.dim(f, where) for f in d.args)
        raise InteropError(f"the dimension {d} of {where} is not a name, an integer or a product of them")

    def __call__(self, e: sp.Basic) -> N.Expr:
        named = _named_formula(e)
        if named is not None:  # 1/(1 + exp(-u)) is sigmoid(u), log(1 + exp(u)) softplus(u)
            return self._elementwise(named[0], self(named[1]))
        for prim in PRIMITIVES.values():  # tr(X), log(sum(exp.(z))), ...: each function's recogniser
            found = prim.from_sympy(self, e) if prim.from_sympy is not None else None
            if found is not None:
                return found
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
        if is_reserved(name):
            raise InteropError(f"the SymPy name {name!r} is reserved in symmat (a built-in function or constant)")
        node = N.Symbol(name, type_)
        previous = self.names.setdefault(name, node)
        if previous != node:
            raise InteropError(
                f"the name {name!r} is used for both {previous.type.describe()} and {type_.describe()}"
            )
        self.remember("var", name, source)
        return node

    def _from_MatrixSymbol(self, e):
        rows, cols = e.shape
        if rows == 1 and cols == 1:
            return self._symbol(e.name, SCALAR, e)
        if cols == 1:
            return self._symbol(e.name, column(self.dim(rows, e)), e)
        if rows == 1:
            # symmat variables are column vectors; a 1 x n symbol is the transpose of one.
            return N.Transpose(self._symbol(e.name, column(self.dim(cols, e)), e))
        return self._symbol(e.name, matrix(self.dim(rows, e), self.dim(cols, e)), e)

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
            return N.Ones(self.dim(rows, where))
        if rows == 1:
            return N.Transpose(N.Ones(self.dim(cols, where)))
        return N.MatMul(N.Ones(self.dim(rows, where)), N.Transpose(N.Ones(self.dim(cols, where))))

    def _from_Identity(self, e):
        if e.rows == 1:
            return N.Number(1.0)
        return N.Identity(self.dim(e.rows, e))

    def _from_OneMatrix(self, e):
        return self._ones(e.rows, e.cols, e)

    def _from_ZeroMatrix(self, e):
        # symmat has no zero matrix; 0 times the ones of the shape has the same value.
        ones = self._ones(e.rows, e.cols, e)
        if ones.type.is_scalar:
            return N.Number(0.0)
        # zeros(m, n) is 0 ones ones^T, as the parser builds it.
        return N.MatMul(N.Number(0.0), *(ones.args if isinstance(ones, N.MatMul) else (ones,)))

    # ------------------------------------------------------------- matrix algebra
    def _with_sign(self, coeff: sp.Expr, rest: list[N.Expr]) -> N.Expr:
        """``coeff * rest``, writing a coefficient of -1 as a negation."""
        if coeff.is_Number and coeff < 0 and rest:  # -3 b is written -(3 b), as the parser reads it
            return N.Neg(self._with_sign(-coeff, rest))
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
        if e.rows == 1 and e.cols != 1 and all(_is_transposed(t) for t in e.args):
            # SymPy's .T distributes: (A*x - b).T is -b.T + x.T*A.T. Read it back as the
            # transpose of the column sum, as it was written: (A x - b)^T.
            return N.Transpose(self(sp.MatAdd(*(sp.Transpose(t).doit() for t in e.args))))
        # SymPy sorts terms (-b + A*x); read the negated ones last, as sums are written.
        args = sorted(e.args, key=_is_negated)
        # Scalar expansion: SymPy adds a scalar c to a matrix as c * OneMatrix; symmat
        # writes c, as the parser reads 1 + x.
        terms = [_broadcast_scalar(t) for t in args]
        if all(s is not None for s in terms):
            terms = [None] * len(terms)
        return N.Add(*(self(t) if s is None else self(s) for t, s in zip(args, terms)))

    def _from_Transpose(self, e):
        return N.Transpose(self(e.arg))

    def _from_MatPow(self, e):
        if e.base.shape == (1, 1):  # (x.T*x)**(1/2): a power of a scalar
            return self._power(e.base, e.exp, e)
        base, exp = self(e.base), e.exp
        if not exp.is_Integer:
            raise InteropError(f"symmat has matrix powers with integer exponents only, not {e}")
        return N.Power(base, float(exp))

    def _from_HadamardProduct(self, e):
        return _fold([self(a) for a in e.args], _times)

    def _from_HadamardPower(self, e):
        base, exp = e.base, e.exp
        if (isinstance(exp, MatrixExpr) and exp.shape != (1, 1)) or (exp.is_Number and not exp.is_real):
            raise InteropError(f"symmat has elementwise powers with a real scalar exponent only, not {e}")
        b = self(base)
        if not exp.is_Number:  # x .^ t
            return N.GeneralPower(b, self(exp))
        return N.Power(b, float(exp)) if b.type.is_scalar else N.ElemPower(b, float(exp))

    def _from_KroneckerProduct(self, e):
        return _fold([self(a) for a in e.args], N.Kron)

    def _from_MatrixElement(self, e):
        if e.parent.shape == (1, 1):  # (x.T*A*x)[0, 0] is the scalar x^T A x
            return self(e.parent)
        raise InteropError(f"symmat has no indexing; cannot read the entry {e}")

    def _from_Sum(self, e):
        """SymPy writes the entry of a product as a ``Sum`` over dummy indices
        (``(x.T*A*x)[0, 0]`` is ``Sum(x[i, 0]*A[i, j]*x[j, 0], ...)``); SymPy's own
        index-to-matrix conversion gives the product back."""
        from sympy.tensor.array.expressions import convert_array_to_matrix, convert_indexed_to_array

        try:
            product = convert_array_to_matrix(convert_indexed_to_array(e))
        except Exception as error:  # SymPy raises several kinds for sums it cannot convert
            raise InteropError(f"symmat reads a Sum only as a matrix product, not {e} ({error})") from None
        if product.has(sp.Sum) or (isinstance(product, MatrixExpr) and product.shape != (1, 1)):
            raise InteropError(f"symmat reads a Sum only as a matrix product, not {e}")
        return self(product)

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
        if e.base == sp.E:
            return self._elementwise("exp", self(e.exp))
        return self._power(e.base, e.exp, e)

    def _power(self, base: sp.Basic, exp: sp.Basic, e: sp.Basic) -> N.Expr:
        if isinstance(exp, MatrixExpr) and exp.shape != (1, 1):
            raise InteropError(f"symmat has scalar exponents only, not {e}")
        if not exp.is_Number:  # s^p, 2^c: a symbolic exponent
            return N.GeneralPower(self(base), self(exp))
        if not exp.is_real:
            raise InteropError(f"symmat has real exponents only, not {e}")
        if exp == sp.Rational(1, 2):
            return self._elementwise("sqrt", self(base))
        b = self(base)
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
        return self._elementwise(_FUNCTION_NAMES[name], arg)

    def _from_Max(self, e):  # Max(x, 0) is relu
        others = [a for a in e.args if a != 0]
        if len(e.args) == 2 and len(others) == 1:
            return self._elementwise("relu", self(others[0]))
        return self._extremum(N.Max, e)

    def _from_Min(self, e):
        return self._extremum(N.Min, e)

    def _extremum(self, node, e):
        """Max(a, b, c) = max(max(a, b), c): symmat's max and min take two arguments."""
        args = [self(a) for a in e.args]
        result = args[0]
        for a in args[1:]:
            result = node(result, a)
        return result

    def _from_Heaviside(self, e):
        # symmat's step(0) is 0; SymPy's Heaviside(x) is 1/2 at 0, so only Heaviside(x, 0) matches.
        if len(e.args) == 2 and e.args[1] == 0:
            return self._elementwise("step", self(e.args[0]))
        raise InteropError(f"symmat's step(0) is 0; write Heaviside(x, 0), not {e}")

    def _from_AppliedUndef(self, e):
        name = type(e).__name__
        if is_reserved(name):
            raise InteropError(f"the SymPy function name {name!r} is a built-in of symmat")
        self.remember("fn", name, type(e))
        if len(e.args) > 1:  # g(x, y): an abstract function of several arguments
            return N.FnCall(name, tuple(self(a) for a in e.args))
        arg = self(e.args[0])
        if e.args[0].free_symbols & self.entrywise:
            # inside an applyfunc body g(d) acts entry by entry: an abstract elementwise function
            return N.Elementwise(name, arg)
        return N.Call(name, arg)

    def _partial(self, e: sp.Subs) -> N.Expr | None:
        """``Subs(Derivative(g(u, ξ, w), (ξ, k)), ξ, v)`` is ``∇_2g(u, v, w)`` (k = 1) or
        ``∇²_{2,2}g(u, v, w)`` (k = 2); None for anything else."""
        derivative, (xi,) = e.expr, e.variables
        body = derivative.expr
        if not (isinstance(body, AppliedUndef) and len(body.args) > 1 and len(derivative.variable_count) == 1):
            return None
        variable, count = derivative.variable_count[0]
        places = [k for k, a in enumerate(body.args) if a.has(xi)]
        if variable != xi or len(places) != 1 or body.args[places[0]] != xi or count > 2:
            return None
        k = places[0]
        self.remember("fn", type(body).__name__, type(body))
        arguments = tuple(self(e.point[0]) if i == k else self(a) for i, a in enumerate(body.args))
        return N.FnCall(type(body).__name__, arguments, (k,) * int(count))

    def _from_Derivative(self, e):
        """``Derivative(s(u), (u, k))`` is ``s^(k)(u)``: the derivative of an abstract
        function of one scalar, by its own argument (what to_sympy writes for ``s'(u)``
        and for ``∇g(u)`` of a scalar ``u``, which have the same value)."""
        f = e.expr
        if isinstance(f, AppliedUndef) and len(f.args) == 1 and len(e.variable_count) == 1:
            variable, count = e.variable_count[0]
            if f.args[0] == variable:
                name = type(f).__name__
                self.remember("fn", name, type(f))
                return N.Elementwise(name, self(variable), int(count))
        raise InteropError(f"symmat reads derivatives of an abstract function by its argument only, not {e}")

    def _from_Subs(self, e):
        """``Subs(Derivative(s(ξ), ξ), ξ, u)`` is ``s'(u)``."""
        if len(e.variables) == 1 and isinstance(e.expr, sp.Derivative):
            partial = self._partial(e)
            if partial is not None:
                return partial
            return self._with_bound(e.variables[0], self(e.point[0]), e.expr)
        raise InteropError(f"symmat cannot read the substitution {e}")

    def _from__FunctionDerivative(self, e):
        """``Gradient(Lambda(ξ, g(ξ)), v)`` is ``∇g(v)``, ``Hessian(...)`` is ``∇²g(v)``."""
        name, k = e.name, e.position
        if name is None:
            raise InteropError(f"symmat reads {type(e).__name__} of an undefined function only, not {e}")
        body = e.function.expr
        self.remember("fn", name, type(body))
        if len(body.args) == 1:
            return N.Call(name, self(e.arg), e.order)
        # A partial derivative of g(u, ξ, w) at ξ = v: ∇_k g(u, v, w).
        arguments = tuple(self(e.arg) if i == k else self(a) for i, a in enumerate(body.args))
        return N.FnCall(name, arguments, (k,) * e.order)

    def _with_bound(self, variable: sp.Symbol, value: N.Expr, body: sp.Basic, entrywise: bool = False) -> N.Expr:
        """Read ``body`` with ``variable`` standing for ``value`` (for each of its
        entries when ``entrywise``: the variable of an applyfunc)."""
        self.bound[variable] = value
        if entrywise:
            self.entrywise.add(variable)
        try:
            return self(body)
        finally:
            del self.bound[variable]
            self.entrywise.discard(variable)

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
        return self._with_bound(d, arg, body, entrywise=True)

    def _from_MatrixExpr(self, e):
        raise InteropError(f"symmat cannot read the SymPy matrix class {type(e).__name__} ({e})")

    def _from_MatrixBase(self, e):
        raise InteropError(f"symmat reads symbolic matrices only, not the explicit {type(e).__name__}")


def _match_formula(body: sp.Expr, d: sp.Symbol) -> str | None:
    """The built-in elementwise function whose SymPy formula is exactly ``body(d)``."""
    for name in sympy_formulas():
        if formula(name, d) == body:
            return name
    return None


_W = sp.Wild("w")


def _named_formula(e: sp.Basic) -> tuple[str, sp.Basic] | None:
    """``(name, u)`` when ``e`` is the SymPy formula of a built-in elementwise function
    that SymPy has no class for (sigmoid, softplus) applied to ``u``."""
    if not isinstance(e, (sp.Pow, sp.log)):
        return None
    for name in ("sigmoid", "softplus"):
        try:
            match = e.match(formula(name, _W))
        except (NotImplementedError, ValueError, TypeError):  # SymPy's matcher fails on some matrix subexpressions
            match = None
        if match and _W in match:
            return name, match[_W]
    return None


def _broadcast_scalar(term: sp.Basic) -> sp.Basic | None:
    """``c`` when the matrix ``term`` is ``c * OneMatrix`` (a scalar broadcast), else None."""
    if isinstance(term, sp.OneMatrix):
        return sp.Integer(1)
    if isinstance(term, sp.MatMul) and isinstance(term.args[-1], sp.OneMatrix) \
            and not any(isinstance(f, MatrixExpr) for f in term.args[:-1]):
        return sp.Mul(*term.args[:-1])
    return None


def _is_negated(term: sp.Basic) -> bool:
    """A term SymPy writes with a minus sign (-b, -2*A*x)."""
    coeff = term.args[0] if isinstance(term, (sp.MatMul, sp.Mul)) else None
    return bool(coeff is not None and coeff.is_Number and coeff < 0)


def _is_transposed(term: sp.Basic) -> bool:
    """A row-vector term that SymPy's distributed transpose produces: ``b.T``,
    ``x.T*A.T``, ``-2*b.T`` (a product whose matrix factors are all transposed)."""
    factors = term.args if isinstance(term, sp.MatMul) else (term,)
    matrices = [f for f in factors if isinstance(f, MatrixExpr)]
    return bool(matrices) and all(isinstance(f, sp.Transpose) for f in matrices)

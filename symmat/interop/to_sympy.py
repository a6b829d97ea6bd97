"""symmat expressions as SymPy expressions (the table is in symmat.interop.sympy)."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from fractions import Fraction

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr

from .. import nodes as N
from ..errors import InteropError
from ..functions import ELEMENTWISE
from ..provenance import origin_of
from ..recursion import deep
from ..registry import PRIMITIVES
from ..shapes import Prod, Type
from .sympy_gradient import function_derivative

_X = sp.Symbol("x")


@functools.cache
def sympy_formulas() -> dict[str, sp.Expr]:
    """Each built-in elementwise function as a SymPy expression in ``x``, from the
    ``sympy`` column of the table in functions.py (a name or a formula)."""
    formulas = {}
    for name, row in ELEMENTWISE.items():
        fn = getattr(sp, row.sympy, None) if row.sympy.isidentifier() else None
        formulas[name] = fn(_X) if fn is not None else sp.sympify(row.sympy, locals={"x": _X})
    return formulas


def formula(name: str, arg: sp.Basic) -> sp.Expr:
    """The built-in elementwise function ``name`` of the SymPy scalar ``arg``."""
    return sympy_formulas()[name].xreplace({_X: arg})


@deep
def to_sympy(expr: N.Expr, symbols: Iterable[sp.Basic] | Mapping[str, sp.Basic] = ()) -> sp.Basic:
    """A SymPy expression with the value of ``expr``.

    Names are written with the SymPy objects they were read from (an expression from
    :func:`from_sympy`, or a derivative of one, remembers them), then with ``symbols``
    (SymPy ``Symbol`` s, ``MatrixSymbol`` s and ``Function`` s, matched by name; a
    ``Symbol`` also serves as a dimension of that name), then with new plain ones.
    """
    table = dict(origin_of(expr))
    table.update(origin_of_symbols(symbols))
    return _ToSympy(table)(expr)


def origin_of_symbols(symbols: Iterable[sp.Basic] | Mapping[str, sp.Basic]) -> dict:
    """The ``(kind, name) -> object`` table (symmat.provenance) of SymPy objects."""
    table: dict = {}
    for s in symbols.values() if isinstance(symbols, Mapping) else symbols:
        if isinstance(s, sp.MatrixSymbol):
            table[("var", s.name)] = s
            table.update(origin_of_symbols([d for d in s.shape if isinstance(d, sp.Basic)]))
        elif isinstance(s, sp.Symbol):
            table[("var", s.name)] = s
            table[("dim", s.name)] = s
        elif isinstance(s, sp.FunctionClass):
            table[("fn", s.__name__)] = s
        elif isinstance(s, sp.Basic):
            table.update(origin_of_symbols(s.free_symbols))  # a product of dimensions
        else:
            raise InteropError(f"to_sympy: {s!r} is not a SymPy Symbol, MatrixSymbol or Function")
    return table


def number(value: float) -> sp.Expr:
    """An exact SymPy number for a float that is an integer or a small fraction."""
    if float(value).is_integer():
        return sp.Integer(int(value))
    small = Fraction(value).limit_denominator(1000)
    return sp.Rational(small.numerator, small.denominator) if float(small) == value else sp.Float(value)


def symmat_conventions(derivative: sp.Expr) -> sp.Expr:
    """SymPy's derivative of a built-in, with symmat's values at the kinks
    (functions.py): step(0) = 0, so Heaviside(x) -> Heaviside(x, 0) (SymPy's is 1/2 at
    0), and the derivative of step and sign is 0 (SymPy's is a DiracDelta)."""
    derivative = derivative.replace(
        lambda t: isinstance(t, sp.Heaviside), lambda t: sp.Heaviside(t.args[0], 0)
    )
    return derivative.replace(lambda t: isinstance(t, sp.DiracDelta), lambda t: sp.Integer(0))


def _product(factors: list[sp.Basic]) -> sp.Basic:
    """The product of SymPy factors, in their order and unevaluated."""
    if len(factors) == 1:
        return factors[0]
    if not any(isinstance(f, MatrixExpr) for f in factors):
        return sp.Mul(*factors)
    return sp.MatMul(*factors)


def _sympy_refusal(node: N.Expr, error: NotImplementedError) -> str:
    """Why SymPy cannot build ``node``. The known case: SymPy calls the value of a plain
    ``Function('g')`` of a matrix argument non-commutative, and a matrix product takes
    commutative scalars only (``g(x) A``); a commutative function given in ``symbols``
    is written instead."""
    names = sorted({
        n.name for n in N.walk(node)
        if isinstance(n, (N.Call, N.FnCall)) and any(not c.type.is_scalar for c in n.children)
    })
    text = str(node)
    text = text if len(text) <= 60 else text[:57] + "..."
    hint = ""
    if names and "commutative" in str(error):
        hint = (f"; a Function of a matrix is not commutative in SymPy: pass "
                f"symbols=[sympy.Function({names[0]!r}, commutative=True)]")
    return f"SymPy cannot write {text} ({error}){hint}"


def as_scalar(e: sp.Basic) -> sp.Basic:
    """A SymPy scalar for a value symmat types as a scalar: 1 x 1 matrices become
    their trace, which SymPy treats as a scalar and evaluates after substitution."""
    return sp.Trace(e) if isinstance(e, MatrixExpr) else e


class _ToSympy:
    """Sums, products, transposes and powers are built unevaluated (``evaluate=False``,
    no ``doit``): SymPy keeps the result's terms in written order and ``(A x - b)^T``
    whole (its ``*`` and ``.T`` would sort terms and distribute the transpose), so that
    ``from_sympy`` reads back the same expression. Any SymPy operation on the result
    evaluates as usual."""

    def __init__(self, table: Mapping):
        self.table = table
        self.memo: dict[int, tuple[N.Expr, sp.Basic]] = {}

    def __call__(self, node: N.Expr) -> sp.Basic:
        key = id(node)
        if key not in self.memo:
            method = getattr(self, "_to_" + type(node).__name__, None)
            if method is None:
                raise InteropError(f"to_sympy cannot write the symmat node {type(node).__name__}")
            try:
                result = method(node)
            except NotImplementedError as error:  # SymPy's own refusal
                raise InteropError(_sympy_refusal(node, error)) from None
            # The node is kept with its value: an id is only unique while its object lives.
            self.memo[key] = (node, as_scalar(result) if node.type.is_scalar else result)
        return self.memo[key][1]

    # ------------------------------------------------------------------ names
    def dim(self, d) -> sp.Expr:
        if isinstance(d, int):
            return sp.Integer(d)
        if isinstance(d, Prod):
            return sp.Mul(*(self.dim(f) for f in d.factors))
        return self.table.get(("dim", d)) or sp.Symbol(d)

    def ones_like(self, t: Type) -> sp.Basic:
        if t.is_matrix:
            return sp.OneMatrix(self.dim(t.shape[0]), self.dim(t.shape[1]))
        n = self.dim(t.shape[0])
        return sp.OneMatrix(1, n) if t.row else sp.OneMatrix(n, 1)

    def zeros_like(self, t: Type) -> sp.Basic:
        if t.is_scalar:
            return sp.Integer(0)
        ones = self.ones_like(t)
        return sp.ZeroMatrix(*ones.shape)

    def function(self, name: str) -> sp.FunctionClass:
        return self.table.get(("fn", name)) or sp.Function(name)

    def _to_Symbol(self, node):
        t = node.type
        shape = (1, 1) if t.is_scalar else tuple(self.dim(d) for d in t.shape) if t.is_matrix \
            else (1, self.dim(t.shape[0])) if t.row else (self.dim(t.shape[0]), 1)
        user = self.table.get(("var", node.name))
        if user is None:
            if t.is_scalar:
                return sp.Symbol(node.name)
            return sp.MatrixSymbol(node.name, *shape)
        if t.is_scalar and isinstance(user, sp.Symbol):
            return user
        if isinstance(user, sp.MatrixSymbol):
            if tuple(user.shape) == shape:
                return user
            if t.is_vector and tuple(user.shape) == shape[::-1]:
                return sp.Transpose(user)  # the user's 1 x n symbol is symmat's column transposed
        raise InteropError(f"to_sympy: {node.name} is {t.describe()} here but the SymPy object {user!r}")

    def _to_Number(self, node):
        return number(node.value)

    number = staticmethod(number)

    def _to_Identity(self, node):
        return sp.Identity(self.dim(node.args[0]))

    def _to_Ones(self, node):
        return sp.OneMatrix(self.dim(node.args[0]), 1)

    def _to_IndexExpr(self, node):
        from .sympy_arrays import tensor_to_sympy

        return tensor_to_sympy(node.tensor, self)

    # ------------------------------------------------------------- matrix algebra
    def _to_Add(self, node):
        if node.type.is_scalar:
            return sp.Add(*(self(t) for t in node.args), evaluate=False)
        # Scalar expansion: SymPy adds equal shapes only, so a scalar term is s * ones.
        terms = [self(t) if not t.type.is_scalar else self(t) * self.ones_like(node.type) for t in node.args]
        return sp.MatAdd(*terms)

    def _to_Neg(self, node):
        arg = self(node.args[0])
        # MatMul(-1, A) unevaluated: SymPy's -A would evaluate A (x - x to a scalar 0).
        return sp.MatMul(-1, arg) if isinstance(arg, MatrixExpr) else -arg

    def _to_MatMul(self, node):
        if any(isinstance(f, N.Number) and f.value == 0 for f in node.args):
            return self.zeros_like(node.type)  # 0 A = 0; zeros(m, n) is 0 ones ones^T
        if len(node.args) == 2 and isinstance(node.args[0], N.Ones) and isinstance(node.args[1], N.Transpose) \
                and isinstance(node.args[1].args[0], N.Ones):
            return self.ones_like(node.type)  # ones ones^T
        # SymPy shapes carry the orientation symmat types carry, so juxtaposition is
        # SymPy's product in every case; a 1 x 1 intermediate (x^T y) becomes a scalar.
        factors = [self(node.args[0])]
        for factor, t in zip(node.args[1:], N.product_types(node.args[1:], node.args[0].type)):
            factors.append(self(factor))
            if t.is_scalar:
                factors = [as_scalar(_product(factors))]
        return _product(factors)

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
        return sp.Pow(base, number(k), evaluate=False)  # sqrt(t)^2 stays norm(u)^2

    def _to_ElemPower(self, node):
        base = self(node.base)
        if node.base.type.is_scalar:
            return sp.Pow(base, number(node.exponent))
        return sp.HadamardPower(base, number(node.exponent))

    def _to_GeneralPower(self, node):
        base, exponent = self(node.base), self(node.exponent)
        return sp.Pow(base, exponent) if node.base.type.is_scalar else sp.HadamardPower(base, exponent)

    def _to_Max(self, node):
        if node.type.is_scalar:
            extremum = sp.Max if isinstance(node, N.Max) else sp.Min  # (was Max for both)
            return extremum(self(node.left), self(node.right))
        return self(_as_relu(node))

    _to_Min = _to_Max

    def _to_Transpose(self, node):
        arg = self(node.args[0])
        if node.type.is_scalar:
            return arg
        if isinstance(arg, (sp.OneMatrix, sp.ZeroMatrix, sp.Identity)):
            return arg.T  # ones^T is OneMatrix(1, n)
        # Transpose(...) keeps (A x - b)^T whole; SymPy's .T would distribute it.
        return arg.arg if isinstance(arg, sp.Transpose) else sp.Transpose(arg)

    # ---------------------------------------------------------------- functions
    def _to_Apply(self, node):
        """The primitive's SymPy counterpart (or the formula symmat lowers it to)."""
        return PRIMITIVES[node.name].sympy(self, node.args[1])

    def elementwise_lambda(self, name: str, order: int) -> sp.Lambda:
        """The SymPy function ``d -> f^(order)(d)`` of an elementwise function."""
        # d is real so that SymPy differentiates Abs to sign (not via re and im).
        d = sp.Dummy("d", real=True)
        if name not in ELEMENTWISE:
            if not order:
                return sp.Lambda(d, self.function(name)(d))
            # s^(k) at d as Subs(Derivative(s(t), (t, k)), t, d), not Derivative(s(d), d): SymPy
            # composes elementwise functions by substituting for d (s'.(exp.(X)) becomes one
            # function), and a Derivative by exp(d) is refused where a Subs point may be anything.
            t = sp.Dummy("t", real=True)
            return sp.Lambda(d, sp.Subs(self.function(name)(t).diff(t, order), t, d))
        body = formula(name, d)
        if order:
            body = symmat_conventions(body.diff(d, order))
        return sp.Lambda(d, body)

    def _to_Elementwise(self, node):
        name, arg_node, order = node.args
        fn = self.elementwise_lambda(name, order)
        arg = self(arg_node)
        # ElementwiseApplyFunction, not applyfunc: that would fuse log.(sigmoid.(z)) into one.
        if not arg_node.type.is_scalar:
            return ElementwiseApplyFunction(fn, arg)
        return fn(arg)

    def _to_FnCall(self, node):
        if node.out is not None:
            raise InteropError(
                f"SymPy has no vector-valued undefined function ({node.name} with values of length {node.out})"
            )
        if not node.which:
            return self.function(node.name)(*(self(a) for a in node.arguments))
        if len(node.which) > 2 or len(set(node.which)) != 1:
            raise InteropError(f"to_sympy writes partial derivatives of {node.name} by one argument up to the "
                               f"second, not {node.head}")
        return _partial(self, node)

    def _to_Call(self, node):
        name, arg_node, order = node.args
        if order > 2:
            raise InteropError(f"to_sympy writes derivatives of {name} up to the Hessian, not of order {order}")
        g, arg = self.function(name), self(arg_node)
        if order == 0:
            return g(arg)
        if arg_node.type.is_scalar:
            d = sp.Dummy("d")
            return sp.Lambda(d, g(d).diff(d, order))(arg)  # Subs(Derivative(g(d), d), d, arg)
        return function_derivative(g, arg, order)


def _partial(writer: _ToSympy, node: N.FnCall) -> sp.Basic:
    """``∇_k g(u, v, ...)`` or ``∇²_{k,k} g(...)``: the derivative of ``ξ -> g(.., ξ, ..)``
    (the other arguments held) at the k-th argument."""
    k = node.which[0]
    g = writer.function(node.name)
    args = [writer(a) for a in node.arguments]
    others = tuple(args[:k] + args[k + 1:])
    if node.arguments[k].type.is_scalar:
        d = sp.Dummy("d")
        # Derivative unevaluated: SymPy's chain rule would also run through matrix arguments.
        return sp.Subs(sp.Derivative(g(*others[:k], d, *others[k:]), (d, len(node.which))), d, args[k])
    return function_derivative(g, args[k], len(node.which), others, k)


def _as_relu(node) -> N.Expr:
    """max(a, b) = a + relu(b - a), min(a, b) = a - relu(a - b) (symmat's lowering)."""
    a, b = node.left, node.right
    if isinstance(node, N.Max):
        return N.Add(a, N.Elementwise("relu", N.Add(b, N.Neg(a))))
    return N.Add(a, N.Neg(N.Elementwise("relu", N.Add(a, N.Neg(b)))))


__all__ = ["to_sympy", "origin_of_symbols", "number", "formula", "sympy_formulas", "as_scalar"]

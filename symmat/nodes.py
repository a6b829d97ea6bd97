"""Immutable typed expression nodes: the matrix language as a tree.

Every node is well-typed at construction: its children's types are checked by the
node's typing rule (``infer``), which is the same function the parser uses with an
inference unifier. A node that exists therefore has a concrete :class:`Type`.

Node class names are the grammar's aliases and the printers' method names.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .errors import ShapeError
from .functions import ELEMENTWISE, MATRIX_FUNCTIONS
from .recursion import deep
from .registry import PRIMITIVES
from .shapes import SCALAR, STRICT, Dim, Prod, Type, Unifier, column, dim_product, matrix


def _same_structure(a: Expr, b: Expr) -> bool:
    """Structural equality of two expressions, in one pass over their pairs of nodes.

    Expressions are DAGs (a derivative shares its subexpressions), so comparing the
    arguments recursively would visit a shared node once per path to it: exponential in
    depth for two equal but separately built results (1,000 nested tanh). Each pair is
    compared once (``seen``: a pair met again is equal, or the answer is already False
    elsewhere), with an explicit stack, so deep expressions need no recursion either."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, Any]] = [(a.args, b.args)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, Expr):
            if x is y:
                continue
            if type(x) is not type(y) or x._hash != y._hash:
                return False
            pair = (id(x), id(y))
            if pair in seen:
                continue
            seen.add(pair)
            stack.append((x.args, y.args))
        elif isinstance(x, tuple):
            if not isinstance(y, tuple) or len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif x is not y and (isinstance(y, (Expr, tuple)) or x != y):
            return False
    return True


class Expr:
    """Base of all expression nodes. ``args`` holds children and parameters."""

    # __weakref__: symmat.provenance keeps an expression's provenance beside it, weakly.
    __slots__ = ("args", "type", "_hash", "_children", "_symbols", "__weakref__")
    # Set once by _init. ``args`` mixes children and parameters (names, exponents,
    # orders): each node class reads them back through typed properties.
    args: tuple[Any, ...]
    type: Type
    _hash: int
    # The children, listed once: every walk asks each node for them.
    _children: tuple[Expr, ...]
    # free_symbols(), once asked (parsing, diff and the printers each ask the root).
    _symbols: dict[str, Symbol]

    def _init(self, args: tuple, type_: Type) -> None:
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "type", type_)
        object.__setattr__(self, "_hash", hash((type(self).__name__, args)))
        object.__setattr__(self, "_children", tuple([a for a in args if isinstance(a, Expr)]))

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if type(self) is not type(other) or self._hash != other._hash:
            return False
        return _same_structure(self, other)

    @deep
    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.args!r}"

    # ----------------------------------------------------------------- public API
    @property
    def children(self) -> tuple[Expr, ...]:
        return self._children

    @property
    def shape(self) -> tuple:
        """Dimensions as names or ints; ``()`` for a scalar (contract §4)."""
        return tuple(str(d) if isinstance(d, Prod) else d for d in self.type.shape)

    @deep
    def evaluate(self, values: dict[str, Any]):
        """NumPy value of the expression; see :func:`symmat.evaluate.evaluate`."""
        from .evaluate import evaluate

        return evaluate(self, values)

    @deep
    def __str__(self) -> str:
        from .printing.text import to_text

        return to_text(self)

    @deep
    def latex(self) -> str:
        from .printing.latex import to_latex

        return to_latex(self)

    def _repr_latex_(self) -> str:
        """Jupyter shows an expression as this formula. ``\\displaystyle`` (as SymPy
        does) gives the ∂ fractions of index-form results full size in inline math."""
        return f"$\\displaystyle {self.latex()}$"

    @deep
    def numpy(self, name: str = "f") -> str:
        from .printing.numpy import to_numpy

        return to_numpy(self, name)

    @deep
    def jax(self, name: str = "f") -> str:
        """Like :meth:`numpy`, importing only ``jax``/``jax.numpy``: ``jax.jit``- and
        ``vmap``-able, on the device and in the float dtype of its arguments."""
        from .printing.numpy import to_jax

        return to_jax(self, name)

    @deep
    def torch(self, name: str = "f") -> str:
        """Like :meth:`numpy`, importing only ``torch`` (arguments are tensors):
        ``torch.compile``-able, on the device and in the float dtype of its arguments."""
        from .printing.numpy import to_torch

        return to_torch(self, name)

    def to_sympy(self):
        from .interop.sympy import to_sympy

        return to_sympy(self)

    def free_symbols(self) -> dict[str, Symbol]:
        """Variables of the expression by name, in order of first appearance."""
        try:
            return dict(self._symbols)
        except AttributeError:  # not asked before
            pass
        found: dict[str, Symbol] = {}
        for node in walk(self):
            if isinstance(node, Symbol):
                found.setdefault(node.name, node)
        object.__setattr__(self, "_symbols", found)
        return dict(found)

    def abstract_functions(self) -> set[str]:
        return {n.name for n in walk(self) if isinstance(n, (Call, Elementwise, FnCall)) and n.is_abstract}


def walk(expr):
    """Every distinct node of the DAG once, iteratively (deep trees are fine). Works for
    any node with ``children``: expressions and index-form tensors alike."""
    seen, stack = set(), [expr]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(node.children))


def _describe(op: str, *types: Type) -> Callable[[], str]:
    def message() -> str:
        if len(types) == 1:
            return f"{op} cannot take {types[0].describe()}"
        return f"{op}: {types[0].describe()} and {types[1].describe()} do not fit"

    return message


# ------------------------------------------------------------------- typing rules
# Each rule takes a unifier and the operand types and returns the result type.
def infer_matmul(u: Unifier, a: Type, b: Type) -> Type:
    msg = _describe("product", a, b)
    if a.is_scalar:
        return b
    if b.is_scalar:
        return a
    if a.is_matrix and b.is_matrix:
        u.unify(a.shape[1], b.shape[0], msg)
        return matrix(a.shape[0], b.shape[1])
    if a.is_matrix and b.is_vector and not b.row:
        u.unify(a.shape[1], b.shape[0], msg)
        return column(a.shape[0])
    if a.is_vector and a.row and b.is_matrix:
        u.unify(a.shape[0], b.shape[0], msg)
        return Type((b.shape[1],), row=True)
    if a.is_vector and b.is_vector and a.row and not b.row:
        u.unify(a.shape[0], b.shape[0], msg)
        return SCALAR
    if a.is_vector and b.is_vector and not a.row and b.row:
        return matrix(a.shape[0], b.shape[0])
    raise ShapeError(msg())


def product_type(factors: Iterable[Expr], start: Type | None = None) -> Type:
    """The type of the product of ``factors`` (continuing a product of type ``start``
    when one is given): the fold of :func:`infer_matmul` that types every product chain.
    Raises ShapeError where the chain stops typing."""
    t = start
    for f in factors:
        t = f.type if t is None else infer_matmul(STRICT, t, f.type)
    if t is None:
        raise ValueError("a product needs a factor")
    return t


def product_types(factors: Iterable[Expr], start: Type | None = None) -> Iterator[Type]:
    """The type of each prefix of the product (see :func:`product_type`), lazily: a
    caller walking a chain factor by factor folds it once."""
    t = start
    for f in factors:
        t = product_type((f,), t)
        yield t


def infer_elementwise_binary(op: str) -> Callable[[Unifier, Type, Type], Type]:
    """Sum-like operators: equal types, or a scalar broadcast to the other side."""

    def rule(u: Unifier, a: Type, b: Type) -> Type:
        if a.is_scalar:
            return b
        if b.is_scalar:
            return a
        u.unify_types(a, b, _describe(op, a, b))
        return a

    return rule


infer_add = infer_elementwise_binary("sum")
infer_hadamard = infer_elementwise_binary("elementwise product")
infer_hadamard_div = infer_elementwise_binary("elementwise division")
infer_extremum = infer_elementwise_binary("max/min")


def infer_div(u: Unifier, a: Type, b: Type) -> Type:
    if not b.is_scalar:
        raise ShapeError(f"division: the divisor must be a scalar, not {b.describe()} (use ./ for elementwise)")
    return a


def kron_axes(t: Type) -> tuple[list, list]:
    """A value as a matrix for ⊗: its row and column dimensions (a column vector is
    n x 1, a row vector 1 x n)."""
    if t.is_matrix:
        return [t.shape[0]], [t.shape[1]]
    if t.is_vector:
        return ([], [t.shape[0]]) if t.row else ([t.shape[0]], [])
    return [], []


def infer_kron(u: Unifier, a: Type, b: Type) -> Type:
    """(A ⊗ B) is (m p) x (n q) for A: m x n, B: p x q; vectors are n x 1 or 1 x n."""
    if a.is_scalar:
        return b
    if b.is_scalar:
        return a
    (ra, ca), (rb, cb) = kron_axes(a), kron_axes(b)
    rows, cols = ra + rb, ca + cb
    if rows and cols:
        return matrix(dim_product(rows), dim_product(cols))
    return Type((dim_product(rows or cols),), row=not rows)


def square_dimension(u: Unifier, op: str, t: Type) -> Dim:
    """The side of the square matrix ``t`` (``op`` needs one: a ShapeError otherwise)."""
    if not t.is_matrix:
        raise ShapeError(f"{op} needs a square matrix, not {t.describe()}")
    u.unify(t.shape[0], t.shape[1], lambda: f"{op} needs a square matrix, not {t.describe()}")
    return t.shape[0]


def infer_power(u: Unifier, base: Type, exponent: float) -> Type:
    if base.is_scalar:
        return base
    if base.is_matrix and float(exponent).is_integer():
        square_dimension(u, "a matrix power", base)
        return base
    if base.is_matrix:
        raise ShapeError(f"a matrix power must be an integer, not {exponent:g}")
    raise ShapeError(f"^ cannot raise {base.describe()} to a power (use .^ for elementwise powers)")


def infer_transpose(u: Unifier, t: Type) -> Type:
    if t.is_matrix:
        return matrix(t.shape[1], t.shape[0])
    if t.is_vector:
        return Type(t.shape, not t.row)
    return t


def infer_call(u: Unifier, arg: Type, order: int) -> Type:
    """``g(x)`` is a scalar, ``∇g(x)`` has the (column) shape of ``x``, ``∇²g(x)`` is n x n."""
    if order == 0:
        return SCALAR
    if order == 1:
        return Type(arg.shape)
    if arg.rank <= 1:
        return Type(arg.shape * order)  # ∇ᵏg(x): k copies of x's axis (a matrix for k = 2)
    raise ShapeError(f"derivative of order {order} of a function of {arg.describe()} is not a matrix")


# ---------------------------------------------------------------------------- nodes
class Symbol(Expr):
    """A variable. ``symmetric`` records the declaration qualifier."""

    __slots__ = ()

    def __init__(self, name: str, type_: Type = SCALAR, symmetric: bool = False):
        if symmetric and not (type_.is_matrix and type_.shape[0] == type_.shape[1]):
            raise ShapeError(f"{name} is declared symmetric but is {type_.describe()}")
        self._init((name, type_, symmetric), type_)

    @property
    def name(self) -> str:
        return self.args[0]

    @property
    def symmetric(self) -> bool:
        return self.args[2]


class Number(Expr):
    __slots__ = ()

    def __init__(self, value: float):
        value = float(value)
        self._init((value,), SCALAR)

    @property
    def value(self) -> float:
        return self.args[0]


class Identity(Expr):
    """``I``: the n x n identity."""

    __slots__ = ()

    def __init__(self, n):
        self._init((n,), matrix(n, n))


class Ones(Expr):
    """``ones``: the all-ones column vector."""

    __slots__ = ()

    def __init__(self, n):
        self._init((n,), column(n))


class Add(Expr):
    """n-ary sum; scalars among matrix terms are broadcast (scalar expansion)."""

    __slots__ = ()

    def __init__(self, *terms: Expr):
        if len(terms) < 2:
            raise ValueError("Add needs two or more terms")
        t = terms[0].type
        for term in terms[1:]:
            t = infer_add(STRICT, t, term.type)
        self._init(tuple(terms), t)


class Neg(Expr):
    __slots__ = ()

    def __init__(self, arg: Expr):
        self._init((arg,), arg.type)


class MatMul(Expr):
    """n-ary product: matrix, matrix-vector, inner, outer, or scaling by a scalar."""

    __slots__ = ()

    def __init__(self, *factors: Expr):
        if len(factors) < 2:
            raise ValueError("MatMul needs two or more factors")
        self._init(tuple(factors), product_type(factors))


class _Binary(Expr):
    __slots__ = ()
    rule: Callable[[Unifier, Type, Type], Type]

    def __init__(self, left: Expr, right: Expr):
        self._init((left, right), type(self).rule(STRICT, left.type, right.type))

    @property
    def left(self) -> Expr:
        return self.args[0]

    @property
    def right(self) -> Expr:
        return self.args[1]


class Hadamard(_Binary):
    __slots__ = ()
    rule = staticmethod(infer_hadamard)


class HadamardDiv(_Binary):
    __slots__ = ()
    rule = staticmethod(infer_hadamard_div)


class Div(_Binary):
    """Division by a scalar expression."""

    __slots__ = ()
    rule = staticmethod(infer_div)


class Kron(_Binary):
    __slots__ = ()
    rule = staticmethod(infer_kron)


class Power(Expr):
    """Scalar power, or integer power of a square matrix (``X^-1`` is the inverse)."""

    __slots__ = ()

    def __init__(self, base: Expr, exponent: float):
        exponent = float(exponent)
        self._init((base, exponent), infer_power(STRICT, base.type, exponent))

    @property
    def base(self) -> Expr:
        return self.args[0]

    @property
    def exponent(self) -> float:
        return self.args[1]


class ElemPower(Expr):
    __slots__ = ()

    def __init__(self, base: Expr, exponent: float):
        self._init((base, float(exponent)), base.type)

    @property
    def base(self) -> Expr:
        return self.args[0]

    @property
    def exponent(self) -> float:
        return self.args[1]


class GeneralPower(Expr):
    """``base`` to a symbolic scalar ``exponent`` (``s^p``, ``x .^ t``), entry by entry
    for a vector or matrix base. Constant exponents are :class:`Power` / :class:`ElemPower`."""

    __slots__ = ()

    def __init__(self, base: Expr, exponent: Expr):
        if not exponent.type.is_scalar:
            raise ShapeError(f"an exponent must be a scalar, not {exponent.type.describe()}")
        self._init((base, exponent), base.type)

    @property
    def base(self) -> Expr:
        return self.args[0]

    @property
    def exponent(self) -> Expr:
        return self.args[1]


class Max(_Binary):
    """Elementwise maximum, a scalar broadcast to the other side (``max(0, z) = relu(z)``)."""

    __slots__ = ()
    rule = staticmethod(infer_extremum)


class Min(_Binary):
    """Elementwise minimum, a scalar broadcast to the other side."""

    __slots__ = ()
    rule = staticmethod(infer_extremum)


class Transpose(Expr):
    __slots__ = ()

    def __init__(self, arg: Expr):
        self._init((arg,), infer_transpose(STRICT, arg.type))


class Apply(Expr):
    """A matrix function of the language (tr, det, inv, softmax, …): the primitive
    ``name`` of the registry (symmat.registry) applied to ``arg``."""

    __slots__ = ()

    def __init__(self, name: str, arg: Expr):
        if name not in PRIMITIVES:
            raise ValueError(f"unknown matrix function {name}")
        self._init((name, arg), PRIMITIVES[name].shape(STRICT, arg.type))

    @property
    def name(self) -> str:
        return self.args[0]


class Elementwise(Expr):
    """A built-in elementwise function, or an abstract one (``s: elementwise``);
    ``order`` k > 0 is its k-th derivative ``s'``, ``s''``, ..."""

    __slots__ = ()

    def __init__(self, name: str, arg: Expr, order: int = 0):
        self._init((name, arg, order), arg.type)

    @property
    def name(self) -> str:
        return self.args[0]

    @property
    def order(self) -> int:
        return self.args[2]

    @property
    def is_abstract(self) -> bool:
        return self.args[0] not in ELEMENTWISE


class Call(Expr):
    """An abstract scalar function ``g(x)``; ``order`` 1 is ``∇g(x)``, 2 is ``∇²g(x)``."""

    __slots__ = ()
    is_abstract = True

    def __init__(self, name: str, arg: Expr, order: int = 0):
        self._init((name, arg, order), infer_call(STRICT, arg.type, order))

    @property
    def name(self) -> str:
        return self.args[0]

    @property
    def order(self) -> int:
        return self.args[2]


def derivative_head(name: str, which: tuple, nargs: int) -> str:
    """How a derivative of an abstract function is written: ``∇g``, ``∇²g``, ``∇^3g`` for a
    function of one argument, ``∇_2g``, ``∇²_{1,2}g`` (arguments counted from 1) for
    several. The parser reads these back."""
    order = len(which)
    power = {0: "", 1: "", 2: "²"}.get(order, f"^{order}")
    sub = ""
    if nargs > 1 and order:
        sub = f"_{which[0] + 1}" if order == 1 else "_{" + ",".join(str(k + 1) for k in which) + "}"
    return ("∇" if order else "") + power + sub + name


def infer_function_call(arg_types: list, which: tuple, out) -> Type:
    """``g(x, y)`` has the type of its value (a scalar, or a column of length ``out``);
    each differentiation appends the axes of the argument it is taken by."""
    shape = (() if out is None else (out,)) + tuple(d for k in which for d in arg_types[k].shape)
    return Type(shape)


class FnCall(Expr):
    """An abstract function of several arguments, or with a vector value (``h: R^n ->
    R^m``), and its partial derivatives: ``which`` lists the arguments (0-based, sorted)
    it is differentiated by, ``out`` is None (a scalar value) or the value's length.
    The axes: the value's, then those of each argument in ``which``."""

    __slots__ = ()
    is_abstract = True

    def __init__(self, name: str, args: tuple, which: tuple = (), out=None):
        args, which = tuple(args), tuple(which)
        if list(which) != sorted(which) or any(not 0 <= k < len(args) for k in which):
            raise ValueError(f"bad derivative arguments {which} for {name}")
        self._init((name, args, which, out), infer_function_call([a.type for a in args], which, out))

    @property
    def name(self) -> str:
        return self.args[0]

    @property
    def arguments(self) -> tuple[Expr, ...]:
        return self.args[1]

    @property
    def which(self) -> tuple[int, ...]:
        return self.args[2]

    @property
    def out(self) -> Dim | None:
        return self.args[3]

    @property
    def children(self) -> tuple:
        return self.args[1]

    @property
    def head(self) -> str:
        return derivative_head(self.name, self.which, len(self.arguments))


def zeros(type_: Type) -> Expr:
    """The zero of ``type_``, written ``0 ones`` (a vector; ``0 ones^T`` a row) or
    ``0 ones ones^T`` (a matrix): the language's ``zeros(n)`` and ``zeros(m, n)``."""
    if type_.is_scalar:
        return Number(0.0)
    if type_.is_vector:
        ones = Ones(type_.shape[0])
        return MatMul(Number(0.0), Transpose(ones) if type_.row else ones)
    return MatMul(Number(0.0), Ones(type_.shape[0]), Transpose(Ones(type_.shape[1])))


def is_zeros(e: Expr) -> bool:
    """Whether ``e`` is a zero vector or matrix as :func:`zeros` writes it."""
    return not e.type.is_scalar and isinstance(e, MatMul) and e == zeros(e.type)


def unfixed_dimensions(expr: Expr) -> set[str]:
    """The named dimensions of ``expr`` (of an ``I`` or ``ones``) that no variable of
    ``expr`` fixes: ∂x/∂x = I has n, which only x's value gives (symmat.provenance)."""
    fixed = {d for s in expr.free_symbols().values() for d in s.type.shape}
    return {d for n in walk(expr) for d in n.type.shape if isinstance(d, str)} - fixed


__all__ = [
    "Expr", "Symbol", "Number", "Identity", "Ones", "Add", "Neg", "MatMul", "Hadamard",
    "HadamardDiv", "Div", "Kron", "Power", "ElemPower", "GeneralPower", "Max", "Min", "Transpose", "Apply",
    "Elementwise", "Call", "FnCall", "walk", "MATRIX_FUNCTIONS", "zeros", "is_zeros", "unfixed_dimensions",
]

"""Random well-typed symmat expressions and random values for them (hypothesis).

Shared by the parser/printer tests and the derivative engine's tests. The API:

- ``nodes(max_depth=3, type_=None)``: a strategy of typed :class:`symmat.nodes.Expr`
  built directly with the node constructors, over every construct of contract §1
  (products of every kind, transposes, sums with scalar broadcast, negation, ``.*``,
  ``./``, ``/``, scalar / matrix / elementwise powers incl. inverses, Kronecker
  products, every matrix function, every elementwise function and its derivative,
  ``softmax``, ``logsumexp``, ``I``, ``ones``, numbers, abstract functions ``g(x)``,
  ``∇g(x)``, ``∇²g(x)`` and elementwise abstract functions ``s(X)``, ``s'(X)``; and the
  newer rows: symbolic exponents ``s^t``, ``x .^ t``, ``mean``, ``norm(x, 1)``, ``max``,
  ``min``, column-wise ``softmax``/``log_softmax``/``logsumexp`` of matrices, functions of
  several arguments ``G(x, y)``, ``∇_1G(x, y)``, ``∇²_{1,2}G(x, y)`` and vector-valued
  ``H(x)`` with its Jacobian ``∇H(x)``).
- ``expressions(max_depth=3)``: a strategy of ``(text, where)`` pairs: ``text`` is in
  the input language and ``where`` declares every name in it, so that
  ``symmat.parse(text, where)`` gives the expression back.
- ``where_of(expr)``: the declarations (a ``where`` string) of an expression's names.
- ``random_values(expr, rng)``: a ``values`` dict for ``expr.evaluate`` (and for
  finite differences): arrays for the variables, callables for the abstract
  functions, and the size of every named dimension.

Inputs stay in safe domains by construction. The generator applies a function with a
restricted domain only to an operand that is safe whatever the values are
(``exp`` of something bounded, ``log``/``sqrt``/``./``/``/`` of something positive,
``inv``/``det``/``logdet``/negative matrix powers of a well-conditioned symmetric
positive definite matrix), and ``random_values`` reads every variable's role from
where it stands in the expression (see :func:`roles`), so it also serves expressions
written by hand: a variable under ``log``, ``sqrt`` or a divisor gets positive entries,
a square matrix under ``inv``, ``det``, ``logdet`` or ``^-k`` is made symmetric
positive definite with entries in (0, 1] and eigenvalues in [1, 2], everything else
has entries of magnitude in [0.2, 1] (away from the kinks of ``relu`` and ``abs``).

Dimensions are named ``m, n, p, q`` and get the distinct sizes ``3, 4, 5, 6``
(:data:`SIZES`), so a transposed operand never fits by accident.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

from symmat import nodes as N
from symmat.sample import abstract_callables
from symmat.shapes import Prod, Type, column, dim_product, matrix, row

SIZES = {"m": 3, "n": 4, "p": 5, "q": 6}
BASE_DIMS = tuple(SIZES)

# Functions that take any real input and stay moderate on moderate inputs.
SAFE_ELEMENTWISE = ("sin", "cos", "tanh", "sigmoid", "relu", "softplus", "abs")
BOUNDED_ELEMENTWISE = ("sin", "cos", "tanh", "sigmoid")
ABSTRACT_ELEMENTWISE = ("s", "t")
# One abstract scalar function per argument dimension: a name has one argument type.
ABSTRACT_FUNCTION = {"m": "g", "n": "h", "p": "k", "q": "f"}
NUMBERS = (2.0, 0.5, 3.0, 1e-3, 1.5, -1.5)
POSITIVE_NUMBERS = (2.0, 0.5, 3.0, 1.5)

# Variable names by role: the role decides how random_values fills them in.
_LETTERS = {
    ("matrix", "general"): "AB", ("matrix", "positive"): "PQ", ("matrix", "spd"): "SR",
    ("vector", "general"): "xy", ("vector", "positive"): "uv",
    ("scalar", "general"): "ab", ("scalar", "positive"): "cd",
}


# ------------------------------------------------------------------ leaves
def _symbol(draw, t: Type, role: str = "general") -> N.Expr:
    """A variable of type ``t`` (a row vector is a transposed column)."""
    kind = {0: "scalar", 1: "vector", 2: "matrix"}[t.rank]
    letter = draw(st.sampled_from(_LETTERS[(kind, role)]))
    name = letter + "".join(str(d) for d in t.shape)
    if t.is_vector and t.row:
        return N.Transpose(N.Symbol(name, column(t.shape[0])))
    # "S" matrices are declared symmetric; "R" ones are SPD without the declaration.
    return N.Symbol(name, Type(t.shape), symmetric=letter == "S")


def _is_base(t: Type) -> bool:
    return all(not isinstance(d, Prod) for d in t.shape)


def _factors(d) -> tuple:
    return d.factors if isinstance(d, Prod) else (d,)


def _leaf(draw, t: Type) -> N.Expr:
    if t.is_scalar and draw(st.booleans()):
        return N.Number(draw(st.sampled_from(NUMBERS)))
    if _is_base(t):
        return _symbol(draw, t)
    return _product_dims(draw, t, 0)


def _product_dims(draw, t: Type, depth: int) -> N.Expr:
    """A vector or matrix whose dimensions are products ``m*n``: kron or vec."""
    if t.is_vector:
        a, b = _factors(t.shape[0])
        if not t.row and draw(st.booleans()):
            return N.Apply("vec", _gen(draw, matrix(a, b), depth))
        return N.Kron(_gen(draw, Type((a,), t.row), depth), _gen(draw, Type((b,), t.row), depth))
    (a, b), (c, d) = _factors(t.shape[0]), _factors(t.shape[1])
    return N.Kron(_gen(draw, matrix(a, c), depth), _gen(draw, matrix(b, d), depth))


# ------------------------------------------------------------------ safe operands
def _positive(draw, t: Type, depth: int) -> N.Expr:
    """An expression of type ``t`` whose entries are positive whatever the values."""
    choice = draw(st.integers(0, 4 if depth > 0 else 0))
    if choice == 0:
        if t.is_scalar:
            return draw(st.sampled_from([N.Number(v) for v in POSITIVE_NUMBERS] + [_symbol(draw, t, "positive")]))
        if _is_base(t):
            return _symbol(draw, t, "positive")
        return N.Elementwise("exp", _bounded(draw, t, 0))
    if choice == 1:
        return N.Elementwise("exp", _bounded(draw, t, depth - 1))
    if choice == 2:
        return N.Elementwise(draw(st.sampled_from(("sigmoid", "softplus"))), _gen(draw, t, depth - 1))
    if choice == 3:
        return N.Add(N.ElemPower(_gen(draw, t, depth - 1), 2), N.Number(1))
    return N.Elementwise("sqrt", _positive(draw, t, depth - 1))


def _bounded(draw, t: Type, depth: int) -> N.Expr:
    """An expression with entries in [-1, 1] (or a variable, whose entries are)."""
    if depth <= 0 or draw(st.booleans()):
        return _leaf(draw, t) if _is_base(t) else N.Elementwise("tanh", _leaf(draw, t))
    return N.Elementwise(draw(st.sampled_from(BOUNDED_ELEMENTWISE)), _gen(draw, t, depth - 1))


def _spd(draw, n, depth: int) -> N.Expr:
    """A well-conditioned symmetric positive definite n x n matrix."""
    if depth <= 0 or draw(st.booleans()):
        return _symbol(draw, matrix(n, n), "spd")
    # B B^T + I with |B| entries <= 1 (tanh) has eigenvalues in [1, 1 + n k].
    k = draw(st.sampled_from(BASE_DIMS))
    b = N.Elementwise("tanh", _gen(draw, matrix(n, k), depth - 1))
    return N.Add(N.MatMul(b, N.Transpose(b)), N.Identity(n))


# ------------------------------------------------------------------ constructs
def _dim(draw):
    return draw(st.sampled_from(BASE_DIMS))


def _transposed(t: Type) -> Type:
    if t.is_matrix:
        return matrix(t.shape[1], t.shape[0])
    return Type(t.shape, not t.row) if t.is_vector else t


def _add(draw, t, depth):
    terms = [_gen(draw, t, depth) for _ in range(draw(st.integers(2, 3)))]
    if not t.is_scalar and draw(st.integers(0, 3)) == 0:
        terms.insert(draw(st.integers(0, len(terms))), _gen(draw, Type(), depth))  # broadcast
    return N.Add(*terms)


def _neg(draw, t, depth):
    return N.Neg(_gen(draw, t, depth))


def _hadamard(draw, t, depth):
    if draw(st.booleans()):
        return N.Hadamard(_gen(draw, t, depth), _gen(draw, t, depth))
    return N.HadamardDiv(_gen(draw, t, depth), _positive(draw, t, depth))


def _div(draw, t, depth):
    return N.Div(_gen(draw, t, depth), _positive(draw, Type(), depth))


def _matmul(draw, t, depth):
    g = lambda u: _gen(draw, u, depth)
    k = _dim(draw)
    if draw(st.integers(0, 4)) == 0:  # scaling by a scalar, on either side
        return N.MatMul(g(Type()), g(t)) if draw(st.booleans()) else N.MatMul(g(t), g(Type()))
    if t.is_scalar:
        return N.MatMul(g(row(k)), g(column(k)))  # inner product
    if t.is_vector and not t.row and _is_base(t):
        return N.MatMul(g(matrix(t.shape[0], k)), g(column(k)))
    if t.is_vector and _is_base(t):
        return N.MatMul(g(row(k)), g(matrix(k, t.shape[0])))
    if t.is_matrix and _is_base(t):
        if draw(st.booleans()):
            return N.MatMul(g(column(t.shape[0])), g(row(t.shape[1])))  # outer product
        return N.MatMul(g(matrix(t.shape[0], k)), g(matrix(k, t.shape[1])))
    return N.MatMul(g(Type()), g(t))


def _transpose(draw, t, depth):
    return N.Transpose(_gen(draw, _transposed(t), depth))


def _elementwise(draw, t, depth):
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return N.Elementwise("exp", _bounded(draw, t, depth))
    if choice == 1:
        return N.Elementwise(draw(st.sampled_from(("log", "sqrt"))), _positive(draw, t, depth))
    if choice == 2:
        name = draw(st.sampled_from(ABSTRACT_ELEMENTWISE))
        return N.Elementwise(name, _gen(draw, t, depth), draw(st.integers(0, 2)))
    if choice == 3:
        return N.Elementwise(draw(st.sampled_from(("sin", "tanh", "sigmoid"))), _gen(draw, t, depth), 1)
    return N.Elementwise(draw(st.sampled_from(SAFE_ELEMENTWISE)), _gen(draw, t, depth))


def _elem_power(draw, t, depth):
    if draw(st.booleans()):
        return N.ElemPower(_gen(draw, t, depth), draw(st.sampled_from((2, 3))))
    return N.ElemPower(_positive(draw, t, depth), draw(st.sampled_from((0.5, -1, -0.5))))


def _power(draw, t, depth):
    if t.is_scalar:
        if draw(st.booleans()):
            return N.Power(_gen(draw, t, depth), draw(st.sampled_from((2, 3))))
        return N.Power(_positive(draw, t, depth), draw(st.sampled_from((-1, 0.5, -0.5))))
    n = t.shape[0]
    if draw(st.booleans()):
        return N.Power(N.Elementwise("tanh", _gen(draw, t, depth)), draw(st.sampled_from((2, 3))))
    return N.Power(_spd(draw, n, depth), draw(st.sampled_from((-1, -2))))


def _function(draw, t, depth):
    """A matrix or vector function of the language, or an abstract function."""
    g = lambda u: _gen(draw, u, depth)
    k = _dim(draw)
    if t.is_scalar:
        options = ["tr", "det", "logdet", "sum", "norm", "logsumexp", "call"]
        name = draw(st.sampled_from(options))
        if name == "tr":
            return N.Apply("tr", g(matrix(k, k)))
        if name in ("det", "logdet"):
            return N.Apply(name, _spd(draw, k, depth))
        if name in ("sum", "norm"):
            return N.Apply(name, g(draw(st.sampled_from((column(k), row(k), matrix(k, _dim(draw)))))))
        if name == "logsumexp":
            return N.Apply("logsumexp", g(column(k)))
        return N.Call(ABSTRACT_FUNCTION[k], g(column(k)))
    if t.is_vector and not t.row and _is_base(t):
        n = t.shape[0]
        name = draw(st.sampled_from(["diag", "softmax", "vec", "grad"]))
        if name == "diag":
            return N.Apply("diag", g(matrix(n, n)))
        if name == "grad":
            return N.Call(ABSTRACT_FUNCTION[n], g(column(n)), 1)
        return N.Apply(name, g(column(n)))
    if t.is_matrix and t.shape[0] == t.shape[1] and _is_base(t):
        n = t.shape[0]
        name = draw(st.sampled_from(["inv", "diag", "hessian"]))
        if name == "inv":
            return N.Apply("inv", _spd(draw, n, depth))
        if name == "hessian":
            return N.Call(ABSTRACT_FUNCTION[n], g(column(n)), 2)
        return N.Apply("diag", g(column(n)))
    if not _is_base(t):
        return _product_dims(draw, t, depth)
    return _gen(draw, t, depth)


def _identity_ones(draw, t, depth):
    """``I`` and ``ones`` next to a variable that fixes their size."""
    if t.is_matrix and t.shape[0] == t.shape[1] and _is_base(t):
        return N.Add(_symbol(draw, t), N.MatMul(N.Number(draw(st.sampled_from(NUMBERS))), N.Identity(t.shape[0])))
    if t.is_vector and not t.row and _is_base(t):
        k = _dim(draw)
        if draw(st.booleans()):
            return N.MatMul(_symbol(draw, matrix(t.shape[0], k)), N.Ones(k))
        return N.Add(_symbol(draw, t), N.Ones(t.shape[0]))
    if t.is_scalar:
        k = _dim(draw)
        return N.MatMul(N.Transpose(N.Ones(k)), _symbol(draw, column(k)))
    return _gen(draw, t, depth)


def _newer(draw, t, depth):
    """The newer rows of contract §1: symbolic exponents, mean, norm(x, 1), max/min,
    column-wise softmax / log_softmax / logsumexp, and abstract functions of several
    arguments or with a vector value (and their partial derivatives)."""
    g = lambda u: _gen(draw, u, depth)
    k = _dim(draw)
    plain = _is_base(t) and not t.row
    choice = draw(st.sampled_from(
        ["power", "extremum"] + (["scalar", "scalar"] if t.is_scalar else [])
        + (["columns"] if plain and not t.is_scalar else []) + (["several"] if plain else [])
    ))
    if choice == "power":  # a positive base to a bounded symbolic exponent
        return N.GeneralPower(_positive(draw, t, depth), _bounded(draw, Type(), depth))
    if choice == "extremum":
        left, right = g(t), g(Type()) if not t.is_scalar and draw(st.booleans()) else g(t)
        if draw(st.booleans()):
            left, right = right, left
        return (N.Max if draw(st.booleans()) else N.Min)(left, right)
    if choice == "scalar":
        name = draw(st.sampled_from(["mean", "norm1", "logsumexp"]))
        if name == "mean":
            return N.Apply("mean", g(draw(st.sampled_from((column(k), matrix(k, _dim(draw)))))))
        if name == "norm1":
            return N.Apply("norm1", g(column(k)))
        return N.Apply("sum", N.Apply("logsumexp", g(matrix(k, _dim(draw)))))
    if choice == "columns":
        if t.is_matrix:
            return N.Apply(draw(st.sampled_from(("softmax", "log_softmax"))), g(t))
        return N.Apply("logsumexp", g(matrix(k, t.shape[0])))
    if choice == "several":
        if t.is_scalar or draw(st.booleans()):
            # g of two arguments (a vector and a scalar or a vector), or a partial gradient of it
            dims = (k, draw(st.sampled_from((None, _dim(draw)))))
            args = tuple(g(Type() if d is None else column(d)) for d in dims)
            if t.is_scalar:
                return N.FnCall(_several_name(dims, None), args)
            if t.is_vector:
                return N.FnCall(_several_name((t.shape[0], dims[1]), None),
                                (g(column(t.shape[0])), args[1]), (0,))
            return N.FnCall(_several_name((t.shape[0], t.shape[1]), None),
                            (g(column(t.shape[0])), g(column(t.shape[1]))), (0, 1))
        # h: R^k -> R^m, or its m x k Jacobian
        if t.is_vector:
            return N.FnCall(_several_name((k,), t.shape[0]), (g(column(k)),), (), t.shape[0])
        return N.FnCall(_several_name((t.shape[1],), t.shape[0]), (g(column(t.shape[1])),), (0,), t.shape[0])
    raise AssertionError(choice)


def _several_name(dims: tuple, out) -> str:
    """One name per signature (a name has one signature): G_n_s for R^n x R -> R, H_n_m for R^n -> R^m."""
    parts = "_".join("s" if d is None else str(d) for d in dims)
    return f"G_{parts}" if out is None else f"H_{parts}_{out}"


_CONSTRUCTS: tuple[Callable, ...] = (
    _add, _neg, _hadamard, _div, _matmul, _transpose, _elementwise, _elem_power, _power,
    _function, _identity_ones, _newer,
)


def _gen(draw, t: Type, depth: int) -> N.Expr:
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return _leaf(draw, t)
    construct = draw(st.sampled_from(_CONSTRUCTS))
    if construct is _power and not (t.is_scalar or (t.is_matrix and t.shape[0] == t.shape[1] and _is_base(t))):
        construct = _elem_power
    return construct(draw, t, depth - 1)


def _types(draw) -> Type:
    m, n = _dim(draw), _dim(draw)
    return draw(st.sampled_from([
        Type(), column(m), row(m), matrix(m, n), matrix(m, m),
        column(dim_product([m, n])), matrix(dim_product([m, n]), dim_product([n, n])),
    ]))


@st.composite
def nodes(draw, max_depth: int = 3, type_: Type | None = None) -> N.Expr:
    """Typed expressions of at most ``max_depth`` nested constructs (of type ``type_``,
    or of a random scalar, vector or matrix type)."""
    return _gen(draw, type_ if type_ is not None else _types(draw), max_depth)


def expressions(max_depth: int = 3, type_: Type | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """``(text, where)`` pairs of the input language; ``parse(text, where)`` is typed."""
    return nodes(max_depth, type_).map(lambda e: (str(e), where_of(e)))


# ------------------------------------------------------------------ declarations
def where_of(expr: N.Expr) -> str:
    """Declarations of every variable and abstract function of ``expr``."""
    parts = []
    for name, sym in expr.free_symbols().items():
        if sym.type.is_scalar:
            spec = "scalar"
        else:
            spec = " x ".join(str(d) for d in sym.type.shape) + (" symmetric" if sym.symmetric else "")
        parts.append(f"{name}: {spec}")
    for node in N.walk(expr):
        if isinstance(node, N.Call):
            parts.append(f"{node.name}: R^{node.args[1].type.shape[0]} -> R")
        elif isinstance(node, N.Elementwise) and node.is_abstract:
            parts.append(f"{node.name}: elementwise")
        elif isinstance(node, N.FnCall):
            spaces = " x ".join("R" if a.type.is_scalar else f"R^{a.type.shape[0]}" for a in node.arguments)
            parts.append(f"{node.name}: {spaces} -> R" + ("" if node.out is None else f"^{node.out}"))
    return "; ".join(dict.fromkeys(parts))


# ------------------------------------------------------------------ values
_POSITIVE_CONTEXT = {"log", "sqrt"}
_SPD_CONTEXT = {"inv", "det", "logdet"}


def roles(expr: N.Expr) -> dict[str, str]:
    """``"spd"``, ``"positive"`` or ``"general"`` for each variable, from where it stands:
    under ``inv``/``det``/``logdet``/a negative matrix power it must be invertible, under
    ``log``/``sqrt``/a divisor/a fractional or negative elementwise power positive."""
    found: dict[str, str] = {name: "general" for name in expr.free_symbols()}

    def mark(node: N.Expr, role: str) -> None:
        while isinstance(node, N.Transpose):
            node = node.args[0]
        if isinstance(node, N.Symbol) and found.get(node.name) != "spd":
            found[node.name] = role

    for node in N.walk(expr):
        if isinstance(node, N.Apply) and node.name in _SPD_CONTEXT:
            mark(node.args[1], "spd")
        elif isinstance(node, N.Power) and node.base.type.is_matrix and node.exponent < 0:
            mark(node.base, "spd")
        elif isinstance(node, N.Elementwise) and node.name in _POSITIVE_CONTEXT:
            mark(node.args[1], "positive")
        elif isinstance(node, (N.HadamardDiv, N.Div)):
            mark(node.right, "positive")
        elif isinstance(node, N.GeneralPower):
            mark(node.base, "positive")
        elif (isinstance(node, (N.Power, N.ElemPower)) and not float(node.exponent).is_integer()) or \
                (isinstance(node, (N.Power, N.ElemPower)) and node.exponent < 0 and not node.base.type.is_matrix):
            mark(node.base, "positive")
    return found


def _sizes_of(expr: N.Expr, sizes: dict[str, int]) -> dict[str, int]:
    """A distinct size (3, 4, 5, ...) for every named dimension of ``expr``."""
    names: list[str] = []
    for node in N.walk(expr):
        for d in node.type.shape:
            for f in _factors(d):
                if isinstance(f, str) and f not in names:
                    names.append(f)
    out = {name: sizes[name] for name in names if name in sizes}
    for name in names:
        if name not in out and name in SIZES and SIZES[name] not in out.values():
            out[name] = SIZES[name]
    for name in names:
        if name not in out:
            out[name] = next(s for s in range(3, 1000) if s not in out.values() and s not in SIZES.values())
    return out


def _value(rng: np.random.Generator, shape: tuple, role: str):
    if role == "spd" and len(shape) == 2:
        n = shape[0]
        b = rng.uniform(0.1, 1.0, (n, n))
        # Entries in (0, 1], eigenvalues in [1, 2]: positive, invertible, well-conditioned.
        return np.eye(n) + b @ b.T / np.linalg.norm(b @ b.T, 2)
    if role in ("positive", "spd"):
        value = rng.uniform(0.5, 1.5, shape)
    else:
        value = rng.uniform(0.2, 1.0, shape) * rng.choice([-1.0, 1.0], shape)
    return float(value) if not shape else value


def random_values(expr: N.Expr, rng: np.random.Generator, sizes: dict[str, int] | None = None) -> dict[str, Any]:
    """Values for every variable, abstract function and named dimension of ``expr``.

    ``sizes`` overrides the default sizes of named dimensions (:data:`SIZES`; others get
    the next free size from 3 up). Variables are filled in by :func:`roles`.
    """
    dims = _sizes_of(expr, dict(sizes or {}))

    def size(d) -> int:
        if isinstance(d, Prod):
            return int(np.prod([size(f) for f in d.factors]))
        return d if isinstance(d, int) else dims[d]

    symbols = expr.free_symbols()
    values: dict[str, Any] = {name: size for name, size in dims.items() if name not in symbols}
    for name, role in roles(expr).items():
        sym = symbols[name]
        value = _value(rng, tuple(size(d) for d in sym.type.shape), role)
        if sym.symmetric and role != "spd":
            value = (value + value.T) / 2
        values[name] = value
    values.update(abstract_callables(expr, dims))
    return values

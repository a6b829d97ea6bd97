"""Nested compositions in which every construct of contract §1 is equally likely at
every level: a complement to tests/strategies.py, whose ``nodes()`` under hypothesis
draws mostly small expressions (median five nodes) and reaches tr, det, inv, norm,
softmax ... only rarely. Here each level picks one construct uniformly and fills its
operands with further compositions or variables named as strategies.py names them
(so ``strategies.random_values`` fills them in).

Inputs stay in safe domains by construction: divisors and arguments of log/sqrt are
``u .^ 2 + 1``, arguments of inv/det/logdet/negative powers are ``B Bᵀ + I`` with
``B = tanh(…)``, exp takes ``tanh(…)``.
"""
from __future__ import annotations

import random

from hypothesis import strategies as st

from symmat import nodes as N
from symmat.shapes import Type, column, matrix, row

DIMS = ("m", "n", "p", "q")
SMOOTH = ("sin", "cos", "tanh", "sigmoid", "softplus")
KINKED = ("relu", "abs")
SCALAR = Type()


def _positive(e: N.Expr) -> N.Expr:
    return N.Add(N.ElemPower(e, 2), N.Number(1.0))


def _spd(r, n, depth) -> N.Expr:
    k = r.choice(DIMS)
    b = N.Elementwise("tanh", sub(r, matrix(n, k), depth))
    return N.Add(N.MatMul(b, N.Transpose(b)), N.Identity(n))


def sub(r, t: Type, depth: int) -> N.Expr:
    """An operand of type t: another composition, or a small random expression."""
    if depth <= 0 or r.randint(0, 3) == 0:
        return leaf(r, t)
    return composition(r, t, depth - 1)


def leaf(r, t: Type) -> N.Expr:
    """A variable named like tests/strategies.py's (letter + dimensions), or a number.
    Square matrices are sometimes ``S…``, declared symmetric."""
    if t.is_scalar:
        return N.Number(r.choice((2.0, 0.5, -1.5))) if r.random() < 0.3 else N.Symbol(r.choice("ab"), t)
    if t.is_vector:
        symbol = N.Symbol(r.choice("xy") + t.shape[0], column(t.shape[0]))
        return N.Transpose(symbol) if t.row else symbol
    symmetric = _is_square(t) and r.random() < 0.3
    name = ("S" if symmetric else r.choice("AB")) + "".join(t.shape)
    return N.Symbol(name, Type(t.shape), symmetric=symmetric)


def composition(r, t: Type, depth: int) -> N.Expr:
    """A random construct whose result has type ``t`` (a base type: dims in DIMS)."""
    options = [name for name, fits in _FITS.items() if fits(t)]
    name = r.choice(options)
    return _BUILD[name](r, t, depth)


def _is_square(t):
    return t.is_matrix and t.shape[0] == t.shape[1]


def _col(t):
    return t.is_vector and not t.row


# which constructs can produce a value of type t
_FITS = {
    "matmul": lambda t: t.is_matrix,
    "matvec": _col,
    "vecmat": lambda t: t.is_vector and t.row,
    "inner": lambda t: t.is_scalar,
    "outer": lambda t: t.is_matrix,
    "scale": lambda t: True,
    "transpose": lambda t: not t.is_scalar,
    "add": lambda t: True,
    "neg": lambda t: True,
    "hadamard": lambda t: True,
    "hadamard_div": lambda t: True,
    "div": lambda t: True,
    "power": lambda t: t.is_scalar or _is_square(t),
    "inverse_power": _is_square,
    "elem_power": lambda t: True,
    "inv": _is_square,
    "det": lambda t: t.is_scalar,
    "logdet": lambda t: t.is_scalar,
    "tr": lambda t: t.is_scalar,
    "diag_vector": _is_square,
    "diag_matrix": _col,
    "vec": lambda t: t.is_scalar,
    "sum": lambda t: t.is_scalar,
    "norm": lambda t: t.is_scalar,
    "smooth": lambda t: True,
    "kinked": lambda t: True,
    "exp": lambda t: True,
    "log_sqrt": lambda t: True,
    "softmax": _col,
    "logsumexp": lambda t: t.is_scalar,
    "kron": lambda t: t.is_scalar,
    "identity": _is_square,
    "ones": lambda t: _col(t) or t.is_scalar,
    "abstract": lambda t: t.is_scalar,
    "abstract_elementwise": lambda t: True,
}


def _dim(r):
    return r.choice(DIMS)


def _flip(t):
    if t.is_matrix:
        return matrix(t.shape[1], t.shape[0])
    return Type(t.shape, not t.row) if t.is_vector else t


def _kron(r, t, d):
    # a scalar reduction of a Kronecker product, so that the type stays a base type
    a, b, c = _dim(r), _dim(r), _dim(r)
    k = N.Kron(sub(r, matrix(a, b), d), sub(r, matrix(c, a), d))
    reduce = r.choice(["sum", "norm", "vec"])
    if reduce == "vec":
        return N.MatMul(N.Transpose(N.Apply("vec", k)), N.Apply("vec", k))
    return N.Apply(reduce, k)


_BUILD = {
    "matmul": lambda r, t, d: N.MatMul(sub(r, matrix(t.shape[0], k := _dim(r)), d), sub(r, matrix(k, t.shape[1]), d)),
    "matvec": lambda r, t, d: N.MatMul(sub(r, matrix(t.shape[0], k := _dim(r)), d), sub(r, column(k), d)),
    "vecmat": lambda r, t, d: N.MatMul(sub(r, row(k := _dim(r)), d), sub(r, matrix(k, t.shape[0]), d)),
    "inner": lambda r, t, d: N.MatMul(sub(r, row(k := _dim(r)), d), sub(r, column(k), d)),
    "outer": lambda r, t, d: N.MatMul(sub(r, column(t.shape[0]), d), sub(r, row(t.shape[1]), d)),
    "scale": lambda r, t, d: N.MatMul(sub(r, SCALAR, d), sub(r, t, d)) if not t.is_scalar
    else N.MatMul(sub(r, SCALAR, d), sub(r, SCALAR, d)),
    "transpose": lambda r, t, d: N.Transpose(sub(r, _flip(t), d)),
    "add": lambda r, t, d: N.Add(sub(r, t, d), sub(r, r.choice([t, SCALAR]), d)),
    "neg": lambda r, t, d: N.Neg(sub(r, t, d)),
    "hadamard": lambda r, t, d: N.Hadamard(sub(r, t, d), sub(r, t, d)),
    "hadamard_div": lambda r, t, d: N.HadamardDiv(sub(r, t, d), _positive(sub(r, t, d))),
    "div": lambda r, t, d: N.Div(sub(r, t, d), _positive(sub(r, SCALAR, d))),
    "power": lambda r, t, d: N.Power(N.Elementwise("tanh", sub(r, t, d)), r.choice((2, 3))),
    "inverse_power": lambda r, t, d: N.Power(_spd(r, t.shape[0], d), r.choice((-1, -2))),
    "elem_power": lambda r, t, d: N.ElemPower(sub(r, t, d), 2) if r.random() < 0.5
    else N.ElemPower(_positive(sub(r, t, d)), r.choice((0.5, -1))),
    "inv": lambda r, t, d: N.Apply("inv", _spd(r, t.shape[0], d)),
    "det": lambda r, t, d: N.Apply("det", _spd(r, _dim(r), d)),
    "logdet": lambda r, t, d: N.Apply("logdet", _spd(r, _dim(r), d)),
    "tr": lambda r, t, d: N.Apply("tr", sub(r, matrix(k := _dim(r), k), d)),
    "diag_vector": lambda r, t, d: N.Apply("diag", sub(r, column(t.shape[0]), d)),
    "diag_matrix": lambda r, t, d: N.Apply("diag", sub(r, matrix(t.shape[0], t.shape[0]), d)),
    "vec": lambda r, t, d: N.MatMul(
        N.Transpose(N.Apply("vec", sub(r, matrix(a := _dim(r), b := _dim(r)), d))),
        N.Apply("vec", sub(r, matrix(a, b), d))),
    "sum": lambda r, t, d: N.Apply("sum", sub(r, r.choice([column(_dim(r)), matrix(_dim(r), _dim(r))]), d)),
    "norm": lambda r, t, d: N.Apply("norm", sub(r, r.choice([column(_dim(r)), matrix(_dim(r), _dim(r))]), d)),
    "smooth": lambda r, t, d: N.Elementwise(r.choice(SMOOTH), sub(r, t, d)),
    "kinked": lambda r, t, d: N.Elementwise(r.choice(KINKED), sub(r, t, d)),
    "exp": lambda r, t, d: N.Elementwise("exp", N.Elementwise("tanh", sub(r, t, d))),
    "log_sqrt": lambda r, t, d: N.Elementwise(r.choice(("log", "sqrt")), _positive(sub(r, t, d))),
    "softmax": lambda r, t, d: N.Apply("softmax", sub(r, t, d)),
    "logsumexp": lambda r, t, d: N.Apply("logsumexp", sub(r, column(_dim(r)), d)),
    "kron": _kron,
    "identity": lambda r, t, d: N.Add(sub(r, t, d), N.MatMul(sub(r, SCALAR, d), N.Identity(t.shape[0]))),
    "ones": lambda r, t, d: N.MatMul(sub(r, matrix(t.shape[0], k := _dim(r)), d), N.Ones(k))
    if t.is_vector else N.MatMul(N.Transpose(N.Ones(k := _dim(r))), sub(r, column(k), d)),
    "abstract": lambda r, t, d: N.Call({"m": "g", "n": "h", "p": "k", "q": "f"}[k := _dim(r)], sub(r, column(k), d)),
    "abstract_elementwise": lambda r, t, d: N.Elementwise("s", sub(r, t, d)),
}

assert set(_BUILD) == set(_FITS)


def _types(r) -> Type:
    a, b = _dim(r), _dim(r)
    return r.choice([SCALAR, column(a), row(a), matrix(a, b), matrix(a, a)])


def build(seed: int, depth: int = 2, type_: Type | None = None) -> N.Expr:
    """The composition of a seed, ``depth`` constructs deep (plus leaves), of ``type_``."""
    r = random.Random(seed)
    return composition(r, type_ if type_ is not None else _types(r), depth)


def compositions(depth: int = 2, type_: Type | None = None) -> st.SearchStrategy[N.Expr]:
    """Hypothesis strategy over seeds: shrinking is by seed only, but every construct
    is drawn uniformly (hypothesis's own choices favour the first, simplest ones)."""
    return st.integers(0, 2**32 - 1).map(lambda seed: build(seed, depth, type_))

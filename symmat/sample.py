"""Random values for an expression's variables, abstract functions and dimensions, in
safe domains: the inputs of :func:`symmat.check.check_derivative`.

``random_values(expr, rng)`` returns a ``values`` dict for ``Expr.evaluate``:

- every named dimension gets a distinct size (3, 4, 5, ...), so a transposed operand
  never fits by accident and a mix-up of two dimensions is caught;
- every variable gets entries chosen by where it stands (:func:`roles`): under
  ``inv``/``det``/``logdet``/a negative matrix power a square variable is symmetric
  positive definite and well-conditioned; under ``log``/``sqrt``, a divisor or a
  fractional/negative scalar power it is positive; everything else has entries of
  magnitude in [0.2, 1] with random signs (away from the kinks of ``relu`` and ``abs``);
  a variable declared ``symmetric`` gets a symmetric value;
- every abstract function gets a smooth callable and all its derivatives
  (:func:`abstract_callables`).

These are heuristics for a numeric check, not a guarantee: an expression such as
``log(1 - x)`` can still leave its domain, which the caller detects (non-finite values)
and answers by drawing again.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import nodes as N
from .registry import PRIMITIVES
from .shapes import Prod

# Roles, strongest first: a variable that must be invertible somewhere stays so.
GENERAL, POSITIVE, SPD = "general", "positive", "spd"
_STRENGTH = {GENERAL: 0, POSITIVE: 1, SPD: 2}

_POSITIVE_FUNCTIONS = {"log", "sqrt"}

# Abstract functions get derivatives up to this order (a k-th derivative of an
# expression with ∇²g needs ∇^(k+2) g).
MAX_FUNCTION_ORDER = 8

FIRST_SIZE = 3


def _variables_in(expr: N.Expr) -> Iterable[N.Symbol]:
    return (node for node in N.walk(expr) if isinstance(node, N.Symbol))


def roles(expr: N.Expr) -> dict[str, str]:
    """``"spd"``, ``"positive"`` or ``"general"`` for each variable of ``expr``.

    A restricted argument marks every variable inside it, not only a bare one: the
    positive entries of ``x`` and ``A`` keep ``log(xᵀ A x)`` defined, and the sum of
    symmetric positive definite matrices in ``inv(A + B)`` is one too."""
    found: dict[str, str] = {name: GENERAL for name in expr.free_symbols()}

    def mark(operand: N.Expr, role: str) -> None:
        for symbol in _variables_in(operand):
            # Only a square matrix can be positive definite; other variables inside an
            # inverse's argument get positive entries, which keeps most sums nonsingular.
            wanted = role if role != SPD or (symbol.type.is_matrix and symbol.type.shape[0] == symbol.type.shape[1]) \
                else POSITIVE
            if _STRENGTH[wanted] > _STRENGTH[found[symbol.name]]:
                found[symbol.name] = wanted

    for node in N.walk(expr):
        if isinstance(node, N.Apply) and PRIMITIVES[node.name].square:
            mark(node.args[1], SPD)
        elif isinstance(node, N.Power) and node.base.type.is_matrix and node.exponent < 0:
            mark(node.base, SPD)
        elif isinstance(node, N.Elementwise) and node.name in _POSITIVE_FUNCTIONS and node.order == 0:
            mark(node.args[1], POSITIVE)
        elif isinstance(node, (N.HadamardDiv, N.Div)):
            mark(node.right, POSITIVE)
        elif isinstance(node, (N.Power, N.ElemPower)) and not node.base.type.is_matrix and (
                node.exponent < 0 or not float(node.exponent).is_integer()):
            mark(node.base, POSITIVE)
        elif isinstance(node, N.GeneralPower):  # s^p, x .^ t: real for a positive base
            mark(node.base, POSITIVE)
    return found


def _factors(d) -> tuple:
    return d.factors if isinstance(d, Prod) else (d,)


def dimension_sizes(exprs: Iterable[N.Expr]) -> dict[str, int]:
    """A distinct size, from 3 up, for every named dimension of ``exprs``."""
    names: list[str] = []
    for expr in exprs:
        for node in N.walk(expr):
            for d in node.type.shape:
                names.extend(f for f in _factors(d) if isinstance(f, str) and f not in names)
    return {name: FIRST_SIZE + k for k, name in enumerate(names)}


def _size(d, sizes: dict[str, int]) -> int:
    if isinstance(d, Prod):
        return math.prod(_size(f, sizes) for f in d.factors)
    return d if isinstance(d, int) else sizes[d]


def random_value(rng: np.random.Generator, shape: tuple, role: str, symmetric: bool = False,
                 scale: float = 1.0):
    """One variable's value: a float for a scalar, an array otherwise; ``scale``
    multiplies it (every role survives a positive factor)."""
    if role == SPD and len(shape) == 2:
        n = shape[0]
        b = rng.uniform(0.1, 1.0, (n, n))
        # I + B Bᵀ/‖B Bᵀ‖: entries in (0, 2], eigenvalues in [1, 2], so well-conditioned.
        value = np.eye(n) + b @ b.T / np.linalg.norm(b @ b.T, 2)
    elif role in (POSITIVE, SPD):
        value = rng.uniform(0.5, 1.5, shape)
    else:
        value = rng.uniform(0.2, 1.0, shape) * rng.choice([-1.0, 1.0], shape)
    if symmetric:
        value = (value + value.T) / 2
    return float(value) * scale if not shape else value * scale


def _phi(k: int, order: int) -> Callable[[np.ndarray], np.ndarray]:
    """The ``order``-th derivative of φ_k(t) = sin(k t)/k + t²/2, entrywise:
    k^(d-1) sin(k t + dπ/2), plus t for d = 1 and 1 for d = 2."""
    def phi(t):
        t = np.asarray(t, dtype=float)
        value = k ** (order - 1) * np.sin(k * t + order * np.pi / 2)
        return value + {0: t * t / 2, 1: t, 2: 1.0}.get(order, 0.0)
    return phi


def _diagonal(entries: np.ndarray, order: int) -> np.ndarray:
    """The tensor of shape ``entries.shape * order``, ``entries`` where all ``order``
    multi-indices coincide and zero elsewhere: a separable function's derivative."""
    entries = np.asarray(entries, dtype=float)
    n = entries.size
    out = np.zeros((n,) * order)
    out[(np.arange(n),) * order] = entries.reshape(-1)
    return out.reshape(entries.shape * order)


MAX_SEVERAL_ORDER = 4  # derivatives of functions of several arguments given as callables


def _several(k: int, nargs: int, out: int | None) -> dict[tuple[tuple[int, ...], int], Callable]:
    """Callables for an abstract function of ``nargs`` arguments (or a vector value of
    length ``out``) and its partial derivatives up to :data:`MAX_SEVERAL_ORDER`:

        z = Σ_j M_j vec(u_j),   h_i = φ_k(z_i)   (g = Σ_i φ_k(z_i) for a scalar value)

    with fixed matrices M_j, so every mixed partial is nonzero: the derivative by the
    arguments w_1 … w_d is φ_k^(d)(z_i) Π_t M_(w_t)[i, a_t] (summed over i for g)."""
    from itertools import combinations_with_replacement

    rows = out if out is not None else 3

    def mixing(j, size):
        i, a = np.meshgrid(np.arange(rows), np.arange(size), indexing="ij")
        return np.cos(1 + i + 2 * a + 3 * j + k) / math.sqrt(size)

    def make(which):
        phi = _phi(k, len(which))

        def fn(*args):
            arrays = [np.asarray(u, dtype=float) for u in args]
            ms = [mixing(j, max(u.size, 1)) for j, u in enumerate(arrays)]
            z = sum(m @ u.reshape(-1) for m, u in zip(ms, arrays))
            result = np.asarray(phi(z), dtype=float)
            for w in which:
                result = result[..., np.newaxis] * ms[w].reshape((rows,) + (1,) * (result.ndim - 1) + (-1,))
            result = result.reshape((rows,) + tuple(d for w in which for d in arrays[w].shape))
            return result.sum(axis=0) if out is None else result

        return fn

    found = {}
    for order in range(MAX_SEVERAL_ORDER + 1):
        for which in combinations_with_replacement(range(nargs), order):
            found[(which, order)] = make(which)
    return found


def abstract_callables(expr: N.Expr, sizes: dict | None = None) -> dict[str, Callable]:
    """Callables for the abstract functions of ``expr`` and their derivatives.

    The k-th name (sorted) is g(u) = Σ φ_k(u_i) for a scalar function and φ_k entrywise
    for an elementwise one; k differs between names so that a swap of two is caught.
    Keys follow ``symmat.evaluate``: ``g``, ``∇g``, ``∇²g``, ``d3_g``, ...; ``s``, ``s'``, ...
    Functions of several arguments or with a vector value (see :func:`_several`) are keyed
    as they are written: ``g``, ``∇_1g``, ``∇²_{1,2}g``, ``∇h``; ``sizes`` gives the
    length of a vector value named by a dimension (3 otherwise)."""
    out: dict[str, Callable] = {}
    several = {n.name: n for n in N.walk(expr) if isinstance(n, N.FnCall)}
    for k, (name, node) in enumerate(sorted(several.items()), start=50):
        length = node.out if isinstance(node.out, int) or node.out is None else (sizes or {}).get(node.out, 3)
        nargs = len(node.arguments)
        for (which, _), fn in _several(k, nargs, length).items():
            out[N.derivative_head(name, which, nargs)] = fn
    elementwise = {n.name for n in N.walk(expr) if isinstance(n, N.Elementwise) and n.is_abstract}
    scalar = {n.name for n in N.walk(expr) if isinstance(n, N.Call)}
    for k, name in enumerate(sorted(elementwise | scalar), start=1):
        for order in range(MAX_FUNCTION_ORDER + 1):
            phi = _phi(k, order)
            if name in elementwise:
                out[name + "'" * order] = phi
                continue
            if order == 0:
                out[name] = lambda u, phi=phi: float(np.sum(phi(u)))
            elif order == 1:
                out["∇" + name] = phi
            else:
                key = "∇²" + name if order == 2 else f"d{order}_{name}"
                out[key] = lambda u, phi=phi, order=order: _diagonal(phi(u), order)
    return out


def random_values(expr: N.Expr, rng: np.random.Generator, extra: dict[str, N.Symbol] | None = None,
                  scale: float = 1.0) -> dict[str, Any]:
    """Values for every variable (and every ``extra`` one, e.g. a declared variable
    absent from ``expr``), abstract function and named dimension of ``expr``; the
    variables' values are multiplied by ``scale``."""
    symbols = {**expr.free_symbols(), **(extra or {})}
    sizes = dimension_sizes([expr, *symbols.values()])
    # A size goes in by name only where no variable has that name.
    values: dict[str, Any] = {name: size for name, size in sizes.items() if name not in symbols}
    role_of = roles(expr)
    for name, symbol in symbols.items():
        shape = tuple(_size(d, sizes) for d in symbol.type.shape)
        values[name] = random_value(rng, shape, role_of.get(name, GENERAL), symbol.symmetric, scale)
    values.update(abstract_callables(expr, sizes))
    return values

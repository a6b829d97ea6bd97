"""Numeric verification of a derivative: ``symmat.diff``'s result against central finite
differences of the original expression, at random inputs (``symmat diff --check``).

The finite differences never see the derivative's formula, only NumPy evaluations of
``f`` itself, so they check the engine, its simplifications and its layouts at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from . import nodes as N
from .api import diff
from .declarations import Declarations, Variable, Where, parse_declarations
from .errors import DiffError, EvaluationError
from .evaluate import Evaluator
from .parse import parse
from .recursion import deep
from .registry import PRIMITIVES
from .sample import random_values
from .shapes import Prod, Type, dim_product

# Central differences: truncation error ~ h² f''' and rounding error ~ ε |f| / h are
# balanced near h = ε^(1/3) ≈ 6e-6 for values of size 1.
STEP = 1e-5
# A correct derivative agrees to about 1e-9 at that step; a wrong one is off by a
# sizeable fraction. The margin absorbs expressions with large third derivatives.
TOLERANCE = 1e-4
# Draws of random inputs tried for each sample before giving up on the domain, and the
# factors they are scaled by in turn: log(1 - xᵀx) needs small inputs, log(xᵀx - 9) large.
ATTEMPTS = 20
SCALES = (1.0, 0.25, 4.0, 0.05, 20.0)
# A declared size above this is checked at a small stand-in size: the formula of a
# derivative does not depend on the sizes, and finite differences cost one evaluation
# of f per entry of the variable (3000 x 3000 would take minutes, 100000² no memory).
MAX_CHECKED_SIZE = 12
# Samples keep the arguments of functions with a kink (relu, abs, sign, step, max, min)
# at least this far from it, so that no finite-difference step straddles the kink, and
# keep every matrix that is inverted (or whose determinant is taken) this well-conditioned.
KINK_MARGIN = 1e-3
MAX_CONDITION = 1e8
KINKED = frozenset({"relu", "abs", "sign", "step", "max", "min"})  # and primitives marked kinked


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """‖got − want‖∞ / max(1, ‖want‖∞): relative to the derivative's largest entry,
    absolute when that is below 1 (where finite differences' error is absolute)."""
    if got.shape != want.shape:
        raise DiffError(f"the derivative has shape {got.shape} but finite differences give {want.shape}")
    if want.size == 0:
        return 0.0
    error = float(np.max(np.abs(got - want)))
    return error / max(1.0, float(np.max(np.abs(want))))


def finite_differences(f: N.Expr, wrt: str, values: dict[str, Any], layout: str = "numerator",
                       h: float = STEP, symmetric: bool = False) -> np.ndarray:
    """∂f/∂wrt by central differences, axes laid out as contract §3 says.

    ``symmetric``: perturb a symmetric matrix only along symmetric directions
    (E_ij + E_ji), which keeps its value symmetric and measures the gradient in the
    space of symmetric matrices, (G + Gᵀ)/2 for the entrywise gradient G."""
    x0 = np.asarray(values[wrt], dtype=float)
    f0 = np.asarray(f.evaluate(values), dtype=float)
    d = np.zeros(f0.shape + x0.shape)
    for idx in np.ndindex(*x0.shape):
        if symmetric and idx[0] > idx[1]:
            continue  # filled in with its mirror image
        direction = np.zeros(x0.shape)
        direction[idx] = 1.0
        if symmetric:
            direction[idx[::-1]] = 1.0
        # A scalar variable is passed as a float, as the caller gave it.
        fp = f.evaluate({**values, wrt: x0 + h * direction if x0.shape else float(x0 + h)})
        fm = f.evaluate({**values, wrt: x0 - h * direction if x0.shape else float(x0 - h)})
        slope = (np.asarray(fp, dtype=float) - np.asarray(fm, dtype=float)) / (2 * h)
        if symmetric and idx[0] != idx[1]:
            # Along E_ij + E_ji the slope is G_ij + G_ji: twice the symmetric part.
            d[(Ellipsis,) + idx] = d[(Ellipsis,) + idx[::-1]] = slope / 2
        else:
            d[(Ellipsis,) + idx] = slope
    r, k = f0.ndim, x0.ndim
    f_axes, x_axes = list(range(r)), list(range(r, r + k))
    return np.transpose(d, f_axes + x_axes[::-1] if layout == "numerator" else x_axes + f_axes[::-1])


def entrywise(expr: N.Expr, name: str) -> N.Expr:
    """``expr`` with the variable ``name`` no longer declared symmetric: the function of
    independent entries whose gradient the ``"unconstrained"`` convention promises."""
    memo: dict[int, N.Expr] = {}

    def rebuild(node: N.Expr) -> N.Expr:
        if id(node) in memo:
            return memo[id(node)]
        out: N.Expr
        if isinstance(node, N.Symbol):
            out = N.Symbol(node.name, node.type) if node.name == name else node
        elif node.children:
            # Every plain node's constructor takes its args in order (g(x, y): a tuple of them).
            out = type(node)(*(
                rebuild(a) if isinstance(a, N.Expr)
                else tuple(map(rebuild, a)) if isinstance(a, tuple) and a and isinstance(a[0], N.Expr)
                else a
                for a in node.args
            ))
        else:
            out = node
        memo[id(node)] = out
        return out

    return rebuild(expr)


def _finite(value) -> bool:
    return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


def check_derivative(
    f: str | N.Expr,
    wrt: str | N.Symbol,
    *,
    layout: str = "numerator",
    where: Where = None,
    order: int = 1,
    symmetric: str = "unconstrained",
    samples: int = 3,
    seed: int = 0,
) -> float:
    """The largest :func:`relative_error` of ``symmat.diff(f, wrt, ...)`` against
    central finite differences, over ``samples`` random inputs (see symmat.sample).

    The k-th derivative is compared with differences of the (k−1)-th, so a Hessian is
    checked against the engine's own gradient (itself checkable with ``order=1``).
    Declared sizes above MAX_CHECKED_SIZE are checked at small stand-in sizes.
    Raises EvaluationError when no random input keeps ``f`` finite (it leaves its
    domain: ``log(1 - x)``), and the errors of ``symmat.diff`` for a bad request."""
    return _check(f, wrt, layout=layout, where=where, order=order, symmetric=symmetric, samples=samples,
                  seed=seed)[0]


def _check(f, wrt, *, layout, where, order, symmetric, samples, seed) -> tuple[float, list[str]]:
    """:func:`check_derivative`'s error, and notes on what was checked (stand-in sizes)."""
    expr = f if isinstance(f, N.Expr) else parse(f, where) if isinstance(f, str) else _from_sympy(f)
    diff(expr, wrt, layout=layout, where=where, order=order, symmetric=symmetric)  # a bad request fails here
    name = str(wrt.name if isinstance(wrt, N.Symbol) else getattr(wrt, "name", wrt)).strip()
    variable = _variable(expr, name, where)
    notes: list[str] = []
    stand_ins = small_sizes([expr, variable])
    if stand_ins:
        # A variable is rebuilt as a variable (resized keeps each node's class).
        expr, variable = resized(expr, stand_ins), cast(N.Symbol, resized(variable, stand_ins))
        where = _declaring(where, variable)
        shown = ", ".join(f"{big} -> {small}" for big, small in stand_ins.items())
        notes.append(f"declared sizes above {MAX_CHECKED_SIZE} checked at small sizes ({shown}); "
                     "the derivative's formula does not depend on them")
    result = diff(expr, name, layout=layout, where=where, order=order, symmetric=symmetric)
    if order == 1:
        base = expr
    else:
        base = diff(expr, name, layout=layout, where=where, order=order - 1, symmetric=symmetric)
    along_symmetric = variable.symmetric and symmetric == "symmetric"
    if variable.symmetric and not along_symmetric:
        if order > 1:
            raise DiffError(
                f"cannot check a derivative of order {order} by the symmetric matrix {name} with independent "
                "entries (symmetric='unconstrained'); check order 1, or symmetric='symmetric'"
            )
        # The entrywise gradient needs perturbations that break the symmetry, which the
        # declared expression refuses to evaluate; its undeclared twin accepts them.
        base = entrywise(expr, name)
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(samples):
        values, want = _sample(expr, base, variable, layout, along_symmetric, rng)
        got = np.asarray(result.evaluate(values), dtype=float)
        if not _finite(got):
            return float("inf"), notes  # finite where f and its differences are: the result is wrong
        worst = max(worst, relative_error(got, want))
    return worst, notes


# ------------------------------------------------------------------ large sizes
def _dims(node) -> list[int]:
    return [f for d in node.type.shape for f in (d.factors if isinstance(d, Prod) else (d,)) if isinstance(f, int)]


def small_sizes(exprs) -> dict[int, int]:
    """A distinct stand-in size (unused elsewhere, from 6 up) for every integer size
    above MAX_CHECKED_SIZE in ``exprs``; empty when all sizes are small."""
    sizes = {d for e in exprs for node in N.walk(e) for d in _dims(node)}
    big = sorted(d for d in sizes if d > MAX_CHECKED_SIZE)
    free = (k for k in range(6, MAX_CHECKED_SIZE + len(big) + len(sizes) + 6) if k not in sizes)
    return {d: next(free) for d in big}


def resized(expr: N.Expr, sizes: dict[int, int]) -> N.Expr:
    """``expr`` with every integer size ``d`` in ``sizes`` replaced by ``sizes[d]``
    (in variables' shapes and in ``I_d``, ``ones_d``); types are inferred afresh."""
    def dim(d):
        if isinstance(d, Prod):
            return dim_product([dim(f) for f in d.factors])
        return sizes.get(d, d) if isinstance(d, int) and not isinstance(d, bool) else d

    memo: dict[int, N.Expr] = {}

    def rebuild(node: N.Expr) -> N.Expr:
        if id(node) in memo:
            return memo[id(node)]
        out: N.Expr
        if isinstance(node, N.Symbol):
            out = N.Symbol(node.name, Type(tuple(dim(d) for d in node.type.shape), node.type.row), node.symmetric)
        elif isinstance(node, N.FnCall):  # its arguments are a tuple, its value's length a size
            name, args, which, value = node.args
            out = N.FnCall(name, tuple(rebuild(a) for a in args), which, value if value is None else dim(value))
        elif node.children:
            out = type(node)(*(rebuild(a) if isinstance(a, N.Expr) else a for a in node.args))
        elif isinstance(node, N.Number):
            out = node
        else:  # a leaf whose arguments are its sizes: I_n, ones_n, zeros(m, n)
            out = type(node)(*(dim(a) if isinstance(a, (int, Prod)) else a for a in node.args))
        memo[id(node)] = out
        return out

    return rebuild(expr)


def _declaring(where: Where, variable: N.Symbol) -> Where:
    """``where`` with ``variable`` declared at its (stand-in) shape, for a variable absent
    from the expression whose zero derivative takes its shape from the declaration."""
    decls = parse_declarations(where)
    variables = {**decls.variables, variable.name: Variable(variable.type.shape, variable.symmetric)}
    return Declarations(variables, dict(decls.functions), set(decls.elementwise))


def _from_sympy(f) -> N.Expr:
    from .interop.sympy import from_sympy

    return from_sympy(f)


def _variable(expr: N.Expr, name: str, where: Where) -> N.Symbol:
    """The variable ``name``: from the expression, or declared and absent from it
    (``diff`` has already refused any other name)."""
    symbols = expr.free_symbols()
    if name in symbols:
        return symbols[name]
    declared = parse_declarations(where).variables[name]
    return N.Symbol(name, Type(declared.shape), declared.symmetric)


def _sample(expr: N.Expr, base: N.Expr, variable: N.Symbol, layout: str, along_symmetric: bool,
            rng: np.random.Generator) -> tuple[dict[str, Any], np.ndarray]:
    """Random values where ``expr`` and the finite differences of ``base`` are finite,
    away from kinks and singular matrices (:func:`hazard`) where possible, and those
    differences. A sample that cannot avoid a kink (``relu(x - x)``) is used anyway."""
    fallback = None
    for attempt in range(ATTEMPTS):
        scale = SCALES[attempt % len(SCALES)]
        values = random_values(expr, rng, extra={variable.name: variable}, scale=scale)
        try:
            with np.errstate(all="ignore"):
                if not _finite(expr.evaluate(values)):
                    continue
                risky = hazard([expr, base], values)
                if risky and fallback is not None:
                    continue
                want = finite_differences(base, variable.name, values, layout, symmetric=along_symmetric)
        except np.linalg.LinAlgError:  # a singular matrix drawn by chance: draw again
            continue
        if _finite(want):
            if not risky:
                return values, want
            fallback = fallback or (values, want)
    if fallback is not None:
        return fallback
    raise EvaluationError(
        f"no random input in {ATTEMPTS} tries keeps the expression finite; "
        "it may leave its domain (log or sqrt of a negative, a singular inverse)"
    )


def hazard(exprs: list[N.Expr], values: dict[str, Any]) -> bool:
    """Whether ``values`` put the argument of a kinked function within KINK_MARGIN of its
    kink (for ``max(a, b)``/``min(a, b)``: ``a`` within it of ``b``), or a matrix that is
    inverted, or whose determinant is taken, near singularity (condition > MAX_CONDITION)."""
    evaluator = Evaluator(values)
    for e in exprs:
        for s in e.free_symbols().values():
            evaluator(s)  # binds the dimensions the variables fix
        for node in N.walk(e):
            name = getattr(node, "name", None) if isinstance(node, (N.Elementwise, N.Apply)) else None
            operands = [a for a in node.args if isinstance(a, N.Expr)]
            kinked = isinstance(node, N.Apply) and PRIMITIVES[node.name].kinked
            if kinked or name in KINKED or type(node).__name__.lower() in KINKED:
                gap = evaluator(operands[0]) if len(operands) == 1 else \
                    np.asarray(evaluator(operands[0])) - np.asarray(evaluator(operands[1]))
                if np.any(np.abs(np.asarray(gap, dtype=float)) < KINK_MARGIN):
                    return True
            singular = (isinstance(node, N.Apply) and PRIMITIVES[node.name].square) or (
                isinstance(node, N.Power) and node.base.type.is_matrix and node.exponent < 0)
            if singular:
                m = np.asarray(evaluator(operands[0]), dtype=float)
                if m.ndim == 2 and np.linalg.cond(m) > MAX_CONDITION:
                    return True
    return False


@dataclass(frozen=True)
class CheckReport:
    """The outcome of :func:`verify`: the largest relative error over ``samples``
    random inputs, whether it is within ``tolerance``, and notes on what was checked."""

    max_error: float
    samples: int
    tolerance: float
    notes: tuple = ()

    @property
    def passed(self) -> bool:
        return self.max_error <= self.tolerance

    def summary(self) -> str:
        """``check: max relative error 3.1e-09 over 3 random inputs (finite differences)``,
        then a line ``check: note: ...`` for each note."""
        line = f"max relative error {self.max_error:.2g} over {self.samples} random inputs (finite differences)"
        head = f"check: {line}" if self.passed else f"check: FAILED: {line}, above the tolerance {self.tolerance:.0e}"
        return "\n".join([head, *(f"check: note: {note}" for note in self.notes)])

    def as_dict(self) -> dict[str, Any]:
        # JSON has no infinity: a derivative that is not finite where f is gets null.
        error = self.max_error if math.isfinite(self.max_error) else None
        return {"max_relative_error": error, "samples": self.samples, "tolerance": self.tolerance,
                "passed": self.passed, "notes": list(self.notes)}


@deep
def verify(f: str | N.Expr, wrt: str | N.Symbol, *, layout: str = "numerator", where: Where = None,
           order: int = 1, symmetric: str = "unconstrained", samples: int = 3, seed: int = 0,
           tolerance: float = TOLERANCE) -> CheckReport:
    """:func:`check_derivative`, judged against ``tolerance``."""
    error, notes = _check(f, wrt, layout=layout, where=where, order=order, symmetric=symmetric,
                          samples=samples, seed=seed)
    return CheckReport(error, samples, tolerance, tuple(notes))

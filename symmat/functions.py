"""The built-in elementwise functions of the language, as a table (the matrix functions
are in the registry, symmat.registry, one module each in symmat.primitives).

Each elementwise function is one row: how NumPy computes it, how LaTeX and SymPy
write it, and its derivative written *in the input language* in terms of a scalar
``x`` (the derivative of an elementwise function is itself elementwise, so the
formula applies entry by entry to any shape).

Conventions at points where the derivative does not exist: ``relu'(0) = step(0) = 0``
and ``abs'(0) = sign(0) = 0`` (the subgradient of smallest magnitude, what the
frameworks return); ``step`` and ``sign`` have derivative 0 wherever it exists.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .registry import MATRIX_FUNCTIONS


class _LazyNumpy:
    """``numpy``, imported on first use: deriving and printing text or LaTeX (the command
    line's common case) never evaluates, and importing NumPy was half its cold start."""

    def __getattr__(self, name: str):
        import numpy

        return getattr(numpy, name)


np = _LazyNumpy()


def _ufunc(name: str) -> Callable:
    return lambda x: getattr(np, name)(x)


def _sigmoid(x):
    # The row's numpy_parts and numpy_source, as a function (see there).
    e = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0, 1.0, e) / (1.0 + e)


@dataclass(frozen=True)
class ElementwiseFunction:
    """One elementwise function. ``numpy`` and ``numpy_source`` compute the same formula and
    must be *stable*: no overflow, invalid value or division by zero wherever the function
    (and the derivative formula) has a finite value, so generated code runs clean under
    ``np.errstate(over="raise", invalid="raise", divide="raise")``. ``numpy_parts`` are
    intermediate values the source uses more than once, each computed once into a
    temporary of its own. The sources never negate ``x``: the printer substitutes the
    argument's code for ``x``, and ``-x`` of a negated argument would print ``-(-u)``."""

    name: str
    numpy: Callable
    numpy_source: str  # expression in ``x`` (and the parts) using only ``np``, for generated code
    derivative: str  # input language, in terms of the scalar x
    latex: str
    sympy: str  # name of the SymPy function (or a formula in x for the ones SymPy lacks)
    numpy_parts: tuple[tuple[str, str], ...] = ()  # (name, expression in x and earlier parts)


ELEMENTWISE: dict[str, ElementwiseFunction] = {
    f.name: f
    for f in [
        ElementwiseFunction("exp", _ufunc("exp"), "np.exp(x)", "exp(x)", r"\exp", "exp"),
        ElementwiseFunction("log", _ufunc("log"), "np.log(x)", "1 / x", r"\log", "log"),
        ElementwiseFunction("sin", _ufunc("sin"), "np.sin(x)", "cos(x)", r"\sin", "sin"),
        ElementwiseFunction("cos", _ufunc("cos"), "np.cos(x)", "-sin(x)", r"\cos", "cos"),
        ElementwiseFunction("tanh", _ufunc("tanh"), "np.tanh(x)", "1 - tanh(x)^2", r"\tanh", "tanh"),
        ElementwiseFunction("sqrt", _ufunc("sqrt"), "np.sqrt(x)", "0.5 / sqrt(x)", r"\sqrt", "sqrt"),
        ElementwiseFunction(
            # σ(x) = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: with
            # e = e^-|x| no exponent is positive (no overflow, no inf / inf), one exp.
            "sigmoid", _sigmoid, "np.where(x >= 0, 1.0, e) / (1.0 + e)",
            "sigmoid(x) (1 - sigmoid(x))", r"\sigma", "1/(1 + exp(-x))",
            numpy_parts=(("e", "np.exp(-np.abs(x))"),),
        ),
        ElementwiseFunction(
            "relu", lambda x: np.maximum(x, 0.0), "np.maximum(x, 0.0)",
            "step(x)", r"\operatorname{relu}", "Max(x, 0)",
        ),
        ElementwiseFunction(
            "softplus", lambda x: np.logaddexp(0.0, x), "np.logaddexp(0.0, x)",
            "sigmoid(x)", r"\operatorname{softplus}", "log(1 + exp(x))",
        ),
        ElementwiseFunction("abs", _ufunc("abs"), "np.abs(x)", "sign(x)", r"\operatorname{abs}", "Abs"),
        ElementwiseFunction(
            "step", lambda x: (np.asarray(x) > 0).astype(float), "(x > 0).astype(float)",
            "0", r"\operatorname{step}", "Heaviside(x, 0)",
        ),
        ElementwiseFunction("sign", _ufunc("sign"), "np.sign(x)", "0", r"\operatorname{sign}", "sign"),
    ]
}


def is_reserved(name: str) -> bool:
    """Whether ``name`` is a built-in function, ``I`` or ``ones`` (no variable may take it)."""
    return name in ELEMENTWISE or name in MATRIX_FUNCTIONS or name in ("I", "ones")


def builtin_functions() -> frozenset[str]:
    """The names of the built-in functions: elementwise and matrix functions (the
    registry's, filled when symmat is imported)."""
    return frozenset(ELEMENTWISE) | frozenset(MATRIX_FUNCTIONS)


def near_builtin(name: str) -> str | None:
    """The built-in function that ``name`` is probably a typo of: the same name in
    another case (``Sigmoid``), or, for names of three letters or more, one edit away
    (a letter inserted, deleted or changed: ``sigmod``, ``logdett``, ``sofmax``)."""
    builtins = builtin_functions()
    if name in builtins:
        return None
    for builtin in sorted(builtins):
        if name.lower() == builtin:
            return builtin
    if len(name) < 3:
        return None
    for builtin in sorted(builtins, key=lambda b: (abs(len(b) - len(name)), b)):
        if _one_edit(name, builtin):
            return builtin
    return None


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one inserted, deleted or changed letter."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]

"""The registry of matrix functions (primitives, as JAX calls them): plain data.

A :class:`Primitive` holds everything about one matrix function of the language —
its typing rule, NumPy value and generated-code spellings, printed forms, index form
and derivative, matrix notation, SymPy counterpart and recogniser, and the differential
law of the step-by-step derivations — as fields that are values or small functions. Each
function is defined, with its laws, in one module of :mod:`symmat.primitives`, which
registers it here when ``symmat`` is imported; every layer of the engine (typing,
evaluation, lowering, differentiation, matrix form, printers, SymPy, steps) looks a
function up in :data:`PRIMITIVES` instead of switching on its name.

This module is at the bottom of the import order (it imports nothing of symmat): the
layers read the registry, only :mod:`symmat.primitives` (the top layer) writes it.

Derivatives. A primitive either *lowers* to index form built from other tensors
(``tr X = Σ_i X_ii``: the engine then differentiates the contraction, nothing else to
say), or stays one opaque tensor node :class:`~symmat.index.tensor.Apply` and gives
its derivative as a list of :class:`Term` — the linear map ``dX ↦ dY`` written as
contractions in which :data:`DX` stands for the argument's differential. That one
spec serves both modes: forward mode substitutes ``∂X/∂x`` for ``DX``
(:mod:`symmat.differentiation.rules`), reverse mode transposes each term to send the
adjoint ``Ȳ`` back to ``X`` (:mod:`symmat.differentiation.adjoint`), exactly as the
product rule of a contraction does.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class D:
    """In a :class:`Term`, the differential ``dX_k`` of the primitive's argument ``k``."""

    k: int = 0


DX = D(0)


@dataclass(frozen=True)
class Term:
    """``coef Σ Π operands[j][subscripts[j]]`` with output labels ``out``: one term of a
    primitive's differential ``dY[out]``. Exactly one operand is a :class:`D`; labels
    are any hashable values (as for :func:`symmat.index.tensor.einsum`)."""

    operands: tuple[Any, ...]  # index-form tensors and one D
    subscripts: tuple[tuple, ...]
    out: tuple
    coef: float = 1.0


# Field types of a Primitive. The printers, the SymPy writer and the steps expander are
# passed in (typed Any here: this module sits below them).
TypeRule = Callable[[Any, Any], Any]  # (unifier, argument Type) -> result Type; raises ShapeError
Derivative = Callable[[Any], Sequence[Term]]  # (the index-form node Y = f(X)) -> the terms of dY


@dataclass(frozen=True, eq=False, repr=False)
class Primitive:
    """One matrix function of the language (see the module docstring).

    ``name`` is the function's name in the matrix language's nodes (``Apply(name, x)``);
    the language writes it ``name(x)`` unless ``written`` says otherwise (``norm1`` is
    written ``norm(x, 1)``; the parser reads that spelling). Every field but the first
    five has a default that fits most functions."""

    name: str
    shape: TypeRule
    numpy: Callable[[Any], Any]  # value from the argument's NumPy value (evaluate(), index form)
    code: dict[str, str | tuple[str, ...]]  # target ("numpy", "jax", "torch") -> spelling, see printing.targets
    sympy: Callable[[Any, Any], Any]  # (SymPy writer, argument node) -> SymPy expression
    # (SymPy reader, SymPy expression) -> the node when the expression is this function, else None
    from_sympy: Callable[[Any, Any], Any] | None = None
    # LaTeX: an operator written \op\left(x\right), or (printer, argument node) -> LaTeX
    latex: str | Callable[[Any, Any], str] = ""
    latex_postfix: bool = False  # the LaTeX form is a postfix (X^{-1}): it binds like a power
    text: str = ""  # the text form, a format string in {0} (the argument); default name({0})
    # Index form. ``lower`` builds it from the argument's tensor; None: an opaque node
    # T.Apply whose axes ``index_shape`` gives and whose differential ``derivative`` gives.
    lower: Callable[[Any], Any] | None = None  # argument's tensor -> the value's tensor
    index_shape: Callable[[tuple], tuple] | None = None
    derivative: Derivative | None = None
    # The opaque node back in matrix notation, from its argument's expression; None: name(x).
    matrix_form: Callable[[Any], Any] | None = None
    # Generated code: (code printer, argument node) -> Code, or None to use the spelling.
    print_code: Callable[[Any, Any], Any] | None = None
    # Steps: (expander, node u = f(a), argument a) -> (rule in words, law in LaTeX, du),
    # or None where no law applies (steps then use the derivative, see steps.expand).
    differential: Callable[[Any, Any, Any], tuple[str, str, Any] | None] | None = None
    written: str = ""  # the name the language reads it by; default ``name``
    kinked: bool = False  # not differentiable everywhere: --check samples away from the kink
    square: bool = False  # of a square matrix that must be invertible: sampled positive definite

    def __post_init__(self) -> None:
        if not self.text:
            object.__setattr__(self, "text", self.name + "({0})")
        if not self.written:
            object.__setattr__(self, "written", self.name)
        if self.lower is None and (self.index_shape is None or self.derivative is None):
            raise ValueError(f"{self.name}: an opaque primitive needs index_shape and derivative")

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"


PRIMITIVES: dict[str, Primitive] = {}
# Names the language reads as a matrix function: the primitives' and the binary
# operators written as calls (nodes.Kron, nodes.Max, nodes.Min).
MATRIX_FUNCTIONS: set[str] = {"kron", "max", "min"}


def register(*primitives: Primitive) -> None:
    for p in primitives:
        if p.name in PRIMITIVES:
            raise ValueError(f"the matrix function {p.name} is defined twice")
        PRIMITIVES[p.name] = p
        MATRIX_FUNCTIONS.add(p.written)

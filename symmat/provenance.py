"""Where an expression came from, kept *beside* it, never inside its nodes.

A node is mathematics only: ``I`` is the identity whatever it was computed from, and
two equal trees are equal. What a result knows beyond its value is its provenance,
a :class:`Provenance` record looked up by the expression's identity:

- ``origin``: the objects its names were written with in another system (SymPy) — the
  user's ``MatrixSymbol('x', n, 1)``, the ``Symbol('n', positive=True)`` of a size, the
  ``Function('g')`` — so that converting a result back gives the user's own objects
  (assumptions included) instead of look-alikes. A mapping ``(kind, name) -> object``
  with ``kind`` one of ``"var"``, ``"dim"``, ``"fn"``; what the objects are is the
  business of the module that wrote them (symmat.interop.sympy).
- ``variables``: the ``(name, Type)`` of variables whose values fix dimensions the
  expression does not mention itself (∂x/∂x = I needs x's length; ``I_n`` parsed with
  ``x: n`` declared). Evaluation checks and binds them when ``values`` gives them; the
  generated code takes them as parameters. Printing never needs them: a size that the
  printed text cannot recover is written on the constant (``I_n``, ``ones_n``).
- ``derivative``: what a result of ``symmat.diff`` (or a derivative read back from
  index notation, symmat.index.reading) is the derivative of (:class:`Derivative`: the
  input, the variable, the layout, the order); index notation prints it as its headline
  (∂f[i]/∂W[k,j] = …).

Why a side table and not a result wrapper: contract §4 makes ``diff`` return an
``Expr`` (whose ``evaluate``, ``latex``, ``numpy``, ``str`` and ``shape`` are the API), and
an ``Expr`` is what ``diff``, ``simplify`` and the printers take, so a result fed back in
(``diff(diff(f, x), y)``) must be one. A wrapper that is an ``Expr`` is a node carrying
non-mathematics (the ``Derived`` node this replaces, which every printer, evaluator and
rewrite had to special-case). With the record beside the tree, the nodes stay plain and
only the few readers of provenance (evaluation, code signatures, index-form labels,
SymPy conversion) look it up, at the root they were given.

A record belongs to one object: :func:`record` returns a fresh copy of the root node
(children shared, O(1)) carrying it, because the same node may be part of other
expressions (∂(a x)/∂x is ``f``'s own ``a``) that must not gain it. The entry is
dropped when that object is garbage collected. Operations that build a new expression
(``simplify``, ``parse(str(e))``) build one without provenance, as they should.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .nodes import Expr
    from .shapes import Type

Origin = Mapping[tuple[str, str], Any]
# (name, Type) of the variables whose values fix sizes an expression does not mention.
Variables = tuple[tuple[str, "Type"], ...]
EMPTY: Origin = MappingProxyType({})


@dataclass(frozen=True)
class Derivative:
    """What a result of ``symmat.diff`` is: the ``order``-th derivative of ``f`` by the
    variable ``wrt`` in ``layout``. ``f_rank`` and ``x_rank`` are the ranks of ``f`` and
    of the variable. ``raw`` (order 1, index-notation results only) is ∂f/∂x with axes
    ``f.shape ++ x.shape`` before the layout ordered them (an index-form expression);
    it gives the vectorised Jacobian ∂vec(f)/∂vec(x)."""

    f: Expr
    wrt: str
    layout: str
    order: int
    f_rank: int
    x_rank: int
    raw: Expr | None = None


@dataclass(frozen=True)
class Provenance:
    """Everything an expression knows beyond its mathematics (see the module docstring)."""

    origin: Origin = field(default_factory=lambda: EMPTY)
    variables: Variables = ()
    derivative: Derivative | None = None


NONE = Provenance()

_RECORDS: dict[int, Provenance] = {}
_LOCK = threading.Lock()  # a record and its finalizer are registered together


def of(expr: object) -> Provenance:
    """The provenance recorded for ``expr`` (:data:`NONE` when it has none)."""
    return _RECORDS.get(id(expr), NONE)


E = TypeVar("E", bound="Expr")


def record(expr: E, **fields: Any) -> E:
    """A copy of ``expr``'s root node with the provenance of ``expr`` updated by
    ``fields``: ``origin`` and ``variables`` are merged with those it had (a parsed
    derivative in index notation keeps its own variables when the parser adds the
    declared ones), ``derivative`` replaces its own. Equal to ``expr`` in every
    mathematical sense; its own object, so the record is its alone."""
    old = of(expr)
    if "origin" in fields:
        fields["origin"] = MappingProxyType({**old.origin, **(fields["origin"] or {})})
    if "variables" in fields:
        merged = dict(old.variables)
        for name, type_ in fields["variables"]:
            merged.setdefault(name, type_)
        fields["variables"] = tuple(merged.items())
    new = replace(old, **fields)
    copy = object.__new__(type(expr))
    copy._init(expr.args, expr.type)
    if new.origin or new.variables or new.derivative is not None:
        key = id(copy)
        with _LOCK:
            _RECORDS[key] = new
            # The entry lives as long as the copy: its id may be reused afterwards.
            weakref.finalize(copy, _RECORDS.pop, key, None)
    return copy


def origin_of(expr: object) -> Origin:
    """The SymPy objects ``expr``'s names were written with (empty when none)."""
    return of(expr).origin


def attach(expr: E, origin: Origin | None) -> E:
    """``expr`` recorded as written with ``origin`` (merged over any it had)."""
    return record(expr, origin=origin) if origin else expr

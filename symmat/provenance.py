"""Where an expression came from, kept *beside* it, never inside its nodes.

An expression read from another system (SymPy) remembers the objects its names were
written with — the user's ``MatrixSymbol('x', n, 1)``, the ``Symbol('n', positive=True)``
of a size, the ``Function('g')`` — so that converting a result back gives the user's
own objects (assumptions included) instead of look-alikes. Nodes stay plain, hashable
and comparable by structure; the origin is a side table keyed by the object's identity
and dropped when the expression is garbage collected.

An origin is a mapping ``(kind, name) -> object`` with ``kind`` one of ``"var"``
(a variable), ``"dim"`` (a dimension) and ``"fn"`` (a function); what the objects are
is the business of the module that wrote them (symmat.interop.sympy). A derivative
inherits the origin of what it differentiates (symmat.diff).
"""
from __future__ import annotations

import weakref
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

Origin = Mapping[tuple[str, str], Any]

_ORIGINS: dict[int, Origin] = {}
EMPTY: Origin = MappingProxyType({})


def attach(expr, origin: Origin | None):
    """``expr``, recorded as coming from ``origin`` (merged over any origin it had)."""
    if not origin:
        return expr
    key = id(expr)
    if key not in _ORIGINS:
        # The entry lives as long as the expression: its id may be reused afterwards.
        weakref.finalize(expr, _ORIGINS.pop, key, None)
    _ORIGINS[key] = MappingProxyType({**_ORIGINS.get(key, {}), **origin})
    return expr


def origin_of(expr) -> Origin:
    """The origin recorded for ``expr`` (empty when it has none)."""
    return _ORIGINS.get(id(expr), EMPTY)


def inherit(result, *sources, extra: Origin | None = None):
    """``result`` with the merged origins of ``sources`` (and ``extra``)."""
    merged: dict = {}
    for source in sources:
        merged.update(origin_of(source))
    merged.update(extra or {})
    return attach(result, merged)

"""What the command line reports about an expression and its derivative: the shapes
inference decided, in the ``where`` syntax, and the record ``symmat diff --json`` prints."""
from __future__ import annotations

from typing import Any

from . import nodes as N
from . import provenance
from .index.expr import IndexExpr


def format_shape(shape: tuple) -> str:
    """``m x n``, ``m``, or ``scalar``: the shape as a ``where`` declaration writes it."""
    return " x ".join(str(d) for d in shape) if shape else "scalar"


def declarations_of(expr: N.Expr) -> dict[str, str]:
    """Every variable and abstract function of ``expr`` with its (inferred) declaration,
    ``{"W": "m x n", "a": "m", "g": "R^n -> R"}``, so a user sees what inference decided."""
    found: dict[str, str] = {}
    for name, symbol in expr.free_symbols().items():
        found[name] = format_shape(symbol.shape) + (" symmetric" if symbol.symmetric else "")
    if isinstance(expr, IndexExpr):  # index notation: its variables are kept beside it
        for name, type_ in provenance.of(expr).variables:
            found.setdefault(name, format_shape(type_.shape))
    for node in N.walk(expr):
        if isinstance(node, N.Call):
            argument = node.args[1].shape
            found.setdefault(node.name, f"R^{argument[0] if argument else 1} -> R")
        elif isinstance(node, N.Elementwise) and node.is_abstract:
            found.setdefault(node.name, "elementwise")
    return found


def where_text(expr: N.Expr) -> str:
    """:func:`declarations_of` as a ``where`` string: ``W: m x n; a: m; g: R^n -> R``."""
    return "; ".join(f"{name}: {spec}" for name, spec in declarations_of(expr).items())


def derivative_record(text: str, f: N.Expr, result: N.Expr, *, wrt: str, layout: str, order: int,
                      symmetric: str) -> dict[str, Any]:
    """The facts of one derivative as JSON-ready data: the input as written and its
    inferred declarations, the request, and the result's shape, text and LaTeX."""
    return {
        "input": text,
        "where": declarations_of(f),
        "wrt": wrt,
        "layout": layout,
        "order": order,
        "symmetric": symmetric,
        "shape": [d if isinstance(d, int) else str(d) for d in result.shape],
        "result": str(result),
        "latex": result.latex(),
    }

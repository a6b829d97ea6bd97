"""Which subexpressions a printed result names, the way papers write backpropagation:

    2 ((1 - h1 .^ 2) .* (W2^T ((1 - h2 .^ 2) .* (W3^T (W3 h2 - t))))) x^T
        where h1 = tanh(W1 x); h2 = tanh(W2 h1)

A result is a DAG: the activations of a network are built once and used by every
layer's gradient. Written out as a tree, each use repeats them, and the text grows
with the square of the depth. Naming each repeated subexpression once keeps the text
linear in the size of the DAG.

The rule: in a result that written out has at least ``MIN_RESULT_NODES`` nodes, a
subexpression is named when it would be printed at least twice and written out has at
least ``MIN_NODES`` nodes. ``-a`` and ``aᵀ`` are never named themselves (their operand
is, when it qualifies). Small results, and results without repeated parts, print
exactly as without the rule.

Why this is linear: a subexpression left unnamed either prints once, or is small (fewer
than ``MIN_NODES`` nodes, all of it), so every node is printed once in its definition
plus a bounded amount of times inside small copies.

The text, LaTeX and steps printers all use :func:`shared_subexpressions`.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet

from .. import nodes as N

MIN_NODES = 4  # tanh(W1 x) has four: tanh, the product, W1, x
MIN_RESULT_NODES = 64  # about 150 characters of text
PREFIX = "h"

_NEVER_NAMED = (N.Symbol, N.Number, N.Identity, N.Ones, N.Neg, N.Transpose)


def shared_subexpressions(expr: N.Expr, taken: AbstractSet[str] = frozenset()) -> dict[N.Expr, str]:
    """The names of the subexpressions of ``expr`` to write once, in the order to define
    them (each after the ones it uses): ``{node: "h1", ...}``. Names are ``h1``, ``h2``, …
    skipping those of ``expr``'s variables and functions and ``taken``."""
    order = _post_order(expr)
    size: dict[N.Expr, int] = {}
    for node in order:  # children first: written-out size, capped (it matters only up to the limits)
        size[node] = min(MIN_RESULT_NODES, 1 + sum(size[c] for c in node.children))
    if size[expr] < MIN_RESULT_NODES:
        return {}
    uses: dict[N.Expr, int] = {expr: 1}
    chosen: set[N.Expr] = set()
    for node in reversed(order):  # parents first: how often each node would be printed
        count = uses.get(node, 0)
        if count >= 2 and size[node] >= MIN_NODES and not isinstance(node, _NEVER_NAMED):
            chosen.add(node)
            count = 1  # its definition is printed once; its uses print the name
        for c in node.children:
            uses[c] = min(2, uses.get(c, 0) + count)
    if not chosen:
        return {}
    avoid = set(taken) | {n.name for n in order if isinstance(n, (N.Symbol, N.Call, N.Elementwise))}
    names: dict[N.Expr, str] = {}
    k = 0
    for node in order:
        if node in chosen:
            k += 1
            while f"{PREFIX}{k}" in avoid:
                k += 1
            names[node] = f"{PREFIX}{k}"
    return names


def _post_order(root: N.Expr) -> list[N.Expr]:
    """Every distinct node once, each after its children; iterative, so nesting depth
    is no limit."""
    order: list[N.Expr] = []
    visited: set[N.Expr] = set()
    stack: list[tuple[N.Expr, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        stack.extend((c, False) for c in reversed(node.children) if c not in visited)
    return order

"""Binding strength of each node kind, shared by the text and LaTeX printers.

Loosest to tightest, as in the grammar: sums, products, unary minus, powers and
transposes, atoms (names, numbers, calls, parenthesised groups).
"""
from __future__ import annotations

from .. import nodes as N

SUM, PRODUCT, UNARY, POSTFIX, ATOM = 10, 20, 30, 40, 50

PRECEDENCE = {
    N.Add: SUM,
    N.MatMul: PRODUCT,
    N.Hadamard: PRODUCT,
    N.HadamardDiv: PRODUCT,
    N.Div: PRODUCT,
    N.Kron: PRODUCT,
    N.Neg: UNARY,
    N.Power: POSTFIX,
    N.ElemPower: POSTFIX,
    N.Transpose: POSTFIX,
}


def precedence(node: N.Expr) -> int:
    if isinstance(node, N.Derived):
        return precedence(node.expr)
    if isinstance(node, N.Number) and node.value < 0:
        return UNARY
    return PRECEDENCE.get(type(node), ATOM)


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: 2.0 -> '2', 0.001 -> '0.001'."""
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return text.replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")

"""Binding strength of each node kind, shared by the text and LaTeX printers.

Loosest to tightest, as in the grammar: sums, products, unary minus, powers and
transposes, atoms (names, numbers, calls, parenthesised groups).
"""
from __future__ import annotations

from .. import nodes as N
from ..numbers import number_text

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
    N.GeneralPower: POSTFIX,
    N.Transpose: POSTFIX,
}


def precedence(node: N.Expr) -> int:
    if isinstance(node, N.Number) and node.value < 0:
        return UNARY
    if isinstance(node, N.Number) and ("/" in number_text(node.value) or " " in number_text(node.value)):
        return PRODUCT
    if isinstance(node, N.MatMul) and N.is_zeros(node):
        return ATOM  # printed 0 or zeros(m, n)
    return PRECEDENCE.get(type(node), ATOM)

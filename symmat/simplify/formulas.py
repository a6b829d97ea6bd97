"""Derivatives of the built-in elementwise functions as formulas in the scalar ``x``, in
matrix notation, for the code printers (printing/code.py), which print them as data:
order 1 is the table's formula as written (functions.py), each higher order the
derivative of the one before, simplified. Each is built once per process."""
from __future__ import annotations

from functools import cache

from .. import nodes as N
from ..differentiation import differentiate
from ..errors import SymmatError
from ..functions import ELEMENTWISE
from ..index import tensor as T
from ..index.lower import lower
from ..matrix_form import NoMatrixForm, matrix_form
from ..parse import parse
from .engine import simplify


@cache
def derivative_formula(name: str, order: int) -> N.Expr:
    """``f^(order)(x)`` of the built-in elementwise ``f`` as an expression in the scalar ``x``."""
    if order == 1:
        return parse(ELEMENTWISE[name].derivative, {"x": "scalar"})
    below = lower(derivative_formula(name, order - 1))
    tensor, type_, _ = differentiate(below, T.Var("x", ()), layout="numerator", order=1, symmetric="unconstrained")
    try:
        return simplify(matrix_form(tensor, type_))
    except NoMatrixForm:
        raise SymmatError(f"the code printers cannot yet print the derivative of order {order} of {name}") from None

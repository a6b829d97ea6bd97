"""Quotients by scalars."""
from __future__ import annotations

from ... import nodes as N
from ...algebra import mul


def quotient_of_quotient(e: N.Div):
    """(a / s) / t = a / (s t) for scalars s and t: one fraction bar, as the textbook
    writes ones ones^T / (m n)"""
    top, t = e.args
    if isinstance(top, N.Div) and top.args[1].type.is_scalar and t.type.is_scalar:
        return N.Div(top.args[0], mul(top.args[1], t))
    return None

"""Numerically stable forms: the formulas that overflow when written by hand replaced by
the functions that do not. Applied before differentiating (symmat.diff) and before
generating code (printing/code.py, which also rewrites log σ); the full simplifier is
never run by a printer."""
from __future__ import annotations

from .. import nodes as N
from .engine import Simplifier
from .rules import STABLE_CODE_FORMS, STABLE_FORMS


def stable_forms(e: N.Expr) -> N.Expr:
    """``e`` with the formulas that overflow when written by hand (log(1 + exp(u)),
    log(sum(exp(u))), exp(u) / sum(exp(u))) replaced by the functions that do not."""
    if not any(_is_exp(node) for node in N.walk(e)):
        # Every formula replaced is built on exp(u) (each rule's law says so, checked by
        # tests/simplify/test_rules.py): without one, e is its own stable form, said after
        # a walk instead of a simplifier's pass (a tenth of diff on a 10,000-term sum).
        return e
    return Simplifier(STABLE_FORMS)(e)


def stable_code_forms(e: N.Expr) -> N.Expr:
    """:func:`stable_forms`, and log(σ(u)) = -softplus(-u), log(1 - σ(u)) = -softplus(u):
    what generated code computes."""
    if not any(_is_exp(node) or _is_log(node) for node in N.walk(e)):
        return e  # as in stable_forms; the log σ rules rewrite a log
    return Simplifier(STABLE_CODE_FORMS)(e)


def _is_exp(node: N.Expr) -> bool:
    return isinstance(node, N.Elementwise) and node.name == "exp" and node.order == 0


def _is_log(node: N.Expr) -> bool:
    return isinstance(node, N.Elementwise) and node.name == "log" and node.order == 0

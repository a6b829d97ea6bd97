"""Simplifying the lines of a derivation with the simplifier ``symmat.diff`` uses.

``diff`` simplifies by lowering an expression to index form and raising it back to
matrix notation (``lower`` → ``matrix_form`` → ``simplify``); there ``σ ⊙ (1 − σ) ⊘ σ``
cancels and like terms merge. A line of a derivation holds differentials; each is
linear in the direction, so for the algebra it is just another variable: each
distinct ``d(u)`` is frozen as a fresh symbol of its type, the line is simplified, and
the symbols are thawed back into differentials. A simplified line is kept only when
it prints no longer (a canonical form is not always a clearer one).
"""
from __future__ import annotations

from .. import nodes as N
from ..errors import SymmatError
from ..index.lower import lower
from ..matrix_form import NoMatrixForm, matrix_form
from ..shapes import Type
from ..simplify.engine import simplify
from .algebra import Differential, substitute

# A character no name of the input language contains, so frozen names never clash.
_FROZEN = "\u2202\u2032"


def canonical(e: N.Expr) -> N.Expr | None:
    """``e`` simplified as ``symmat.diff`` simplifies a result, or None where that
    pipeline has no matrix form for it (or does not apply)."""
    frozen: dict[N.Expr, N.Expr] = {}  # differential -> what stands for it
    thaw: dict[N.Symbol, N.Expr] = {}  # symbol -> the differential (transposed for a row)
    for node in N.walk(e):
        if isinstance(node, Differential) and node not in frozen:
            t = node.type
            # Symbols are column vectors: a row differential is the transpose of one.
            symbol = N.Symbol(f"{_FROZEN}{len(frozen)}", Type(t.shape) if t.is_vector else t)
            frozen[node] = N.Transpose(symbol) if t.is_vector and t.row else symbol
            thaw[symbol] = N.Transpose(node) if t.is_vector and t.row else node
    plain = e
    for d, s in frozen.items():
        plain = substitute(plain, d, s)
    if any(isinstance(n, Differential) for n in N.walk(plain)):
        return None  # a differential inside a differential: nothing to gain
    try:
        # No provenance (the variables fixing sizes): a line is evaluated with the values
        # of f's variables, which fix every dimension, and a frozen name is no variable.
        out = simplify(matrix_form(lower(plain), plain.type))
    except (NoMatrixForm, SymmatError, RecursionError):
        return None
    if out.type != e.type:
        return None
    for s, d in thaw.items():
        out = substitute(out, s, d)
    out = _untwice(out)
    if any(isinstance(n, N.Symbol) and n.name.startswith(_FROZEN) for n in N.walk(out)):
        return None
    return out


def _untwice(e: N.Expr) -> N.Expr:
    """``(Aᵀ)ᵀ = A`` where thawing a row differential made one."""
    memo: dict[int, N.Expr] = {}

    def go(node: N.Expr) -> N.Expr:
        if id(node) in memo:
            return memo[id(node)]
        if isinstance(node, N.Transpose) and isinstance(node.args[0], N.Transpose):
            out = go(node.args[0].args[0])
        else:
            args = tuple(go(a) if isinstance(a, N.Expr) else a for a in node.args)
            out = node if all(x is y for x, y in zip(args, node.args)) else type(node)(*args)
        memo[id(node)] = out
        return out

    return go(e)


def tidy(e: N.Expr, shown) -> N.Expr:
    """``e`` simplified where that prints no longer (``shown`` prints an expression)."""
    simpler = canonical(e)
    if simpler is None:
        return e
    return simpler if len(shown(simpler)) <= len(shown(e)) else e

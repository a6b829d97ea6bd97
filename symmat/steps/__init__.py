"""Step-by-step derivations for homework: ``df`` expanded one named rule at a time,
brought into identification form, and the derivative read off (contract §5,
``--emit steps``)."""
from __future__ import annotations

from .. import nodes as N
from ..declarations import Where
from ..recursion import deep
from .algebra import Differential, UnsupportedStep
from .derive import Derivation, Step, derive
from .render import align, document, expr_latex, expr_text


def derivation_steps(
    f: str | N.Expr, wrt: str | N.Symbol, *, layout: str = "numerator", where: Where = None,
    order: int = 1, symmetric: str = "unconstrained",
) -> list[Step]:
    """The steps of ``∂f/∂wrt`` (``order`` 2: and of that derivative by ``wrt`` again):
    the first is ``df = d(f)``, the last is ``symmat.diff(f, wrt, layout=layout,
    order=order, symmetric=symmetric)`` as diff prints it."""
    return derive(f, wrt, layout=layout, where=where, order=order, symmetric=symmetric).steps


@deep
def steps_latex(
    f: str | N.Expr, wrt: str | N.Symbol, *, layout: str = "numerator", where: Where = None,
    document: bool = False, order: int = 1, symmetric: str = "unconstrained",
) -> str:
    """The derivation as an ``align*`` display block, or (``document=True``) as a
    standalone LaTeX document that compiles with amsmath."""
    from . import render

    derivation = derive(f, wrt, layout=layout, where=where, order=order, symmetric=symmetric)
    return render.document(derivation) if document else render.align(derivation)


__all__ = [
    "derivation_steps", "steps_latex", "derive", "Derivation", "Step", "Differential",
    "UnsupportedStep", "align", "document", "expr_latex", "expr_text",
]

"""``derivation_steps``: the derivative of a scalar function as a list of steps.

Method (Magnus & Neudecker): write ``df = d(f)``, expand the differential one rule at a
time until only ``dX`` remains (expand.py), bring the result into the form
``df = gᵀ dx`` or ``df = tr(P dX)`` one identity at a time (identify.py), and read off
the derivative (identification): with ``df = tr(Gᵀ dX)``, ``∂f/∂X = G`` in denominator
layout and ``Gᵀ`` in numerator layout (contract §3). Every step is an equality between
real expressions; ``symmat.steps.check`` evaluates both sides of each.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .. import nodes as N
from ..declarations import Where
from ..errors import DiffError
from ..parse import ensure_recursion_limit, parse
from ..simplify.engine import simplify
from ..simplify.matrix_form import bind_dimensions
from .algebra import Differential, UnsupportedStep, mentions, substitute, transpose
from .expand import D, Expander, find_pending
from .identify import Identifier, collect, initial_terms, kind_of, show

LAYOUTS = ("numerator", "denominator")
MAX_STEPS = 400


@dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = expr`` by ``rule``.

    ``lhs`` is ``"differential"`` (the line reads ``df = expr``, ``expr`` linear in
    ``dX``) or ``"derivative"`` (``∂f/∂X = expr``). ``law`` is the identity applied,
    as LaTeX math ('' when the rule's name says it all; the first line has no rule)."""

    rule: str
    law: str
    expr: N.Expr
    lhs: str = "differential"


@dataclass(frozen=True)
class Derivation:
    f: N.Expr
    var: N.Symbol
    layout: str
    steps: list


def derive(
    f: Union[str, N.Expr], wrt: Union[str, N.Symbol], *, layout: str = "numerator", where: Where = None
) -> Derivation:
    ensure_recursion_limit()
    if layout not in LAYOUTS:
        raise DiffError(f"layout must be 'numerator' or 'denominator', not {layout!r}")
    f = parse(f, where) if isinstance(f, str) else f
    if not isinstance(f, N.Expr):
        raise DiffError(f"f must be an expression or its text, not {type(f).__name__}")
    if not f.type.is_scalar:
        raise UnsupportedStep(
            f"steps cover scalar functions; f is {f.type.describe()} (use symmat.diff for its derivative)"
        )
    var = _variable(f, wrt)
    if var.type.rank > 2:
        raise UnsupportedStep("steps cover scalar, vector and matrix variables")
    if var.type.is_vector and var.type.row:
        raise UnsupportedStep("steps cover column-vector variables")
    if not mentions(f, var.name):
        raise UnsupportedStep(f"f does not depend on {var.name}: df = 0")

    lines: list[Step] = []

    def emit(step: Step) -> None:
        from .render import expr_latex

        if len(lines) > MAX_STEPS:
            raise UnsupportedStep("the derivation does not terminate")  # a bug, not bad input
        # An identity that changes the tree but not what a reader sees is not a step.
        if lines and lines[-1].lhs == step.lhs and expr_latex(lines[-1].expr) == expr_latex(step.expr):
            lines[-1] = Step(lines[-1].rule, lines[-1].law, step.expr, step.lhs)
            return
        lines.append(step)

    expr: N.Expr = Differential(f)
    emit(Step("", "", expr))
    expander = Expander(var)
    while (pending := find_pending(expr, var)) is not None:
        rw = expander.rewrite(pending.args[0])
        expr = substitute(expr, pending, rw.expr)
        emit(Step(rw.rule, rw.law, expr))

    identifier = Identifier(var)
    terms = initial_terms(expr)
    while (result := identifier.step(terms)) is not None:
        rule, law, terms = result
        emit(Step(rule, law, show(terms)))
    merge, total = collect(terms, var)
    if merge is not None:
        emit(Step(merge.rule, merge.law, merge.expr))

    for step in identification(total, var, layout):
        emit(step)
    answer = lines[-1].expr
    simpler = simplify(answer)
    variables = tuple((s.name, s.type) for s in f.free_symbols().values())
    emit(Step("simplify", "", bind_dimensions(simpler, variables), "derivative"))
    return Derivation(f, var, layout, lines)


def identification(P: N.Expr, var: N.Symbol, layout: str) -> list[Step]:
    """From ``df = P dx`` or ``df = tr(P dX)``: ``∂f/∂X = P`` (numerator layout), or
    ``df = tr(Gᵀ dX)`` with ``G = Pᵀ`` and ``∂f/∂X = G`` (denominator layout)."""
    kind, dX = kind_of(var), Differential(var)
    x = _latex_var(var)
    partial = rf"\frac{{\partial f}}{{\partial {x}}}"
    if kind == "scalar":
        law = rf"{D}f = g\,{D}{x} \Rightarrow {partial} = g"
        return [Step("identification", law, P, "derivative")]
    G = transpose(P)
    if kind == "vector":
        form, grad = rf"g^\top {D}{x}", "g"
        shown = N.MatMul(N.Transpose(G), dX)
    else:
        form, grad = rf"\operatorname{{tr}}(G^\top {D}{x})", "G"
        shown = N.Apply("tr", N.MatMul(N.Transpose(G), dX))
    if layout == "numerator":
        law = rf"{D}f = {form} \Rightarrow {partial} = {grad}^\top"
        return [Step("identification, numerator layout", law, P, "derivative")]
    law = rf"{D}f = {form} \Rightarrow {partial} = {grad}"
    return [
        Step("transpose", r"P = (P^\top)^\top", shown),
        Step("identification, denominator layout", law, G, "derivative"),
    ]


def _latex_var(var: N.Symbol) -> str:
    from ..printing.latex_names import latex_name

    return latex_name(var.name)


def _variable(f: N.Expr, wrt) -> N.Symbol:
    name = wrt.name if isinstance(wrt, N.Symbol) else wrt.strip() if isinstance(wrt, str) else None
    if name is None:
        raise DiffError(f"wrt must be the name of a variable, not {type(wrt).__name__}")
    symbols = f.free_symbols()
    if name not in symbols:
        raise DiffError(f"{name!r} is not a variable of the expression")
    return symbols[name]
